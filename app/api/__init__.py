"""JSON API under /api/v1: bearer tokens, the same policy and audit as the pages."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import cases, cp, cp_records, referrals, stats, views  # noqa: E402,F401 — routes attach to bp

__all__ = ["bp"]
