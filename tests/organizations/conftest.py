"""Two producers' sales, built through the real services: orders paid, unpaid, rejected after payment,
refunded in part, delivered and completed, on cash on pickup and on invoice terms, and one sale whose payment
was recorded late on the last evening of last month (Mexico City time; already the 1st in UTC).

Coffee cooperative (8 % fee), every figure by hand:
  A  paid           10 kg tostado (100,000)          completed
  B  unpaid          3 kg tostado  (30,000)          awaiting payment: never counts
  C  paid            5 kg verde    (30,000)          rejected: refunded in full
  D  paid            2 kg tostado + 4 kg verde (44,000)  accepted; 11,000 refunded (10,120 share, 880 fee)
  E  cash on pickup  1 kg tostado  (10,000)          delivered: the producer owes the 800 fee
  F  invoice        10 kg verde    (60,000)          pending acceptance
  G  paid last month 5 kg tostado  (50,000)          ready for pickup
The honey cooperative sold 4 jars (20,000) in order A; that part waits for acceptance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.catalog.models import Listing
from market.config import Settings
from market.db import transaction, utcnow
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.orders import fulfillment as fulfillments
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment
from market.orders.models import Fulfillment, Order
from market.orders.schemas import Checkout
from market.organizations.analytics import last_months, month_start
from market.organizations.models import Membership, Organization
from market.reviews.models import Review
from tests.helpers import api_token, part_of


@dataclass
class Sales:
    admin: User
    buyer: User
    school: User
    coffee_owner: User
    honey_owner: User
    coffee_org: Organization
    honey_org: Organization
    roasted: Listing
    green: Listing
    honey: Listing
    orders: dict[str, Order]


def buy(
    engine: Engine, settings: Settings, buyer: User, items: list[tuple[Listing, int]], method: str
) -> Order:
    with transaction(engine) as tx:
        return checkout(
            tx,
            settings,
            buyer,
            Checkout(
                items=[{"listing_id": listing.id, "quantity": n} for listing, n in items],
                payment_method=method,
            ),
        )


def move(engine: Engine, fulfillment: Fulfillment, *steps: tuple[str, User]) -> None:
    with transaction(engine) as tx:
        for step, actor in steps:
            fulfillments.move(
                tx, actor, fulfillment.id or 0, step, note="Sin existencias" if step == "rejected" else None
            )


@pytest.fixture
def sales(
    engine: Engine,
    session: Session,
    settings: Settings,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> Sales:
    coffee_owner = make_user("cafe@example.mx", name="Rosa Pérez")
    honey_owner = make_user("miel@example.mx", name="Marta Chi")
    coffee_org = make_org(coffee_owner)
    honey_org = make_org(honey_owner, name="Apicultoras del Puuc", state="31")
    school = make_user("compras@escuela.mx", name="Escuela Benito Juárez")
    make_org(school, name="Cooperativa Escolar Benito Juárez", legal_form="coop_consumo")  # invoice terms
    s = Sales(
        admin=make_user("admin@example.mx", name="Equipo Tianguis", is_admin=True),
        buyer=make_user("eva@example.mx", name="Eva Martínez"),
        school=school,
        coffee_owner=coffee_owner,
        honey_owner=honey_owner,
        coffee_org=coffee_org,
        honey_org=honey_org,
        roasted=make_listing(coffee_org, title="Café tostado", price_cents=10000, stock=500),
        green=make_listing(coffee_org, title="Café verde", price_cents=6000, stock=500),
        honey=make_listing(honey_org, title="Miel multifloral", category="miel", price_cents=5000, stock=50),
        orders={},
    )
    owner, buyer = s.coffee_owner, s.buyer

    def paid(items: list[tuple[Listing, int]]) -> Order:
        order = buy(engine, settings, buyer, items, "spei_transfer")
        with transaction(engine) as tx:
            confirm_offline_payment(tx, s.admin, order.id or 0, f"SPEI {order.id:04d}")
        return order

    a = s.orders["A"] = paid([(s.roasted, 10), (s.honey, 4)])
    move(
        engine,
        part_of(session, a, coffee_org.id),
        ("accepted", owner),
        ("preparing", owner),
        ("ready_for_pickup", owner),
        ("delivered", buyer),
        ("completed", buyer),
    )
    s.orders["B"] = buy(engine, settings, buyer, [(s.roasted, 3)], "spei_transfer")
    c = s.orders["C"] = paid([(s.green, 5)])
    move(engine, part_of(session, c, coffee_org.id), ("rejected", owner))
    d = s.orders["D"] = paid([(s.roasted, 2), (s.green, 4)])
    move(engine, part_of(session, d, coffee_org.id), ("accepted", owner))
    with transaction(engine) as tx:  # a dispute settled for a quarter of the part
        ledger.record_refund(tx, part_of(tx, d, coffee_org.id), amount_cents=11000)
    e = s.orders["E"] = buy(engine, settings, buyer, [(s.roasted, 1)], "cash_on_pickup")
    move(
        engine,
        part_of(session, e, coffee_org.id),
        ("accepted", owner),
        ("preparing", owner),
        ("ready_for_pickup", owner),
        ("delivered", owner),  # the producer records the cash it received
    )
    s.orders["F"] = buy(engine, settings, school, [(s.green, 10)], "invoice")
    g = s.orders["G"] = paid([(s.roasted, 5)])
    move(engine, part_of(session, g, coffee_org.id), ("accepted", owner), ("preparing", owner))
    move(engine, part_of(session, g, coffee_org.id), ("ready_for_pickup", owner))
    # Order G was placed and paid at 21:00 on the last day of last month in Mexico City: the 1st in UTC.
    evening = (month_start(last_months(utcnow())[-1]) - timedelta(hours=3)).astimezone(UTC)
    with transaction(engine) as tx:
        tx.execute(update(LedgerEntry).where(col(LedgerEntry.order_id) == g.id).values(created_at=evening))
        tx.execute(update(Order).where(col(Order.id) == g.id).values(created_at=evening))

    with transaction(engine) as tx:
        for order, organization, author, stars in [
            (a, coffee_org, buyer, 5),
            (e, coffee_org, buyer, 4),
            (d, coffee_org, buyer, 2),
            (a, honey_org, buyer, 3),
        ]:
            tx.add(
                Review(
                    fulfillment_id=part_of(tx, order, organization.id).id or 0,
                    organization_id=organization.id or 0,
                    author_id=author.id or 0,
                    rating=stars,
                )
            )
    session.expire_all()
    return s


# --- members (test_members.py, test_member_pages.py) -------------------------------------------------


@pytest.fixture
def team(client: TestClient, session: Session, make_user: Any, make_org: Any) -> dict[str, Any]:
    """Flor de Café: Ana owns it, Beto is a member; Carla owns another cooperative; Dora belongs nowhere."""
    ana, beto = make_user("ana@example.mx", "Ana López"), make_user("beto@example.mx", "Beto Ruiz")
    carla, dora = make_user("carla@example.mx", "Carla Díaz"), make_user("dora@example.mx", "Dora Pech")
    org = make_org(ana, name="Cooperativa Flor de Café")
    other = make_org(carla, name="Apicultoras del Puuc")
    session.add(Membership(user_id=beto.id or 0, organization_id=org.id or 0, role="member"))
    session.commit()
    return {
        "org": org,
        "other": other,
        "people": {"ana": ana, "beto": beto, "carla": carla, "dora": dora},
        "tokens": {key: api_token(client, f"{key}@example.mx") for key in ("ana", "beto", "carla", "dora")},
    }


def role_of(session: Session, org: Organization, user: User) -> str | None:
    session.expire_all()
    return session.exec(
        select(Membership.role).where(Membership.organization_id == org.id, Membership.user_id == user.id)
    ).first()
