"""A payment start sent again with the same Idempotency-Key gets the same PaymentIntent (localstripe)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.config import Settings
from market.payments.models import Payment
from tests.helpers import api_token
from tests.payments.stripe.conftest import order_by_card


def test_a_retried_payment_start_with_its_key_gets_the_same_intent(
    client: TestClient, session: Session, settings: Settings, make_user: Any, make_org: Any, make_listing: Any
) -> None:
    buyer = make_user("ana@example.mx")
    coffee = make_listing(make_org(make_user("cafe@example.mx")), price_cents=25000, stock=5)
    order = order_by_card(session, settings, buyer, coffee, 2)
    headers = api_token(client, buyer.email) | {"Idempotency-Key": "pago-0f5b8e0c-reintento"}

    first = client.post(f"/api/v1/orders/{order.id}/payment", headers=headers)
    again = client.post(f"/api/v1/orders/{order.id}/payment", headers=headers)
    other_order = order_by_card(session, settings, buyer, coffee, 1)
    reused = client.post(f"/api/v1/orders/{other_order.id}/payment", headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert "idempotent-replayed" not in first.headers and again.headers["idempotent-replayed"] == "true"
    assert again.json()["client_secret"] == first.json()["client_secret"]
    assert reused.status_code == 422  # one key, another order: refused, not answered with the first's
    assert reused.json()["fields"]["idempotency_key"]
    assert len(session.exec(select(Payment).where(Payment.order_id == order.id)).all()) == 1
    assert session.exec(select(Payment).where(Payment.order_id == other_order.id)).first() is None
