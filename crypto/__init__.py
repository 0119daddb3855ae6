"""Envelope encryption of identifying fields (see README.md in this folder).

Plain Python on the ``cryptography`` package: no Flask import, so it is usable and testable
without the app.
"""

from .blind_index import BlindIndex, normalize_code, normalize_name, normalize_phone
from .envelope import DataKey, kek_id_of, rewrap, unwrap, wrap
from .errors import CryptoError, DataKeyShredded, DecryptionError, KeyMaterialError, UnknownKeyId
from .fields import decrypt_bytes, decrypt_text, encrypt_bytes, encrypt_text, field_context
from .keyring import KeyFileWatcher, KeyRing
from .rotation import RotationProgress, StoredKey, WrappedKeyStore, rotate
from .shred_journal import ShredEntry, ShredJournal, ShredJournalError

__all__ = [
    "BlindIndex",
    "CryptoError",
    "DataKey",
    "DataKeyShredded",
    "DecryptionError",
    "KeyFileWatcher",
    "KeyMaterialError",
    "KeyRing",
    "RotationProgress",
    "ShredEntry",
    "ShredJournal",
    "ShredJournalError",
    "StoredKey",
    "UnknownKeyId",
    "WrappedKeyStore",
    "decrypt_bytes",
    "decrypt_text",
    "encrypt_bytes",
    "encrypt_text",
    "field_context",
    "kek_id_of",
    "normalize_code",
    "normalize_name",
    "normalize_phone",
    "rewrap",
    "rotate",
    "unwrap",
    "wrap",
]
