"""The shred journal: an append-only list of the data keys destroyed, kept outside the database.

Threat answered: a survivor purged today comes back when someone restores last week's backup,
whose ``data_keys`` table still holds her wrapped key. The journal lives beside the key file
(never in the database, never in a backup of it); a restore re-applies it, shredding those keys
again before the service serves a request.

One JSON object per line, fsynced: ``{"event": "shred", "id": ..., "owner": ..., "at": ...}``
is written *before* the database commits the shredding, and ``"cancel"`` follows when that
transaction rolls back. A crash between the two leaves a ``shred`` without its commit: a restore
then shreds that key too. The journal errs on the side of forgetting. Entries hold record ids
and owner references (``case:<uuid>``), never a name or a key.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import CryptoError


class ShredJournalError(CryptoError):
    """The journal cannot be written or read (the message names the file)."""


@dataclass(frozen=True)
class ShredEntry:
    id: str
    owner: str
    at: str


class ShredJournal:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def _append(self, event: str, entries: list[tuple[str, str]]) -> None:
        if not entries:
            return
        now = datetime.now(UTC).isoformat()
        lines = "".join(
            json.dumps({"event": event, "id": key_id, "owner": owner, "at": now}, sort_keys=True) + "\n"
            for key_id, owner in entries
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, lines.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise ShredJournalError(f"shred journal {self.path} cannot be written ({exc.strerror})") from None

    def record(self, entries: list[tuple[str, str]]) -> None:
        """Journal (data-key id, owner) pairs about to be shredded."""
        self._append("shred", entries)

    def cancel(self, entries: list[tuple[str, str]]) -> None:
        """The shredding of these keys was rolled back."""
        self._append("cancel", entries)

    def entries(self) -> list[ShredEntry]:
        """Shredded keys in journal order, each once; cancelled ones left out."""
        if not self.path.exists():
            return []
        live: dict[str, ShredEntry] = {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ShredJournalError(f"shred journal {self.path} cannot be read ({exc.strerror})") from None
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                event, key_id, owner, at = doc["event"], str(doc["id"]), str(doc["owner"]), str(doc["at"])
            except (ValueError, KeyError, TypeError):
                if n == len(text.splitlines()):
                    continue  # a line cut short by a crash while appending
                raise ShredJournalError(f"shred journal {self.path}: line {n} is not a journal entry") from None
            if event == "shred":
                live.setdefault(key_id, ShredEntry(key_id, owner, at))
            elif event == "cancel":
                live.pop(key_id, None)
        return list(live.values())
