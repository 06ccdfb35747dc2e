"""OXXO vouchers, SPEI transfers, disputes and webhook delivery quirks, through events shaped and signed
as Stripe sends them (localstripe cannot confirm OXXO or SPEI, nor open disputes). The PaymentIntents
themselves are created on localstripe."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from market.catalog.models import Listing
from market.config import Settings
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.orders.models import Fulfillment, FulfillmentStatus, Order, OrderStatus
from market.outbox import OutboxEvent
from market.payments.models import Payment, PaymentStatus, WebhookEvent
from tests.helpers import count, fresh
from tests.pages import hrefs, one, soup, text_of
from tests.payments.stripe.conftest import (
    deliver,
    event,
    intent,
    open_payment_page,
    order_by_card,
    settle,
    sign,
)

OXXO_ACTION = {
    "type": "oxxo_display_details",
    "oxxo_display_details": {
        "expires_after": 1796083200,
        "hosted_voucher_url": "https://payments.stripe.com/oxxo/voucher/test_YWNjdF8xTjJ",
        "number": "12345678901234657890123456789012",
    },
}
SPEI_ACTION = {
    "type": "display_bank_transfer_instructions",
    "display_bank_transfer_instructions": {
        "amount_remaining": 50000,
        "currency": "mxn",
        "financial_addresses": [
            {
                "spei": {"bank_code": "002", "bank_name": "BANAMEX", "clabe": "002180650612345670"},
                "supported_networks": ["spei"],
                "type": "spei",
            }
        ],
        "hosted_instructions_url": "https://payments.stripe.com/bank_transfers/instructions/test_YWNjdF8x",
        "reference": "7843219",
        "type": "mx_bank_transfer",
    },
}


@pytest.fixture
def shop(make_user: Any, make_org: Any, make_listing: Any) -> dict[str, Any]:
    owner = make_user("miel@example.mx")
    organization = make_org(owner, name="Meliponicultoras de Maní", state="31")
    return {
        "buyer": make_user("ana@example.mx"),
        "owner": owner,
        "organization": organization,
        "honey": make_listing(
            organization, title="Miel melipona", category="miel", price_cents=25000, stock=4
        ),
    }


def postings(session: Session, kind: str) -> int:
    session.expire_all()
    return int(
        session.exec(
            select(func.count(func.distinct(LedgerEntry.transaction_id))).where(LedgerEntry.kind == kind)
        ).one()
    )


def started(
    client: TestClient, session: Session, settings: Settings, shop: dict[str, Any], method: str
) -> Payment:
    order = order_by_card(session, settings, shop["buyer"], shop["honey"], 2, method)
    return open_payment_page(client, session, order, "ana@example.mx")


def test_oxxo_voucher_is_shown_then_paid(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    payment = started(client, session, settings, shop, "oxxo")
    pay_page = client.get(f"/pedidos/{payment.order_id}/pago")
    assert text_of(one(pay_page, "button#pay")) == "Generar mi ficha OXXO"

    assert (
        deliver(
            client,
            event(
                "payment_intent.requires_action", intent(payment, "requires_action", next_action=OXXO_ACTION)
            ),
        ).status_code
        == 200
    )
    settle(app)
    page = soup(client.get(f"/pedidos/{payment.order_id}"))
    assert text_of(one(page, "#ficha")) == "12345678901234657890123456789012"
    assert [link for link in hrefs(page, ".payment a") if "payments.stripe.com/oxxo/voucher" in link]
    assert fresh(session, Order, payment.order_id).status == OrderStatus.AWAITING_PAYMENT

    assert deliver(client, event("payment_intent.succeeded", intent(payment, "succeeded"))).status_code == 200
    settle(app)
    assert fresh(session, Order, payment.order_id).status == OrderStatus.PAID
    assert postings(session, "payment") == 1
    assert ledger.balance(session, shop["organization"].id) == 50000 - 4000


def test_an_expired_oxxo_voucher_ends_the_order_and_returns_the_stock(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    payment = started(client, session, settings, shop, "oxxo")
    assert fresh(session, Listing, shop["honey"].id).stock == 2
    expired = intent(
        payment,
        "requires_payment_method",
        last_payment_error={
            "code": "payment_intent_payment_attempt_expired",
            "message": "The payment attempt for this PaymentIntent has expired.",
            "type": "invalid_request_error",
        },
    )
    deliver(client, event("payment_intent.payment_failed", expired))
    settle(app)
    assert fresh(session, Order, payment.order_id).status == OrderStatus.EXPIRED
    assert fresh(session, Listing, shop["honey"].id).stock == 4
    assert fresh(session, Payment, payment.id).status == PaymentStatus.FAILED
    assert postings(session, "payment") == 0


def test_spei_transfer_shows_its_own_clabe_then_is_paid(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    payment = started(client, session, settings, shop, "spei")
    deliver(
        client,
        event("payment_intent.requires_action", intent(payment, "requires_action", next_action=SPEI_ACTION)),
    )
    settle(app)
    how_to_pay = client.get(f"/pedidos/{payment.order_id}")
    assert (text_of(one(how_to_pay, "#clabe")), text_of(one(how_to_pay, "#referencia"))) == (
        "002180650612345670",
        "7843219",
    )
    deliver(client, event("payment_intent.succeeded", intent(payment, "succeeded")))
    settle(app)
    assert fresh(session, Order, payment.order_id).status == OrderStatus.PAID
    fulfillments = session.exec(select(Fulfillment)).all()
    assert {f.status for f in fulfillments} == {FulfillmentStatus.PENDING_ACCEPTANCE}


def stored_events(session: Session) -> tuple[int, int]:
    """(webhook events stored, outbox rows to apply them)."""
    return count(session, WebhookEvent), count(session, OutboxEvent, OutboxEvent.topic == "stripe_event")


def test_a_forged_or_stale_event_is_refused_and_changes_nothing(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    payment = started(client, session, settings, shop, "card")
    payload = event("payment_intent.succeeded", intent(payment, "succeeded"))
    body = json.dumps(payload).encode()
    attempts = [
        sign(body, secret="whsec_someone_else"),  # not our secret
        sign(body, timestamp=int(time.time()) - 3600),  # a replay from an hour ago
        sign(body.replace(b"50000", b"1")),  # signature of another body
        "t=1,v1=deadbeef",
    ]
    for signature in attempts:
        response = deliver(client, payload, signature)
        assert response.status_code == 400 and response.json()["error"] == "bad_signature"
    response = client.post("/webhooks/stripe", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    settle(app)
    assert stored_events(session) == (0, 0)
    assert fresh(session, Order, payment.order_id).status == OrderStatus.AWAITING_PAYMENT
    assert postings(session, "payment") == 0


def test_a_signature_dated_beyond_the_tolerance_either_way_is_refused(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    payment = started(client, session, settings, shop, "card")
    payload = event("payment_intent.succeeded", intent(payment, "succeeded"))
    body = json.dumps(payload).encode()
    now = int(time.time())
    for timestamp in (now + 600, now - 600):  # ten minutes ahead, ten minutes behind
        response = deliver(client, payload, sign(body, timestamp=timestamp))
        assert response.status_code == 400 and response.json()["error"] == "bad_signature"
    assert stored_events(session) == (0, 0)

    response = deliver(client, payload, sign(body, timestamp=now + 60))  # a clock a minute fast is fine
    assert response.json() == {"received": True, "duplicate": False}
    settle(app)
    assert fresh(session, Order, payment.order_id).status == OrderStatus.PAID


@pytest.mark.parametrize(
    "data",
    [None, {}, {"object": None}, {"object": "pi_123"}],
    ids=["no-data", "no-object", "null-object", "object-not-a-dict"],
)
def test_a_signed_event_without_its_object_is_refused_at_intake(
    app: FastAPI, client: TestClient, session: Session, data: dict[str, Any] | None
) -> None:
    payload = event("payment_intent.succeeded", {"id": "pi_123", "object": "payment_intent"})
    if data is None:
        del payload["data"]
    else:
        payload["data"] = data

    response = deliver(client, payload)  # correctly signed, so not a forgery: a shape we cannot apply

    assert response.status_code == 400
    assert response.json()["error"] == "malformed_event"
    assert stored_events(session) == (0, 0)  # nothing left for the worker to retry ten times and park


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": "evt_%s", "type": "payment_intent.succeeded", "data": {"object": {}}}' % (b"x" * 90),
        b'{"id": "evt_1", "type": "%s", "data": {"object": {}}}' % (b"t" * 90),
        b'{"id": "evt_2", "type": "payment_intent.succeeded", "data": {"object": {"amount": NaN}}}',
        b'{"id": "evt_3", "type": "payment_intent.succeeded", "data": {"object": {"amount": 1e999}}}',
        b'{"id": "evt_4", "type": "payment_intent.succeeded", "data": {"object": {"note": "\\ud800"}}}',
    ],
    ids=["long-id", "long-type", "nan", "infinity", "lone-surrogate"],
)
def test_a_signed_event_the_database_could_not_keep_is_refused_at_intake(
    app: FastAPI, client: TestClient, session: Session, body: bytes
) -> None:
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body)}

    response = client.post("/webhooks/stripe", content=body, headers=headers)

    assert response.status_code == 400 and response.json()["error"] == "malformed_event"
    assert stored_events(session) == (0, 0)


def test_an_event_delivered_twice_is_applied_once(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    payment = started(client, session, settings, shop, "card")
    payload = event("payment_intent.succeeded", intent(payment, "succeeded"))
    assert deliver(client, payload).json() == {"received": True, "duplicate": False}
    settle(app)
    assert deliver(client, payload).json() == {"received": True, "duplicate": True}
    settle(app)
    # The same change announced by a second event (Stripe retries with new ids too) is old news.
    deliver(client, event("payment_intent.succeeded", intent(payment, "succeeded")))
    settle(app)
    assert postings(session, "payment") == 1
    assert count(session, WebhookEvent) == 2
    assert ledger.imbalance(session) == 0


def test_events_out_of_order_only_move_the_payment_forward(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    payment = started(client, session, settings, shop, "oxxo")
    deliver(client, event("payment_intent.succeeded", intent(payment, "succeeded")))
    deliver(client, event("payment_intent.processing", intent(payment, "processing")))
    deliver(
        client,
        event("payment_intent.requires_action", intent(payment, "requires_action", next_action=OXXO_ACTION)),
    )
    deliver(client, event("payment_intent.payment_failed", intent(payment, "requires_payment_method")))
    settle(app)
    assert fresh(session, Payment, payment.id).status == PaymentStatus.SUCCEEDED
    assert fresh(session, Order, payment.order_id).status == OrderStatus.PAID
    assert postings(session, "payment") == 1


def paid_by_card(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, shop: dict[str, Any]
) -> Payment:
    payment = started(client, session, settings, shop, "card")
    deliver(client, event("payment_intent.succeeded", intent(payment, "succeeded")))
    settle(app)
    paid = fresh(session, Payment, payment.id)
    assert paid.status == PaymentStatus.SUCCEEDED
    return paid


def dispute(payment: Payment, status: str) -> dict[str, Any]:
    return {
        "id": "dp_1TianguisDisputa",
        "object": "dispute",
        "amount": payment.amount_cents,
        "charge": payment.charge_id,
        "currency": "mxn",
        "payment_intent": payment.intent_id,
        "reason": "fraudulent",
        "status": status,
        "livemode": False,
    }


def cash(session: Session) -> int:
    session.expire_all()
    return int(
        session.exec(
            select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                LedgerEntry.account == ledger.CASH
            )
        ).one()
    )


def test_a_lost_dispute_takes_the_money_from_the_platform_not_the_producer(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    payment = paid_by_card(app, client, session, settings, shop)
    deliver(client, event("charge.dispute.created", dispute(payment, "needs_response")))
    settle(app)
    assert fresh(session, Payment, payment.id).status == PaymentStatus.DISPUTED
    assert cash(session) == 0  # Stripe withdrew the disputed amount
    deliver(client, event("charge.dispute.closed", dispute(payment, "lost")))
    settle(app)
    assert fresh(session, Payment, payment.id).status == PaymentStatus.DISPUTE_LOST
    losses = session.exec(
        select(func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.account == ledger.DISPUTE_LOSSES)
    ).one()
    assert losses == 50000 and cash(session) == 0
    assert ledger.balance(session, shop["organization"].id) == 46000
    assert ledger.imbalance(session) == 0


def test_a_won_dispute_announced_before_it_was_opened_returns_the_money_once(
    app: FastAPI, client: TestClient, session: Session, settings: Settings, shop: dict[str, Any]
) -> None:
    payment = paid_by_card(app, client, session, settings, shop)
    deliver(client, event("charge.dispute.closed", dispute(payment, "won")))
    deliver(client, event("charge.dispute.created", dispute(payment, "needs_response")))
    settle(app)
    assert fresh(session, Payment, payment.id).status == PaymentStatus.DISPUTE_WON
    assert cash(session) == 50000
    assert postings(session, "dispute") == 2  # opened and won, once each
    assert ledger.imbalance(session) == 0
