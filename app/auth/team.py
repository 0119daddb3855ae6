"""A supervisor's team page: the accounts of their agency, and a way to lift a sign-in pause
without waiting for an administrator (a locked-out caseworker cannot refer anyone)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from models import User, db

from .. import audit
from ..errors import NotFound
from ..forms import CsrfForm, check_csrf
from ..policy import can, requires
from . import accounts, acting_user, service, throttle
from .views import bp


@bp.route("/team")
@requires("team.unlock")
def team() -> str:
    me = acting_user()
    members = db.session.scalars(
        select(User).where(User.agency_id == me.agency_id, User.id != me.id).order_by(User.username)
    ).all()
    paused = {m.id for m in members if m.is_locked() or throttle.paused_anywhere(m.username)}
    waiting = [m for m in members if m.active and can(me, "role.approve", m)]
    return render_template("auth/team.html", members=members, paused=paused, waiting=waiting, form=CsrfForm())


def _member_or_404(user_id: str, action: str) -> User:
    """The account, if the supervisor may do ``action`` to it; another agency's account is
    answered as if it did not exist."""
    member = db.session.get(User, user_id) if len(user_id) <= 36 else None
    if member is None or not can(acting_user(), action, member):
        raise NotFound()
    return member


@bp.route("/team/<user_id>/role/<any(approve, refuse):decision>", methods=["POST"])
@requires("role.approve")
def decide_role(user_id: str, decision: str) -> Response:
    """A supervisor confirms (or refuses) a case role an administrator gave in their agency."""
    member = _member_or_404(user_id, "role.approve")
    check_csrf()
    message = accounts.decide_role(acting_user(), member, approve=decision == "approve")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("auth.team"))


@bp.route("/team/<user_id>/unlock", methods=["POST"])
@requires("team.unlock")
def unlock(user_id: str) -> Response:
    member = _member_or_404(user_id, "team.unlock")
    check_csrf()
    service.unlock(member)
    audit.record("user.unlocked", target_type="user", target_id=member.id, details={"by": "supervisor"})
    db.session.commit()
    flash(_("Sign-in is open again for %(name)s.", name=member.username), "success")
    return redirect(url_for("auth.team"))
