"""The home page: what each role can do from here."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from models import Agency, AuditEvent, User, db, utcnow

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> str:
    figures = {}
    if current_user.role == "admin":
        figures = {
            "users": db.session.scalar(select(func.count()).select_from(User)),
            "locked": db.session.scalar(select(func.count()).select_from(User).where(User.locked_until > utcnow())),
            "without_2fa": db.session.scalar(
                select(func.count()).select_from(User).where(User.totp_enabled.is_(False), User.active.is_(True))
            ),
            "agencies": db.session.scalar(select(func.count()).select_from(Agency)),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
        }
    return render_template("main/home.html", figures=figures)
