"""Offset pagination with an exact total, shared by the JSON API and the pages."""

from __future__ import annotations

from math import ceil
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import Select, SelectOfScalar

T = TypeVar("T")
MAX_PER_PAGE = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def paginate(
    session: Session, query: SelectOfScalar[Any] | Select[Any, Any], page: int, per_page: int
) -> Page[Any]:
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    items = list(session.exec(query.offset((page - 1) * per_page).limit(per_page)).all())
    return Page(items=items, total=total, page=page, per_page=per_page)
