"""Reading disputes: who may see one, the part it is about (as the order pages show it), the disputes of
an order page, and the administrators' list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.admin import audit
from market.disputes.models import Dispute, DisputeStatus
from market.disputes.schemas import DisputePublic
from market.disputes.service import of_fulfillment, refusal
from market.errors import NotFound
from market.ledger import service as ledger
from market.orders import queries as order_queries
from market.orders.fulfillment import acts_for_buyer, known_fulfillment
from market.orders.models import Fulfillment, Order
from market.orders.schemas import FulfillmentPublic, OrderPublic
from market.organizations.models import Organization
from market.pagination import Page, paginate


@dataclass
class Case:
    """One part of an order, with its dispute if there is one, and what the person looking may do."""

    order: OrderPublic
    part: FulfillmentPublic
    dispute: Dispute | None
    is_buyer: bool
    full_cents: int  # what the buyer paid for the part: the most a refund can be
    share_cents: int  # what the producer is owed for it now, as the ledger has it

    @property
    def refusal(self) -> str | None:
        """Why a dispute cannot be opened on the part (Spanish source text), or None."""
        return refusal(self.order.status, self.part.status)


def case_of(session: Session, user: User, fulfillment_id: int, order_id: int | None = None) -> Case:
    """The part as the buyer, its producer's members or an administrator see it; anyone else gets 404, as
    does a part of another order than `order_id` (the one in the page's path)."""
    if order_id is not None:
        order_queries.part_of_order(session, order_id, fulfillment_id)
    fulfillment, order = known_fulfillment(session, user, fulfillment_id)
    is_buyer = acts_for_buyer(session, user, order)
    organization = session.get(Organization, fulfillment.organization_id)
    assert organization is not None
    # The part alone, whoever looks: never what the other producers of the order charge.
    public = order_queries.part_of(order_queries.to_public(session, order), {organization.id or 0})
    part = next(f for f in public.fulfillments if f.id == fulfillment.id)
    return Case(
        order=public,
        part=part,
        dispute=of_fulfillment(session, fulfillment_id),
        is_buyer=is_buyer,
        full_cents=fulfillment.subtotal_cents + fulfillment.delivery_cents,
        share_cents=ledger.share_of(session, order.id or 0, organization.id or 0),
    )


def visible(session: Session, user: User, dispute_id: int) -> Case:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound()
    return case_of(session, user, dispute.fulfillment_id)


def to_public(session: Session, dispute: Dispute) -> DisputePublic:
    fulfillment = session.get(Fulfillment, dispute.fulfillment_id)
    assert fulfillment is not None
    return DisputePublic.model_validate(
        dispute.model_dump()
        | {"order_id": fulfillment.order_id, "organization_id": fulfillment.organization_id}
    )


@dataclass
class OrderDisputes:
    """What the order page shows of disputes: each part's dispute, and the parts the buyer may dispute."""

    by_part: dict[int, Dispute] = field(default_factory=dict)
    openable: set[int] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=DisputeStatus.labels)


def on_order(session: Session, order: OrderPublic) -> OrderDisputes:
    ids = [f.id for f in order.fulfillments]
    found = session.exec(select(Dispute).where(col(Dispute.fulfillment_id).in_(ids))).all()
    by_part = {d.fulfillment_id: d for d in found}
    openable = {
        f.id for f in order.fulfillments if f.id not in by_part and refusal(order.status, f.status) is None
    }
    return OrderDisputes(by_part=by_part, openable=openable)


@dataclass
class Row:
    dispute: Dispute
    order_id: int
    organization: Organization
    buyer: User
    full_cents: int


def queue(session: Session, admin: User, page: int = 1, per_page: int = 25) -> Page[Row]:
    """Open disputes first, the oldest on top (the next to decide); then the resolved, newest first."""
    audit.require_admin(admin)
    is_open = col(Dispute.status) == DisputeStatus.OPEN
    query: Any = (  # four entities: more than paginate's annotation spells out
        select(Dispute, Fulfillment, Organization, User)
        .join(Fulfillment, col(Fulfillment.id) == Dispute.fulfillment_id)
        .join(Order, col(Order.id) == Fulfillment.order_id)
        .join(Organization, col(Organization.id) == Fulfillment.organization_id)
        .join(User, col(User.id) == Order.buyer_id)
        .order_by(case((is_open, 0), else_=1), case((is_open, Dispute.id)), col(Dispute.id).desc())
    )
    found = paginate(session, query, page, per_page)
    found.items = [
        Row(dispute, part.order_id, organization, buyer, part.subtotal_cents + part.delivery_cents)
        for dispute, part, organization, buyer in found.items
    ]
    return found
