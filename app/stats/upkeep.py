"""Keeping the maintained statistics aggregate (``gbvims/maintained.py``) true, in the
transaction of every write that changes what an incident counts as.

Writes through the ORM (an incident recorded, corrected, reclassified, deleted) are seen at
flush: the incidents' contributions are read before the flush and after it, and the difference
is added. Statements that change incidents in bulk (a consent given or withdrawn, an erasure)
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
from models import Incident, db

_WAITING = "statistics_upkeep"
# The incident attributes a count reads (the statistics package names them by column).
_COUNTED = tuple(
    prop.key
    for prop in inspect(Incident).column_attrs
    if any(col.name in counted_incident.c for col in prop.columns)
)


def _counted_change(incident: Incident) -> bool:
    state: InstanceState[Incident] = inspect(incident)
    return any(state.attrs[name].history.has_changes() for name in _COUNTED)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = [o for o in session.dirty if isinstance(o, Incident) and _counted_change(o)]
    gone = [o for o in session.deleted if isinstance(o, Incident)]
    new = [o for o in session.new if isinstance(o, Incident)]
    if not (changed or gone or new):
        return
    with session.no_autoflush:
        before = maintained.contribution(session, ids=[o.id for o in (*changed, *gone)])
    session.info.setdefault(_WAITING, []).append((before, [*changed, *new]))


def _after_flush(session: Session, _context: Any) -> None:
    for before, written in session.info.pop(_WAITING, []):
        after = maintained.contribution(session, ids=[o.id for o in written])
        maintained.add(session, maintained.difference(after, before))


def _forget_waiting(session: Session) -> None:
    session.info.pop(_WAITING, None)


@contextmanager
def recounted(session: Session | scoped_session[Any], case_ids: list[str]) -> Iterator[None]:
    """Around statements that change these cases' incidents without the ORM."""
    session.flush()
    before = maintained.contribution(session, case_ids=case_ids)
    yield
    maintained.add(session, maintained.difference(maintained.contribution(session, case_ids=case_ids), before))


def init_app(_app: Flask) -> None:
    if not event.contains(db.session, "before_flush", _before_flush):  # one session for every app
        event.listen(db.session, "before_flush", _before_flush)
        event.listen(db.session, "after_flush_postexec", _after_flush)
        event.listen(db.session, "after_rollback", _forget_waiting)
