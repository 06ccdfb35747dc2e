"""Two producers the platform owes money for sales, for the dispersion tests (pages, API, browser)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from market.accounts.models import User
from market.catalog.models import Listing
from market.config import Settings
from market.db import transaction
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.models import Fulfillment, Order
from market.orders.schemas import Checkout
from market.organizations.models import Organization
from tests.helpers import CLABE

CLABE_2 = "072180001234567897"  # well-formed, bank 072 (Banorte): of no real account


@dataclass
class Shop:
    admin: User
    buyer: User
    owner: User
    owner_2: User
    org: Organization
    org_2: Organization
    coffee: Listing
    honey: Listing


def make_shop(make_user: Any, make_org: Any, make_listing: Any) -> Shop:
    owner = make_user("cafe@example.mx", name="Rosa Pérez")
    owner_2 = make_user("miel@example.mx", name="Juan Gómez")
    org = make_org(owner, clabe=CLABE)
    org_2 = make_org(owner_2, name="Unión de Ejidos Señor de la Peña", rfc="UES050312AB4", clabe=CLABE_2)
    return Shop(
        admin=make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True),
        buyer=make_user("eva@example.mx", name="Eva Martínez"),
        owner=owner,
        owner_2=owner_2,
        org=org,
        org_2=org_2,
        coffee=make_listing(org, title="Café tostado", price_cents=10000, stock=100),
        honey=make_listing(org_2, title="Miel de abeja melipona", price_cents=25000, stock=100),
    )


def completed_sale(
    engine: Engine,
    settings: Settings,
    shop: Shop,
    listing: Listing,
    quantity: int,
    *,
    complete: bool = True,
    owner: User | None = None,
) -> Fulfillment:
    """An order paid by transfer whose part the buyer received and completed (or only made ready), moved by
    `owner` (by default the owner of the listing's organization of the shop)."""
    owner = owner or (shop.owner if listing.organization_id == shop.org.id else shop.owner_2)
    with transaction(engine) as tx:
        order: Order = checkout(
            tx,
            settings,
            shop.buyer,
            Checkout(
                items=[{"listing_id": listing.id, "quantity": quantity}], payment_method="spei_transfer"
            ),
        )
    with transaction(engine) as tx:
        confirm_offline_payment(tx, shop.admin, order.id or 0, f"BNET{order.id:06d}")
    with transaction(engine) as tx:
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()
        steps = [("accepted", owner), ("preparing", owner), ("ready_for_pickup", owner)]
        if complete:
            steps += [("delivered", shop.buyer), ("completed", shop.buyer)]
        for step, actor in steps:
            move(tx, actor, part.id or 0, step)
        tx.flush()
        return part


def set_org(engine: Engine, organization_id: int | None, **values: Any) -> None:
    with transaction(engine) as tx:
        organization = tx.get(Organization, organization_id)
        assert organization is not None
        for name, value in values.items():
            setattr(organization, name, value)
