"""The key ring: key-encryption keys (KEKs), the blind-index key and the audit-chain key.

Threat answered: a database dump, a backup or a stolen laptop disk without the key file
reveals no identifying value. Keys therefore never live in the database and are never
committed: they come from a key file (JSON, mode 0600) or from environment variables.

The three kinds of key are independent random secrets, not derived from one another, so a
leaked index key (needed by every search) gives neither the KEKs nor the audit key. Per-column
blind-index subkeys are derived from the index key with HKDF.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import stat
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import KeyMaterialError, UnknownKeyId

KEY_BYTES = 32
_KEK_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

ENV_KEY_FILE = "SUTURA_KEY_FILE"
ENV_KEKS = "SUTURA_KEKS"  # "id:base64,id:base64" — the last one is the newest
ENV_INDEX_KEY = "SUTURA_INDEX_KEY"
ENV_AUDIT_KEY = "SUTURA_AUDIT_KEY"


def _decode_key(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise KeyMaterialError(f"{what} is missing")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeyMaterialError(f"{what} is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyMaterialError(f"{what} must be {KEY_BYTES} bytes, found {len(raw)}")
    return raw


def _encode_key(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def new_kek_id() -> str:
    """A sortable, non-secret identifier for a new KEK (creation date plus randomness)."""
    return f"kek-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class KeyRing:
    """KEKs by id (insertion order = age; the last is the newest), plus the other keys."""

    keks: Mapping[str, bytes]
    index_key: bytes
    audit_key: bytes
    _order: tuple[str, ...] = field(default=(), repr=False)
    newest_id: str = field(default="", init=False)  # the last KEK listed; it wraps new data keys
    # One AESGCM object per KEK, built once: building one costs as much as wrapping a key.
    kek_ciphers: dict[str, AESGCM] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.keks:
            raise KeyMaterialError("the key ring holds no key-encryption key (KEK)")
        for kek_id, key in self.keks.items():
            if not _KEK_ID.match(kek_id):
                raise KeyMaterialError(f"KEK id {kek_id!r} must be 1-64 of A-Z a-z 0-9 . _ -")
            if len(key) != KEY_BYTES:
                raise KeyMaterialError(f"KEK {kek_id} must be {KEY_BYTES} bytes")
        for name in ("index_key", "audit_key"):
            if len(getattr(self, name)) != KEY_BYTES:
                raise KeyMaterialError(f"{name} must be {KEY_BYTES} bytes")
        object.__setattr__(self, "_order", tuple(self.keks))
        object.__setattr__(self, "keks", dict(self.keks))
        object.__setattr__(self, "newest_id", self._order[-1])
        object.__setattr__(self, "kek_ciphers", {k: AESGCM(v) for k, v in self.keks.items()})

    def __repr__(self) -> str:  # never print key bytes, even in a traceback
        return f"KeyRing(keks={list(self._order)!r}, newest={self.newest_id!r})"

    @property
    def kek_ids(self) -> tuple[str, ...]:
        return self._order

    def kek(self, kek_id: str) -> bytes:
        try:
            return self.keks[kek_id]
        except KeyError:
            raise UnknownKeyId(f"no key-encryption key with id {kek_id!r} in the key ring") from None

    def kek_cipher(self, kek_id: str) -> AESGCM:
        try:
            return self.kek_ciphers[kek_id]
        except KeyError:
            raise UnknownKeyId(f"no key-encryption key with id {kek_id!r} in the key ring") from None

    # --- building and persisting -------------------------------------------------------

    @classmethod
    def generate(cls) -> KeyRing:
        return cls(
            keks={new_kek_id(): secrets.token_bytes(KEY_BYTES)},
            index_key=secrets.token_bytes(KEY_BYTES),
            audit_key=secrets.token_bytes(KEY_BYTES),
        )

    def with_new_kek(self) -> KeyRing:
        """A copy with one more, newest KEK; the old ones stay until every key is re-wrapped."""
        keks = dict(self.keks)
        kek_id = new_kek_id()
        while kek_id in keks:
            kek_id = new_kek_id()
        keks[kek_id] = secrets.token_bytes(KEY_BYTES)
        return KeyRing(keks=keks, index_key=self.index_key, audit_key=self.audit_key)

    def without_kek(self, kek_id: str) -> KeyRing:
        """A copy with ``kek_id`` retired (call only once no data key is wrapped under it)."""
        if kek_id not in self.keks:
            raise UnknownKeyId(f"no key-encryption key with id {kek_id!r} in the key ring")
        keks = {k: v for k, v in self.keks.items() if k != kek_id}
        return KeyRing(keks=keks, index_key=self.index_key, audit_key=self.audit_key)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "keks": [{"id": k, "key": _encode_key(self.keks[k])} for k in self._order],
                "index_key": _encode_key(self.index_key),
                "audit_key": _encode_key(self.audit_key),
            },
            indent=2,
        )

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write atomically with mode 0600 (a crash never leaves a half-written key file)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)

    @classmethod
    def from_json(cls, text: str, source: str = "key file") -> KeyRing:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            raise KeyMaterialError(f"{source} is not valid JSON") from None
        if not isinstance(doc, dict) or doc.get("version") != 1:
            raise KeyMaterialError(f'{source}: expected a JSON object with "version": 1')
        entries = doc.get("keks")
        if not isinstance(entries, list) or not entries:
            raise KeyMaterialError(f'{source}: "keks" must be a non-empty list')
        keks: dict[str, bytes] = {}
        for n, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                raise KeyMaterialError(f'{source}: keks[{n}] needs an "id" and a "key"')
            kek_id = entry["id"]
            if kek_id in keks:
                raise KeyMaterialError(f"{source}: KEK id {kek_id!r} appears twice")
            keks[kek_id] = _decode_key(entry.get("key"), f"{source}: KEK {kek_id}")
        return cls(
            keks=keks,
            index_key=_decode_key(doc.get("index_key"), f"{source}: index_key"),
            audit_key=_decode_key(doc.get("audit_key"), f"{source}: audit_key"),
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, require_private: bool = True) -> KeyRing:
        target = Path(path)
        try:
            mode = target.stat().st_mode
            text = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise KeyMaterialError(f"key file {target} does not exist") from None
        except OSError as exc:
            raise KeyMaterialError(f"key file {target} cannot be read ({exc.strerror})") from None
        if require_private and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyMaterialError(f"key file {target} is readable by other users; run: chmod 600 {target}")
        return cls.from_json(text, source=f"key file {target}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KeyRing:
        """Load from ``SUTURA_KEY_FILE`` or from ``SUTURA_KEKS`` + index and audit keys."""
        env = os.environ if environ is None else environ
        if env.get(ENV_KEY_FILE):
            return cls.from_file(env[ENV_KEY_FILE])
        spec = env.get(ENV_KEKS, "")
        if not spec:
            raise KeyMaterialError(
                f"no key material: set {ENV_KEY_FILE} to a key file, or set "
                f"{ENV_KEKS}, {ENV_INDEX_KEY} and {ENV_AUDIT_KEY} "
                "(`flask --app wsgi keys generate` makes a key file)"
            )
        keks: dict[str, bytes] = {}
        for part in spec.split(","):
            kek_id, sep, value = part.strip().partition(":")
            if not sep:
                raise KeyMaterialError(f"{ENV_KEKS} entries must look like id:base64key")
            keks[kek_id] = _decode_key(value, f"{ENV_KEKS} entry {kek_id}")
        return cls(
            keks=keks,
            index_key=_decode_key(env.get(ENV_INDEX_KEY), ENV_INDEX_KEY),
            audit_key=_decode_key(env.get(ENV_AUDIT_KEY), ENV_AUDIT_KEY),
        )


class KeyFileWatcher:
    """Keeps a long-running worker's key ring in step with its key file, without a restart.

    ``current()`` costs one clock read; at most every ``interval`` seconds it also ``stat``s the
    file and reloads it when it changed (``keys generate`` and ``keys retire`` replace the file
    atomically, so a reload never sees half a file). ``refresh()`` checks at once: call it when
    an unwrap meets an unknown KEK id (another process added a key a moment ago).

    A file that cannot be loaded, or whose index or audit key differs from the running one
    (blind indexes and the audit chain would silently break), is not adopted: the worker keeps
    serving with the ring it has, ``last_error`` says why, and the next check tries again.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._signature = self._stat()
        self.ring = KeyRing.from_file(self.path)
        self._checked = clock()
        self.last_error: str | None = None
        self.reloads = 0

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def current(self) -> KeyRing:
        if self._clock() - self._checked >= self.interval:
            self.refresh()
        return self.ring

    def refresh(self) -> bool:
        """Reload now if the file changed; True when a new ring was adopted."""
        with self._lock:
            self._checked = self._clock()
            signature = self._stat()
            if signature is None or signature == self._signature:
                return False
            try:
                ring = KeyRing.from_file(self.path)
            except KeyMaterialError as exc:
                self.last_error = str(exc)
                return False
            if ring.index_key != self.ring.index_key or ring.audit_key != self.ring.audit_key:
                self.last_error = (
                    f"key file {self.path} holds another index or audit key than the running one; "
                    "not adopted (only KEKs may change while the service runs)"
                )
                return False
            self.ring, self._signature, self.last_error = ring, signature, None
            self.reloads += 1
            return True
