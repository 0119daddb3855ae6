"""Flask extensions, created unbound and wired by create_app()."""

from __future__ import annotations

from typing import Any

import flask
import structlog
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from models.base import db

_log = structlog.get_logger("sutura.ratelimit")

# A Redis that stops answering must not hang sign-in: fail fast, then fall back to memory.
REDIS_STORAGE_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}


class SuturaLimiter(Limiter):
    """Flask-Limiter, with the shared store (Redis) allowed to fail.

    With RATELIMIT_IN_MEMORY_FALLBACK_ENABLED (our default) an unreachable store switches the
    limits to this process's memory, with a logged warning, until the store answers again:
    sign-in keeps working and stays limited, per process instead of across processes. The
    account lockout is kept in the database (app/auth/service.py) and does not depend on it.
    """

    def init_app(self, app: flask.Flask) -> None:
        uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
        if uri.startswith("redis"):
            options: dict[str, Any] = dict(REDIS_STORAGE_OPTIONS)
            options.update(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
            app.config["RATELIMIT_STORAGE_OPTIONS"] = options
        # One limiter serves every app of the process (tests create many): a new app starts
        # on its own store, not on a fallback a previous app's dead store left behind.
        self._storage_dead = False
        super().init_app(app)

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        was_dead = self._storage_dead
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)
        if self._storage_dead and not was_dead:
            _log.warning("rate_limit_storage_unreachable", fallback="memory", scope="this process only")

    def reset(self) -> None:
        fallback = getattr(self, "_fallback_storage", None)
        if fallback is not None:
            fallback.reset()
        try:
            super().reset()
        except Exception as exc:  # noqa: BLE001 — a dead store has nothing to reset
            _log.warning("rate_limit_storage_reset_failed", error=type(exc).__name__)


migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = SuturaLimiter(key_func=get_remote_address, default_limits=[])

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "migrate"]
