"""Sign-in: sessions for the web pages, bearer tokens for the API (see service.py for the rules)."""

from __future__ import annotations

import hmac

from flask import Flask, Request, current_app, g
from flask import request as current_request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from models import ApiToken, User, db
from models.api_token import digest

from ..extensions import login_manager
from . import sessions


def may_sign_in(user: User | None) -> bool:
    """Active, and not a demo account (published password) outside development and tests."""
    return bool(user and user.active and (not user.is_demo or current_app.config["DEMO_DATA_ALLOWED"]))


def user_of(session_id: str) -> User | None:
    """The user a session id names ("user id:epoch"), if the epoch is current and they may sign in."""
    user_id, _, epoch = session_id.partition(":")
    user = db.session.get(User, user_id)
    if user is None or not hmac.compare_digest(user.session_epoch, epoch) or not may_sign_in(user):
        return None
    return user


def load_session_user(session_id: str) -> User | None:
    if current_request.blueprint == "api":
        return None  # the API never honours the cookie: no CSRF on token-only endpoints
    user = user_of(session_id)
    return user if user is not None and sessions.alive(user) else None


def load_token_user(request: Request) -> User | None:
    if request.blueprint != "api":
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_digest == digest(token.strip())))
    if record is None or not record.is_valid() or not may_sign_in(record.user):
        return None
    g.api_token = record
    return record.user


def acting_user() -> User:
    """The signed-in user as a model instance (views pass it to the services they call)."""
    user: User = current_user._get_current_object()
    return user


def register(app: Flask) -> None:
    login_manager.user_loader(load_session_user)
    login_manager.request_loader(load_token_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
