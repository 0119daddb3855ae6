"""The statistics dashboard and file exports (pages; the API twins are in app/api/stats.py).

One dashboard, by sub-cluster: GBVIMS tables for the GBV sub-cluster, child protection and MRM
tables for the CP sub-cluster. A cluster lead sees their own sub-cluster's; a supervisor may
switch between both, for their own agency (``?sub_cluster=cp``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from cpims.options import SUB_CLUSTERS
from gbvims import options
from gbvims.aggregates import Report
from models import db, utcnow

from .. import audit
from ..auth import acting_user
from ..errors import ValidationFailed
from ..i18n_labels import label
from ..policy import reads_sub_cluster, requires, role_allows
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


def _sub_clusters() -> tuple[list[str], str]:
    """The sub-clusters whose statistics the user reads, and the one to show: the one asked for
    (refused by the policy if not theirs), else their first."""
    user = acting_user()
    offered = [code for code in SUB_CLUSTERS if reads_sub_cluster(user, code)]
    asked = request.args.get("sub_cluster", "")
    chosen = asked if asked in SUB_CLUSTERS else (offered[0] if offered else "gbv")
    return offered, chosen


@bp.route("")
@requires("stats.read")
def dashboard() -> str | tuple[str, int]:
    offered, chosen = _sub_clusters()
    if chosen == "cp":
        return _child_protection(offered)
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
            sub_clusters=offered,
            sub_cluster=chosen,
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
        sub_clusters=offered,
        sub_cluster=chosen,
    )


def _rows_of(report: Report, table_id: str, totals: bool = False) -> list[tuple[str, int | None]]:
    """(row label, its number) of a table: its only column, or its row totals."""
    found = [t for t in report.tables if t.id == table_id]
    if not found:
        return []
    table = found[0]
    values = table.protected.row_totals if totals else [cells[0] for cells in table.protected.cells]
    return [(label(row_label), values[i]) for i, (_c, row_label) in enumerate(table.rows)]


def _child_protection(offered: list[str]) -> tuple[str, int]:
    """The CP sub-cluster's page: the CP tables and the MRM tables, each shown when it can be
    published (a report too small to publish says so in its place)."""
    args = _args()
    user = acting_user()
    page: dict[str, Any] = {
        "args": args,
        "regions": service.regions(),
        "label": label,
        "can_export": role_allows(current_user, "stats.export"),
        "sub_clusters": offered,
        "sub_cluster": "cp",
        "errors": {},
        "withheld": {},
        "reports": {},
        "scope": None,
        "charts": {},
    }
    try:
        scope = service.scope_for(user, args, "cp")
    except ValidationFailed as exc:
        page["errors"] = exc.fields or {}
        return render_template("stats/child_protection.html", **page), 422
    reports: dict[str, Report] = {}
    for kind, make in (("cp", service.cp_report), ("mrm", service.mrm_report)):
        report = make(scope)
        if report.counted is None:
            page["withheld"][kind] = (service.too_few(report).fields or {}).get("period", [])
        else:
            reports[kind] = report
    page["reports"] = reports
    page["scope"] = scope
    charts: dict[str, Any] = {}
    if "cp" in reports:
        charts["by_concern"] = bars(_rows_of(reports["cp"], "cp_cases_by_concern"))
        if by_region := _rows_of(reports["cp"], "cp_cases_by_region"):
            charts["by_region"] = bars(by_region)
    if "mrm" in reports:
        charts["by_violation"] = bars(_rows_of(reports["mrm"], "mrm_violations_by_sex", totals=True))
    page["charts"] = charts
    if not reports:
        return render_template("stats/child_protection.html", **page), 422
    audit.record(
        "stats.viewed",
        target_type="stats",
        details={"report": "cp", "period": scope.period.label, "region": scope.region},
    )
    db.session.commit()
    return render_template("stats/child_protection.html", **page), 200


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


@bp.route("/cp.<any(csv, xlsx):fmt>")
@requires("stats.export")
def export_cp(fmt: str) -> Response:
    """The CP and MRM tables in one file (whichever can be published): the CP sub-cluster's lead."""
    reports = service.cp_reports_for(acting_user(), _args())
    scope = reports[0].scope
    audit.record(
        "stats.exported",
        target_type="stats",
        details={"report": "cp", "format": fmt, "period": scope.period.label, "region": scope.region},
    )
    db.session.commit()
    return exports.file_response(reports[0], fmt, *reports[1:])
