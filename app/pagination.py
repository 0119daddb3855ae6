"""Pagination of a SELECT in one query (the page, each row carrying the total as a window count),
whatever the page size; a page past the last costs a count and the last page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from models import db


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int
    exact: bool = True  # false: ``total`` is a lower bound (a search that checked only what it showed)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(raw: str | None) -> int:
    """The page asked for: 1 for anything that is not a plain positive number (a huge one, a
    sign, spaces, digits from other scripts), so a crafted ``?page=`` never reaches the SQL."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return 1
    return max(1, int(raw))


def paginate(stmt: Select[Any], per_page: int = 50) -> Page:
    number = page_number(request.args.get("page"))
    items, total = _page(stmt, number, per_page)
    if not items and number > 1:
        # Past the last page (a stale link, a crafted number): the last page, not an empty one.
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        number = max(1, -(-total // per_page))
        items, _total = _page(stmt, number, per_page)
    return Page(items, number, per_page, total)


def _page(stmt: Select[Any], number: int, per_page: int) -> tuple[list[Any], int]:
    counted = stmt.add_columns(func.count().over().label("rows_in_all_pages"))
    rows = db.session.execute(counted.limit(per_page).offset((number - 1) * per_page)).unique().all()
    return [row[0] for row in rows], (int(rows[0][-1]) if rows else 0)
