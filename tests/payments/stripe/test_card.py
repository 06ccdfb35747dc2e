"""Card payments end to end against a real localstripe server: the PaymentIntent, the buyer's confirmation,
the signed webhook localstripe delivers to the running app, and the refund of a rejected part."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
import stripe
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from market.config import Settings
from market.db import transaction, utcnow
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.orders.fulfillment import move
from market.orders.jobs import expire_unpaid
from market.orders.models import Fulfillment, FulfillmentStatus, Order, OrderStatus
from market.payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from tests.helpers import count, fresh
from tests.pages import elements, soup, text_of, texts
from tests.payments.stripe.conftest import WEBHOOK_SECRET, open_payment_page, order_by_card, settle


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    owner = make_user("cafe@example.mx", name="Rosa Pérez")
    organization = make_org(owner)
    return {
        "buyer": make_user("ana@example.mx"),
        "owner": owner,
        "organization": organization,
        "coffee": make_listing(organization, title="Café de altura", price_cents=25000, stock=10),
    }


@pytest.fixture
def localstripe_webhooks(localstripe: str, live_server: str) -> str:
    """localstripe signs its events with the endpoint's secret and posts them to the running app."""
    response = httpx.post(
        f"{localstripe}/_config/webhooks/tianguis",
        json={"url": f"{live_server}/webhooks/stripe", "secret": WEBHOOK_SECRET},
        headers={"Authorization": "Bearer sk_test_tianguis"},
    )
    assert response.status_code == 200, response.text
    return live_server


def started(
    client: TestClient, session: Session, settings: Settings, shop: dict[str, Any], quantity: int
) -> Payment:
    """Ana orders `quantity` kg of coffee to pay by card and opens the payment page: the PaymentIntent on
    localstripe."""
    order = order_by_card(session, settings, shop["buyer"], shop["coffee"], quantity)
    return open_payment_page(client, session, order, "ana@example.mx")


def pay_like_stripe_js(stripe_client: stripe.StripeClient, payment: Payment) -> None:
    """What the Payment Element does in the buyer's browser: a card, attached, then confirmed."""
    intent_id = payment.intent_id
    assert intent_id is not None
    method = stripe_client.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    stripe_client.v1.payment_intents.update(intent_id, {"payment_method": method.id})
    confirmed = stripe_client.v1.payment_intents.confirm(intent_id)
    assert confirmed.status == "succeeded"


def wait_for_event(session: Session, event_type: str, seconds: float = 15) -> WebhookEvent:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        session.expire_all()
        found = session.exec(select(WebhookEvent).where(WebhookEvent.type == event_type)).first()
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError(f"localstripe did not deliver {event_type}")


def payment_postings(session: Session, order_id: int) -> int:
    session.expire_all()
    return int(
        session.exec(
            select(func.count(func.distinct(LedgerEntry.transaction_id))).where(
                LedgerEntry.kind == "payment", LedgerEntry.order_id == order_id
            )
        ).one()
    )


def test_card_payment_from_intent_to_webhook_to_refund(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    stripe_client: stripe.StripeClient,
    localstripe_webhooks: str,
) -> None:
    payment = started(client, session, settings, shop, 2)
    order_id = payment.order_id
    assert client.get(f"/pedidos/{order_id}/pago").status_code == 200  # a second visit reuses the intent
    assert count(session, Payment) == 1

    assert payment.intent_id is not None
    on_stripe = stripe_client.v1.payment_intents.retrieve(payment.intent_id)
    assert (on_stripe.amount, on_stripe.currency, on_stripe.metadata["order_id"]) == (
        50000,
        "mxn",
        str(order_id),
    )

    pay_like_stripe_js(stripe_client, payment)
    wait_for_event(session, "payment_intent.succeeded")  # signed by localstripe, verified by the app
    settle(app)

    assert fresh(session, Order, order_id).status == OrderStatus.PAID
    payment = fresh(session, Payment, payment.id)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.charge_id and payment.charge_id.startswith("ch_")
    assert payment_postings(session, order_id) == 1
    assert ledger.balance(session, shop["organization"].id) == 50000 - 4000  # 8 % platform fee

    fulfillment = session.exec(select(Fulfillment).where(Fulfillment.order_id == order_id)).one()
    assert fulfillment.status == FulfillmentStatus.PENDING_ACCEPTANCE
    with transaction(app.state.engine) as tx:
        move(tx, shop["owner"], fulfillment.id or 0, "rejected", "Se nos acabó la cosecha")
    settle(app)

    session.expire_all()
    refund = session.exec(select(Refund).where(Refund.order_id == order_id)).one()
    assert refund.amount_cents == 50000 and refund.provider == "stripe"
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.provider_ref and refund.provider_ref.startswith("re_")
    assert stripe_client.v1.refunds.retrieve(refund.provider_ref).amount == 50000
    assert stripe_client.v1.charges.retrieve(payment.charge_id).amount_refunded == 50000
    assert ledger.balance(session, shop["organization"].id) == 0
    assert ledger.imbalance(session) == 0


def test_the_return_page_asks_stripe_before_the_webhook_arrives_and_the_webhook_changes_nothing_more(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    stripe_client: stripe.StripeClient,
    localstripe_webhooks: str,
) -> None:
    payment = started(client, session, settings, shop, 1)
    order_id = payment.order_id
    pay_like_stripe_js(stripe_client, payment)

    response = client.get(f"/pedidos/{order_id}/pago/listo")  # Stripe's return_url
    assert response.status_code == 303 and response.headers["location"] == f"/pedidos/{order_id}"
    assert fresh(session, Order, order_id).status == OrderStatus.PAID
    assert payment_postings(session, order_id) == 1

    wait_for_event(session, "payment_intent.succeeded")
    settle(app)
    assert payment_postings(session, order_id) == 1
    page = soup(client.get(f"/pedidos/{order_id}"))
    assert texts(page, "#order-status .badge") == ["Pagado"] and elements(page, ".payment") == []
    assert "Pagar ahora" not in text_of(page)


def test_a_payment_that_lands_after_the_reservation_expired_is_refunded_whole(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    stripe_client: stripe.StripeClient,
    localstripe_webhooks: str,
) -> None:
    payment = started(client, session, settings, shop, 3)
    with transaction(app.state.engine) as tx:
        assert expire_unpaid(tx, utcnow() + timedelta(minutes=31)) == 1
    pay_like_stripe_js(stripe_client, payment)
    wait_for_event(session, "payment_intent.succeeded")
    settle(app)

    assert fresh(session, Order, payment.order_id).status == OrderStatus.EXPIRED
    refund = session.exec(select(Refund).where(Refund.order_id == payment.order_id)).one()
    assert (refund.amount_cents, refund.fulfillment_id, refund.status) == (75000, None, "succeeded")
    assert stripe_client.v1.refunds.retrieve(refund.provider_ref or "").amount == 75000
    cash = session.exec(
        select(func.sum(LedgerEntry.amount_cents)).where(
            LedgerEntry.account == ledger.CASH, col(LedgerEntry.order_id) == payment.order_id
        )
    ).one()
    assert cash == 0 and ledger.imbalance(session) == 0
    assert ledger.balance(session, shop["organization"].id) == 0


def test_the_api_starts_a_payment_once_for_its_buyer_only(
    client: TestClient,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    stripe_client: stripe.StripeClient,
    make_user: Any,
) -> None:
    from tests.helpers import api_token

    buyer = api_token(client, "ana@example.mx")
    assert client.get("/api/v1/payment-methods", headers=buyer).json() == [
        "card",
        "oxxo",
        "spei",
        "cash_on_pickup",
    ]
    order = order_by_card(session, settings, shop["buyer"], shop["coffee"], 2, method="oxxo")
    first = client.post(f"/api/v1/orders/{order.id}/payment", headers=buyer)
    assert first.status_code == 201, first.text
    repeated = client.post(f"/api/v1/orders/{order.id}/payment", headers=buyer)
    again = repeated.json()
    assert repeated.status_code == 200 and again["client_secret"] == first.json()["client_secret"]
    assert (again["method"], again["amount_cents"], again["publishable_key"]) == (
        "oxxo",
        50000,
        "pk_test_tianguis",
    )
    intent_id = again["client_secret"].split("_secret_")[0]
    assert stripe_client.v1.payment_intents.retrieve(intent_id).amount == 50000

    stranger = api_token(client, make_user("otro@example.mx").email)
    assert client.post(f"/api/v1/orders/{order.id}/payment", headers=stranger).status_code == 404


def test_an_order_that_ends_unpaid_cancels_its_payment_intent(
    app: FastAPI,
    client: TestClient,
    session: Session,
    settings: Settings,
    shop: dict[str, Any],
    stripe_client: stripe.StripeClient,
) -> None:
    expiring_payment = started(client, session, settings, shop, 1)
    cancelled = order_by_card(session, settings, shop["buyer"], shop["coffee"], 1)
    assert client.get(f"/pedidos/{cancelled.id}/pago").status_code == 200
    session.expire_all()
    cancelled_payment = session.exec(select(Payment).where(Payment.order_id == cancelled.id)).one()
    with transaction(app.state.engine) as tx:  # the buyer cancels the only part: the order ends
        part = tx.exec(select(Fulfillment).where(Fulfillment.order_id == cancelled.id)).one()
        move(tx, shop["buyer"], part.id or 0, "cancelled")
    with transaction(app.state.engine) as tx:
        assert expire_unpaid(tx, utcnow() + timedelta(minutes=31)) == 1
    settle(app)
    assert fresh(session, Order, cancelled.id).status == OrderStatus.CANCELLED
    for payment in (expiring_payment, cancelled_payment):
        assert stripe_client.v1.payment_intents.retrieve(payment.intent_id or "").status == "canceled"
    assert count(session, Refund) == 0
