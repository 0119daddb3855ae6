"""Building a statistics report for the caller: scope by role and sub-cluster, period and region
checks; GBVIMS (``gbvims.aggregates``), child protection and MRM (``gbvims.cp_counts``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from cpims import options as cp_options
from gbvims.aggregates import Preparing, Report, Scope, build
from gbvims.cp_counts import CpCodes, build_cp, build_mrm
from gbvims.labels import N_
from gbvims.period import PeriodError, parse
from models import User, db

from ..errors import StatisticsPreparing, ValidationFailed
from ..i18n_labels import regions
from ..policy import statistics_agency
from ..referrals.labels import SERVICE_TYPE_LABELS

PERIOD_MESSAGES = {  # English source, translated when raised
    "malformed": N_("Give the period as a year (2026), a quarter (2026-Q3) or a month (2026-11)."),
    "unbounded": N_("Choose a period: a year (2026), a quarter (2026-Q3) or a month (2026-11)."),
    "fixed": N_(
        "Statistics are published for a calendar month, quarter or year only: free start and end "
        "months could be subtracted from each other to reveal small numbers."
    ),
    "future": N_("This period has not started yet."),
}
# Why a report is withheld when what it counts is too small (or would give a small count away).
TOO_FEW = {
    "gbvims": N_(
        "Too few incidents in this period and area to publish without risk to survivors — or too "
        "few from one agency beside the others, or a neighbouring figure that would give them "
        "away: choose a longer period or a larger area."
    ),
    "cp": N_(
        "Too few child protection cases in this period and area to publish without risk to the "
        "children — or too few from one agency beside the others, or a neighbouring figure that "
        "would give them away: choose a longer period or a larger area."
    ),
    "mrm": N_(
        "Too few grave violations in this period and area to publish without risk to the "
        "children — or too few from one agency beside the others, or a neighbouring figure that "
        "would give them away: choose a longer period or a larger area."
    ),
}


def scope_for(user: User, args: Mapping[str, Any], sub_cluster: str = "gbv") -> Scope:
    """The report the caller may see (whose figures: ``policy.statistics_agency``, which
    refuses a cluster lead the other sub-cluster's statistics)."""
    agency_id = statistics_agency(user, sub_cluster)
    try:
        period = parse(args.get("period"), args.get("start"), args.get("end"))
    except PeriodError as exc:
        raise ValidationFailed(fields={"period": [_(PERIOD_MESSAGES[exc.code])]}) from None
    region = (args.get("region") or "").strip() or None
    if region is not None and region not in dict(regions()):
        raise ValidationFailed(fields={"region": [_("Unknown region code.")]})
    return Scope(period=period, region=region, agency_id=agency_id, k=int(current_app.config["STATS_MIN_CELL"]))


def cp_codes() -> CpCodes:
    """The code lists the CP and MRM tables show (gbvims imports neither cpims nor referrals)."""
    return CpCodes(
        concerns=cp_options.PROTECTION_CONCERNS,
        violations=cp_options.GRAVE_VIOLATIONS,
        reunification_types=cp_options.REUNIFICATION_TYPES,
        service_types=SERVICE_TYPE_LABELS,
    )


def _built(make: Callable[..., Report], *args: Any, **kwargs: Any) -> Report:
    try:
        return make(db.session, *args, wait=current_app.config["STATS_WAIT_SECONDS"], **kwargs)
    except Preparing:  # the year's protection is still being worked out, in the background
        raise StatisticsPreparing() from None


def too_few(report: Report) -> ValidationFailed:
    return ValidationFailed(fields={"period": [_(TOO_FEW[report.kind])]})


def published(report: Report) -> Report:
    """The report, unless the number it counts is hidden (then nothing of it is shown)."""
    if report.counted is None:
        raise too_few(report)
    return report


def report_for(user: User, args: Mapping[str, Any]) -> tuple[Report, list[Any]]:
    scope = scope_for(user, args)
    report = published(_built(build, scope, regions(), SERVICE_TYPE_LABELS))
    return report, report.gaps


def cp_report(scope: Scope) -> Report:
    """The child protection tables of a scope (the caller's: ``scope_for(user, args, "cp")``)."""
    return _built(build_cp, scope, regions(), cp_codes())


def mrm_report(scope: Scope) -> Report:
    """The MRM tables of a scope (the caller's: ``scope_for(user, args, "cp")``)."""
    return _built(build_mrm, scope, regions(), cp_codes())


def cp_report_for(user: User, args: Mapping[str, Any]) -> Report:
    return published(cp_report(scope_for(user, args, "cp")))


def mrm_report_for(user: User, args: Mapping[str, Any]) -> Report:
    return published(mrm_report(scope_for(user, args, "cp")))


def cp_reports_for(user: User, args: Mapping[str, Any]) -> list[Report]:
    """The child protection and the MRM reports of the scope, each only if it can be published
    (a file holds what can be); refused when neither can."""
    scope = scope_for(user, args, "cp")
    reports = [cp_report(scope), mrm_report(scope)]
    shown = [report for report in reports if report.counted is not None]
    if not shown:
        raise too_few(reports[0])
    return shown
