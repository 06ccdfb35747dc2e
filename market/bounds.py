"""The range of every integer that comes from outside, checked where it is parsed (path, query, body, form),
so that no number reaches the database that its column cannot hold.

Ids are 32-bit columns. Money and quantities are 64-bit columns; their bounds keep a line (quantity × unit
price ≤ 10^16 centavos) and an order of 100 lines (≤ 10^18) within 64 bits (9.2 × 10^18)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field

MAX_ID = 2**31 - 1
MAX_PAGE = 10_000  # 100 a page: a million rows; nobody pages further, and OFFSET stays small
MAX_QUANTITY = 10_000_000  # units of one line, a listing's stock or capacity, a demand's delivery
MAX_PRICE_CENTS = 1_000_000_000  # ten million pesos a unit: anything above is a typo
MAX_AMOUNT_CENTS = 10**18  # a whole amount (a refund, a price filter): at most an order's total

# A path id out of this range is answered as one that does not exist (404); in a query or a body, 422.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]

# ASCII digits only: str.isdigit() takes "²" and int() takes "٣", which no field here means.
WHOLE = re.compile(r"-?[0-9]+")


def whole_number(value: object, maximum: int = 10**18) -> int | None:
    """A whole number as typed in a form, a URL or a file ("42", " 7 ", "-3"), or None for anything else
    (words, decimals, other scripts' digits, more than `maximum`)."""
    text = str(value).strip()
    if not WHOLE.fullmatch(text) or len(text) > 20:  # int() of thousands of digits is slow, then refused
        return None
    number = int(text)
    return number if number <= maximum else None
