"""The running app's keys, as the models see them (``models.keys.KeySettings``).

The factory keeps the key ring, its key-file watcher and the shred journal in ``app.extensions``
(``_load_keyring``); ``create_app`` hands ``APP_KEYS`` to ``models.keys.use_key_settings`` so
that the models find them without importing Flask or ``config``.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context

from config import ConfigurationError
from crypto import KeyFileWatcher, KeyRing, ShredJournal

log = logging.getLogger("sutura.keys")


class AppKeys:
    """Key ring and shred journal of the current Flask app."""

    def keyring(self, *, refresh: bool = False) -> KeyRing:
        """Loaded at start-up from the key file or the environment; with a key file, a running
        worker re-reads it when it changes (checked every few seconds, and at once with
        ``refresh=True``), so new keys reach every worker without a restart."""
        watcher: KeyFileWatcher | None = current_app.extensions.get("sutura.keyring_watcher")
        if watcher is not None:
            before = watcher.ring
            if refresh:
                watcher.refresh()
            ring_now = watcher.current()
            if ring_now is not before:
                log.info("key ring reloaded: newest key-encryption key %s", ring_now.newest_id)
            elif watcher.last_error and refresh:
                log.warning("key file not reloaded: %s", watcher.last_error)
            current_app.extensions["sutura.keyring"] = ring_now
            return ring_now
        ring: KeyRing | None = current_app.extensions.get("sutura.keyring")
        if ring is None:
            raise ConfigurationError(current_app.extensions.get("sutura.keyring_error", "no key material loaded"))
        return ring

    def shred_journal(self) -> ShredJournal | None:
        """None outside an app context, or when no journal is configured."""
        if not has_app_context():
            return None
        journal: ShredJournal | None = current_app.extensions.get("sutura.shred_journal")
        return journal


APP_KEYS = AppKeys()
