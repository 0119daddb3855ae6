"""The child protection pages' blueprint: every route acts on one CP case, under /cases/<id>/.

``app.cases`` builds on this package (a CP case's registration is read and written here), so
nothing here imports ``app.cases``: the shared form page lives in ``app.forms``."""

from __future__ import annotations

from flask import Blueprint

from models import Case

from ..errors import Conflict
from ..lookup import load_case
from . import CP_KIND

bp = Blueprint("cp", __name__, url_prefix="/cases")


def load_cp_case(case_id: str, action: str = "case.update") -> Case:
    """The case, checked against the policy for ``action``; refused unless it is a CP case."""
    case = load_case(case_id, action)
    if case.kind != CP_KIND:
        raise Conflict()
    return case
