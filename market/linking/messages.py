"""Conversations: one thread per demand and producer, between the institution and that producer only; and
one per fulfillment, between the buyer and the producer of that part of the order."""

from __future__ import annotations

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.errors import NotFound
from market.linking import buyers, demands, notifications
from market.linking.models import Demand, Message
from market.orders.fulfillment import acts_for_buyer, get_fulfillment
from market.orders.models import Fulfillment, Order
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.organizations.people import members_of


def counterpart(session: Session, slug: str) -> Organization:
    """The producer of a demand's thread; an unknown slug is the same 404 as a thread one may not read."""
    organization = session.exec(select(Organization).where(Organization.slug == slug)).first()
    if organization is None:
        raise NotFound()
    return organization


def _side(session: Session, user: User, demand: Demand, organization: Organization) -> str:
    """'buyer' or 'producer': who is writing in this thread. To anyone else it does not exist (404): another
    producer must not learn whom the institution talks with."""
    if buyers.is_member(session, user, buyers.get(session, demand.buyer_organization_id)):
        return "buyer"
    if organizations.role_in(session, user, organization) and demands.may_quote_as(
        session, demand, organization
    ):
        return "producer"
    raise NotFound()


def thread(
    session: Session, user: User, demand: Demand, organization: Organization
) -> list[tuple[Message, User]]:
    _side(session, user, demand, organization)
    rows = session.exec(
        select(Message, User)
        .join(User, col(User.id) == Message.author_id)
        .where(Message.demand_id == demand.id, Message.organization_id == organization.id)
        .order_by(col(Message.id))
    ).all()
    return [(message, author) for message, author in rows]


def post(session: Session, user: User, demand: Demand, organization: Organization, body: str) -> Message:
    side = _side(session, user, demand, organization)
    message = Message(
        demand_id=demand.id, organization_id=organization.id, author_id=user.id or 0, body=body.strip()
    )
    session.add(message)
    recipients = (
        members_of(session, organization.id)
        if side == "buyer"
        else notifications.buyer_members(session, demand.buyer_organization_id)
    )
    notifications.message_posted(session, demand, recipients, user)
    return message


def _fulfillment_side(session: Session, user: User, fulfillment_id: int) -> tuple[str, Fulfillment, Order]:
    fulfillment, order = get_fulfillment(session, fulfillment_id)
    organization = session.get(Organization, fulfillment.organization_id)
    assert organization is not None
    if acts_for_buyer(session, user, order):  # the buyer, or a colleague at its institution
        return "buyer", fulfillment, order
    if organizations.role_in(session, user, organization):
        return "producer", fulfillment, order
    raise NotFound()


def fulfillment_thread(session: Session, user: User, fulfillment_id: int) -> list[tuple[Message, User]]:
    """The conversation about one producer's part of an order, between its buyer and that producer.
    Administrators read it too (a dispute is judged on what was said)."""
    if not user.is_admin:
        _fulfillment_side(session, user, fulfillment_id)
    rows = session.exec(
        select(Message, User)
        .join(User, col(User.id) == Message.author_id)
        .where(Message.fulfillment_id == fulfillment_id)
        .order_by(col(Message.id))
    ).all()
    return [(message, author) for message, author in rows]


def post_on_fulfillment(session: Session, user: User, fulfillment_id: int, body: str) -> Message:
    side, fulfillment, order = _fulfillment_side(session, user, fulfillment_id)
    message = Message(fulfillment_id=fulfillment.id, author_id=user.id or 0, body=body.strip())
    session.add(message)
    buyer = session.get(User, order.buyer_id)
    assert buyer is not None
    recipients = members_of(session, fulfillment.organization_id) if side == "buyer" else [buyer]
    notifications.order_message_posted(session, order, recipients, user)
    return message


def thread_organizations(session: Session, user: User, demand: Demand) -> list[Organization]:
    """The producers the institution is talking with about this demand (quoting or not), for its members."""
    buyers.require_member(session, user, buyers.get(session, demand.buyer_organization_id))
    return list(
        session.exec(
            select(Organization)
            .where(
                col(Organization.id).in_(
                    select(Message.organization_id).where(Message.demand_id == demand.id).distinct()
                )
            )
            .order_by(col(Organization.name))
        ).all()
    )
