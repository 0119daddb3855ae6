"""A CP case's grave violations (MRM) and the links between a child's GBV and CP cases."""

from __future__ import annotations

from flask import jsonify
from werkzeug.wrappers import Response

from models import db

from ..auth import acting_user
from ..cp import links, mrm
from ..cp.profile import child_protection_json
from ..lookup import load_case
from ..policy import requires
from . import bp
from .payload import json_object


@bp.route("/cases/<case_id>/grave-violations", methods=["POST"])
@requires("case.update")
def record_violations(case_id: str) -> tuple[Response, int]:
    case = load_case(case_id, "case.update")
    mrm.record_violations(acting_user(), case, json_object())
    db.session.commit()
    return jsonify(child_protection_json(case)), 201


@bp.route("/cases/<case_id>/links", methods=["POST"])
@requires("case.update")
def link_cases(case_id: str) -> tuple[Response, int]:
    case = load_case(case_id, "case.update")
    other = links.link(acting_user(), case, json_object())
    db.session.commit()
    return jsonify({"case": case.id, "linked": other.id, "linked_case_code": other.case_code}), 201
