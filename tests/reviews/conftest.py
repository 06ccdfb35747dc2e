"""A producer with two listings, a buyer, and parts of orders taken all the way to completed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from market.catalog.models import Listing
from market.config import Settings
from market.db import transaction
from market.orders.checkout import checkout
from market.orders.fulfillment import move
from market.orders.models import Fulfillment
from market.orders.schemas import Checkout

Buy = Callable[..., Fulfillment]


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    owner = make_user("cafe@example.mx", name="Rosa Pérez")
    organization = make_org(owner)
    return {
        "owner": owner,
        "organization": organization,
        "coffee": make_listing(organization, title="Café de altura"),
        "honey": make_listing(organization, title="Miel multifloral", category="miel"),
        "buyer": make_user("luis@example.mx", name="Luis Hernández"),
    }


@pytest.fixture
def buy(engine: Engine, settings: Settings, shop: dict[str, Any]) -> Buy:
    """`buy(listings, until="completed")`: the shop's buyer orders these listings (cash on pickup, one
    part) and the part moves, step by step as people would move it, up to `until`."""

    def run(listings: list[Listing], until: str = "completed") -> Fulfillment:
        buyer, owner = shop["buyer"], shop["owner"]
        items = [{"listing_id": listing.id, "quantity": 1} for listing in listings]
        with transaction(engine) as session:
            order = checkout(session, settings, buyer, Checkout(items=items, payment_method="cash_on_pickup"))
            part = session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
        steps = [(owner, s) for s in ("accepted", "preparing", "ready_for_pickup", "delivered")]
        for actor, step in [*steps, (buyer, "completed")]:
            if part.status == until:
                break
            with transaction(engine) as session:
                part = move(session, actor, part.id or 0, step)
        return part

    return run
