"""Stripe in tests: the app configured against a real localstripe server, and events shaped and signed
exactly as Stripe sends them, for what localstripe cannot do (OXXO, SPEI, disputes, Connect)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta
from typing import Any

import pytest
import stripe
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.accounts.models import User
from market.config import Settings
from market.db import transaction, utcnow
from market.orders import jobs
from market.orders.checkout import checkout
from market.orders.fulfillment import move
from market.orders.models import Order
from market.orders.schemas import Checkout
from market.outbox import process_batch
from market.payments import service as payments
from market.payments import stripe_events
from market.payments.models import Payment
from tests.helpers import log_in

WEBHOOK_SECRET = "whsec_test_tianguis_0123456789"
API_VERSION = "2026-10-28.endive"


@pytest.fixture
def settings(settings: Settings, localstripe: str) -> Settings:
    return settings.model_copy(
        update={
            "stripe_secret_key": "sk_test_tianguis",
            "stripe_publishable_key": "pk_test_tianguis",
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "stripe_api_base": localstripe,
            "stripe_charge_transfer_group": False,  # localstripe rejects the parameter
        }
    )


@pytest.fixture
def stripe_client(settings: Settings) -> stripe.StripeClient:
    """Plays the buyer's browser (Stripe.js) against localstripe."""
    assert settings.stripe_secret_key and settings.stripe_api_base
    return stripe.StripeClient(settings.stripe_secret_key, base_addresses={"api": settings.stripe_api_base})


def run_worker(app: FastAPI) -> int:
    """One pass of the outbox with the payment handlers, as the worker runs it."""
    gateway = app.state.gateway
    handlers = payments.handlers(gateway) | stripe_events.handlers(gateway)
    return process_batch(app.state.engine, handlers)


def sign(body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def event(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def intent(payment: Payment, status: str, **fields: Any) -> dict[str, Any]:
    """A PaymentIntent as Stripe's API renders it (the fields the platform reads, and their neighbours)."""
    return {
        "id": payment.intent_id,
        "object": "payment_intent",
        "amount": payment.amount_cents,
        "amount_received": payment.amount_cents if status == "succeeded" else 0,
        "currency": "mxn",
        "client_secret": payment.client_secret,
        "status": status,
        "payment_method_types": [{"spei": "customer_balance"}.get(payment.method, payment.method)],
        "metadata": {"order_id": str(payment.order_id)},
        "latest_charge": f"ch_{secrets.token_hex(12)}" if status == "succeeded" else None,
        "last_payment_error": None,
        "next_action": None,
        "livemode": False,
    } | fields


def deliver(client: TestClient, payload: dict[str, Any], signature: str | None = None) -> Any:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature or sign(body)}
    return client.post("/webhooks/stripe", content=body, headers=headers)


def order_by_card(
    session: Session, settings: Settings, buyer: Any, listing: Any, quantity: int, method: str = "card"
) -> Order:
    order = checkout(
        session,
        settings,
        buyer,
        Checkout(items=[{"listing_id": listing.id, "quantity": quantity}], payment_method=method),
    )
    session.commit()
    return order


def open_payment_page(client: TestClient, session: Session, order: Order, email: str) -> Payment:
    """The buyer opens the payment page, which creates the PaymentIntent on Stripe."""
    log_in(client, email)
    response = client.get(f"/pedidos/{order.id}/pago")
    assert response.status_code == 200, response.text
    session.expire_all()
    payment = session.exec(select(Payment).where(Payment.order_id == order.id)).one()
    assert payment.client_secret and payment.client_secret in response.text
    return payment


class StripeTransfers:
    """Stands in for Stripe's /v1/transfers (Connect), recording each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def create(self, params: dict[str, Any], options: dict[str, Any]) -> stripe.Transfer:
        self.calls.append((params, options))
        return stripe.Transfer.construct_from(
            {
                "id": f"tr_1Tianguis{len(self.calls):04d}",
                "object": "transfer",
                "amount": params["amount"],
                "amount_reversed": 0,
                "currency": params["currency"],
                "destination": params["destination"],
                "source_transaction": params["source_transaction"],
                "transfer_group": params["transfer_group"],
                "reversed": False,
                "livemode": False,
            },
            "sk_test_tianguis",
        )


@pytest.fixture
def transfers(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> StripeTransfers:
    fake = StripeTransfers()
    monkeypatch.setattr(app.state.gateway.client.v1, "transfers", fake)
    return fake


def settle(app: FastAPI) -> None:
    while run_worker(app):
        pass


def hand_over(app: FastAPI, owner: User, buyer: User, part_id: int | None) -> None:
    """The producer accepts the part, prepares it and has it ready for pickup; the buyer says it arrived."""
    with transaction(app.state.engine) as tx:
        for step in ("accepted", "preparing", "ready_for_pickup"):
            move(tx, owner, part_id or 0, step)
        move(tx, buyer, part_id or 0, "delivered")


def complete_due(app: FastAPI, settings: Settings) -> int:
    """The job that completes delivered parts, run once the buyer's days to report a problem have passed:
    how many it completed."""
    with transaction(app.state.engine) as tx:
        return jobs.complete_due(
            tx, settings, utcnow() + timedelta(days=settings.complete_after_days, minutes=1)
        )
