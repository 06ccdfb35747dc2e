"""JSON API: the payment methods a buyer may use, and the provider's side of a card, OXXO or SPEI payment
(what a mobile client hands to Stripe's SDK)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from market.bounds import Id
from market.deps import ApiUserDep, GatewayDep, SessionDep, SettingsDep
from market.errors import NotFound
from market.idempotency import IdempotencyKeyHeader, run_once
from market.orders import queries
from market.orders.schemas import PaymentMethod
from market.payments import methods
from market.payments import service as payments
from market.payments.models import PaymentStatus

router = APIRouter(tags=["payments"])


class PaymentPublic(BaseModel):
    order_id: int
    method: PaymentMethod
    status: PaymentStatus
    amount_cents: int
    client_secret: str | None
    publishable_key: str | None
    instructions: dict[str, Any]


@router.get("/payment-methods", response_model=list[PaymentMethod])
def payment_methods(settings: SettingsDep, user: ApiUserDep, session: SessionDep) -> list[str]:
    return methods.available(session, settings, user)


@router.post(
    "/orders/{order_id}/payment",
    response_model=PaymentPublic,
    status_code=201,
    responses={200: {"model": PaymentPublic, "description": "The order's payment, created before"}},
)
def start_payment(
    order_id: Id,
    response: Response,
    user: ApiUserDep,
    gateway: GatewayDep,
    settings: SettingsDep,
    session: SessionDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> PaymentPublic:
    """Create (once) the PaymentIntent of an order paid by card, OXXO or SPEI; repeating the call returns
    the same one (with an `Idempotency-Key` too, which two calls at once then share)."""
    order = queries.visible_order(session, user, order_id)
    if order.buyer_id != user.id:
        raise NotFound()
    assert user.id is not None
    existed = payments.payment_of(session, order_id) is not None
    _, replayed = run_once(  # two calls with one key at once: the second waits for the first's payment
        session,
        user.id,
        "payment",
        idempotency_key,
        {"order_id": order_id},
        lambda: payments.start(session, gateway, order, user).id or 0,
    )
    if existed or replayed:
        response.status_code = 200
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    payment = payments.start(session, gateway, order, user)
    return PaymentPublic(
        order_id=order_id,
        method=payment.method,
        status=payment.status,
        amount_cents=payment.amount_cents,
        client_secret=payment.client_secret,
        publishable_key=settings.stripe_publishable_key,
        instructions=payment.instructions,
    )
