"""Blind indexes: exact-match search over encrypted values without decrypting the table.

An index value is HMAC-SHA256, under a subkey derived (HKDF) from the index key for one
table and column, of a normalized value, truncated to ``bits`` bits (default 12, so 4,096
buckets).

Why 12 bits. A deployment holds thousands to tens of thousands of people (Mali's GBVIMS
partners record a few thousand incidents a year; ten years of cases from several agencies is
~10^4–10^5 rows). With 4,096 buckets, 10^4 rows give ~2.4 rows per bucket and 10^5 give ~24:
an index value matches several people, so a leaked database does not show which survivors
share a name or a phone, and frequency analysis of common names is blurred. Searching costs
the decryption of the bucket's candidates (tens of short fields, well under a millisecond),
which the caller filters to the exact match. At 10^6 rows a search decrypts ~250 candidates,
still a few milliseconds. The width is a parameter so a very large or very small deployment
can choose otherwise; changing it means recomputing the column.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DEFAULT_BITS = 12
MALI_COUNTRY_CODE = "223"

Normalizer = Callable[[str], str]


def _strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_name(value: str) -> str:
    """ "Aïcha  Traoré-Diallo" and "aicha traore diallo" match: case, accents, spacing,
    hyphens and apostrophes do not matter."""
    folded = _strip_accents(value).casefold()
    words = re.split(r"[^\w]+|_", folded)
    return " ".join(w for w in words if w)


def normalize_phone(value: str, country_code: str = MALI_COUNTRY_CODE) -> str:
    """ "+223 76 12 34 56", "00223-76123456" and "76 12 34 56" match."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("00"):
        digits = digits[2:]
    elif value.strip().startswith("+"):
        pass  # already international
    else:
        digits = digits.lstrip("0")
        return country_code + digits if digits else ""
    return digits


def normalize_code(value: str) -> str:
    """Case codes: "gbv-2026 0042" and "GBV2026-0042" match."""
    return re.sub(r"[^0-9A-Z]", "", _strip_accents(value).upper())


@lru_cache(maxsize=256)
def _subkey(index_key: bytes, table: str, column: str) -> bytes:
    info = f"sutura/blind-index/v1/{table}/{column}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(index_key)


@lru_cache(maxsize=1024)
def scoped_index_key(index_key: bytes, scope: str) -> bytes:
    """An index key of its own for one scope (Sutura: one agency). The same value falls in
    unrelated buckets in two scopes, so the indexes of a leaked database cannot link one
    person's records across agencies; inside a scope they still find her (and her duplicates).
    The price: a search only ever looks inside one scope, and a record that changes scope has
    its indexes computed again."""
    if not scope:
        raise ValueError("a blind index scope must be named")
    info = f"sutura/blind-index-scope/v1/{scope}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(index_key)


@dataclass(frozen=True)
class BlindIndex:
    """The blind index of one table column."""

    table: str
    column: str
    normalizer: Normalizer = field(default=normalize_name)
    bits: int = DEFAULT_BITS

    def __post_init__(self) -> None:
        if not 1 <= self.bits <= 32:
            raise ValueError("blind index width must be 1 to 32 bits")

    def compute(self, index_key: bytes, value: str | None) -> int | None:
        """The bucket of ``value``, or None when it normalizes to nothing."""
        if value is None:
            return None
        normalized = self.normalizer(value)
        if not normalized:
            return None
        mac = hmac.digest(_subkey(index_key, self.table, self.column), normalized.encode(), "sha256")
        return int.from_bytes(mac[:4], "big") >> (32 - self.bits)

    def matches(self, wanted: str, candidate: str | None) -> bool:
        """The false-positive filter callers apply after decrypting a bucket's rows."""
        return candidate is not None and self.normalizer(candidate) == self.normalizer(wanted)
