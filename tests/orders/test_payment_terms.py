"""Offline terms (invoice at 30 days for verified organizations, cash on pickup), delivery costs and address,
e-mail on each step, and the completion of orders the buyer never confirmed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market.config import Settings
from market.db import transaction, utcnow
from market.errors import Forbidden, ValidationFailed
from market.ledger import service as ledger
from market.orders.checkout import checkout
from market.orders.fulfillment import confirm_offline_payment, move
from market.orders.jobs import complete_due
from market.orders.models import Fulfillment, Order, OrderStatus
from market.orders.schemas import Checkout
from market.payments import methods
from market.payments import service as payments
from tests.helpers import emails


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    owner = make_user("cafe@example.mx", name="Rosa Pérez")
    organization = make_org(owner, delivery_fee_cents=9000)
    school = make_user("compras@escuela.mx", name="Escuela Benito Juárez")
    make_org(school, name="Cooperativa Escolar Benito Juárez", legal_form="coop_consumo")
    return {
        "owner": owner,
        "organization": organization,
        "school": school,
        "consumer": make_user("luis@example.mx", name="Luis"),
        "coffee": make_listing(organization, price_cents=20000, stock=50, delivery_states=["20"]),
    }


def buy(
    session: Session, settings: Settings, buyer: Any, listing: Any, quantity: int, **choices: Any
) -> Order:
    data = Checkout(items=[{"listing_id": listing.id, "quantity": quantity}], **choices)
    order = checkout(session, settings, buyer, data)
    session.commit()
    return order


def part(session: Session, order: Order) -> Fulfillment:
    session.expire_all()
    return session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).one()


def test_invoice_terms_are_for_members_of_verified_organizations(
    session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    assert "invoice" in methods.available(session, settings, shop["school"])
    assert "invoice" not in methods.available(session, settings, shop["consumer"])
    with pytest.raises(ValidationFailed) as refused:
        buy(session, settings, shop["consumer"], shop["coffee"], 2, payment_method="invoice")
    assert set(refused.value.errors) == {"payment_method"}
    session.rollback()
    assert session.exec(select(Order)).all() == []


def test_an_invoiced_order_goes_to_the_producer_at_once_and_is_paid_out_only_after_the_institution_pays(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any], make_user: Any
) -> None:
    order = buy(session, settings, shop["school"], shop["coffee"], 10, payment_method="invoice")
    assert order.status == "invoiced" and order.reserved_until is None
    assert order.payment_due_at is not None and order.payment_due_at > utcnow() + timedelta(days=29)
    fulfillment = part(session, order)
    assert fulfillment.status == "pending_acceptance"
    organization_id = shop["organization"].id
    assert ledger.balance(session, organization_id) == 200000 - 16000
    assert ledger.receivable_of(session, order.id or 0) == 200000

    with transaction(engine) as tx:
        for step in ("accepted", "preparing", "ready_for_pickup"):
            move(tx, shop["owner"], fulfillment.id or 0, step)
        move(tx, shop["school"], fulfillment.id or 0, "delivered")
        move(tx, shop["school"], fulfillment.id or 0, "completed")
    assert payments.available_balance(session, organization_id) == 0  # the institution has not paid yet

    admin = make_user("admin@example.mx", is_admin=True)
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 8842")
    session.expire_all()
    assert session.get(Order, order.id).status == "paid"  # type: ignore[union-attr]
    assert ledger.receivable_of(session, order.id or 0) == 0
    assert payments.available_balance(session, organization_id) == 200000 - 16000
    assert ledger.imbalance(session) == 0


def test_a_rejected_invoiced_part_is_no_longer_owed(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    order = buy(session, settings, shop["school"], shop["coffee"], 5, payment_method="invoice")
    with transaction(engine) as tx:
        move(tx, shop["owner"], part(session, order).id or 0, "rejected", "Sin cosecha")
    assert ledger.receivable_of(session, order.id or 0) == 0
    assert ledger.balance(session, shop["organization"].id) == 0
    assert ledger.imbalance(session) == 0
    session.expire_all()
    assert session.get_one(Order, order.id).status == OrderStatus.CANCELLED  # nothing is left to pay


def test_an_invoiced_order_with_a_part_left_is_still_owed(
    engine: Engine,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    make_user: Any,
    make_org: Any,
    make_listing: Any,
) -> None:
    beekeepers = make_org(make_user("miel@example.mx"), name="Apicultoras del Puuc")
    honey = make_listing(beekeepers, title="Miel", category="miel", price_cents=15000, stock=10)
    data = Checkout(
        items=[{"listing_id": shop["coffee"].id, "quantity": 5}, {"listing_id": honey.id, "quantity": 1}],
        payment_method="invoice",
    )
    order = checkout(session, settings, shop["school"], data)
    session.commit()
    coffee_part = session.exec(
        select(Fulfillment).where(
            Fulfillment.order_id == order.id, Fulfillment.organization_id == shop["organization"].id
        )
    ).one()
    with transaction(engine) as tx:
        move(tx, shop["owner"], coffee_part.id or 0, "rejected", "Sin cosecha")
    session.expire_all()
    assert session.get_one(Order, order.id).status == OrderStatus.INVOICED
    assert ledger.receivable_of(session, order.id or 0) == honey.price_cents


def test_cash_on_pickup_is_recorded_by_the_producer_who_then_owes_the_fee(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        buy(
            session,
            settings,
            shop["consumer"],
            shop["coffee"],
            2,
            payment_method="cash_on_pickup",
            delivery={shop["organization"].id: "delivery"},
            delivery_state="20",
            ship_to="Calle Reforma 5, Centro, Oaxaca",
        )
    assert set(refused.value.errors) == {f"delivery.{shop['organization'].id}"}
    session.rollback()

    order = buy(session, settings, shop["consumer"], shop["coffee"], 2, payment_method="cash_on_pickup")
    assert order.status == "pay_at_pickup"
    fulfillment = part(session, order)
    with transaction(engine) as tx:
        for step in ("accepted", "preparing", "ready_for_pickup"):
            move(tx, shop["owner"], fulfillment.id or 0, step)
    with pytest.raises(Forbidden), transaction(engine) as tx:  # the buyer cannot say it was paid
        move(tx, shop["consumer"], fulfillment.id or 0, "delivered")
    with transaction(engine) as tx:
        move(tx, shop["owner"], fulfillment.id or 0, "delivered")
    assert ledger.balance(session, shop["organization"].id) == -3200  # 8 % of 400 pesos, owed to the platform
    assert ledger.imbalance(session) == 0


def test_local_delivery_costs_what_the_producer_set_and_needs_an_address(
    session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    choices: dict[str, Any] = {"delivery": {shop["organization"].id: "delivery"}, "delivery_state": "20"}
    with pytest.raises(ValidationFailed) as refused:
        buy(session, settings, shop["consumer"], shop["coffee"], 1, **choices)
    assert set(refused.value.errors) == {"ship_to"}
    session.rollback()
    order = buy(
        session,
        settings,
        shop["consumer"],
        shop["coffee"],
        1,
        ship_to="Calle Reforma 5, Centro, Oaxaca",
        **choices,
    )
    assert (order.delivery_cents, order.total_cents) == (9000, 29000)
    assert part(session, order).delivery_cents == 9000


def test_each_step_is_e_mailed_to_whom_it_concerns_in_their_language(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any], make_user: Any
) -> None:
    shop["consumer"].locale = "en"
    session.add(shop["consumer"])
    session.commit()
    order = buy(session, settings, shop["consumer"], shop["coffee"], 2)
    placed = emails(session)  # nothing happens for the producer until it is paid
    assert [(e["to"], e["kind"]) for e in placed] == [("luis@example.mx", "order_placed")]
    assert placed[0]["subject"] == f"Order {order.id}: details for your transfer"
    admin = make_user("admin@example.mx", is_admin=True)
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, order.id or 0, "SPEI 1234")
    sent = emails(session)[1:]
    assert {e["to"] for e in sent} == {"luis@example.mx", "cafe@example.mx"}
    to_producer = next(e for e in sent if e["to"] == "cafe@example.mx")
    assert "Tienes un pedido nuevo por aceptar." in to_producer["body"]
    assert to_producer["link"] == f"/panel/o/{shop['organization'].slug}/pedidos"
    to_buyer = next(e for e in sent if e["to"] == "luis@example.mx")
    assert to_buyer["subject"] == f"Order {order.id}: Awaiting acceptance · {shop['organization'].name}"

    with transaction(engine) as tx:
        move(tx, shop["owner"], part(session, order).id or 0, "rejected", "Se acabó la cosecha")
    rejected = emails(session)[-1]
    assert rejected["to"] == "luis@example.mx"
    assert "Se acabó la cosecha" in rejected["body"] and rejected["link"] == f"/pedidos/{order.id}"


def test_handed_over_orders_complete_on_their_own_but_cash_waits_for_the_producer(
    engine: Engine, session: Session, settings: Settings, shop: dict[str, Any], make_user: Any
) -> None:
    admin = make_user("admin@example.mx", is_admin=True)
    paid = buy(session, settings, shop["consumer"], shop["coffee"], 1)
    cash = buy(session, settings, shop["consumer"], shop["coffee"], 1, payment_method="cash_on_pickup")
    with transaction(engine) as tx:
        confirm_offline_payment(tx, admin, paid.id or 0, "SPEI 1234")
    for order in (paid, cash):
        with transaction(engine) as tx:
            for step in ("accepted", "preparing", "ready_for_pickup"):
                move(tx, shop["owner"], part(session, order).id or 0, step)

    soon = utcnow() + timedelta(days=settings.auto_deliver_days - 1)
    later = utcnow() + timedelta(days=settings.auto_deliver_days, minutes=1)
    with transaction(engine) as tx:
        assert complete_due(tx, settings, soon) == 0
    with transaction(engine) as tx:
        assert complete_due(tx, settings, later) == 1
    assert (part(session, paid).status, part(session, cash).status) == ("delivered", "ready_for_pickup")
    with transaction(engine) as tx:
        after_window = later + timedelta(days=settings.complete_after_days, minutes=1)
        assert complete_due(tx, settings, after_window) == 1
    assert part(session, paid).status == "completed"
    assert payments.available_balance(session, shop["organization"].id) == 20000 - 1600
