"""Applying Stripe's stored events (run by the outbox worker, or inline when a page asks the provider):
payment intents move a payment (and its order) forward, refunds settle, chargebacks take and return the
money, a connected account's state is kept (`market.payments.connect`). Events may arrive twice or out of
order, so a payment's state only ever moves forward. Their intake (signature, storing each event once) is
`market.payments.webhooks`."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from market.db import utcnow
from market.i18n import N_
from market.ledger import service as ledger
from market.orders import notifications
from market.orders.fulfillment import expire, mark_paid
from market.orders.models import Order, OrderStatus
from market.payments import connect
from market.payments import service as payments
from market.payments.gateway import Gateway
from market.payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from market.payments.webhooks import EVENT_TOPIC

# How far along a payment is; an event that would move it back is old news and changes nothing.
RANK: dict[str, int] = {
    PaymentStatus.PENDING: 0,
    PaymentStatus.REQUIRES_ACTION: 1,
    PaymentStatus.PROCESSING: 2,
    PaymentStatus.FAILED: 3,  # a card may still succeed on a retry; nothing comes after a failed voucher
    PaymentStatus.SUCCEEDED: 4,
    PaymentStatus.DISPUTED: 5,
    PaymentStatus.DISPUTE_WON: 6,
    PaymentStatus.DISPUTE_LOST: 6,
}
# Stripe's payment_intent.* events, and the status each brings a payment to.
INTENT_STATUS = {
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.PROCESSING,
    "succeeded": PaymentStatus.SUCCEEDED,
    "payment_failed": PaymentStatus.FAILED,
    "canceled": PaymentStatus.FAILED,
}


def process(session: Session, gateway: Gateway, payload: dict[str, Any]) -> None:
    """Outbox handler: apply one stored event, once (an event already processed changes nothing)."""
    stored = session.exec(select(WebhookEvent).where(WebhookEvent.event_id == payload["event_id"])).one()
    if stored.processed_at is not None:
        return
    event_type, obj = stored.type, stored.payload["data"]["object"]
    if event_type.startswith("payment_intent."):
        payment = session.exec(select(Payment).where(Payment.intent_id == obj["id"])).first()
        if payment is not None:
            apply_intent(session, gateway, payment, obj, event_type.removeprefix("payment_intent."))
    elif event_type in ("refund.created", "refund.updated", "charge.refund.updated"):
        refund = session.exec(select(Refund).where(Refund.provider_ref == obj["id"])).first()
        if refund is not None and obj.get("status") in ("succeeded", "failed", "canceled"):
            refund.status = RefundStatus.SUCCEEDED if obj["status"] == "succeeded" else RefundStatus.FAILED
    elif event_type in ("charge.dispute.created", "charge.dispute.closed"):
        _apply_dispute(session, obj, closed=event_type.endswith("closed"))
    elif event_type == "account.updated":  # a connected account's state (Connect); replays and late ones
        connect.account_updated(session, obj, int(stored.payload.get("created") or 0))
    stored.processed_at = utcnow()


def _charge_id(intent: dict[str, Any]) -> str | None:
    charge = intent.get("latest_charge")
    return charge.get("id") if isinstance(charge, dict) else charge


def apply_intent(
    session: Session, gateway: Gateway, payment: Payment, intent: dict[str, Any], what: str
) -> None:
    """Bring a payment (and its order) to what this PaymentIntent says, if that is further along."""
    status = INTENT_STATUS.get(what)
    if status is None:
        return
    if status == PaymentStatus.REQUIRES_ACTION:  # the voucher or CLABE, whenever it comes
        _show_instructions(session, payment, _instructions(intent.get("next_action") or {}))
    if RANK[status] <= RANK[payment.status]:
        return
    payment.status = status
    payments.touch(payment)
    order = session.get(Order, payment.order_id)
    assert order is not None
    if status == PaymentStatus.SUCCEEDED:
        payment.charge_id = _charge_id(intent)
        payment.reference = intent["id"]
        received = int(intent.get("amount_received") or intent["amount"])
        excess = mark_paid(session, order, None, intent["id"], received)
        if excess:  # charged for parts no longer bought (or for an order that expired): give it back
            ledger.record_excess_refunded(session, order.id or 0, excess)
            payments.request_refund(session, order, None, excess)
    elif status == PaymentStatus.FAILED:
        error = intent.get("last_payment_error") or {}
        payment.last_error = str(error.get("message") or what)[:500]
        if payment.method == "oxxo" or what == "canceled":  # the voucher expired: no payment will come
            expire(session, order, N_("La ficha de pago venció sin pagarse."))


def _show_instructions(session: Session, payment: Payment, instructions: dict[str, Any]) -> None:
    """Keep what the buyer needs to pay, and e-mail it the first time it comes (or when it changed) while
    the order still waits for it. The payment's row is locked first, so that the webhook and the buyer's
    return page, applying the same news at once, send it once."""
    if not instructions:
        return
    session.refresh(payment, with_for_update=True)
    if instructions == payment.instructions:
        return
    payment.instructions = instructions
    payments.touch(payment)
    order = session.get(Order, payment.order_id)
    assert order is not None
    if RANK[payment.status] < RANK[PaymentStatus.FAILED] and order.status == OrderStatus.AWAITING_PAYMENT:
        notifications.payment_instructions(session, order, payment.amount_cents, instructions)


def _instructions(next_action: dict[str, Any]) -> dict[str, Any]:
    """What Stripe asks the buyer to do, in the few fields our payment page shows."""
    if oxxo := next_action.get("oxxo_display_details"):
        return {
            "kind": "oxxo",
            "number": oxxo.get("number"),
            "expires_at": oxxo.get("expires_after"),
            "hosted_url": oxxo.get("hosted_voucher_url"),
        }
    if transfer := next_action.get("display_bank_transfer_instructions"):
        spei = (
            next(
                (a.get("spei") for a in transfer.get("financial_addresses", []) if a.get("type") == "spei"),
                None,
            )
            or {}
        )
        return {
            "kind": "spei",
            "clabe": spei.get("clabe"),
            "bank": spei.get("bank_name"),
            "reference": transfer.get("reference"),
            "amount_cents": transfer.get("amount_remaining"),
            "hosted_url": transfer.get("hosted_instructions_url"),
        }
    return {}


def _apply_dispute(session: Session, dispute: dict[str, Any], *, closed: bool) -> None:
    """A chargeback takes the money until it is decided; a closed dispute arriving first opens it too."""
    payment = session.exec(select(Payment).where(Payment.charge_id == dispute.get("charge"))).first()
    if payment is None and dispute.get("payment_intent"):
        payment = session.exec(select(Payment).where(Payment.intent_id == dispute["payment_intent"])).first()
    if payment is None or RANK[payment.status] < RANK[PaymentStatus.SUCCEEDED]:
        return
    amount = int(dispute["amount"])
    if payment.status == PaymentStatus.SUCCEEDED:
        ledger.record_dispute(session, payment.order_id, amount, "opened")
        payment.status = PaymentStatus.DISPUTED
    if closed and payment.status == PaymentStatus.DISPUTED:
        won = dispute.get("status") == "won"  # Stripe's word for the outcome
        ledger.record_dispute(session, payment.order_id, amount, "won" if won else "lost")
        payment.status = PaymentStatus.DISPUTE_WON if won else PaymentStatus.DISPUTE_LOST
    payments.touch(payment)


def handlers(gateway: Gateway | None) -> dict[str, Any]:
    if gateway is None:
        return {}
    return {EVENT_TOPIC: lambda session, payload: process(session, gateway, payload)}
