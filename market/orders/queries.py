"""Reading orders: who may see which, in the shape pages and the API show them, what each person may do
next, and the labels of every state."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.db import rows_by_id, written_here
from market.errors import Forbidden, NotFound
from market.i18n import N_
from market.orders.fulfillment import (
    ACTIVE_ORDER_STATUSES,
    PRODUCER_MAY_CANCEL,
    PRODUCER_STEPS,
    TRANSITIONS,
    acts_for_buyer,
    bought_by,
    get_fulfillment,
    hands_over_by,
)
from market.orders.models import (
    OUT_FOR_DELIVERY,
    Fulfillment,
    FulfillmentEvent,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
    awaiting_bank_transfer,
)
from market.orders.schemas import FulfillmentPublic, OrderPublic
from market.organizations import service as organizations
from market.organizations.models import Organization

STEP_LABELS: dict[str, str] = {  # what the producer's buttons say
    FulfillmentStatus.DELIVERED: "Entregado y cobrado",
    FulfillmentStatus.ACCEPTED: "Aceptar",
    FulfillmentStatus.PREPARING: "Empezar a preparar",
    FulfillmentStatus.READY_FOR_PICKUP: "Listo para recoger",
    FulfillmentStatus.SHIPPED: "Marcar como enviado",
    "out_for_delivery": OUT_FOR_DELIVERY,
    FulfillmentStatus.REJECTED: "Rechazar",
    FulfillmentStatus.CANCELLED: "Cancelar esta parte",
}


def orders_of(session: Session, buyer: User) -> list[Order]:
    """What this person bought, and what was bought for the institutions it belongs to, newest first."""
    return list(session.exec(select(Order).where(bought_by(buyer)).order_by(col(Order.id).desc())).all())


def visible_order(session: Session, user: User, order_id: int) -> Order:
    """The buyer (or its institution), the administrators and the members of a producer in the order may
    see it."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound()
    if user.is_admin or acts_for_buyer(session, user, order):
        return order
    for fulfillment in session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).all():
        organization = session.get(Organization, fulfillment.organization_id)
        if organization and organizations.role_in(session, user, organization):
            return order
    raise NotFound()


def part_of_order(session: Session, order_id: int, fulfillment_id: int) -> tuple[Fulfillment, Order]:
    """The part named in a path under its order (/pedidos/{order_id}/partes/{fulfillment_id}): a part of
    another order is not found there, like an unknown one. Who may see or act on it is the service's own
    check."""
    fulfillment, order = get_fulfillment(session, fulfillment_id)
    if order.id != order_id:
        raise NotFound()
    return fulfillment, order


def view_of(session: Session, user: User, order: Order) -> OrderPublic:
    """The one way an order is shown to a person, on every page, response and export: the buyer (or its
    institution) and administrators see it whole; a producer's member sees only its own parts, with
    totals made of them alone (the order's totals, less its own, would give away what the others charge).
    """
    public = to_public(session, order)
    if user.is_admin or acts_for_buyer(session, user, order):
        return public
    own = {
        f.organization_id
        for f in public.fulfillments
        if organizations.role_in(session, user, session.get(Organization, f.organization_id))  # type: ignore[arg-type]
    }
    return part_of(public, own)


def part_of(public: OrderPublic, organization_ids: set[int]) -> OrderPublic:
    """The order as these producers see it: their parts and what those parts add up to."""
    parts = [f for f in public.fulfillments if f.organization_id in organization_ids]
    subtotal = sum(f.subtotal_cents for f in parts)
    delivery = sum(f.delivery_cents for f in parts)
    return public.model_copy(
        update={
            "fulfillments": parts,
            "subtotal_cents": subtotal,
            "delivery_cents": delivery,
            "total_cents": subtotal + delivery,
        }
    )


def to_public(session: Session, order: Order) -> OrderPublic:
    return to_public_all(session, [order])[0]


def to_public_all(session: Session, orders: Sequence[Order]) -> list[OrderPublic]:
    """Orders as shown, read in at most five queries whatever their number (parts, timelines, lines,
    producers and buyers, the last two only if the session does not hold them), not a few per part."""
    fulfillments, events, lines = _parts_of(session, orders)
    producers = rows_by_id(session, Organization, {f.organization_id for f in fulfillments})
    buyers = rows_by_id(session, User, {order.buyer_id for order in orders})
    parts: dict[int, list[FulfillmentPublic]] = defaultdict(list)
    for fulfillment in fulfillments:
        producer = producers[fulfillment.organization_id]
        parts[fulfillment.order_id].append(
            FulfillmentPublic.model_validate(
                fulfillment.model_dump()
                | {
                    "lines": lines[fulfillment.id or 0],
                    "timeline": events[fulfillment.id or 0],
                    "organization_name": producer.name,
                    "organization_slug": producer.slug,
                }
            )
        )
    return [
        OrderPublic.model_validate(
            order.model_dump()
            | {
                "fulfillments": parts[order.id or 0],
                "buyer_name": buyers[order.buyer_id].name,
                "buyer_email": buyers[order.buyer_id].email,
            }
        )
        for order in orders
    ]


def _parts_of(
    session: Session, orders: Sequence[Order]
) -> tuple[list[Fulfillment], dict[int, list[FulfillmentEvent]], dict[int, list[OrderLine]]]:
    """The orders' parts, and each part's events and lines, in id order: from what this request wrote when
    it placed the one order shown (its checkout's answer), else read."""
    order_ids = {order.id for order in orders}
    written = written_here(session, orders[0]) if len(orders) == 1 else None
    if written is not None:
        fulfillments = [r for r in written if isinstance(r, Fulfillment) and r.order_id in order_ids]
        part_ids = {f.id for f in fulfillments}
        found_events = [
            r for r in written if isinstance(r, FulfillmentEvent) and r.fulfillment_id in part_ids
        ]
        found_lines = [r for r in written if isinstance(r, OrderLine) and r.fulfillment_id in part_ids]
    else:
        fulfillments = list(session.exec(select(Fulfillment).where(col(Fulfillment.order_id).in_(order_ids))))
        part_ids = {f.id for f in fulfillments}
        found_events = list(
            session.exec(select(FulfillmentEvent).where(col(FulfillmentEvent.fulfillment_id).in_(part_ids)))
        )
        found_lines = list(session.exec(select(OrderLine).where(col(OrderLine.fulfillment_id).in_(part_ids))))
    events: dict[int, list[FulfillmentEvent]] = defaultdict(list)
    for event in sorted(found_events, key=lambda e: e.id or 0):
        events[event.fulfillment_id].append(event)
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    for line in sorted(found_lines, key=lambda line: line.id or 0):
        lines[line.fulfillment_id].append(line)
    return sorted(fulfillments, key=lambda f: f.id or 0), events, lines


def queue_of(session: Session, user: User, organization: Organization) -> list[OrderPublic]:
    """The organization's paid orders, newest first, for its members (each order shows only its part)."""
    organizations.require_member(session, user, organization)
    rows = session.exec(
        select(Order)
        .join(Fulfillment, col(Fulfillment.order_id) == Order.id)
        .where(Fulfillment.organization_id == organization.id, col(Order.status).in_(ACTIVE_ORDER_STATUSES))
        .order_by(col(Order.id).desc())
    ).all()
    return [part_of(public, {organization.id or 0}) for public in to_public_all(session, rows)]


def producer_steps(order: OrderPublic, fulfillment: FulfillmentPublic) -> list[FulfillmentStatus]:
    """The next steps a producer may take, in the order the page offers them (on cash on pickup, the
    producer also records the handover, when it is paid)."""
    allowed = set(PRODUCER_STEPS)
    if order.status == OrderStatus.PAY_AT_PICKUP:
        allowed.add(FulfillmentStatus.DELIVERED)
    if fulfillment.status in PRODUCER_MAY_CANCEL:
        allowed.add(FulfillmentStatus.CANCELLED)
    return [
        s
        for s in (
            FulfillmentStatus.ACCEPTED,
            FulfillmentStatus.PREPARING,
            FulfillmentStatus.READY_FOR_PICKUP,
            FulfillmentStatus.SHIPPED,
            FulfillmentStatus.DELIVERED,
            FulfillmentStatus.REJECTED,
            FulfillmentStatus.CANCELLED,
        )
        if s in TRANSITIONS.get(fulfillment.status, frozenset())
        and s in allowed
        and hands_over_by(s, fulfillment.delivery_method)
    ]


def step_label(step: str, fulfillment: FulfillmentPublic) -> str:
    """What a producer's button says (Spanish source text): a local delivery goes out, it is not shipped."""
    if step == FulfillmentStatus.SHIPPED and fulfillment.delivery_method == "delivery":
        return OUT_FOR_DELIVERY
    return STEP_LABELS[step]


BUYER_STEP_LABELS: dict[str, str] = {
    FulfillmentStatus.DELIVERED: "Ya lo recibí",
    FulfillmentStatus.CANCELLED: "Cancelar esta parte",
}


BUYER_DONE: dict[str, str] = {
    FulfillmentStatus.DELIVERED: "Gracias: anotamos que ya lo recibiste.",
    FulfillmentStatus.CANCELLED: "Cancelamos esa parte del pedido.",
}


def buyer_steps(order: OrderPublic, fulfillment: FulfillmentPublic) -> list[FulfillmentStatus]:
    steps = []
    handed_over = (FulfillmentStatus.SHIPPED, FulfillmentStatus.READY_FOR_PICKUP)
    if fulfillment.status in handed_over and order.status != OrderStatus.PAY_AT_PICKUP:
        steps.append(FulfillmentStatus.DELIVERED)
    if fulfillment.status in (FulfillmentStatus.AWAITING_PAYMENT, FulfillmentStatus.PENDING_ACCEPTANCE):
        steps.append(FulfillmentStatus.CANCELLED)
    return steps


def awaiting_payment(session: Session, admin: User) -> list[tuple[Order, User]]:
    """Orders whose offline payment an administrator still has to match, oldest first."""
    if not admin.is_admin:
        raise Forbidden(N_("Solo el equipo de administración puede hacer esto."))
    rows = session.exec(
        select(Order, User)
        .join(User, col(User.id) == Order.buyer_id)
        .where(awaiting_bank_transfer())
        .order_by(col(Order.id))
    ).all()
    return [(order, buyer) for order, buyer in rows]
