"""The one place that decides who may do what (docs/architecture.md, "Roles and access policy").

Two questions, kept apart so that one cannot be mistaken for the other:

- ``role_allows(user, action)``: may this user's role *ever* do ``action``? For menus, page
  decorators and lists (the list's own query is then narrowed by ``case_scope``).
- ``can(user, action, record)``: may this user do ``action`` to *this* record? The record is
  required; without one the answer is no.

Views, API, exports and services ask these and never test a role themselves. Deny by default: an
action no rule names is refused, and a route reachable without signing in must be listed in
``PUBLIC_ENDPOINTS``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any, TypeVar, cast

from flask_login import current_user
from sqlalchemy import ColumnElement, false, or_, select

from models.base import db
from models.case import Case, CaseAssignment
from models.casework import ActionPlan, CaseDecision
from models.child_protection import BestInterests
from models.referral import CaseTransfer, Referral
from models.user import ROLES, User
from referral.states import PROVIDER_VISIBLE

from .errors import Forbidden, RecordOutOfScope

# Endpoints reachable without a session or token. Everything else refuses anonymous clients.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "auth.login",
        "auth.login_code",
        "auth.set_language",
        "api.token",
        "api.openapi",
        # Load balancers and supervisors (app/health.py); /metrics guards itself with a token
        # or loopback (app/observability.py).
        "health.healthz",
        "health.readyz",
        "prometheus_metrics",
    }
)

# Admin work. Separation of duties: an admin administers the system but reads no case.
ADMIN_ACTIONS = (
    "providers.manage",
    "users.manage",
    "agencies.manage",
    "audit.read",
    "audit.verify",
    "keys.manage",
    "locations.manage",
)

# Case work: caseworkers on their own and assigned cases, supervisors on their agency's.
CASEWORK_ACTIONS = ("case.create", "case.list", "case.read", "case.update")
SUPERVISION_ACTIONS = (
    "case.approve",
    "case.assign",
    "transfer.decide",
    "request.decide",
    "plan.decide",
    "bid.decide",
    "team.unlock",
    "role.approve",
)
CASE_RECORD_ACTIONS = ("case.read", "case.update", "case.approve", "case.assign")
# For a service without a Sutura account: print its referral form, record its answers for it.
OFFLINE_REFERRAL_ACTIONS = ("referral.print", "referral.answer_on_behalf")

_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    # A second administrator may approve a case role another administrator granted.
    "admin": frozenset((*ADMIN_ACTIONS, "role.approve")),
    "caseworker": frozenset(CASEWORK_ACTIONS + OFFLINE_REFERRAL_ACTIONS),
    "supervisor": frozenset(CASEWORK_ACTIONS + OFFLINE_REFERRAL_ACTIONS + SUPERVISION_ACTIONS + ("stats.read",)),
    # A provider focal point answers the referrals addressed to their directory entry, nothing else.
    "provider": frozenset({"referral.inbox", "referral.respond"}),
    # Anonymized aggregates only: no case, incident, referral or identifying value. Theirs are
    # the only figures across agencies (and then only agencies that signed the ISP).
    "cluster_lead": frozenset({"stats.read", "stats.export", "stats.across_agencies"}),
}
# Every signed-in role manages its own account and browses the service directory.
_EVERY_ROLE = frozenset({"account.manage", "directory.read"})

assert set(_ROLE_ACTIONS) == set(ROLES), "every role needs an entry, even an empty one"  # noqa: S101

# Roles whose account answers for one entry of the service directory.
PROVIDER_ROLES = ("provider",)
# Roles that read survivors' records: in force only once a second person approved them.
CASE_ROLES = ("caseworker", "supervisor")
# Roles that see every case of their agency, not only those they own or are assigned to.
AGENCY_WIDE_ROLES = ("supervisor",)

RecordRule = Callable[[User, Any], bool]


def _manage_user(user: User, target: Any) -> bool:
    # An admin cannot lock themself out by deactivating or demoting their own account.
    return isinstance(target, User) and target.id != user.id


def _case_in_scope(user: User, case: Any) -> bool:
    if not isinstance(case, Case) or case.agency_id != user.agency_id or user.agency_id is None:
        return False
    if user.role in AGENCY_WIDE_ROLES:
        return True
    return case.owner_id == user.id or user.id in case.assigned_user_ids


def case_scope(user: Any) -> ColumnElement[bool]:
    """The SQL twin of ``_case_in_scope``: the cases ``user`` may list (nothing for other roles)."""
    if not role_allows(user, "case.list") or user.agency_id is None:
        return false()
    same_agency = Case.agency_id == user.agency_id
    if user.role in AGENCY_WIDE_ROLES:
        return same_agency
    # One indexed set (owned, then assigned), not "owner = me OR id IN (…)", which makes a
    # database read the agency's whole caseload to find a caseworker's few cases.
    owned = select(Case.id).where(Case.owner_id == user.id).correlate(None)
    assigned = select(CaseAssignment.case_id).where(CaseAssignment.user_id == user.id)
    return same_agency & Case.id.in_(owned.union(assigned))


def _my_team_member(user: User, member: Any) -> bool:
    # A supervisor lifts sign-in pauses for the other accounts of their own agency.
    return (
        isinstance(member, User)
        and member.id != user.id
        and user.agency_id is not None
        and member.agency_id == user.agency_id
    )


def role_in_force(user: Any) -> bool:
    """A case role waits for a second person's approval; until then the account only manages
    itself (it can sign in, change its password, set up its second factor)."""
    return user.role not in CASE_ROLES or user.role_approved_at is not None


def home_is_inbox(user: Any) -> bool:
    """A service provider's work is the referrals addressed to them: their inbox is their home."""
    return user.role == "provider" and role_in_force(user)


def _may_approve_role(user: User, member: Any) -> bool:
    # Separation of duties: neither the member, nor whoever granted the role, nor an account
    # that person created approves it; a supervisor only for their own agency.
    if not isinstance(member, User) or member.role not in CASE_ROLES or member.role_approved_at is not None:
        return False
    requester = member.role_requested_by_id
    if member.id == user.id or (requester is not None and user.id == requester):
        return False
    if requester is not None and user.created_by_id == requester:
        return False
    if user.role in AGENCY_WIDE_ROLES:
        return user.agency_id is not None and member.agency_id == user.agency_id
    return True


def _someone_elses_request(user: User, decision: Any) -> bool:
    # Separation of duties: a closure or an erasure is decided by a supervisor other than the
    # person who asked for it, on a case in their scope.
    return (
        isinstance(decision, CaseDecision)
        and decision.requested_by_id != user.id
        and _case_in_scope(user, decision.case)
    )


def _someone_elses_plan(user: User, plan: Any) -> bool:
    # Separation of duties: a case plan is approved by a supervisor who did not write it.
    return isinstance(plan, ActionPlan) and plan.created_by_id != user.id and _case_in_scope(user, plan.case)


def _someone_elses_bid(user: User, bid: Any) -> bool:
    # A best interests determination's panel decision is recorded by a supervisor who did not
    # submit the determination.
    return (
        isinstance(bid, BestInterests)
        and bid.kind == "bid"
        and bid.created_by_id != user.id
        and _case_in_scope(user, bid.case)
    )


def deciders_of(action: str) -> ColumnElement[bool]:
    """The SQL twin of ``role_allows`` over users: the accounts whose role may do ``action`` now
    (active, role in force). Used to find, say, the agencies with someone to accept a transfer."""
    roles = [role for role, actions in _ROLE_ACTIONS.items() if action in actions]
    in_force = or_(User.role.not_in(CASE_ROLES), User.role_approved_at.is_not(None))
    return User.role.in_(roles) & User.active.is_(True) & in_force


def _addressed_to_me(user: User, referral: Any) -> bool:
    return (
        isinstance(referral, Referral)
        and user.provider_id is not None
        and referral.provider_id == user.provider_id
        and referral.state in PROVIDER_VISIBLE
    )


# --- Services without an account --------------------------------------------------------------
# Police, courts, state health centres often have no focal point in Sutura: the caseworker of the
# case prints the referral form for them and records their answers on their behalf. Never for a
# service whose focal point answers in Sutura itself (its answers are its own to give).


def answering_in_sutura(provider_ids: Collection[str]) -> set[str]:
    """Which of these directory entries have a focal point who may answer now (active account,
    role that responds to referrals)."""
    if not provider_ids:
        return set()
    rows = db.session.scalars(
        select(User.provider_id).where(User.provider_id.in_(list(provider_ids)), deciders_of("referral.respond"))
    )
    return {provider_id for provider_id in rows if provider_id is not None}


def _offline_referral_of_my_case(user: User, referral: Any) -> bool:
    return (
        isinstance(referral, Referral)
        and _case_in_scope(user, referral.case)
        and not answering_in_sutura([referral.provider_id])
    )


# -------------------------------------------------------------------------------------------------


def _transfer_to_my_agency(user: User, transfer: Any) -> bool:
    return isinstance(transfer, CaseTransfer) and transfer.to_agency_id == user.agency_id and user.agency_id is not None


_RECORD_RULES: dict[str, RecordRule] = {
    "users.manage": _manage_user,
    "referral.respond": _addressed_to_me,
    **dict.fromkeys(OFFLINE_REFERRAL_ACTIONS, _offline_referral_of_my_case),
    "transfer.decide": _transfer_to_my_agency,
    "request.decide": _someone_elses_request,
    "plan.decide": _someone_elses_plan,
    "bid.decide": _someone_elses_bid,
    "team.unlock": _my_team_member,
    "role.approve": _may_approve_role,
    **dict.fromkeys(CASE_RECORD_ACTIONS, _case_in_scope),
}


def role_allows(user: Any, action: str) -> bool:
    """May ``user``'s role ever do ``action``? (Not: may they do it to a given record.)"""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return False
    if not role_in_force(user):
        return action in _EVERY_ROLE
    return action in _ROLE_ACTIONS.get(user.role, frozenset()) | _EVERY_ROLE


def can(user: Any, action: str, record: Any) -> bool:
    """May ``user`` do ``action`` to ``record``? No record, no permission."""
    if record is None or not role_allows(user, action):
        return False
    rule = _RECORD_RULES.get(action)
    return rule is None or rule(user, record)


def require(action: str, record: Any, user: Any = None) -> None:
    """Refuse with 403; a record out of the user's scope is answered as if it did not exist."""
    if not can(current_user if user is None else user, action, record):
        raise RecordOutOfScope() if isinstance(record, Case | Referral | CaseTransfer) else Forbidden()


def require_role_allows(action: str, user: Any = None) -> None:
    """Refuse with 403 unless the user's role may do ``action`` at all."""
    if not role_allows(current_user if user is None else user, action):
        raise Forbidden()


def coordinates_sub_cluster(role: str) -> bool:
    """Whether an account of ``role`` coordinates one sub-cluster (and must say which)."""
    return "stats.across_agencies" in _ROLE_ACTIONS.get(role, frozenset())


def answers_for_provider(role: str) -> bool:
    """Whether an account of ``role`` is the focal point of a directory entry."""
    return role in PROVIDER_ROLES


def statistics_agency(user: Any, sub_cluster: str = "gbv") -> int | None:
    """Whose figures a statistics request of ``sub_cluster`` ("gbv": GBVIMS tables; "cp": child
    protection and MRM) covers: ``None`` for every agency that signed the ISP (cluster leads,
    each of their own sub-cluster only), otherwise the user's own agency, signed or not: the
    protocol governs sharing, not an agency's analysis of its own data."""
    require_role_allows("stats.read", user)
    if role_allows(user, "stats.across_agencies"):
        if not reads_sub_cluster(user, sub_cluster):
            raise Forbidden()
        return None
    if user.agency_id is None:
        raise Forbidden()
    return int(user.agency_id)


def reads_sub_cluster(user: Any, sub_cluster: str) -> bool:
    """A cluster lead reads the statistics of their own sub-cluster only; a supervisor reads
    both for their agency (an agency may run GBV and child protection case management)."""
    if not role_allows(user, "stats.read"):
        return False
    if role_allows(user, "stats.across_agencies"):
        return bool(user.sub_cluster == sub_cluster)
    return True


F = TypeVar("F", bound=Callable[..., Any])


def requires(action: str) -> Callable[[F], F]:
    """View decorator: the signed-in user's role must allow ``action`` (403 otherwise); the view
    still checks each record it touches with ``require``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require_role_allows(action)
            return view(*args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorate
