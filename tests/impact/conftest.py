"""A year of orders built through the real services, whose impact figures the tests compute by hand.

Producers (platform fee 8 % of the goods, never of the delivery):
- Flor de Café (A): cooperative of production, Chiapas (07), 60 women of 120 (women-led: exactly half),
  Tsotsil community, Orgánico México + SPP, SDGs 2 and 8. Coffee at $250.00, local delivery $90.00.
- Apicultoras del Puuc (B): sociedad de solidaridad social, Yucatán (31), 18 women of 20, no indigenous
  community, Orgánico México, SDG 5. Honey at $120.00.
- Ejido El Palmar (C): ejido, Oaxaca (20), 10 women of 50, no certifications. Maize at $50.00.
- Mezcaleras de Tequila (D): union, Jalisco (14): only in an order nobody paid, so it never counts.

Orders:
1. card, consumer: 2 coffee (A, $500.00) + 3 honey (B, $360.00), paid at once; B rejects its part (refunded
   in full). Card cost on $860.00: 3.6 % = 3096 + 300 = 3396, IVA 543.36 -> 543, total 3939, shared by gross:
   A 3939*50000//86000 = 2290 (+1 of rounding, the largest part) = 2291, B 3939*36000//86000 = 1648.
2. SPEI transfer, consumer: 1 coffee delivered (A, 25000 + 9000 delivery) + 4 maize (C, 20000), paid; then
   10000 of A's part refunded (a dispute settled): 32000*10000//34000 = 9411 from the producer, 589 fee.
3. the school's awarded demand on invoice terms: 5 kg honey from B at $120.00 = 60000, which the school pays
   (an invoice counts as paid only once its money arrives).
4. cash on pickup, consumer: 2 maize (C, 10000), delivered and paid to the producer.
5. SPEI transfer, consumer: 1 mezcal (D, 40000), never paid.
6. SPEI transfer, a hospital's buyer (a member of the institution): 3 maize (C, 15000), paid.

Per sale (gross, refunded, paid, fee, producer share, payment cost):
  1A 50000, 0, 50000, 4000, 46000, 2291     1B 36000, 36000, 0, 0, 0, 1648
  2A 34000, 10000, 24000, 1411, 22589, 0    2C 20000, 0, 20000, 1600, 18400, 0
  3B 60000, 0, 60000, 4800, 55200, 0        4C 10000, 0, 10000, 800, 9200, 0
  6C 15000, 0, 15000, 1200, 13800, 0
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction, utcnow
from market.ledger import service as ledger
from market.linking import awards, demands
from market.linking.models import BuyerOrganization
from market.linking.schemas import AwardRequest, DemandCreate, QuoteCreate
from market.orders import checkout as checkouts
from market.orders.fulfillment import confirm_offline_payment, mark_paid, move
from market.orders.models import Order
from market.orders.schemas import Checkout
from tests.helpers import INSTITUTION, SCHOOL, make_institution, part_of


def checkout(
    engine: Engine, settings: Settings, buyer: User, items: list[tuple[Any, int]], **choices: Any
) -> Order:
    with transaction(engine) as tx:
        return checkouts.checkout(
            tx,
            settings,
            buyer,
            Checkout(items=[{"listing_id": listing.id, "quantity": n} for listing, n in items], **choices),
        )


def awarded_order(
    session: Session, settings: Settings, person: User, school: BuyerOrganization, org: Any, owner: User
) -> Order:
    """The school asks for 5 kg of honey, the honey producers quote $120.00 a kilo and get the award."""
    demand = demands.create(
        session,
        person,
        school,
        DemandCreate(
            title="Miel para el desayuno escolar",
            category="miel",
            quantity=5,
            unit="kg",
            delivery_state="20",
            delivery_municipality="Oaxaca de Juárez",
            delivery_address="Av. Reforma 100, Centro",
            first_delivery=(utcnow() + timedelta(days=20)).date(),
            quote_deadline=utcnow() + timedelta(days=7),
        ),
    )
    demands.open_for_quotes(session, person, demand)
    quote = demands.submit_quote(session, owner, demand, org, QuoteCreate(unit_price_cents=12000, quantity=5))
    session.commit()
    demand.quote_deadline = utcnow() - timedelta(minutes=1)  # quoting has closed
    session.add(demand)
    session.commit()
    request = AwardRequest(allocations=[{"quote_id": quote.id, "quantity": 5}])
    [order] = awards.award(session, settings, person, demand, request)
    session.commit()
    return order


@pytest.fixture
def card_settings(settings: Settings) -> Settings:
    """Stripe configured, so that a buyer may choose to pay by card (the charge itself is the provider's
    event, applied here as its webhook does: `mark_paid`)."""
    return Settings(**settings.model_dump(exclude={"stripe_secret_key"}), stripe_secret_key="sk_test_impact")


@pytest.fixture
def year_of_orders(
    app: FastAPI,
    engine: Engine,
    session: Session,
    settings: Settings,
    card_settings: Settings,
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> dict[str, Any]:
    owners = {key: make_user(f"{key}@productores.mx", name=f"Coordinación {key.upper()}") for key in "abcd"}
    a = make_org(
        owners["a"],
        name="Cooperativa Flor de Café",
        state="07",
        members_count=120,
        women_members_count=60,
        indigenous_community="Tsotsil",
        certifications=["organico_mexico", "spp"],
        sdgs=[2, 8],
        delivery_fee_cents=9000,
    )
    b = make_org(
        owners["b"],
        name="Apicultoras del Puuc",
        rfc=None,
        legal_form="sss",
        state="31",
        municipality="Oxkutzcab",
        members_count=20,
        women_members_count=18,
        certifications=["organico_mexico"],
        sdgs=[5],
    )
    c = make_org(
        owners["c"],
        name="Ejido El Palmar",
        rfc=None,
        legal_form="ejido",
        state="20",
        members_count=50,
        women_members_count=10,
        municipality="Zaachila",
    )
    d = make_org(
        owners["d"],
        name="Mezcaleras de Tequila",
        rfc=None,
        legal_form="spr",
        state="14",
        municipality="Tequila",
        members_count=30,
        women_members_count=15,
    )
    coffee = make_listing(a, price_cents=25000, delivery_states=["20"])
    honey = make_listing(b, title="Miel de abeja melipona", category="miel", price_cents=12000)
    maize = make_listing(c, title="Maíz criollo azul", category="maiz-granos", price_cents=5000)
    mezcal = make_listing(d, title="Mezcal artesanal", category="mezcal-destilados", price_cents=40000)
    admin = make_user("admin@example.mx", is_admin=True)
    consumer = make_user("luis@example.mx", name="Luis Martínez")
    teacher = make_user("compras@escuela.mx", name="Compras Escuela")
    nurse = make_user("compras@hospital.mx", name="Compras Hospital")
    school = make_institution(session, teacher, SCHOOL)
    hospital = make_institution(session, nurse, INSTITUTION)

    # 1. Card: paid at once (the provider's event), then the honey producers reject their part.
    first = checkout(engine, card_settings, consumer, [(coffee, 2), (honey, 3)], payment_method="card")
    with transaction(engine) as tx:
        mark_paid(tx, tx.get(Order, first.id) or first, None, "pi_impact_1")
    with transaction(engine) as tx:
        move(tx, owners["b"], part_of(tx, first, b.id).id or 0, "rejected", "Sin cosecha")

    # 2. SPEI transfer matched by an administrator; later 100 pesos of the coffee part go back to the buyer.
    second = checkout(
        engine,
        settings,
        consumer,
        [(coffee, 1), (maize, 4)],
        payment_method="spei_transfer",
        delivery={a.id: "delivery"},
        delivery_state="20",
        ship_to="Calle Reforma 5, Centro, Oaxaca de Juárez",
    )
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, second.id or 0, "SPEI 0002")
    with transaction(engine) as tx:
        ledger.record_refund(tx, part_of(tx, second, a.id), amount_cents=10000)

    # 3. The school's awarded demand, on invoice terms; the school's transfer settles it.
    third = awarded_order(session, settings, teacher, school, b, owners["b"])
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, third.id or 0, "SPEI 0003")

    # 4. Cash on pickup: the producer records the cash when the buyer picks up.
    fourth = checkout(engine, settings, consumer, [(maize, 2)], payment_method="cash_on_pickup")
    with transaction(engine) as tx:
        for step in ("accepted", "preparing", "ready_for_pickup", "delivered"):
            move(tx, owners["c"], part_of(tx, fourth, c.id).id or 0, step)

    # 5. Never paid.
    unpaid = checkout(engine, settings, consumer, [(mezcal, 1)], payment_method="spei_transfer")

    # 6. The hospital's buyer pays a transfer.
    sixth = checkout(engine, settings, nurse, [(maize, 3)], payment_method="spei_transfer")
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, sixth.id or 0, "SPEI 0006")

    session.expire_all()
    assert session.exec(select(Order.status).where(col(Order.id) == unpaid.id)).one() == "awaiting_payment"
    assert ledger.imbalance(session) == 0
    return {
        "orgs": {"a": a, "b": b, "c": c, "d": d},
        "owners": owners,
        "admin": admin,
        "consumer": consumer,
        "teacher": teacher,
        "nurse": nurse,
        "school": school,
        "hospital": hospital,
        "orders": [first, second, third, fourth, unpaid, sixth],
    }
