"""The one place that decides who may do what (DESIGN.md §1).

``can(user, action, target)`` answers every permission question; views, API and exports ask
it and never decide themselves. Deny by default: an action no rule names is refused, and a
route reachable without signing in must be listed in ``PUBLIC_ENDPOINTS``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask_login import current_user

from models.user import ROLES, User

from .errors import Forbidden

# Endpoints reachable without a session or token. Everything else refuses anonymous clients.
PUBLIC_ENDPOINTS = frozenset({
    "static",
    "auth.login",
    "auth.login_code",
    "auth.set_language",
    "api.token",
    "api.openapi",
})

# Admin work. Separation of duties: an admin administers the system but reads no case.
ADMIN_ACTIONS = (
    "users.manage",
    "agencies.manage",
    "audit.read",
    "audit.verify",
    "keys.manage",
    "locations.manage",
)

_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(ADMIN_ACTIONS),
    "caseworker": frozenset(),
    "supervisor": frozenset(),
    "provider": frozenset(),
    "cluster_lead": frozenset(),
}
# Every signed-in role manages its own account and browses the service directory.
_EVERY_ROLE = frozenset({"account.manage", "directory.read"})

assert set(_ROLE_ACTIONS) == set(ROLES), "every role needs an entry, even an empty one"  # noqa: S101

TargetRule = Callable[[User, Any], bool]


def _manage_user(user: User, target: Any) -> bool:
    # An admin cannot lock themself out by deactivating or demoting their own account.
    return not (isinstance(target, User) and target.id == user.id)


_TARGET_RULES: dict[str, TargetRule] = {
    "users.manage": _manage_user,
}


def can(user: Any, action: str, target: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return False
    allowed = _ROLE_ACTIONS.get(user.role, frozenset()) | _EVERY_ROLE
    if action not in allowed:
        return False
    rule = _TARGET_RULES.get(action)
    return target is None or rule is None or rule(user, target)


def require(action: str, target: Any = None, user: Any = None) -> None:
    if not can(current_user if user is None else user, action, target):
        raise Forbidden()


F = TypeVar("F", bound=Callable[..., Any])


def requires(action: str) -> Callable[[F], F]:
    """View decorator: the signed-in user must be allowed ``action`` (403 otherwise)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require(action)
            return view(*args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorate
