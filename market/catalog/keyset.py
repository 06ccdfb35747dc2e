"""Keyset ("seek") pagination of the public catalogue: the next page is asked for by the last row's sort key
(the sort column, then the id, which breaks ties), not by a page number, so page 900 costs what page 1 costs
(an index walk from that key: see the composite indexes on `Listing`) instead of reading and dropping every
row before it, and a listing published meanwhile neither repeats nor skips a row of the next page.

A cursor is opaque to clients: the sort, the key value and the id, as URL-safe base64 of a JSON array. It is
not signed: a hand-made one only moves where the page starts among public listings, which anyone may walk
anyway. Anything that does not decode to a key of the requested sort is refused with `BadCursor` (422)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import tuple_
from sqlmodel import col

from market.bounds import MAX_ID, MAX_PRICE_CENTS
from market.catalog.models import Listing
from market.errors import ValidationFailed
from market.i18n import N_

MAX_CURSOR = 400  # characters: a title of 140 characters, escaped, fits with room to spare


@dataclass(frozen=True)
class Order:
    """One order the catalogue offers: its column, and whether it runs downwards (ties by id the same way)."""

    column: Any
    descending: bool

    def by(self, reverse: bool = False) -> tuple[Any, Any]:
        """ORDER BY clauses: this order, or (`reverse`) its opposite, for the rows before a key."""
        down = self.descending != reverse
        return (
            (col(self.column).desc(), col(Listing.id).desc())
            if down
            else (col(self.column).asc(), col(Listing.id).asc())
        )

    def beyond(self, value: Any, listing_id: int, reverse: bool = False) -> Any:
        """The rows after (`reverse`: before) the key (value, id) in this order: one row comparison, which
        PostgreSQL and SQLite answer from an index on (status, column, id)."""
        key = tuple_(col(self.column), col(Listing.id))
        bound = tuple_(value, listing_id)
        return key < bound if self.descending != reverse else key > bound


ORDERS = {
    "recent": Order(Listing.created_at, descending=True),
    "price_asc": Order(Listing.price_cents, descending=False),
    "price_desc": Order(Listing.price_cents, descending=True),
    "title": Order(Listing.title, descending=False),
}
DEFAULT_SORT = "recent"


class BadCursor(ValidationFailed):
    """A cursor that is not one this catalogue wrote for the requested order (cut, edited, from another
    order): the page cannot tell where to start, and says so rather than guessing."""

    code = "bad_cursor"
    message = N_("Este enlace de página no es válido o es de otro orden. Vuelve a la primera página.")

    def __init__(self, field: str) -> None:
        super().__init__({field: self.message})


def cursor_of(listing: Listing, sort: str) -> str:
    """The cursor of the page that starts after (or, asked for as `before`, ends before) `listing`."""
    value = getattr(listing, ORDERS[sort].column.key)
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat()
    raw = json.dumps([sort, value, listing.id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def key_of(cursor: str, sort: str, field: str) -> tuple[Any, int]:
    """The (value, id) a cursor holds for `sort`; BadCursor naming `field` for anything else."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, listing_id = json.loads(raw)
        if cursor_sort != sort or type(listing_id) is not int or not 1 <= listing_id <= MAX_ID:
            raise ValueError("another order, or not an id")
        return _value(sort, value), listing_id
    # JSONDecodeError and Unicode errors are ValueErrors; OverflowError: a date at the edge of the calendar
    except (ValueError, TypeError, OverflowError, binascii.Error) as exc:
        raise BadCursor(field) from exc


def _value(sort: str, value: Any) -> Any:
    """The cursor's key value, checked to be what the sort's column holds."""
    if sort == "recent":
        if not isinstance(value, str):
            raise ValueError("not a date")
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a date without its zone")
        return moment.astimezone(UTC)
    if sort in ("price_asc", "price_desc"):
        if type(value) is not int or not 0 <= value <= MAX_PRICE_CENTS:
            raise ValueError("not a price")
        return value
    if not isinstance(value, str) or len(value) > Listing.__table__.c.title.type.length:  # type: ignore[attr-defined]
        raise ValueError("not a title")
    if "\x00" in value:
        raise ValueError("a NUL, which no title holds (and PostgreSQL refuses)")
    value.encode()  # a lone surrogate ("\ud800") cannot be sent to the database: UnicodeEncodeError
    return value
