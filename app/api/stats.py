"""Anonymized statistics in the API: the same report, disclosure-controlled, as JSON or files."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from gbvims.aggregates import Report
from models import db

from .. import audit
from ..auth import acting_user
from ..policy import requires
from ..stats import service
from ..stats.exports import file_response
from . import bp


def _args() -> dict[str, str]:
    return {k: request.args.get(k, "")[:20] for k in ("period", "start", "end", "region")}


def report_json(report: Report, gaps: list[Any]) -> dict[str, Any]:
    scope = report.scope
    return {
        "period": {
            "start": scope.period.start.isoformat(),
            "end": scope.period.end.isoformat(),
            "label": scope.period.label,
        },
        "region": scope.region,
        "min_published_count": scope.k,
        "incidents": report.incidents,
        "agencies": report.agencies,
        "tables": [
            {
                "id": t.id,
                "title": _(t.title),
                "rows": [code for code, _l in t.rows],
                "columns": [code for code, _l in t.columns],
                "cells": t.protected.cells,
                "row_totals": t.protected.row_totals if t.additive else None,
                "column_totals": t.protected.column_totals if t.additive else None,
                "total": t.protected.total if t.additive else None,
            }
            for t in report.tables
        ],
        "service_gaps": [
            {
                "service": g.service,
                "needed": g.needed,
                "unavailable": g.unavailable,
                "share": None if g.share is None else round(g.share, 3),
            }
            for g in gaps
        ],
    }


@bp.route("/stats/gbvims", methods=["GET"])
@requires("stats.read")
def stats() -> Response:
    report, gaps = service.report_for(acting_user(), _args())
    body = jsonify(report_json(report, gaps))
    audit.record("stats.viewed", target_type="stats", details={"period": report.scope.period.label, "via": "api"})
    db.session.commit()
    return body


@bp.route("/exports/gbvims.csv", methods=["GET"], defaults={"fmt": "csv"})
@bp.route("/exports/gbvims.xlsx", methods=["GET"], defaults={"fmt": "xlsx"})
@requires("stats.export")
def export(fmt: str) -> Response:
    report, _gaps = service.report_for(acting_user(), _args())
    audit.record("stats.exported", target_type="stats", details={"format": fmt, "via": "api"})
    db.session.commit()
    return file_response(report, fmt)
