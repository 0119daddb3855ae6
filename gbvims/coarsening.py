"""What statistics keep of an erased case: coded values only, coarsened so that the rows point
to nobody, yet counted exactly as before.

The GBVIMS tables read the interview's month (period and trend), the delay between incident and
interview by band (0–3, 4–5, 6–14, 15–30, 31+ days) and the age by band (0–11, 12–17, 18–49,
50+, and 10–19 for adolescents). An erased case keeps one representative value per cell of those
bands — the first day of the interview's month, the band's first delay, the cell's first age —
and nothing finer. ``tests/unit/gbvims/test_coarsening.py`` checks every band is kept.
"""

from __future__ import annotations

import datetime as dt

# (last day of the band, the delay kept for it); None: no upper end.
_DELAYS: tuple[tuple[int | None, int], ...] = ((3, 0), (5, 4), (14, 6), (30, 15), (None, 31))
# (last age of the cell, the age kept for it): the age bands crossed with adolescence (10–19).
_AGES: tuple[tuple[int | None, int], ...] = ((9, 0), (11, 10), (17, 12), (19, 18), (49, 20), (None, 50))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def coarse_moment(moment: dt.datetime) -> dt.datetime:
    """A timestamp kept only to its month (midnight of the first, same time zone)."""
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def coarse_age(age: int | None) -> int | None:
    if age is None:
        return None
    return next(kept for last, kept in _AGES if last is None or age <= last)


def coarse_delay(days: int) -> int:
    return next(kept for last, kept in _DELAYS if last is None or days <= last)


def coarse_dates(incident: dt.date, interview: dt.date) -> tuple[dt.date, dt.date]:
    """The interview's month and the delay's band, nothing finer: (incident, interview)."""
    kept_interview = month_start(interview)
    return kept_interview - dt.timedelta(days=coarse_delay((interview - incident).days)), kept_interview
