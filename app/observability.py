"""What operators see: one JSON log line per request and per event, and Prometheus metrics.

Logs carry no personal data. A request line has the method, the path WITHOUT its query string
(search terms are names and phone numbers), the status and the duration, under a request id
that is also sent back as ``X-Request-Id``. An error is logged as its exception type and the
code locations it went through: never its message, which for a database error holds the SQL
parameters (a survivor's name, a phone number) and for a validation error the value refused.
See docs/monitoring.md.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable, MutableMapping
from functools import wraps
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import structlog
from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from prometheus_flask_exporter import PrometheusMetrics

REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_ROOT = Path(__file__).resolve().parent.parent
_HANDLER_MARK = "_sutura_json_handler"
_STACK_DEPTH = 25

log = structlog.get_logger("sutura")
request_log = structlog.get_logger("sutura.request")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


# ---------------------------------------------------------------- exceptions, without messages


def _exc_info(value: Any) -> ExcInfo | None:
    if isinstance(value, BaseException):
        return type(value), value, value.__traceback__
    if isinstance(value, tuple) and len(value) == 3 and value[0] is not None:
        return cast(ExcInfo, value)
    if value is True:
        info = sys.exc_info()
        return cast(ExcInfo, info) if info[0] is not None else None
    return None


def _where(filename: str) -> str:
    path = Path(filename)
    try:
        return str(path.resolve().relative_to(_ROOT))
    except ValueError:
        parts = path.parts
        if "site-packages" in parts:
            return "/".join(parts[parts.index("site-packages") + 1:])
        return path.name


def describe_exception(exc: BaseException, with_stack: bool = True) -> dict[str, Any]:
    """The exception as operators need it, with nothing a user typed: its type, the database
    driver's error type and SQLSTATE if any, and the code locations (file, line, function)."""
    described: dict[str, Any] = {"error": f"{type(exc).__module__}.{type(exc).__qualname__}"}
    original = getattr(exc, "orig", None) or exc.__cause__
    if original is not None:
        described["error_cause"] = f"{type(original).__module__}.{type(original).__qualname__}"
        sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
        if isinstance(sqlstate, str):
            described["sqlstate"] = sqlstate
    if with_stack and exc.__traceback__ is not None:
        frames = traceback.extract_tb(exc.__traceback__)[-_STACK_DEPTH:]
        described["stack"] = [f"{_where(f.filename)}:{f.lineno} in {f.name}" for f in frames]
    return described


def _exceptions_without_messages(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    info = _exc_info(event.pop("exc_info", None))
    event.pop("exception", None)
    event.pop("stack_info", None)
    if info is not None:
        for key, value in describe_exception(info[1]).items():
            event.setdefault(key, value)
    return event


def _drop_private_keys(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in ("_record", "_from_structlog", "positional_args"):
        event.pop(key, None)
    return event


_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
    _exceptions_without_messages,
]


def formatter() -> logging.Formatter:
    """The JSON formatter every handler of ours uses (tests attach it to capture the logs)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _drop_private_keys,
            structlog.processors.JSONRenderer(ensure_ascii=False, sort_keys=False),
        ],
        keep_exc_info=False,
        keep_stack_info=False,
    )


class _NoDevServerRequestLines(logging.Filter):
    """The development server logs each request line with its query string: ours replaces it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "werkzeug" and isinstance(record.msg, str) and record.msg.startswith('"%s" %s'))


def configure_logging(level: str | int = "INFO") -> None:
    """JSON lines on stderr (journald / gunicorn's log) for the app and every library. Once per
    process: the test suite creates many apps."""
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    if not any(getattr(h, _HANDLER_MARK, False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        setattr(handler, _HANDLER_MARK, True)
        handler.setFormatter(formatter())
        handler.addFilter(_NoDevServerRequestLines())
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("sutura").setLevel(level)
    # Alembic's fileConfig (flask db upgrade in the same process) disables existing loggers.
    for name, existing in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(existing, logging.Logger) and name.split(".")[0] in ("sutura", "flask-limiter"):
            existing.disabled = False
    # SQL statements and their parameters are never logged, whatever SQLALCHEMY_ECHO says
    # (the engine also hides parameters from its error messages: health.engine_options).
    for name in ("sqlalchemy.engine", "sqlalchemy.engine.Engine", "sqlalchemy.orm"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("werkzeug").addFilter(_NoDevServerRequestLines())


def log_error(event: str, exc: BaseException, *, level: str = "error", with_stack: bool = True) -> None:
    """Log an exception by type and location, with the request's id, never its message."""
    fields = describe_exception(exc, with_stack=with_stack)
    getattr(log, level)(event, **fields)


# ---------------------------------------------------------------- one line per request


def _request_id() -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    # Only a proxy we trust may name the request (so its log and ours share the id).
    if given and current_app.config.get("SUTURA_TRUSTED_PROXIES") and _REQUEST_ID.match(given):
        return given
    return uuid.uuid4().hex


def _start_request() -> None:
    structlog.contextvars.clear_contextvars()
    g.request_id = _request_id()
    g.request_started = time.perf_counter()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:  # a hook before ours failed: still answer with an id
        _start_request()
        request_id = g.request_id
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started", time.perf_counter())
    request_log.info(
        "request",
        method=request.method,
        path=request.path[:200],  # never request.full_path: the query string is personal data
        endpoint=request.endpoint,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return response


def _end_request(_exc: BaseException | None) -> None:
    structlog.contextvars.clear_contextvars()


def run_first(app: Flask, function: Callable[[], Any]) -> None:
    """Before every other before-request hook: if one of them fails (the database is down
    while loading the user), the request still has its id and start time."""
    hooks = app.before_request_funcs.setdefault(None, [])
    if function in hooks:
        hooks.remove(function)
    hooks.insert(0, function)


# ---------------------------------------------------------------- metrics


def _is_loopback(address: str | None) -> bool:
    try:
        return bool(address) and ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def metrics_allowed() -> bool:
    """With SUTURA_METRICS_TOKEN set: only ``Authorization: Bearer <token>``. Without: only a
    scraper on this machine talking to the app directly (loopback, and not through a proxy,
    which would add X-Forwarded-For). Anyone else gets a 404, as if there were nothing here."""
    token = current_app.config.get("SUTURA_METRICS_TOKEN") or ""
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), str(token).encode())
    proxied = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    return not proxied and _is_loopback(request.remote_addr)


def _protected(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not metrics_allowed():
            abort(404)
        return view(*args, **kwargs)

    return guarded


def _registry() -> CollectorRegistry:
    """Each app its own registry (many apps in one test process must not collide on names);
    under gunicorn with PROMETHEUS_MULTIPROC_DIR the exporter reads every worker's files."""
    registry = CollectorRegistry(auto_describe=True)
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
    return registry


def init_metrics(app: Flask) -> PrometheusMetrics | None:
    if not app.config.get("SUTURA_METRICS_ENABLED", True):
        return None
    metrics = PrometheusMetrics(
        app,
        path="/metrics",
        group_by="endpoint",  # never the path: case ids would make one series per record
        defaults_prefix="sutura",
        excluded_paths=[r"^/healthz$", r"^/readyz$", r"^/static/"],
        metrics_decorator=_protected,
        registry=_registry(),
    )
    # The exporter's clock starts in a before-request hook: run it first too, so requests
    # refused by a failing earlier hook (database down) are measured.
    exporter_start = app.before_request_funcs[None][-1]
    if getattr(exporter_start, "__qualname__", "").startswith("PrometheusMetrics."):
        run_first(app, exporter_start)
    app.extensions["sutura.metrics"] = metrics
    return metrics


def register(app: Flask) -> None:
    configure_logging(app.config.get("SUTURA_LOG_LEVEL", "INFO"))
    init_metrics(app)
    run_first(app, _start_request)  # ours before the exporter's
    app.after_request(_finish_request)
    app.teardown_request(_end_request)
