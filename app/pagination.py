"""Pagination of a SELECT in two queries (one count, one page), whatever the page size."""

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
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    # Past the last page (a stale link, a crafted number): the last page, not an empty one.
    number = min(page_number(request.args.get("page")), max(1, -(-total // per_page)))
    items = list(db.session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)).unique())
    return Page(items, number, per_page, total)
