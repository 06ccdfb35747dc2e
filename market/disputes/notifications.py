"""E-mail about disputes (kind DISPUTE_NEWS), each recipient in their language: the producer's owners and the
administrators hear of a new dispute; the buyer and the producer's owners hear how it was resolved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.disputes.models import Dispute, DisputeStatus
from market.mail import kinds
from market.mail.queue import send_each
from market.orders.models import Fulfillment, Order, OrderStatus
from market.organizations.models import Organization
from market.organizations.people import owners_of
from market.urls import path_for


def _admins(session: Session) -> list[User]:
    return list(session.exec(select(User).where(col(User.is_admin).is_(True), col(User.is_active).is_(True))))


def opened(session: Session, dispute: Dispute, order: Order, organization: Organization) -> None:
    news = {
        "event": "opened",
        "order_id": order.id,
        "organization": organization.name,
        "reason": dispute.reason,
    }
    news |= {"outcome": None, "amount_cents": None, "note": None}
    _tell_producer(session, order, organization, news)
    send_each(
        session,
        kinds.DISPUTE_NEWS,
        _admins(session),
        link=path_for("disputes.admin_case", dispute_id=dispute.id),
        audience="admin",
        **news,
    )


def resolved(
    session: Session, dispute: Dispute, order: Order, fulfillment: Fulfillment, organization: Organization
) -> None:
    refunded = dispute.status == DisputeStatus.REFUNDED
    news = {"event": "resolved", "order_id": order.id, "organization": organization.name, "reason": None}
    news |= {"amount_cents": dispute.refund_cents or 0, "note": dispute.resolution or ""}
    buyer = session.get(User, order.buyer_id)
    assert buyer is not None
    send_each(
        session,
        kinds.DISPUTE_NEWS,
        [buyer],
        link=path_for("disputes.part_page", order_id=order.id, fulfillment_id=fulfillment.id),
        audience="buyer",
        # An order still on invoice terms has nothing to give back: the amount comes off what is owed.
        outcome=("refund_invoiced" if order.status == OrderStatus.INVOICED else "refund")
        if refunded
        else "release",
        **news,
    )
    _tell_producer(session, order, organization, news | {"outcome": "refund" if refunded else "release"})


def _tell_producer(
    session: Session, order: Order, organization: Organization, news: Mapping[str, Any]
) -> None:
    link = path_for("orders.order_page", order_id=order.id)
    send_each(
        session,
        kinds.DISPUTE_NEWS,
        owners_of(session, organization.id),
        link=link,
        audience="producer",
        **news,
    )
