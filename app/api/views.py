"""API endpoints of the foundation: tokens, the OpenAPI document, the caller's own account."""

from __future__ import annotations

from flask import current_app, g, jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from models import ApiToken, db, utcnow

from .. import audit
from ..auth import service
from ..auth.service import Outcome
from ..errors import Forbidden, LockedOut, Unauthorized, ValidationFailed
from ..extensions import limiter
from ..policy import requires
from . import bp
from .openapi import document
from .payload import json_object, text_field


class BadCredentials(Unauthorized):
    code = "bad_credentials"
    message = _l("Wrong username, password or code.")


class SecondFactorRequired(Forbidden):
    code = "second_factor_required"
    message = _l("Set up your second factor in the web app before using the API.")


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"
    message = _l("Your password is temporary: sign in to the web app and choose your own first.")


def _login_limit() -> str:
    return str(current_app.config["SUTURA_LOGIN_RATE_LIMIT"])


@bp.route("/auth/token", methods=["POST"])
@limiter.limit(_login_limit)
def token() -> tuple[Response, int]:
    body = json_object()
    errors: dict[str, list[str]] = {}
    username = text_field(body, "username", errors, max_length=64)
    password = text_field(body, "password", errors)
    otp = text_field(body, "otp", errors, required=False, max_length=10)
    if errors:
        raise ValidationFailed(fields=errors)
    attempt = service.check_password(username, password, action="api.token")
    if attempt.outcome is Outcome.NEED_CODE and attempt.user is not None:
        if not otp:
            db.session.commit()
            raise ValidationFailed(fields={"otp": [str(_l("Enter the code."))]})
        attempt = service.check_code(attempt.user, otp, action="api.token")
    if attempt.outcome is Outcome.LOCKED:
        raise LockedOut()
    if attempt.outcome is not Outcome.OK or attempt.user is None:
        raise BadCredentials()
    if attempt.user.must_change_password:
        db.session.commit()
        raise PasswordChangeRequired()
    if current_app.config["SUTURA_REQUIRE_2FA"] and not attempt.user.totp_enabled:
        db.session.commit()
        raise SecondFactorRequired()
    record, secret = ApiToken.issue(attempt.user, current_app.config["API_TOKEN_LIFETIME"])
    db.session.add(record)
    service.record_success(attempt.user, action="api.token", method="password+totp" if otp else "password")
    db.session.commit()
    return jsonify(token=secret, token_type="Bearer", expires_at=record.expires_at.isoformat()), 200  # noqa: S106


@bp.route("/auth/token", methods=["DELETE"])
@requires("account.manage")
def revoke_token() -> tuple[str, int]:
    record: ApiToken = g.api_token
    record.revoked_at = utcnow()
    audit.record("api.token_revoked", target_type="api_token", target_id=record.id)
    db.session.commit()
    return "", 204


@bp.route("/me")
@requires("account.manage")
def me() -> Response:
    user = current_user
    return jsonify(
        id=user.id,
        username=user.username,
        role=user.role,
        agency=user.agency.code if user.agency else None,
        language=user.language,
        totp_enabled=user.totp_enabled,
    )


@bp.route("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
