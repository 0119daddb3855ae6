"""Keeping the maintained statistics aggregate (``gbvims/maintained.py``) true, in the
transaction of every write that changes what an incident or a recorded service gap counts as.

Writes through the ORM (an incident recorded, corrected, reclassified, deleted; a gap recorded)
are seen at flush: their contributions are read before the flush and after it, and the
difference is added. Statements that change incidents in bulk (a consent given or withdrawn, an erasure)
run inside ``recounted(case_ids)``, which does the same around them. A write anywhere else would
leave the counts stale: ``flask stats check`` (run it from cron) compares them with a full
count, ``flask stats rebuild`` counts again, and the tests run every write path against it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event, inspect
from sqlalchemy.orm import InstanceState, Session, scoped_session

from gbvims import maintained
from gbvims.aggregates import incidents as counted_incident
from gbvims.aggregates import service_gaps as counted_gap
from models import Incident, ServiceGap, db

_WAITING = "statistics_upkeep"


def _read_by_count(model: type[Any], counted: Any) -> tuple[str, ...]:
    """The attributes of ``model`` a count reads (the statistics package names them by column)."""
    return tuple(
        prop.key for prop in inspect(model).column_attrs if any(col.name in counted.c for col in prop.columns)
    )


_COUNTED = {Incident: _read_by_count(Incident, counted_incident), ServiceGap: _read_by_count(ServiceGap, counted_gap)}


def _counted_change(row: Incident | ServiceGap) -> bool:
    state: InstanceState[Any] = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in _COUNTED[type(row)])


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = [o for o in session.dirty if isinstance(o, (Incident, ServiceGap)) and _counted_change(o)]
    gone = [o for o in session.deleted if isinstance(o, (Incident, ServiceGap))]
    new = [o for o in session.new if isinstance(o, (Incident, ServiceGap))]
    if not (changed or gone or new):
        return
    with session.no_autoflush:
        before = maintained.contribution(session, **_chosen([*changed, *gone]))
    session.info.setdefault(_WAITING, []).append((before, [*changed, *new]))


def _after_flush(session: Session, _context: Any) -> None:
    for before, written in session.info.pop(_WAITING, []):
        after = maintained.contribution(session, **_chosen(written))
        maintained.add(session, maintained.difference(after, before))


def _chosen(rows: list[Any]) -> dict[str, list[Any]]:
    return {
        "ids": [o.id for o in rows if isinstance(o, Incident)],
        "gap_ids": [o.id for o in rows if isinstance(o, ServiceGap)],
    }


def _forget_waiting(session: Session) -> None:
    session.info.pop(_WAITING, None)


@contextmanager
def recounted(session: Session | scoped_session[Any], case_ids: list[str]) -> Iterator[None]:
    """Around statements that change these cases' incidents and gaps without the ORM."""
    session.flush()
    before = maintained.contribution(session, case_ids=case_ids)
    yield
    maintained.add(session, maintained.difference(maintained.contribution(session, case_ids=case_ids), before))


def init_app(_app: Flask) -> None:
    if not event.contains(db.session, "before_flush", _before_flush):  # one session for every app
        event.listen(db.session, "before_flush", _before_flush)
        event.listen(db.session, "after_flush_postexec", _after_flush)
        event.listen(db.session, "after_rollback", _forget_waiting)
