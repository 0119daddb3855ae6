"""The home page: what each role can do from here."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from models import Agency, AuditEvent, User, db, utcnow

from .. import audit
from ..cases.tasks import for_user
from ..i18n_labels import label
from ..policy import home_is_inbox, role_allows, role_in_force
from ..referrals import labels as referral_labels

bp = Blueprint("main", __name__)

ROLE_WAITING = _l(
    "Your role waits for a second person's approval (a supervisor of your agency or another "
    "administrator). Until then you cannot open any case."
)
# What each case role does here, in one sentence (administrators get figures instead).
WORK_SUMMARIES = {
    "caseworker": _l(
        "Register survivors with their consent, record incidents on the GBVIMS form, plan and follow up "
        "their case, and refer them to the services they choose."
    ),
    "supervisor": _l(
        "Follow your team's cases, approve case plans and closures, and reassign cases within your agency."
    ),
    "provider": _l(
        "Receive the referrals addressed to your service, with only what the survivor agreed to share; accept "
        "or decline them and report when the service was delivered."
    ),
    "cluster_lead": _l(
        "See and export anonymized GBVIMS statistics by period and region. No name and no record is ever "
        "shown to this role."
    ),
}


@bp.route("/")
def home() -> Response | str:
    if home_is_inbox(current_user):
        # A service's work is its inbox, urgent first: one tap less to the referral to answer.
        return redirect(url_for("referrals.inbox"))
    figures = {}
    if role_allows(current_user, "users.manage"):
        figures = {
            "users": db.session.scalar(select(func.count()).select_from(User)),
            "locked": db.session.scalar(select(func.count()).select_from(User).where(User.locked_until > utcnow())),
            "without_2fa": db.session.scalar(
                select(func.count()).select_from(User).where(User.totp_enabled.is_(False), User.active.is_(True))
            ),
            "agencies": db.session.scalar(select(func.count()).select_from(Agency)),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
        }
    summary = WORK_SUMMARIES.get(current_user.role) if role_in_force(current_user) else ROLE_WAITING
    tasks = for_user(current_user) if role_allows(current_user, "case.list") else None
    html = render_template(
        "main/home.html",
        figures=figures,
        summary=summary,
        tasks=tasks,
        can_register=role_allows(current_user, "case.create"),
        now=utcnow(),
        label=label,
        referral_labels=referral_labels,
    )
    shown = tasks.cases_shown() if tasks is not None else []
    if shown:  # case codes (and names) shown: logged like a case list
        audit.record("case.list_viewed", target_type="case", details={"cases": sorted(shown)})
        audit.commit_read()
    return html
