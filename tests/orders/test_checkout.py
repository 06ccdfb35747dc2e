"""Checkout: prices with volume tiers, one fulfillment per producer, stock reserved atomically (never
oversold, even by 50 buyers at once), nothing half-written, unpaid reservations expire."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from market.catalog.schemas import TierIn
from market.config import Settings
from market.db import transaction, utcnow
from market.errors import InsufficientStock, InvalidTransition, ListingNotFound, SoldOut, ValidationFailed
from market.i18n import current_locale
from market.i18n import gettext as _
from market.orders.checkout import checkout
from market.orders.fulfillment import move, transition
from market.orders.jobs import expire_unpaid
from market.orders.models import (
    Fulfillment,
    FulfillmentEvent,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
)
from market.orders.schemas import Checkout
from tests.helpers import count, stock


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    coffee_org = make_org(make_user("cafe@example.mx"), shipping_fee_cents=18000)
    honey_org = make_org(make_user("miel@example.mx"), name="Apicultoras del Puuc", state="31")
    return {
        "buyer": make_user("compras@escuela.mx", name="Escuela Primaria Benito Juárez"),
        "coffee": make_listing(
            coffee_org,
            title="Café tostado",
            price_cents=30000,
            stock=100,
            tiers=[TierIn(min_quantity=10, unit_price_cents=27000)],
            national_shipping=True,
        ),
        "honey": make_listing(
            honey_org, title="Miel multifloral", category="miel", price_cents=20000, stock=5, minimum_order=2
        ),
        "coffee_org": coffee_org,
        "honey_org": honey_org,
    }


def test_checkout_splits_by_producer_prices_tiers_and_reserves(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    data = Checkout(
        items=[
            {"listing_id": shop["coffee"].id, "quantity": 12},
            {"listing_id": shop["honey"].id, "quantity": 2},
        ],
        delivery={shop["coffee_org"].id: "national"},
        payment_method="spei_transfer",
        ship_to="Av. Juárez 12, Centro, 68000 Oaxaca de Juárez",
    )
    with transaction(engine) as tx:
        order = checkout(tx, settings, shop["buyer"], data)
    goods = 12 * 27000 + 2 * 20000
    # The coffee travels by parcel at its producer's price; the honey is picked up, at no cost.
    assert (order.subtotal_cents, order.delivery_cents, order.total_cents) == (goods, 18000, goods + 18000)
    # The platform's fee is on the goods only: all of the delivery goes to the producer.
    assert order.platform_fee_cents == round(12 * 27000 * 0.08) + round(2 * 20000 * 0.08)
    assert order.reserved_until is not None and order.reserved_until > utcnow() + timedelta(hours=71)
    fulfillments = session.exec(select(Fulfillment).order_by(col(Fulfillment.organization_id))).all()
    parts = [
        (f.organization_id, f.delivery_method, f.subtotal_cents, f.delivery_cents, f.status)
        for f in fulfillments
    ]
    assert parts == [
        (shop["coffee_org"].id, "national", 324000, 18000, "awaiting_payment"),
        (shop["honey_org"].id, "pickup", 40000, 0, "awaiting_payment"),
    ]
    lines = session.exec(select(OrderLine).order_by(col(OrderLine.listing_id))).all()
    assert [(line.title, line.unit_price_cents, line.quantity) for line in lines] == [
        ("Café tostado", 27000, 12),
        ("Miel multifloral", 20000, 2),
    ]
    assert (stock(session, shop["coffee"]), stock(session, shop["honey"])) == (88, 3)
    assert count(session, FulfillmentEvent) == 2


def test_a_failing_line_writes_nothing_and_takes_no_stock(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    data = Checkout(
        items=[
            {"listing_id": shop["coffee"].id, "quantity": 3},
            {"listing_id": shop["honey"].id, "quantity": 6},
        ]
    )
    with (
        pytest.raises(InsufficientStock, match="Solo quedan 5 kg de «Miel multifloral»"),
        transaction(engine) as tx,
    ):
        checkout(tx, settings, shop["buyer"], data)
    assert (stock(session, shop["coffee"]), stock(session, shop["honey"])) == (100, 5)
    assert count(session, Order) == count(session, Fulfillment) == count(session, OrderLine) == 0


@pytest.mark.parametrize(
    ("items", "delivery", "field"),
    [
        ([("honey", 1)], {}, "items.0.quantity"),  # below the minimum order of 2
        ([("honey", 2)], {"honey_org": "national"}, "delivery"),  # the honey producer does not ship
        ([("coffee", 1)], {"coffee_org": "delivery"}, "delivery"),  # no local delivery to the buyer's state
    ],
)
def test_checkout_rules_are_clear_errors(
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    items: list[tuple[str, int]],
    delivery: dict[str, str],
    field: str,
) -> None:
    data = Checkout(
        items=[{"listing_id": shop[key].id, "quantity": q} for key, q in items],
        delivery={shop[key].id: method for key, method in delivery.items()},
        delivery_state="09",
    )
    with pytest.raises(ValidationFailed) as raised, transaction(engine) as tx:
        checkout(tx, settings, shop["buyer"], data)
    assert any(key.startswith(field) for key in raised.value.errors)
    assert count(session, Order) == 0


def test_listings_of_unverified_producers_cannot_be_bought(
    engine: Engine, settings: Settings, make_user: Any, make_org: Any, make_listing: Any, shop: dict[str, Any]
) -> None:
    pending = make_listing(
        make_org(make_user("nueva@example.mx"), status="pending", name="Cooperativa Nueva")
    )
    with pytest.raises(ListingNotFound), transaction(engine) as tx:
        checkout(tx, settings, shop["buyer"], Checkout(items=[{"listing_id": pending.id, "quantity": 1}]))


def test_fifty_buyers_racing_for_ten_units(
    engine: Engine, session: Session, settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    scarce = make_listing(make_org(make_user()), title="Vainilla gourmet", category="vainilla", stock=10)
    buyers = [make_user(f"comprador{n}@example.mx") for n in range(50)]

    def buy(buyer: Any) -> str:
        try:
            with transaction(engine) as tx:
                checkout(tx, settings, buyer, Checkout(items=[{"listing_id": scarce.id, "quantity": 1}]))
            return "ok"
        except SoldOut as exc:
            assert exc.detail == "«Vainilla gourmet» se agotó."
            return "sold out"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(buy, buyers))
    assert (outcomes.count("ok"), outcomes.count("sold out")) == (10, 40)
    assert stock(session, scarce) == 0
    sold = session.exec(select(func.sum(OrderLine.quantity))).one()
    assert sold == 10


def test_a_status_is_stored_as_its_string_and_read_back_as_a_member(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    with transaction(engine) as tx:
        checkout(
            tx, settings, shop["buyer"], Checkout(items=[{"listing_id": shop["coffee"].id, "quantity": 1}])
        )

    with engine.connect() as connection:  # the column holds the plain string it always did
        assert connection.execute(text("SELECT status FROM fulfillment")).scalar() == "awaiting_payment"
    fulfillment = session.exec(select(Fulfillment)).one()
    assert fulfillment.status is FulfillmentStatus.AWAITING_PAYMENT
    assert fulfillment.status == "awaiting_payment" and f"{fulfillment.status}" == "awaiting_payment"
    found = session.exec(select(Order.id).where(col(Order.status) == OrderStatus.AWAITING_PAYMENT)).all()
    assert found == [fulfillment.order_id]


def test_a_status_is_named_by_its_label_in_each_language() -> None:
    assert (FulfillmentStatus.SHIPPED.label, OrderStatus.PAID.label) == ("Enviado", "Pagado")
    assert FulfillmentStatus.labels()["shipped"] == "Enviado"  # what the templates look a value up in
    refusal = InvalidTransition(current=OrderStatus.INVOICED, target="paid")
    assert refusal.detail == "No se puede pasar de «A crédito: pago pendiente» a «Pagado»."
    english = current_locale.set("en")
    try:
        assert _(FulfillmentStatus.SHIPPED.label) == "Shipped"
        assert refusal.detail == 'Can\'t change from "On credit: payment pending" to "Paid".'
    finally:
        current_locale.reset(english)


def test_fulfillment_moves_only_along_its_state_machine(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    with transaction(engine) as tx:
        checkout(
            tx, settings, shop["buyer"], Checkout(items=[{"listing_id": shop["coffee"].id, "quantity": 1}])
        )
    fulfillment = session.exec(select(Fulfillment)).one()
    for target in (
        FulfillmentStatus.PENDING_ACCEPTANCE,
        FulfillmentStatus.ACCEPTED,
        FulfillmentStatus.PREPARING,
        FulfillmentStatus.READY_FOR_PICKUP,
        FulfillmentStatus.DELIVERED,
        FulfillmentStatus.COMPLETED,
    ):
        transition(session, fulfillment, target, shop["buyer"])
    session.commit()
    # The refusal names both statuses by their labels.
    with pytest.raises(InvalidTransition, match="No se puede pasar de «Completado» a «Cancelado»"):
        transition(session, fulfillment, FulfillmentStatus.CANCELLED, shop["buyer"])
    timeline = session.exec(
        select(FulfillmentEvent.from_status, FulfillmentEvent.to_status).order_by(col(FulfillmentEvent.id))
    ).all()
    assert timeline == [
        (None, "awaiting_payment"),
        ("awaiting_payment", "pending_acceptance"),
        ("pending_acceptance", "accepted"),
        ("accepted", "preparing"),
        ("preparing", "ready_for_pickup"),
        ("ready_for_pickup", "delivered"),
        ("delivered", "completed"),
    ]


def test_unpaid_reservations_expire_and_stock_returns(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    with transaction(engine) as tx:
        checkout(
            tx,
            settings,
            shop["buyer"],
            Checkout(items=[{"listing_id": shop["honey"].id, "quantity": 4}], payment_method="spei_transfer"),
        )
    assert stock(session, shop["honey"]) == 1
    with transaction(engine) as tx:
        assert expire_unpaid(tx, utcnow() + timedelta(hours=71)) == 0  # a transfer holds 72 hours
    with transaction(engine) as tx:
        assert expire_unpaid(tx, utcnow() + timedelta(hours=73)) == 1
    assert stock(session, shop["honey"]) == 5
    session.expire_all()
    assert session.exec(select(Order.status)).one() == "expired"
    assert session.exec(select(Fulfillment.status)).one() == "cancelled"


def test_expiry_skips_what_the_buyer_already_cancelled(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    with transaction(engine) as tx:
        checkout(
            tx,
            settings,
            shop["buyer"],
            Checkout(
                items=[
                    {"listing_id": shop["coffee"].id, "quantity": 2},
                    {"listing_id": shop["honey"].id, "quantity": 2},
                ]
            ),
        )
    honey = session.exec(select(Fulfillment).where(Fulfillment.organization_id == shop["honey_org"].id)).one()
    with transaction(engine) as tx:
        move(tx, shop["buyer"], honey.id or 0, "cancelled")
    with transaction(engine) as tx:
        assert expire_unpaid(tx, utcnow() + timedelta(days=4)) == 1
    assert (stock(session, shop["coffee"]), stock(session, shop["honey"])) == (100, 5)  # each returned once
    statuses = sorted(session.exec(select(Fulfillment.status)).all())
    assert statuses == ["cancelled", "cancelled"]


def test_local_delivery_asks_for_the_state_first(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    data = Checkout(
        items=[{"listing_id": shop["coffee"].id, "quantity": 1}],
        delivery={shop["coffee_org"].id: "delivery"},
        ship_to="Calle Reforma 5, Centro, Oaxaca",
    )
    with pytest.raises(ValidationFailed) as raised, transaction(engine) as tx:
        checkout(tx, settings, shop["buyer"], data)
    assert raised.value.errors == {"delivery_state": "Elige el estado donde quieres la entrega local."}
    assert count(session, Order) == 0
