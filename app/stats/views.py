"""The statistics dashboard and file exports (pages; the API twins are in app/api/stats.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from gbvims import options
from models import db, utcnow

from .. import audit
from ..auth import acting_user
from ..errors import ValidationFailed
from ..i18n_labels import label
from ..policy import requires, role_allows
from . import exports, service

bp = Blueprint("stats", __name__, url_prefix="/stats")


def _args() -> dict[str, str]:
    args = {k: request.args.get(k, "")[:20] for k in ("period", "start", "end", "region")}
    if not (args["period"] or args["start"] or args["end"]):
        args["period"] = str(utcnow().year)
    return args


def bars(pairs: list[tuple[str, int | None]]) -> dict[str, Any]:
    """Geometry of a horizontal bar chart (drawn as SVG by the template, no script)."""
    shown = [v for _label, v in pairs if v]
    top = max(shown) if shown else 1
    return {
        "rows": [{"label": lab, "value": v, "width": 0 if not v else max(2, round(300 * v / top))} for lab, v in pairs],
        "height": 28 * len(pairs) + 8,
    }


@bp.route("")
@requires("stats.read")
def dashboard() -> str | tuple[str, int]:
    args = _args()
    try:
        report, gaps = service.report_for(acting_user(), args)
    except ValidationFailed as exc:
        return render_template(
            "stats/dashboard.html",
            report=None,
            errors=exc.fields or {},
            args=args,
            regions=service.regions(),
            can_export=role_allows(current_user, "stats.export"),
        ), 422

    def column(table_id: str) -> list[tuple[str, int | None]]:
        table = report.table(table_id)
        return [(label(row_label), table.protected.cells[i][0]) for i, (_c, row_label) in enumerate(table.rows)]

    trend = report.table("trend_by_month")
    charts = {
        "by_type": bars(column("incidents_by_type")),
        "by_month": bars([(code, trend.protected.row_totals[i]) for i, (code, _l) in enumerate(trend.rows)]),
    }
    if any(t.id == "incidents_by_region" for t in report.tables):
        by_region = report.table("incidents_by_region")
        charts["by_region"] = bars(
            [(label(name), by_region.protected.row_totals[i]) for i, (_c, name) in enumerate(by_region.rows)]
        )
    audit.record(
        "stats.viewed",
        target_type="stats",
        details={"period": report.scope.period.label, "region": report.scope.region},
    )
    db.session.commit()
    return render_template(
        "stats/dashboard.html",
        report=report,
        gaps=gaps,
        charts=charts,
        errors={},
        args=args,
        regions=service.regions(),
        label=label,
        can_export=role_allows(current_user, "stats.export"),
        services=options.PATHWAY_SERVICES,
    )


@bp.route("/gbvims.<any(csv, xlsx):fmt>")
@requires("stats.export")
def export(fmt: str) -> Response:
    report, _gaps = service.report_for(acting_user(), _args())
    audit.record(
        "stats.exported",
        target_type="stats",
        details={"format": fmt, "period": report.scope.period.label, "region": report.scope.region},
    )
    db.session.commit()
    return exports.file_response(report, fmt)
