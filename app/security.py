"""Request guards and response headers: sign-in required by default, idle timeout, headers.

The security headers live in the app, not only in a web-server config, so every deployment
(a laptop in a field office included) sends them.
"""

from __future__ import annotations

import re

from flask import Flask, Response, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from .errors import SuturaError, Unauthorized
from .policy import PUBLIC_ENDPOINTS

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Open to someone who must first do one thing (replace a temporary password, enrol a second
# factor): that thing's page, and leaving.
_ALWAYS_OPEN = frozenset({"auth.logout", "auth.set_language", "static"})
ENROLMENT_ENDPOINTS = _ALWAYS_OPEN | {"auth.enrol_2fa"}
# A temporary password is replaced before anything else (then the second factor is set up).
PASSWORD_CHANGE_ENDPOINTS = _ALWAYS_OPEN | {"auth.change_password"}


# C0 controls and DEL; a form value may still hold tabs and line breaks (text areas).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class MalformedInput(SuturaError):
    status, code = 400, "malformed_input"
    message = _l("The request holds characters that cannot be stored (control characters). Remove them and try "
                 "again.")


def refuse_control_characters() -> None:
    """Runs before every request: a NUL byte or another control character in the path, the
    query string or a form value is refused with a clean 400 before any query sees it
    (PostgreSQL refuses NUL in text, and nobody types a control character)."""
    if _CONTROL.search(request.path):
        raise MalformedInput()
    for key, value in request.args.items(multi=True):
        if _CONTROL.search(key) or _CONTROL.search(value):
            raise MalformedInput()
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, value in request.form.items(multi=True):
            if _CONTROL.search(key) or _CONTROL_IN_TEXT.search(value):
                raise MalformedInput()
        for key, upload in request.files.items(multi=True):
            if _CONTROL.search(key) or _CONTROL.search(upload.filename or ""):
                raise MalformedInput()


def _is_public() -> bool:
    return request.endpoint in PUBLIC_ENDPOINTS


# Why a session ended on its own (app/auth/sessions.py), as told on the sign-in page.
SESSION_ENDED = {
    "idle": _l("You were signed out after 30 minutes without activity."),
    "expired": _l("You were signed out: a session lasts at most 12 hours. Sign in again."),
}


def require_sign_in() -> BaseResponse | None:
    """Runs before every request: deny by default."""
    if request.blueprint == "api":
        if _is_public() or current_user.is_authenticated or request.endpoint is None:
            return None
        raise Unauthorized()
    if not current_user.is_authenticated and g.get("session_ended"):
        session.clear()
        flash(SESSION_ENDED[g.session_ended], "info")
        return redirect(url_for("auth.login"))
    if current_user.is_authenticated:
        if session.get("password_change_required"):  # first the password, then the second factor
            if request.endpoint in PASSWORD_CHANGE_ENDPOINTS:
                return None
            return redirect(url_for("auth.change_password"))
        if session.get("enrol_required") and request.endpoint not in ENROLMENT_ENDPOINTS:
            return redirect(url_for("auth.enrol_2fa"))
        return None
    if _is_public() or request.endpoint is None:  # None: no route matched, the 404 page follows
        return None
    wanted = request.full_path.rstrip("?") if request.method == "GET" and request.path != "/" else None
    return redirect(url_for("auth.login", next=wanted))


def set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if current_app.config.get("HSTS"):
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.endpoint != "static":
        # Nothing dynamic is cached: a shared phone's browser history must not keep a case.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def register(app: Flask) -> None:
    app.before_request(refuse_control_characters)
    app.before_request(require_sign_in)
    app.after_request(set_headers)
