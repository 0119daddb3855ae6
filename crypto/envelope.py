"""Per-record data keys, stored only wrapped (AES-256-GCM) under a key-encryption key.

Wrapped-key format, version 1 (all lengths in bytes):

    version (1) | len(kek_id) (1) | kek_id (ASCII) | data key id (16) | nonce (12) | AES-GCM(48)

The header and the owner (e.g. ``case:<uuid>``) are the associated data, so a wrapped key
copied to another record does not unwrap, and the KEK id cannot be swapped unnoticed.
"""

from __future__ import annotations

import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DecryptionError, KeyMaterialError
from .keyring import KEY_BYTES, KeyRing

WRAP_VERSION = 1
NONCE_BYTES = 12
KEY_ID_BYTES = 16
_WRAP_AAD_PREFIX = b"sutura/data-key/v1\x00"
_SEALED_AND_NONCE = NONCE_BYTES + KEY_BYTES + 16


class DataKey:
    """An unwrapped data key. Lives in memory only for as long as a request needs it.

    A plain slotted class rather than a dataclass: one is built per record read, and the
    dataclass machinery cost more than the unwrapping itself.
    """

    __slots__ = ("_cipher", "key_id", "secret")

    def __init__(self, key_id: bytes, secret: bytes) -> None:
        if len(key_id) != KEY_ID_BYTES or len(secret) != KEY_BYTES:
            raise KeyMaterialError("a data key needs a 16-byte id and a 32-byte secret")
        self.key_id = key_id
        self.secret = secret
        self._cipher: AESGCM | None = None

    def __repr__(self) -> str:  # never print the secret, even in a traceback
        return f"DataKey(key_id={self.key_id.hex()})"

    @property
    def cipher(self) -> AESGCM:
        # Built once per key, on first use: building it costs more than encrypting a name.
        if self._cipher is None:
            self._cipher = AESGCM(self.secret)
        return self._cipher

    @classmethod
    def generate(cls) -> DataKey:
        return cls(key_id=uuid.uuid4().bytes, secret=AESGCM.generate_key(bit_length=256))

    @classmethod
    def _unwrapped(cls, key_id: bytes, secret: bytes) -> DataKey:
        """For ``unwrap``: lengths are already guaranteed by the authenticated format."""
        key = cls.__new__(cls)
        key.key_id, key.secret, key._cipher = key_id, secret, None
        return key


def _owner_aad(owner: str, header: bytes) -> bytes:
    if not owner:
        raise ValueError("a wrapped data key must be bound to an owner")
    return b"".join((_WRAP_AAD_PREFIX, owner.encode(), b"\x00", header))


_PREFIXES: dict[str, bytes] = {}


def _header_prefix(kek_id: str) -> bytes:
    prefix = _PREFIXES.get(kek_id)
    if prefix is None:
        raw = kek_id.encode("ascii")
        prefix = _PREFIXES[kek_id] = bytes((WRAP_VERSION, len(raw))) + raw
    return prefix


def wrap(data_key: DataKey, keyring: KeyRing, owner: str) -> bytes:
    """Wrap ``data_key`` under the newest KEK, bound to ``owner``."""
    kek_id = keyring.newest_id
    header = _header_prefix(kek_id) + data_key.key_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = keyring.kek_ciphers[kek_id].encrypt(nonce, data_key.secret, _owner_aad(owner, header))
    return b"".join((header, nonce, sealed))


def _parse(blob: bytes) -> tuple[str, int, bytes]:
    """Check a wrapped key's framing; returns (kek_id, header length, blob as bytes)."""
    if type(blob) is not bytes:  # noqa: E721 — the exact type, and fast: runs on every read
        if not isinstance(blob, bytearray | memoryview):
            raise DecryptionError("wrapped data key is not bytes")
        blob = bytes(blob)
    if len(blob) < 2 or blob[0] != WRAP_VERSION:
        raise DecryptionError("wrapped data key has an unknown format version")
    header_len = 2 + blob[1] + KEY_ID_BYTES
    if len(blob) != header_len + _SEALED_AND_NONCE:
        raise DecryptionError("wrapped data key is truncated or has trailing bytes")
    try:
        return blob[2 : header_len - KEY_ID_BYTES].decode("ascii"), header_len, blob
    except UnicodeDecodeError:
        raise DecryptionError("wrapped data key names an unreadable KEK id") from None


def kek_id_of(blob: bytes) -> str:
    """The id of the KEK a wrapped key is under (not authenticated until unwrapped)."""
    return _parse(blob)[0]


def unwrap(blob: bytes, keyring: KeyRing, owner: str) -> DataKey:
    kek_id, header_len, blob = _parse(blob)
    cipher = keyring.kek_cipher(kek_id)  # raises UnknownKeyId, a DecryptionError
    nonce_end = header_len + NONCE_BYTES
    header = blob[:header_len]
    try:
        secret = cipher.decrypt(blob[header_len:nonce_end], blob[nonce_end:], _owner_aad(owner, header))
    except InvalidTag:
        raise DecryptionError("wrapped data key failed authentication") from None
    return DataKey._unwrapped(header[-KEY_ID_BYTES:], secret)


def rewrap(blob: bytes, keyring: KeyRing, owner: str) -> bytes:
    """The same data key (same id and secret) wrapped under the newest KEK."""
    return wrap(unwrap(blob, keyring, owner), keyring, owner)
