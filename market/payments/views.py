"""The buyer's payment page for card, OXXO and SPEI (Stripe.js confirms on the buyer's device), and the
page Stripe returns to, which asks Stripe where the payment stands instead of waiting for the webhook."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from market.accounts.models import User
from market.bounds import Id
from market.deps import GatewayDep, PageDep, SessionDep, SettingsDep, UserDep
from market.errors import NotFound
from market.orders import queries
from market.orders.models import Order, OrderStatus
from market.payments import service as payments
from market.payments.stripe_events import apply_intent

router = APIRouter(include_in_schema=False)


def _own_order(session: Session, user: User, order_id: int) -> Order:
    order = queries.visible_order(session, user, order_id)
    if order.buyer_id != user.id:
        raise NotFound()
    return order


@router.get("/pedidos/{order_id}/pago", name="payments.pay")
def pay(
    order_id: Id,
    page: PageDep,
    settings: SettingsDep,
    gateway: GatewayDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    order = _own_order(session, user, order_id)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return page.redirect(page.url("orders.order_page", order_id=order_id))
    payment = payments.start(session, gateway, order, user)
    return page.render("payments/pay.html", {"order": order, "payment": payment, "settings": settings})


@router.get("/pedidos/{order_id}/pago/listo", name="payments.returned")
def returned(
    order_id: Id, page: PageDep, gateway: GatewayDep, user: UserDep, session: SessionDep
) -> Response:
    """Stripe sends the buyer back here; the webhook may not have arrived yet, so ask Stripe directly."""
    order = _own_order(session, user, order_id)
    payment = payments.payment_of(session, order_id)
    if payment is not None and payment.intent_id and gateway is not None:
        intent = gateway.retrieve_intent(payment.intent_id)
        apply_intent(session, gateway, payment, intent, intent["status"])
    return page.redirect(page.url("orders.order_page", order_id=order.id))
