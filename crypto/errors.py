"""Domain-named failures of the crypto package.

Every failure to decrypt surfaces as a ``DecryptionError`` (or a subclass), never as the
``cryptography`` library's ``InvalidTag`` and never with the plaintext or key in the message:
callers log these exceptions, and logs are read by people who must not see survivor data.
"""


class CryptoError(Exception):
    """Base class of every error raised by ``crypto``."""


class KeyMaterialError(CryptoError):
    """Key material is missing, malformed or stored unsafely (message names what and where)."""


class DecryptionError(CryptoError):
    """A ciphertext or wrapped key could not be authenticated and decrypted.

    Raised for tampering, truncation, the wrong key, the wrong associated data (a value moved
    to another row or column) and unknown formats alike: the caller cannot tell them apart, and
    should not need to.
    """


class UnknownKeyId(DecryptionError):
    """The ciphertext names a key that the key ring (or the record) does not hold."""


class DataKeyShredded(DecryptionError):
    """The record's data key was destroyed: its identifying values are gone for good."""
