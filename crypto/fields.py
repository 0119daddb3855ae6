"""Field encryption: AES-256-GCM under a record's data key, bound to table, column and row.

Ciphertext format, version 1:

    version (1) | data key id (16) | nonce (12) | ciphertext + tag (len(plaintext) + 16)

The associated data is the header followed by ``table \\x1f column \\x1f row id``: a value
copied to another row or column, or re-labelled with another key id, fails authentication.
Nonces are random; with one key per record and at most a few thousand encryptions per key,
the 2^-32 collision bound of random 96-bit nonces is never approached.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag

from .envelope import KEY_ID_BYTES, NONCE_BYTES, DataKey
from .errors import DecryptionError, UnknownKeyId

FIELD_VERSION = 1
_HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES
_TAG_BYTES = 16
_SEP = "\x1f"


def field_context(table: str, column: str, row_id: object) -> bytes:
    """Associated data naming where a value lives."""
    parts = (table, column, str(row_id))
    if any(_SEP in p or not p for p in parts):
        raise ValueError("table, column and row id must be non-empty and free of \\x1f")
    return _SEP.join(parts).encode("utf-8")


def encrypt_bytes(data_key: DataKey, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    header = b"\x01" + data_key.key_id + nonce
    return header + data_key.cipher.encrypt(nonce, plaintext, header + context)


def decrypt_bytes(data_key: DataKey, blob: bytes, context: bytes) -> bytes:
    if type(blob) is not bytes:  # noqa: E721 — exact type check is the fast path
        if not isinstance(blob, bytearray | memoryview):
            raise DecryptionError("ciphertext is not bytes")
        blob = bytes(blob)
    if len(blob) < _HEADER_BYTES + _TAG_BYTES:
        raise DecryptionError("ciphertext is truncated")
    if blob[0] != FIELD_VERSION:
        raise DecryptionError("ciphertext has an unknown format version")
    header = blob[:_HEADER_BYTES]
    if header[1 : 1 + KEY_ID_BYTES] != data_key.key_id:
        raise UnknownKeyId("ciphertext was not made with this record's data key")
    try:
        return data_key.cipher.decrypt(header[1 + KEY_ID_BYTES :], blob[_HEADER_BYTES:], header + context)
    except InvalidTag:
        raise DecryptionError("ciphertext failed authentication") from None


def encrypt_text(data_key: DataKey, plaintext: str, context: bytes) -> bytes:
    return encrypt_bytes(data_key, plaintext.encode("utf-8"), context)


def decrypt_text(data_key: DataKey, blob: bytes, context: bytes) -> str:
    raw = decrypt_bytes(data_key, blob, context)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # authenticated, so only a caller's type mix-up gets here
        raise DecryptionError("decrypted value is not text") from None
