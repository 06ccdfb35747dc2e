"""The producer dashboard's figures (sales by month, best sellers, work waiting, balance, ratings), and who
may see them. Read-only: each figure is one aggregate query. The CSV exports are `exports`.

A sale counts in the month the ledger recorded it (payment, invoice or cash on pickup), in Mexico City
time, at what the buyer paid for the organization's part; refunds come off in the month they were made.
An order has at most one part per organization, so (order, organization) names a fulfillment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func
from sqlalchemy.sql import ColumnElement, Subquery
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.db import utcnow
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.mexico import MEXICO_CITY
from market.orders.models import Fulfillment, FulfillmentStatus, OrderLine
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.payments import service as payments
from market.reviews import queries as reviews
from market.reviews.schemas import RatingSummary

MONTHS = 12
SALE_KINDS = ("payment", "invoice", "cash_sale")  # the postings that record a part as sold
# Parts waiting on the producer: to accept, to prepare, to hand over or confirm.
PENDING_STATUSES = (
    FulfillmentStatus.PENDING_ACCEPTANCE,
    FulfillmentStatus.ACCEPTED,
    FulfillmentStatus.PREPARING,
    FulfillmentStatus.READY_FOR_PICKUP,
    FulfillmentStatus.SHIPPED,
)


@dataclass(frozen=True)
class MonthSales:
    month: date  # its first day
    sales_cents: int  # what buyers paid, net of refunds
    producer_cents: int  # the organization's share of it
    fee_cents: int  # the platform's commission on it
    refunded_cents: int  # what went back to buyers this month (already taken off the three above)


@dataclass(frozen=True)
class TopListing:
    listing_id: int | None  # None for what was quoted on a demand
    title: str
    unit: str
    units: int
    revenue_cents: int


@dataclass(frozen=True)
class PendingCount:
    status: FulfillmentStatus
    count: int


@dataclass(frozen=True)
class BalanceSummary:
    balance_cents: int  # what the platform owes the organization
    available_cents: int  # the part of it from completed deliveries
    payable_now_cents: int  # what may be sent by SPEI now (Stripe transfers on their way excluded)


@dataclass(frozen=True)
class Dashboard:
    months: list[MonthSales]  # oldest first, the current month last
    top_listings: list[TopListing]
    pending: list[PendingCount]
    balance: BalanceSummary
    ratings: RatingSummary  # the same summary as the organization's public page

    @property
    def sales_cents(self) -> int:
        return sum(m.sales_cents for m in self.months)

    @property
    def producer_cents(self) -> int:
        return sum(m.producer_cents for m in self.months)

    @property
    def fee_cents(self) -> int:
        return sum(m.fee_cents for m in self.months)

    @property
    def refunded_cents(self) -> int:
        return sum(m.refunded_cents for m in self.months)

    @property
    def pending_count(self) -> int:
        return sum(p.count for p in self.pending)


# --- who may see the figures -----------------------------------------------------------------------


def viewable(session: Session, user: User, slug: str) -> Organization:
    """The organization, for its members and the administrators (unknown slug, or one not public: 404;
    anyone else: 403)."""
    organization = organizations.get_visible(session, slug, user)
    require_viewer(session, user, organization)
    return organization


def require_viewer(session: Session, user: User, organization: Organization) -> None:
    if not user.is_admin:
        organizations.require_member(session, user, organization)


# --- the dashboard ---------------------------------------------------------------------------------


def dashboard(
    session: Session, user: User, organization: Organization, now: datetime | None = None
) -> Dashboard:
    require_viewer(session, user, organization)
    assert organization.id is not None
    months = last_months(now or utcnow())
    return Dashboard(
        months=sales_by_month(session, organization.id, months),
        top_listings=top_listings(session, organization.id, month_start(months[0])),
        pending=pending(session, organization.id),
        balance=BalanceSummary(
            balance_cents=ledger.balance(session, organization.id),
            available_cents=payments.available_balance(session, organization.id),
            payable_now_cents=payments.payable_now(session, organization),
        ),
        ratings=reviews.summary_of_organization(session, organization.id),
    )


def last_months(now: datetime, count: int = MONTHS) -> list[date]:
    """The first days of the last `count` months in Mexico City, oldest first, ending with now's month."""
    local = now.astimezone(MEXICO_CITY)
    index = local.year * 12 + local.month - 1
    return [date((i // 12), i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def month_start(month: date) -> datetime:
    return datetime.combine(month, time(), MEXICO_CITY)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_index(moment: Any, months: list[date]) -> ColumnElement[int]:
    """Which of `months` a UTC timestamp column falls in (local month boundaries, computed here so the
    query is the same on SQLite and PostgreSQL, daylight saving time or not)."""
    whens = [(moment < month_start(m), i) for i, m in enumerate(months[1:])]
    return case(*whens, else_=len(months) - 1)


def _within(moment: Any, months: list[date]) -> ColumnElement[bool]:
    return and_(moment >= month_start(months[0]), moment < month_start(_next_month(months[-1])))


def _sale_postings(organization_id: int) -> list[ColumnElement[bool]]:
    return [
        col(LedgerEntry.organization_id) == organization_id,
        col(LedgerEntry.account) == ledger.PAYABLE,
        col(LedgerEntry.kind).in_(SALE_KINDS),
    ]


def _part_of_entry() -> ColumnElement[bool]:
    return and_(
        col(Fulfillment.order_id) == LedgerEntry.order_id,
        col(Fulfillment.organization_id) == LedgerEntry.organization_id,
    )


def sales_by_month(session: Session, organization_id: int, months: list[date]) -> list[MonthSales]:
    # The sale postings give the month; the part gives what the buyer paid (a cash sale posts only the fee).
    sold = (
        select(
            _month_index(col(LedgerEntry.created_at), months).label("month"),
            (col(Fulfillment.subtotal_cents) + col(Fulfillment.delivery_cents)).label("gross"),
            col(Fulfillment.platform_fee_cents).label("fee"),
        )
        .join(Fulfillment, _part_of_entry())
        .where(*_sale_postings(organization_id), _within(col(LedgerEntry.created_at), months))
        .subquery()
    )
    sales = {
        month: (int(gross), int(fee))
        for month, gross, fee in session.exec(
            select(sold.c.month, func.sum(sold.c.gross), func.sum(sold.c.fee)).group_by(sold.c.month)
        ).all()
    }
    # A refund debits the producer's share and the fee back, in proportion for a partial one.
    refunded = (
        select(
            _month_index(col(LedgerEntry.created_at), months).label("month"),
            col(LedgerEntry.account).label("account"),
            col(LedgerEntry.amount_cents).label("amount"),
        )
        .where(
            col(LedgerEntry.organization_id) == organization_id,
            col(LedgerEntry.kind) == "refund",
            col(LedgerEntry.account).in_((ledger.PAYABLE, ledger.FEES)),
            _within(col(LedgerEntry.created_at), months),
        )
        .subquery()
    )
    refunds: dict[tuple[int, str], int] = {
        (month, account): int(amount)
        for month, account, amount in session.exec(
            select(refunded.c.month, refunded.c.account, func.sum(refunded.c.amount)).group_by(
                refunded.c.month, refunded.c.account
            )
        ).all()
    }
    result = []
    for i, month in enumerate(months):
        gross, fee = sales.get(i, (0, 0))
        share_back, fee_back = refunds.get((i, ledger.PAYABLE), 0), refunds.get((i, ledger.FEES), 0)
        result.append(
            MonthSales(
                month=month,
                sales_cents=gross - share_back - fee_back,
                producer_cents=gross - fee - share_back,
                fee_cents=fee - fee_back,
                refunded_cents=share_back + fee_back,
            )
        )
    return result


def refunded_by_order(organization_id: int) -> Subquery:
    """What went back to buyers of each of the organization's parts (by order): share and fee together."""
    return (
        select(
            col(LedgerEntry.order_id).label("order_id"),
            func.sum(LedgerEntry.amount_cents).label("refunded"),
        )
        .where(
            col(LedgerEntry.organization_id) == organization_id,
            col(LedgerEntry.kind) == "refund",
            col(LedgerEntry.account).in_((ledger.PAYABLE, ledger.FEES)),
        )
        .group_by(col(LedgerEntry.order_id))
        .subquery()
    )


def top_listings(
    session: Session, organization_id: int, since: datetime, limit: int = 10
) -> list[TopListing]:
    """Best sellers by revenue (then units) among the parts sold since then and not wholly refunded. Lines
    of one listing count together; quoted lines (no listing) by their title."""
    sold = (
        select(Fulfillment.id)
        .join(LedgerEntry, _part_of_entry())
        .where(*_sale_postings(organization_id), col(LedgerEntry.created_at) >= since)
    )
    refunded = refunded_by_order(organization_id)
    quoted_title = case((col(OrderLine.listing_id).is_(None), col(OrderLine.title)), else_=None)
    revenue, units = func.sum(OrderLine.total_cents), func.sum(OrderLine.quantity)
    rows = session.execute(
        sa.select(col(OrderLine.listing_id), func.max(OrderLine.title), col(OrderLine.unit), units, revenue)
        .join(Fulfillment, col(Fulfillment.id) == OrderLine.fulfillment_id)
        .outerjoin(refunded, refunded.c.order_id == Fulfillment.order_id)
        .where(
            col(Fulfillment.organization_id) == organization_id,
            col(Fulfillment.id).in_(sold),
            func.coalesce(refunded.c.refunded, 0) < Fulfillment.subtotal_cents + Fulfillment.delivery_cents,
        )
        .group_by(col(OrderLine.listing_id), quoted_title, col(OrderLine.unit))
        .order_by(revenue.desc(), units.desc(), func.max(OrderLine.title))
        .limit(limit)
    ).all()
    return [
        TopListing(listing_id=listing_id, title=title, unit=unit, units=int(n), revenue_cents=int(total))
        for listing_id, title, unit, n, total in rows
    ]


def pending(session: Session, organization_id: int) -> list[PendingCount]:
    """Every waiting status, in the order the work goes, zero included."""
    counts = dict(
        session.exec(
            select(Fulfillment.status, func.count())
            .where(
                col(Fulfillment.organization_id) == organization_id,
                col(Fulfillment.status).in_(PENDING_STATUSES),
            )
            .group_by(col(Fulfillment.status))
        ).all()
    )
    return [PendingCount(status, int(counts.get(status, 0))) for status in PENDING_STATUSES]
