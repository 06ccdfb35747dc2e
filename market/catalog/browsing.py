"""The public catalogue a page at a time, for /catalogo, the home page and GET /api/v1/listings: by cursor
(keyset, market/catalog/keyset.py) or, for links made before cursors, by page number, with the count of
matching listings from the per-process cache (market/catalog/counts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col

from market.catalog.counts import PublicCounts
from market.catalog.keyset import DEFAULT_SORT, ORDERS, cursor_of, key_of
from market.catalog.models import Listing
from market.catalog.service import public_listings_query
from market.organizations.models import Organization
from market.pagination import MAX_PER_PAGE


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    state: str | None = None  # the producer's, INEGI code
    organization_id: int | None = None

    def where(self, query: Any) -> Any:
        if self.category:
            query = query.where(Listing.category == self.category)
        if self.state:
            query = query.where(Organization.state == self.state)
        if self.organization_id:
            query = query.where(Listing.organization_id == self.organization_id)
        return query


@dataclass(frozen=True)
class CatalogPage:
    items: list[Listing]
    total: int  # matching public listings, at most the count cache's age old
    per_page: int
    page: int | None  # when asked for by number; None by cursor
    next_cursor: str | None  # None on the last page
    prev_cursor: str | None  # None on the first page


def count_public(session: Session, filters: Filters) -> int:
    return int(session.exec(filters.where(public_listings_query(func.count(col(Listing.id))))).one())


def browse(
    session: Session,
    counts: PublicCounts,
    filters: Filters,
    *,
    sort: str = DEFAULT_SORT,
    per_page: int = 24,
    after: str | None = None,
    before: str | None = None,
    page: int = 1,
    cursor_field: tuple[str, str] = ("after", "before"),
) -> CatalogPage:
    """The page after the cursor `after`, or before `before`, or else page number `page` (OFFSET: only
    for old links; the cursors the page hands out are as fast at any depth). An unknown sort is the
    default; a cursor that is not one of `sort`'s is BadCursor naming its `cursor_field` (the names the
    face uses for `after` and `before`)."""
    sort = sort if sort in ORDERS else DEFAULT_SORT
    order = ORDERS[sort]
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    query = filters.where(public_listings_query())
    total = counts.get(filters, lambda: count_public(session, filters))
    if before and not after:
        value, listing_id = key_of(before, sort, cursor_field[1])
        rows = list(
            session.exec(
                query.where(order.beyond(value, listing_id, reverse=True))
                .order_by(*order.by(reverse=True))
                .limit(per_page + 1)
            ).all()
        )
        if len(rows) <= per_page:  # nothing before these: that is the first page, whole
            return browse(session, counts, filters, sort=sort, per_page=per_page)
        items = rows[:per_page][::-1]
        return CatalogPage(
            items, total, per_page, None, cursor_of(items[-1], sort), cursor_of(items[0], sort)
        )
    if after:
        value, listing_id = key_of(after, sort, cursor_field[0])
        query = query.where(order.beyond(value, listing_id))
    else:
        query = query.offset((page - 1) * per_page)
    rows = list(session.exec(query.order_by(*order.by()).limit(per_page + 1)).all())
    items = rows[:per_page]
    has_previous = bool(after) or page > 1
    return CatalogPage(
        items,
        total,
        per_page,
        None if after else page,
        cursor_of(items[-1], sort) if len(rows) > per_page else None,
        cursor_of(items[0], sort) if has_previous and items else None,
    )
