"""Building a statistics report for the caller: scope by role, period and region checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from gbvims.aggregates import Preparing, Report, Scope, build
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


def scope_for(user: User, args: Mapping[str, Any]) -> Scope:
    """The report the caller may see (whose figures: ``policy.statistics_agency``)."""
    agency_id = statistics_agency(user)
    try:
        period = parse(args.get("period"), args.get("start"), args.get("end"))
    except PeriodError as exc:
        raise ValidationFailed(fields={"period": [_(PERIOD_MESSAGES[exc.code])]}) from None
    region = (args.get("region") or "").strip() or None
    if region is not None and region not in dict(regions()):
        raise ValidationFailed(fields={"region": [_("Unknown region code.")]})
    return Scope(period=period, region=region, agency_id=agency_id, k=int(current_app.config["STATS_MIN_CELL"]))


def report_for(user: User, args: Mapping[str, Any]) -> tuple[Report, list[Any]]:
    scope = scope_for(user, args)
    wait = current_app.config["STATS_WAIT_SECONDS"]
    try:
        report = build(db.session, scope, regions(), SERVICE_TYPE_LABELS, wait=wait)
    except Preparing:  # the year's protection is still being worked out, in the background
        raise StatisticsPreparing() from None
    if report.incidents is None:
        raise ValidationFailed(
            fields={
                "period": [
                    _(
                        "Too few incidents in this period and area to publish without risk to "
                        "survivors — or too few from one agency beside the others, or a "
                        "neighbouring figure that would give them away: choose a longer period "
                        "or a larger area."
                    )
                ]
            }
        )
    return report, report.gaps
