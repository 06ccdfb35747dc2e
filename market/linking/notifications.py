"""E-mail of the linking domain: each message a kind of its own (market.mail.kinds), queued for each
recipient, who reads it in their language."""

from __future__ import annotations

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.linking.models import BuyerMembership, BuyerOrganization, Demand
from market.mail import kinds
from market.mail.queue import send_each
from market.orders.models import Order
from market.organizations.models import Organization
from market.organizations.people import members_of
from market.urls import path_for


def buyer_members(session: Session, buyer_organization_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(BuyerMembership, col(BuyerMembership.user_id) == User.id)
            .where(BuyerMembership.buyer_organization_id == buyer_organization_id)
        ).all()
    )


def _demand_page(demand: Demand) -> str:
    return path_for("linking.demand_page", demand_id=demand.id)


def demand_for_you(session: Session, demand: Demand, organization: Organization) -> None:
    buyer = session.get(BuyerOrganization, demand.buyer_organization_id)
    assert buyer is not None
    send_each(
        session,
        kinds.DEMAND_FOR_YOU,
        members_of(session, organization.id),
        link=_demand_page(demand),
        title=demand.title,
        buyer=buyer.name,
        organization=organization.name,
        quantity=demand.quantity,
        unit=demand.unit,
        deadline=demand.quote_deadline,
    )


def quote_received(session: Session, demand: Demand, organization: Organization) -> None:
    send_each(
        session,
        kinds.QUOTE_RECEIVED,
        buyer_members(session, demand.buyer_organization_id),
        link=_demand_page(demand),
        title=demand.title,
        organization=organization.name,
    )


def award_decided(session: Session, demand: Demand, organization_id: int, awarded: bool) -> None:
    send_each(
        session,
        kinds.AWARD_DECIDED,
        members_of(session, organization_id),
        link=_demand_page(demand),
        title=demand.title,
        awarded=awarded,
    )


def schedule_changed(
    session: Session, demand: Demand, organization_id: int, change: str, **details: object
) -> None:
    """An awarded producer told of a change to the deliveries (paused, resumed, skipped, quantity, ended),
    with its own quantity per delivery from now on."""
    send_each(
        session,
        kinds.SCHEDULE_CHANGED,
        members_of(session, organization_id),
        link=_demand_page(demand) + "#entregas",
        title=demand.title,
        change=change,
        unit=demand.unit,
        **details,
    )


def order_message_posted(session: Session, order: Order, recipients: list[User], author: User) -> None:
    send_each(
        session,
        kinds.NEW_MESSAGE,
        recipients,
        link=path_for("orders.order_page", order_id=order.id),
        author=author.name,
        order_id=order.id,
        title=None,
    )


def message_posted(session: Session, demand: Demand, recipients: list[User], author: User) -> None:
    send_each(
        session,
        kinds.NEW_MESSAGE,
        recipients,
        link=_demand_page(demand),
        author=author.name,
        order_id=None,
        title=demand.title,
    )


def award_approval_requested(
    session: Session, demand: Demand, approvers: list[User], proposer: User, total_cents: int
) -> None:
    buyer = session.get(BuyerOrganization, demand.buyer_organization_id)
    assert buyer is not None
    send_each(
        session,
        kinds.AWARD_APPROVAL_REQUESTED,
        approvers,
        link=_demand_page(demand) + "#aprobacion",
        title=demand.title,
        proposer=proposer.name,
        institution=buyer.name,
        total_cents=total_cents,
    )


def award_approval_decided(
    session: Session, demand: Demand, proposer: User, decider: User, approved: bool, reason: str | None
) -> None:
    send_each(
        session,
        kinds.AWARD_APPROVAL_DECIDED,
        [proposer],
        link=_demand_page(demand),
        title=demand.title,
        approved=approved,
        decider=decider.name,
        reason=reason,
        purchase_order=demand.purchase_order,
    )
