"""Key rotation: re-wrap every data key under the newest KEK, field ciphertexts untouched.

Safe to interrupt: each batch is committed on its own, and a data key not yet re-wrapped is
still under an older KEK that stays in the key ring, so a crash halfway loses nothing and a
second run continues where the first stopped. A KEK may be retired once ``remaining`` is 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .envelope import rewrap
from .keyring import KeyRing


@dataclass(frozen=True)
class StoredKey:
    ref: object  # the store's handle on the record (a primary key)
    owner: str
    wrapped: bytes


class WrappedKeyStore(Protocol):
    """Where wrapped data keys live (the database, in the app)."""

    def count_not_under(self, kek_id: str) -> int: ...

    def batch_not_under(self, kek_id: str, limit: int) -> Sequence[StoredKey]: ...

    def replace(self, item: StoredKey, new_wrapped: bytes, new_kek_id: str) -> bool:
        """Swap in ``new_wrapped`` only if the record still holds ``item.wrapped``."""
        ...

    def commit(self) -> None: ...


@dataclass(frozen=True)
class RotationProgress:
    rewrapped: int
    remaining: int


def rotate(
    store: WrappedKeyStore,
    keyring: KeyRing,
    *,
    batch_size: int = 500,
    on_progress: Callable[[RotationProgress], None] | None = None,
) -> RotationProgress:
    newest = keyring.newest_id
    done = 0
    while True:
        batch = store.batch_not_under(newest, batch_size)
        if not batch:
            break
        changed = 0
        for item in batch:
            # A key shredded or rotated by someone else meanwhile is skipped, not resurrected.
            if store.replace(item, rewrap(item.wrapped, keyring, item.owner), newest):
                changed += 1
        store.commit()
        done += changed
        if on_progress is not None:
            on_progress(RotationProgress(done, store.count_not_under(newest)))
        if changed == 0:
            break  # every candidate vanished under us; do not spin
    result = RotationProgress(done, store.count_not_under(newest))
    return result
