"""Domain errors, mapped once to HTTP: JSON ``{error: {code, message, fields?}}`` under /api,
an error page elsewhere. Neither ever shows a stack trace, a query or a record."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


class Conflict(SuturaError):
    status, code = 409, "conflict"
    message = _l("This cannot be done in the record's current state.")


class LockedOut(SuturaError):
    status, code = 429, "locked"
    message = _l("Too many failed attempts: this account is locked for 15 minutes.")


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
}


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


def register(app: Flask) -> None:
    @app.errorhandler(SuturaError)
    def domain_error(exc: SuturaError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Response:
        return error_response(
            400, "csrf", _l("This form has expired or was not sent from Sutura. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code, message = _HTTP_MESSAGES.get(status, ("error", exc.name))
        response = error_response(status, code, message)
        valid_methods = getattr(exc, "valid_methods", None)
        if status == 405 and valid_methods:
            response.headers["Allow"] = ", ".join(valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        # Logged with the traceback for operators; the client gets no detail at all.
        log.exception("unhandled error on %s %s", request.method, request.endpoint)
        from models.base import db

        db.session.rollback()
        code, message = _HTTP_MESSAGES[500]
        return error_response(500, code, message)
