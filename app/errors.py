"""Domain errors, mapped once to HTTP: JSON ``{error: {code, message, fields?}}`` under /api,
an error page elsewhere. Neither ever shows a stack trace, a query or a record."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy import exc as sa_exc
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from . import observability

log = logging.getLogger("sutura")


class SuturaError(Exception):
    status = 400
    code = "bad_request"
    message: LazyString | str = _l("The request could not be understood.")

    def __init__(self, message: LazyString | str | None = None, fields: dict[str, Any] | None = None) -> None:
        super().__init__(self.code)
        if message is not None:
            self.message = message
        self.fields = fields


class Unauthorized(SuturaError):
    status, code = 401, "unauthorized"
    message = _l("Sign in to continue.")


class Forbidden(SuturaError):
    # Says only that it is forbidden: not what exists, not why in detail.
    status, code = 403, "forbidden"
    message = _l("You are not allowed to do this.")


class RecordOutOfScope(SuturaError):
    """The record may exist, but not for this user: answered exactly like a missing record, so
    a guessed id tells nothing (not even that it exists)."""

    status, code = 404, "not_found"
    message = _l("This page or record does not exist.")


class NotFound(SuturaError):
    status, code = 404, "not_found"
    message = _l("This page or record does not exist.")


class ValidationFailed(SuturaError):
    status, code = 422, "invalid"
    message = _l("Some fields need correcting.")


class NothingToChange(ValidationFailed):
    """A correction or a new consent that holds only the values already recorded."""

    message = _l("Nothing to change: these are the values already recorded.")


class Conflict(SuturaError):
    status, code = 409, "conflict"
    message = _l("This cannot be done in the record's current state.")


class LockedOut(SuturaError):
    status, code = 429, "locked"
    message = _l(
        "Too many failed attempts: sign-in is paused for 15 minutes. "
        "Your supervisor or an administrator can unlock your account."
    )


class StatisticsPreparing(SuturaError):
    status, code = 503, "preparing"
    message = _l(
        "These statistics are being prepared: every figure is checked against all the others "
        "before it is shown. Try again in a minute."
    )


# Werkzeug statuses we answer with our own words.
_HTTP_MESSAGES = {
    400: ("bad_request", _l("The request could not be understood.")),
    401: ("unauthorized", _l("Sign in to continue.")),
    403: ("forbidden", _l("You are not allowed to do this.")),
    404: ("not_found", _l("This page or record does not exist.")),
    405: ("method_not_allowed", _l("This action is not available here.")),
    413: ("too_large", _l("What you sent is too large.")),
    415: ("unsupported_media_type", _l("Send JSON with Content-Type: application/json.")),
    429: ("rate_limited", _l("Too many attempts. Wait a moment and try again.")),
    500: ("server_error", _l("Something went wrong on our side. Nothing was saved; please try again.")),
    503: ("unavailable", _l("Sutura is temporarily unavailable. Please try again in a minute.")),
}

# The database does not answer (down, restarting, unreachable, pool exhausted): a 503 with
# Retry-After, never a 500. Other database errors (IntegrityError, ...) are not outages.
DATABASE_OUTAGES: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
)


# SQLite reports some programming errors as OperationalError: those are bugs (500), not outages.
_SQLITE_BUGS = re.compile(r"no such (table|column)|syntax error|has no column|no such function")


def is_database_outage(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, DATABASE_OUTAGES):
        return False
    original = getattr(exc, "orig", None)
    return not (type(original).__module__.startswith("sqlite3") and _SQLITE_BUGS.search(str(original)))


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: Any, fields: dict[str, Any] | None = None) -> Response:
    if wants_json():
        body: dict[str, Any] = {"code": code, "message": str(message)}
        if fields:
            body["fields"] = {k: [str(m) for m in v] if isinstance(v, list) else str(v) for k, v in fields.items()}
        response = jsonify(error=body)
    else:
        response = Response(
            render_template("errors/error.html", status=status, message=message, fields=fields), mimetype="text/html"
        )
    response.status_code = status
    return response


def _without_database() -> None:
    """Before an error page: end the failed transaction and stop anything on the page from
    querying the database again (the signed-in user, their navigation and language): the
    page must render when the database is the very thing that failed."""
    from models.base import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001, S110 — the connection may be gone; the page must still go out
        pass
    manager = getattr(current_app, "login_manager", None)
    if manager is not None:
        g._login_user = manager.anonymous_user()


def _last_resort(status: int, code: str, message: Any) -> Response:
    """An error page that cannot fail: no template, no database, still in the user's language."""
    if wants_json():
        response = jsonify(error={"code": code, "message": str(message)})
    else:
        body = (
            f"<!doctype html><html><head><meta charset=\"utf-8\"><title>Sutura — {status}</title></head>"
            f"<body><h1>Sutura</h1><p>{escape(str(message))}</p></body></html>"
        )
        response = Response(body, mimetype="text/html")
    response.status_code = status
    return response


def safe_error_response(status: int, code: str, message: Any) -> Response:
    _without_database()
    try:
        return error_response(status, code, message)
    except Exception as exc:  # noqa: BLE001 — never gunicorn's bare page
        observability.log_error("error_page_failed", exc)
        return _last_resort(status, code, message)


def unavailable_response() -> Response:
    code, message = _HTTP_MESSAGES[503]
    response = safe_error_response(503, code, message)
    response.headers["Retry-After"] = str(current_app.config.get("SUTURA_RETRY_AFTER", 30))
    return response


def register(app: Flask) -> None:
    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    @app.errorhandler(sa_exc.TimeoutError)
    @app.errorhandler(sa_exc.DisconnectionError)
    def database_unavailable(exc: Exception) -> Response:
        if not is_database_outage(exc):
            return unexpected(exc)
        # A warning, not a stack per request: an outage would flood the log.
        observability.log_error("database_unavailable", exc, level="warning", with_stack=False)
        return unavailable_response()

    @app.errorhandler(SuturaError)
    def domain_error(exc: SuturaError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Response:
        return error_response(
            400, "csrf", _l("This form has expired or was not sent from Sutura. Reload the page and try again.")
        )

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> Response:
        # The body was refused half-read: the error page's own forms (the language switcher)
        # must not try to read it again, or the 413 would become a 500.
        raw = request._get_current_object()  # type: ignore[attr-defined]
        raw.__dict__["form"] = ImmutableMultiDict()
        raw.__dict__["files"] = ImmutableMultiDict()
        code, message = _HTTP_MESSAGES[413]
        return error_response(413, code, message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code, message = _HTTP_MESSAGES.get(status, ("error", exc.name))
        if status == 503:
            return unavailable_response()
        response = error_response(status, code, message)
        valid_methods = getattr(exc, "valid_methods", None)
        if status == 405 and valid_methods:
            response.headers["Allow"] = ", ".join(valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        if is_database_outage(exc):
            return database_unavailable(exc)
        # Logged by type and code location, with the request id (never the exception's
        # message: it may hold SQL parameters or a value typed); the client gets no detail.
        observability.log_error("unhandled_error", exc)
        code, message = _HTTP_MESSAGES[500]
        return safe_error_response(500, code, message)
