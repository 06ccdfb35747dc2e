"""The orders' scheduled work, run by the worker: unpaid orders whose reservation ran out expire, cash-on-
pickup parts nobody accepted in time lapse, and handed-over parts are delivered and then completed (which
releases the producer's money) once their windows pass. Each job locks the rows it takes with SKIP LOCKED,
so any number of workers may run it at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from market.config import Settings
from market.db import utcnow
from market.disputes import holds
from market.i18n import N_
from market.orders.fulfillment import expire, release, transition
from market.orders.models import Fulfillment, FulfillmentStatus, Order, OrderStatus
from market.organizations.models import Organization
from market.payments import service as payments


def expire_unpaid(session: Session, now: datetime | None = None) -> int:
    """Unpaid orders past their reservation expire: their fulfillments are cancelled, the stock returns."""
    now = now or utcnow()
    orders = session.exec(
        select(Order)
        .where(Order.status == OrderStatus.AWAITING_PAYMENT, col(Order.reserved_until) < now)
        .with_for_update(skip_locked=True)
    ).all()
    for order in orders:
        expire(session, order, N_("La reserva venció sin pago."))
    return len(orders)


def lapse_unaccepted_pickups(session: Session, now: datetime | None = None) -> int:
    """A cash-on-pickup part its producer did not accept in time is cancelled and its stock returns, so
    that an order nobody pays for cannot hold a catalogue. Returns how many parts lapsed."""
    now = now or utcnow()
    parts = session.exec(
        select(Fulfillment)
        .join(Order, col(Order.id) == Fulfillment.order_id)
        .where(
            col(Order.status) == OrderStatus.PAY_AT_PICKUP,
            col(Order.reserved_until) < now,
            col(Fulfillment.status) == FulfillmentStatus.PENDING_ACCEPTANCE,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for fulfillment in parts:
        transition(
            session,
            fulfillment,
            FulfillmentStatus.CANCELLED,
            None,
            N_("La organización no confirmó el pedido a tiempo; cancelamos esta parte."),
        )
        release(session, session.get_one(Order, fulfillment.order_id), fulfillment)
    return len(parts)


def complete_due(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Handed-over orders the buyer never confirmed count as delivered after some days; delivered ones
    complete once the buyer's window to report a problem has passed, which releases the producer's money.
    Cash on pickup is delivered only when the producer records the cash. (Completions run first, so a part
    delivered by this run still gets the buyer's full window.)"""
    now = now or utcnow()
    moved = 0
    delivered = session.exec(
        select(Fulfillment)
        .where(
            Fulfillment.status == FulfillmentStatus.DELIVERED,
            col(Fulfillment.updated_at) < now - timedelta(days=settings.complete_after_days),
            ~holds.under_dispute(),  # its money waits for an administrator's decision
        )
        .with_for_update(skip_locked=True)
    ).all()
    for fulfillment in delivered:
        order = session.get(Order, fulfillment.order_id)
        organization = session.get(Organization, fulfillment.organization_id)
        assert order is not None and organization is not None
        transition(session, fulfillment, FulfillmentStatus.COMPLETED, None)
        payments.request_transfer(session, order, fulfillment, organization)
        moved += 1
    handed_over = session.exec(
        select(Fulfillment)
        .join(Order, col(Order.id) == Fulfillment.order_id)
        .where(
            col(Fulfillment.status).in_((FulfillmentStatus.SHIPPED, FulfillmentStatus.READY_FOR_PICKUP)),
            col(Order.status) != OrderStatus.PAY_AT_PICKUP,
            col(Fulfillment.updated_at) < now - timedelta(days=settings.auto_deliver_days),
            ~holds.under_dispute(),  # someone did report a problem
        )
        .with_for_update(skip_locked=True)
    ).all()
    for fulfillment in handed_over:
        transition(
            session,
            fulfillment,
            FulfillmentStatus.DELIVERED,
            None,
            N_("Se da por entregado: nadie reportó problemas."),
        )
        moved += 1
    return moved
