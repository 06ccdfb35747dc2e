"""The buyer's payment page for card, OXXO and SPEI (Stripe.js confirms on the buyer's device), and the
page Stripe returns to, which asks Stripe where the payment stands instead of waiting for the webhook."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from market.accounts.models import User
from market.bounds import Id
from market.db import DbSession
from market.errors import NotFound
from market.orders import queries
from market.orders.models import Order
from market.payments import service as payments
from market.payments.stripe_events import apply_intent
from market.web import redirect, render, require_user

router = APIRouter(include_in_schema=False)


def _own_order(session: Session, user: User, order_id: int) -> Order:
    order = queries.visible_order(session, user, order_id)
    if order.buyer_id != user.id:
        raise NotFound()
    return order


@router.get("/pedidos/{order_id}/pago", name="payments.pay")
def pay(
    order_id: Id, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    order = _own_order(session, user, order_id)
    if order.status != "awaiting_payment":
        return redirect(f"/pedidos/{order_id}")
    payment = payments.start(session, request.app.state.gateway, order, user)
    return render(
        request,
        "payments/pay.html",
        {"order": order, "payment": payment, "settings": request.app.state.settings},
        user=user,
    )


@router.get("/pedidos/{order_id}/pago/listo", name="payments.returned")
def returned(
    order_id: Id, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    """Stripe sends the buyer back here; the webhook may not have arrived yet, so ask Stripe directly."""
    order = _own_order(session, user, order_id)
    payment = payments.payment_of(session, order_id)
    gateway = request.app.state.gateway
    if payment is not None and payment.intent_id and gateway is not None:
        intent = gateway.retrieve_intent(payment.intent_id)
        apply_intent(session, gateway, payment, intent, intent["status"])
    return redirect(f"/pedidos/{order.id}")
