"""Idempotency keys: a client that lost the answer to a checkout (or a payment start) sends the same request
again with the same `Idempotency-Key` and gets the same order, instead of a second order holding the stock
twice.

The key is claimed first thing in the request's transaction, by inserting its row: a retry arriving while
the first is still running waits on the unique index until the first commits (then it finds its order) or
rolls back (then the retry does the work itself, since nothing happened). A key is one person's, for one
kind of request; sent again with another body it is refused (422), as Stripe does. Keys are kept a day."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

import orjson
from fastapi import Header
from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from market.db import utcnow
from market.errors import ValidationFailed
from market.i18n import N_

KEPT = timedelta(hours=24)
VALID_KEY = re.compile(r"^[\x21-\x7e]{8,255}$")  # printable ASCII without spaces, as Stripe's
BAD_KEY = N_("La clave Idempotency-Key debe tener de 8 a 255 caracteres visibles (por ejemplo, un UUID).")
REUSED = N_("Esta clave Idempotency-Key ya se usó para otra solicitud distinta: usa una clave nueva.")

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="A unique value (a UUID) per intended request: sending the request again with the same "
        "key gives the first request's result instead of doing it twice (kept 24 hours)",
    ),
]


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "scope", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    scope: str = Field(max_length=32)  # what kind of request: "checkout", "payment"
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)  # of the request's content
    resource_id: int | None = None  # what the first request made (an order, a payment)
    created_at: datetime = Field(default_factory=utcnow, index=True)


def fingerprint(*parts: object) -> str:
    options = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS  # a form's choices are keyed by organization id
    return hashlib.sha256(orjson.dumps(parts, option=options, default=str)).hexdigest()


def claim(session: Session, user_id: int, scope: str, key: str, print_: str) -> IdempotencyKey | None:
    """None when this is the key's first request: the caller does the work and calls `done`. Otherwise the
    earlier request's row (its `resource_id` is what to answer with)."""
    if not VALID_KEY.match(key):
        raise ValidationFailed({"idempotency_key": BAD_KEY})
    row = IdempotencyKey(user_id=user_id, scope=scope, key=key, fingerprint=print_)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # claimed before (a request that committed, or one we waited for)
        earlier = session.exec(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
            )
        ).one()
        if earlier.fingerprint != print_:
            raise ValidationFailed({"idempotency_key": REUSED}) from None
        return earlier
    return None


def run_once(
    session: Session, user_id: int, scope: str, key: str | None, content: object, act: Callable[[], int]
) -> tuple[int, bool]:
    """The id of what `act` makes and whether it was made before: once per key (every time, without one).
    `content` is what the request asks for; the same key with other content is refused."""
    if key is None:
        return act(), False
    earlier = claim(session, user_id, scope, key, fingerprint(scope, content))
    if earlier is not None and earlier.resource_id is not None:
        return earlier.resource_id, True
    made = act()
    row = session.exec(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
        )
    ).one()
    row.resource_id = made
    session.add(row)
    return made, False
