"""The rows of the producer's CSV exports: every line of its parts of orders (optionally of a period) and
its account with the platform, movement by movement with the running balance. Same readers as the
dashboard (`analytics`): the organization's members and the administrators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.errors import ValidationFailed
from market.i18n import N_
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.mexico import MEXICO_CITY
from market.orders.fulfillment import ACTIVE_ORDER_STATUSES
from market.orders.models import Fulfillment, FulfillmentStatus, Order, OrderLine, OrderStatus
from market.organizations import analytics
from market.organizations.models import Organization


@dataclass(frozen=True)
class Period:
    """Whole days in Mexico City, both ends included; either end may be open."""

    since: date | None = None
    until: date | None = None

    def start(self) -> datetime | None:
        return datetime.combine(self.since, time(), MEXICO_CITY) if self.since else None

    def end(self) -> datetime | None:
        return datetime.combine(self.until + timedelta(days=1), time(), MEXICO_CITY) if self.until else None


DATE_FORMAT = N_("Escribe la fecha como AAAA-MM-DD, por ejemplo 2025-03-31.")


def parse_period(desde: str | None, hasta: str | None) -> Period:
    errors: dict[str, str] = {}
    since, until = _day(desde, "desde", errors), _day(hasta, "hasta", errors)
    if since and until and until < since:
        errors["hasta"] = N_("La fecha final no puede ser anterior a la inicial.")
    if errors:
        raise ValidationFailed(errors)
    return Period(since, until)


def _day(text: str | None, field: str, errors: dict[str, str]) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:  # fromisoformat also takes "20250331" and week dates, which nobody types
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = DATE_FORMAT
        return None


@dataclass(frozen=True)
class OrderLineRow:
    order_id: int
    ordered_at: datetime
    order_status: OrderStatus
    fulfillment_status: FulfillmentStatus
    buyer_name: str
    delivery_method: str
    title: str
    quantity: int
    unit: str
    unit_price_cents: int
    line_total_cents: int
    part_subtotal_cents: int  # the part's figures repeat on each of its lines
    delivery_cents: int
    fee_cents: int
    refunded_cents: int

    @property
    def producer_cents(self) -> int:
        """The organization's share of the part, as the order queue shows it (before any refund)."""
        return self.part_subtotal_cents + self.delivery_cents - self.fee_cents


def order_lines(
    session: Session, user: User, organization: Organization, period: Period | None = None
) -> list[OrderLineRow]:
    """Every line of the organization's parts of the orders its producers work on (the order queue's),
    oldest first, optionally of orders placed within `period`."""
    analytics.require_viewer(session, user, organization)
    assert organization.id is not None
    refunded = analytics.refunded_by_order(organization.id)
    query = (
        sa.select(
            col(Order.id),
            col(Order.created_at),
            col(Order.status),
            col(Fulfillment.status),
            col(User.name),
            col(Fulfillment.delivery_method),
            col(OrderLine.title),
            col(OrderLine.quantity),
            col(OrderLine.unit),
            col(OrderLine.unit_price_cents),
            col(OrderLine.total_cents),
            col(Fulfillment.subtotal_cents),
            col(Fulfillment.delivery_cents),
            col(Fulfillment.platform_fee_cents),
            func.coalesce(refunded.c.refunded, 0),
        )
        .select_from(OrderLine)
        .join(Fulfillment, col(Fulfillment.id) == OrderLine.fulfillment_id)
        .join(Order, col(Order.id) == Fulfillment.order_id)
        .join(User, col(User.id) == Order.buyer_id)
        .outerjoin(refunded, refunded.c.order_id == Fulfillment.order_id)
        .where(
            col(Fulfillment.organization_id) == organization.id,
            col(Order.status).in_(ACTIVE_ORDER_STATUSES),
        )
        .order_by(col(Order.id), col(OrderLine.id))
    )
    if period and (start := period.start()):
        query = query.where(col(Order.created_at) >= start)
    if period and (end := period.end()):
        query = query.where(col(Order.created_at) < end)
    return [OrderLineRow(*row) for row in session.execute(query).all()]


@dataclass(frozen=True)
class Movement:
    created_at: datetime
    kind: str
    order_id: int | None
    amount_cents: int  # what it added to what the platform owes the organization (negative: took off)
    reference: str | None
    balance_cents: int  # what the platform owed after it


def movements(session: Session, user: User, organization: Organization) -> list[Movement]:
    """The organization's account with the platform, oldest first, with the running balance."""
    analytics.require_viewer(session, user, organization)
    entries = session.exec(
        select(LedgerEntry)
        .where(LedgerEntry.account == ledger.PAYABLE, LedgerEntry.organization_id == organization.id)
        .order_by(col(LedgerEntry.created_at), col(LedgerEntry.id))
    ).all()
    result, running = [], 0
    for entry in entries:
        running -= entry.amount_cents  # a credit on producer_payable is money owed to the organization
        result.append(
            Movement(
                entry.created_at, entry.kind, entry.order_id, -entry.amount_cents, entry.reference, running
            )
        )
    return result
