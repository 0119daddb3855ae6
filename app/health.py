"""Health endpoints for load balancers and supervisors, and the database engine's resilience.

``/healthz`` (liveness): the process answers; it touches nothing else, so a database outage
never makes a supervisor restart healthy workers. ``/readyz`` (readiness): the database answers,
the key ring is loaded, and Redis answers when rate limits are kept there. Both say only
``ok`` or ``unavailable``: which check failed goes to the log, not to whoever asks. Neither
needs a session, neither is audited or rate limited. See docs/monitoring.md.
"""

from __future__ import annotations

from typing import Any, cast

import structlog
from flask import Blueprint, Flask, Response, current_app, g, request
from limits.storage import Storage, storage_from_string
from sqlalchemy import text

from .extensions import db, limiter

bp = Blueprint("health", __name__)
log = structlog.get_logger("sutura.health")

PUBLIC = frozenset({"health.healthz", "health.readyz"})
PROBES = PUBLIC | {"prometheus_metrics"}


def engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options that survive an outage and leak nothing.

    - pool_pre_ping: a pooled connection the server dropped (restart, failover) is replaced
      before use, so the app recovers alone once the database is back;
    - hide_parameters: SQL errors never carry the bound values (names, phone numbers) into
      logs or exception messages;
    - connect_timeout (PostgreSQL): an unreachable server fails fast into a 503 instead of
      holding a worker until gunicorn kills it.
    """
    options: dict[str, Any] = {**config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    options.setdefault("pool_pre_ping", True)
    options.setdefault("hide_parameters", True)
    url = str(config.get("SQLALCHEMY_DATABASE_URI", ""))
    if url.startswith("postgresql"):
        connect_args = {**options.get("connect_args", {})}
        connect_args.setdefault("connect_timeout", int(config.get("SUTURA_DB_CONNECT_TIMEOUT", 5)))
        options["connect_args"] = connect_args
        options.setdefault("pool_timeout", int(config.get("SUTURA_DB_POOL_TIMEOUT", 10)))
    return options


def _plain(body: str, status: int) -> Response:
    response = Response(body + "\n", status=status, mimetype="text/plain")
    if status == 503:
        response.headers["Retry-After"] = str(current_app.config.get("SUTURA_RETRY_AFTER", 30))
    return response


@bp.route("/healthz")
@limiter.exempt
def healthz() -> Response:
    return _plain("ok", 200)


def _database_ok() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 — any failure means "not ready"
        return False


def _keyring_ok() -> bool:
    from models.keys import keyring

    try:
        return keyring() is not None
    except Exception:  # noqa: BLE001
        return False


def _redis_storage() -> Storage | None:
    uri = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "")
    if not uri.startswith("redis"):
        return None
    storage: Storage | None = current_app.extensions.get("sutura.readyz_redis")
    if storage is None:
        storage = cast(Storage, storage_from_string(uri, **current_app.config.get("RATELIMIT_STORAGE_OPTIONS", {})))
        current_app.extensions["sutura.readyz_redis"] = storage
    return storage


def _redis_ok() -> bool:
    if not current_app.config.get("SUTURA_READY_NEEDS_REDIS", True):
        return True
    try:
        storage = _redis_storage()
        return storage is None or bool(storage.check())
    except Exception:  # noqa: BLE001
        return False


@bp.route("/readyz")
@limiter.exempt
def readyz() -> Response:
    checks = {"database": _database_ok(), "keyring": _keyring_ok(), "redis": _redis_ok()}
    failed = sorted(name for name, ok in checks.items() if not ok)
    if failed:
        log.warning("not_ready", failed=failed)
        return _plain("unavailable", 503)
    return _plain("ok", 200)


def _probes_are_anonymous() -> None:
    """A probe never loads a user, even with a session cookie (a browser opening /healthz):
    liveness must not depend on the database, and no probe should touch a session."""
    if request.endpoint in PROBES:
        manager = getattr(current_app, "login_manager", None)
        if manager is not None:
            g._login_user = manager.anonymous_user()


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    from .observability import run_first

    run_first(app, _probes_are_anonymous)
