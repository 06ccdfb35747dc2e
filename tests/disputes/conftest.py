"""A producer, a buyer, an administrator and someone else; orders paid by SPEI and moved along, so that a
dispute can be opened on a part at any step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from market.accounts.models import User
from market.catalog.models import Listing
from market.config import Settings
from market.db import transaction
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.models import Fulfillment
from market.orders.schemas import Checkout
from market.organizations.models import Organization
from tests.helpers import CLABE

# The steps of a pickup part, and who takes each.
PATH = [
    ("accepted", "owner"),
    ("preparing", "owner"),
    ("ready_for_pickup", "owner"),
    ("delivered", "buyer"),
    ("completed", "buyer"),
]


@dataclass
class Shop:
    admin: User
    buyer: User
    owner: User
    stranger: User
    org: Organization
    coffee: Listing  # $100.00 a kilo: 3 kg are $300.00, of which the producer is owed $276.00 (8 % fee)


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> Shop:
    owner = make_user("cafe@example.mx", name="Rosa Pérez")
    org = make_org(owner, clabe=CLABE)
    return Shop(
        admin=make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True),
        buyer=make_user("eva@example.mx", name="Eva Martínez"),
        owner=owner,
        stranger=make_user("luis@example.mx", name="Luis Gómez"),
        org=org,
        coffee=make_listing(org, title="Café tostado", price_cents=10000, stock=100),
    )


def advance(engine: Engine, shop: Shop, part_id: int, until: str) -> None:
    """Move a paid part along its path, each step by whoever takes it, until it reaches `until`."""
    statuses = ["pending_acceptance"] + [step for step, _who in PATH]
    with transaction(engine) as tx:
        part = tx.get(Fulfillment, part_id)
        assert part is not None
        for step, who in PATH[statuses.index(part.status) : statuses.index(until)]:
            move(tx, getattr(shop, who), part_id, step)


def paid_part(
    engine: Engine, settings: Settings, shop: Shop, quantity: int = 3, until: str = "delivered"
) -> Fulfillment:
    """A part of an order paid by SPEI (matched by the administrator), moved to `until`."""
    with transaction(engine) as tx:
        order = checkout(
            tx,
            settings,
            shop.buyer,
            Checkout(
                items=[{"listing_id": shop.coffee.id, "quantity": quantity}], payment_method="spei_transfer"
            ),
        )
    with transaction(engine) as tx:
        confirm_offline_payment(tx, shop.admin, order.id or 0, "SPEI 0001")
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
    advance(engine, shop, part.id or 0, until)
    return part
