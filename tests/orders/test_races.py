"""Two people acting on the same order at the same moment: each read it before the other wrote. The second
to write gets a clear conflict and changes nothing; what the first did stands. (On PostgreSQL and on
SQLite: the guard is a conditional UPDATE, not a lock that SQLite would ignore.)"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.catalog.models import Listing
from market.config import Settings
from market.db import transaction
from market.errors import ChangedMeanwhile
from market.ledger import service as ledger
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.jobs import expire_unpaid
from market.orders.models import Fulfillment, Order
from market.orders.schemas import Checkout


@pytest.fixture
def unpaid(
    engine: Engine, settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> dict[str, Any]:
    listing = make_listing(make_org(make_user("cafe@example.mx")), price_cents=10000, stock=5)
    buyer, admin = make_user("ana@example.mx"), make_user("admin@example.mx", is_admin=True)
    with transaction(engine) as tx:
        order = checkout(tx, settings, buyer, Checkout(items=[{"listing_id": listing.id, "quantity": 2}]))
        fulfillment = tx.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
    return {"listing": listing, "buyer": buyer, "admin": admin, "order": order, "fulfillment": fulfillment}


def state(session: Session, unpaid: dict[str, Any]) -> tuple[str, str, int | None, int]:
    session.expire_all()
    order = session.get(Order, unpaid["order"].id)
    fulfillment = session.get(Fulfillment, unpaid["fulfillment"].id)
    stock = session.exec(select(Listing.stock).where(Listing.id == unpaid["listing"].id)).one()
    assert order is not None and fulfillment is not None
    return order.status, fulfillment.status, stock, ledger.imbalance(session)


def test_a_cancellation_read_before_the_payment_landed_is_refused(
    engine: Engine, session: Session, unpaid: dict[str, Any]
) -> None:
    with Session(engine) as late:
        # What the buyer's page showed: the order unpaid (kept referenced, so the session keeps it as read).
        seen = late.get(Order, unpaid["order"].id), late.get(Fulfillment, unpaid["fulfillment"].id)
        with transaction(engine) as tx:
            confirm_offline_payment(tx, unpaid["admin"], unpaid["order"].id, "SPEI 0001")
        with pytest.raises(ChangedMeanwhile):
            move(late, unpaid["buyer"], unpaid["fulfillment"].id, "cancelled")
        late.rollback()
        assert seen
    assert state(session, unpaid) == ("paid", "pending_acceptance", 3, 0)


def test_a_payment_read_before_the_cancellation_landed_is_refused(
    engine: Engine, session: Session, unpaid: dict[str, Any]
) -> None:
    with Session(engine) as late:
        seen = late.get(Order, unpaid["order"].id)  # the administrator's list showed it waiting
        with transaction(engine) as tx:
            move(tx, unpaid["buyer"], unpaid["fulfillment"].id, "cancelled")
        with pytest.raises(ChangedMeanwhile):
            confirm_offline_payment(late, unpaid["admin"], unpaid["order"].id, "SPEI 0001")
        late.rollback()
        assert seen
    assert state(session, unpaid) == ("cancelled", "cancelled", 5, 0)


def test_a_payment_read_before_the_reservation_expired_is_refused(
    engine: Engine, session: Session, unpaid: dict[str, Any]
) -> None:
    from datetime import timedelta

    from market.db import utcnow

    with Session(engine) as late:
        seen = late.get(Order, unpaid["order"].id)
        with transaction(engine) as tx:
            assert expire_unpaid(tx, utcnow() + timedelta(days=4)) == 1
        with pytest.raises(ChangedMeanwhile):
            confirm_offline_payment(late, unpaid["admin"], unpaid["order"].id, "SPEI 0001")
        late.rollback()
        assert seen
    assert state(session, unpaid) == ("expired", "cancelled", 5, 0)
