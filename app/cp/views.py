"""The child protection pages' blueprint: every route acts on one CP case, under /cases/<id>/."""

from __future__ import annotations

from flask import Blueprint

from models import Case

from ..cases.kinds import kind_of
from ..errors import Conflict
from ..lookup import load_case

bp = Blueprint("cp", __name__, url_prefix="/cases")


def load_cp_case(case_id: str, action: str = "case.update") -> Case:
    """The case, checked against the policy for ``action``; refused unless it is a CP case."""
    case = load_case(case_id, action)
    if not kind_of(case).child_protection:
        raise Conflict()
    return case
