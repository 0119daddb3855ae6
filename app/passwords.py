"""Password hashing with argon2id (argon2-cffi), rehashed on login when parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; a bound stops a megabyte "password" costing CPU


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["PASSWORD_TIME_COST"],
        memory_cost=cfg["PASSWORD_MEMORY_COST"],
        parallelism=cfg["PASSWORD_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists: a missing user still costs one hash."""
    hasher = _hasher()
    if not stored_hash or len(password) > MAX_LENGTH:
        hasher.hash("not-a-real-password-equalising-timing")
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


def password_problems(password: str, username: str = "") -> list[str]:
    """Why a new password is refused, in the user's language (empty list: acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Use at least %(n)d characters.", n=MIN_LENGTH)))
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("Use at most %(n)d characters.", n=MAX_LENGTH)))
    if username and username.casefold() in password.casefold():
        problems.append(str(_l("The password must not contain the username.")))
    if len(set(password)) < 5:
        problems.append(str(_l("The password is too repetitive.")))
    return problems
