"""The maintained GBVIMS aggregate: coded counts per month × region × agency × table, kept up to
date in the transaction of every incident write (``app/stats/upkeep.py``), read by the reports
(``gbvims/maintained.py``). Counts only: no record, no id, nothing identifying."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db, utcnow


class StatisticsCount(db.Model):  # type: ignore[name-defined]
    __tablename__ = "statistics_counts"
    # The upsert's conflict target; months first, so a report reads one range of its index.
    __table_args__ = (UniqueConstraint("month", "agency_id", "region", "dimension", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[int] = mapped_column(Integer)  # YYYYMM of the interview
    agency_id: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(32))
    dimension: Mapped[str] = mapped_column(String(120))  # the table's coded columns, comma-joined
    key: Mapped[str] = mapped_column(String(400))  # their values, as a JSON list
    n: Mapped[int] = mapped_column(Integer, default=0)


class StatisticsState(db.Model):  # type: ignore[name-defined]
    """One row: which counting rules the aggregate was built for. Writers share-lock it while
    they add their changes; a rebuild locks it alone."""

    __tablename__ = "statistics_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    built_for: Mapped[str] = mapped_column(String(64), default="")
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
