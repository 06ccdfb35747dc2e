"""Checkout with atomic stock reservation, the fulfillment state machine, and expiry of unpaid orders."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.catalog.models import Listing, PriceTier
from market.config import Settings
from market.db import utcnow
from market.errors import InsufficientStock, InvalidTransition, ListingNotFound, SoldOut, ValidationFailed
from market.i18n import N_
from market.money import apply_bps
from market.orders.models import Fulfillment, FulfillmentEvent, Order, OrderLine
from market.orders.schemas import Checkout
from market.organizations.models import Organization
from market.outbox import search_changed

# How long an unpaid order holds its stock, by payment method.
RESERVATION = {
    "card": timedelta(minutes=30),
    "spei_transfer": timedelta(hours=72),
    "cash_on_pickup": timedelta(days=7),
}
TRANSITIONS: dict[str, frozenset[str]] = {
    "awaiting_payment": frozenset({"pending_acceptance", "cancelled"}),
    "pending_acceptance": frozenset({"accepted", "rejected", "cancelled"}),
    "accepted": frozenset({"preparing", "cancelled"}),
    "preparing": frozenset({"shipped", "ready_for_pickup", "cancelled"}),
    "shipped": frozenset({"delivered"}),
    "ready_for_pickup": frozenset({"delivered"}),
    "delivered": frozenset({"completed"}),
    "completed": frozenset(),
    "rejected": frozenset(),
    "cancelled": frozenset(),
}


def unit_price(listing: Listing, tiers: list[PriceTier], quantity: int) -> int:
    """The price of each unit for this quantity: the deepest volume tier reached, else the list price."""
    reached = [t.unit_price_cents for t in tiers if t.min_quantity <= quantity]
    return min(reached, default=listing.price_cents)


def _offers(listing: Listing, method: str, buyer_state: str | None) -> bool:
    if method == "pickup":
        return listing.pickup
    if method == "national":
        return listing.national_shipping
    return buyer_state is not None and buyer_state in listing.delivery_states


def _reserve(session: Session, listing: Listing, quantity: int) -> None:
    """Take `quantity` units in one conditional UPDATE: of two buyers racing for the last units, the
    database lets exactly one through (row lock on PostgreSQL, one writer at a time on SQLite)."""
    if listing.stock is None:  # made to order
        return
    taken = session.execute(
        update(Listing)
        .where(col(Listing.id) == listing.id, col(Listing.stock) >= quantity, col(Listing.status) == "active")
        .values(stock=col(Listing.stock) - quantity, updated_at=utcnow())
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        session.refresh(listing)
        available = listing.stock or 0
        if available == 0:
            raise SoldOut(title=listing.title)
        raise InsufficientStock(available=available, unit=listing.unit, title=listing.title)


def _restock(session: Session, lines: list[OrderLine]) -> None:
    for line in lines:
        session.execute(
            update(Listing)
            .where(col(Listing.id) == line.listing_id, col(Listing.stock).is_not(None))
            .values(stock=col(Listing.stock) + line.quantity, updated_at=utcnow())
        )
    search_changed(session, listing_ids=[line.listing_id for line in lines])


def checkout(session: Session, settings: Settings, buyer: User, data: Checkout) -> Order:
    """Create the order, one fulfillment per organization and the lines, reserving the stock. Any
    failure raises before the caller commits, so nothing is half-written and no unit stays taken."""
    assert buyer.id is not None
    ids = [item.listing_id for item in data.items]
    rows = session.exec(
        select(Listing, Organization)
        .join(Organization, col(Organization.id) == Listing.organization_id)
        .where(col(Listing.id).in_(ids))
        .order_by(col(Listing.id))  # always the same order of row locks: no deadlock between checkouts
    ).all()
    found = {listing.id: (listing, org) for listing, org in rows}
    tiers: dict[int, list[PriceTier]] = defaultdict(list)
    for tier in session.exec(select(PriceTier).where(col(PriceTier.listing_id).in_(ids))).all():
        tiers[tier.listing_id].append(tier)

    errors: dict[str, str] = {}
    by_org: dict[int, list[tuple[Listing, int, int]]] = defaultdict(list)
    for n, item in enumerate(data.items):
        if item.listing_id not in found:
            raise ListingNotFound()
        listing, org = found[item.listing_id]
        if listing.status != "active" or not org.is_public:
            raise ListingNotFound()
        if item.quantity < listing.minimum_order:
            errors[f"items.{n}.quantity"] = N_("El pedido mínimo de este producto es mayor.")
            continue
        method = data.delivery.get(org.id or 0, "pickup")
        if not _offers(listing, method, data.delivery_state):
            errors[f"delivery.{org.id}"] = N_("Esta organización no ofrece esa forma de entrega.")
            continue
        by_org[org.id or 0].append(
            (listing, item.quantity, unit_price(listing, tiers[listing.id or 0], item.quantity))
        )
    if errors:
        raise ValidationFailed(errors)

    for listing, quantity, _price in sorted(
        (x for lines in by_org.values() for x in lines), key=lambda x: x[0].id or 0
    ):
        _reserve(session, listing, quantity)

    order = Order(
        buyer_id=buyer.id,
        payment_method=data.payment_method,
        subtotal_cents=0,
        delivery_cents=0,
        total_cents=0,
        platform_fee_cents=0,
        reserved_until=utcnow() + RESERVATION[data.payment_method],
    )
    session.add(order)
    session.flush()
    assert order.id is not None
    for organization_id, lines in by_org.items():
        subtotal = sum(quantity * price for _listing, quantity, price in lines)
        fulfillment = Fulfillment(
            order_id=order.id,
            organization_id=organization_id,
            delivery_method=data.delivery.get(organization_id, "pickup"),
            subtotal_cents=subtotal,
            delivery_cents=0,
            platform_fee_cents=apply_bps(subtotal, settings.platform_fee_bps),
        )
        session.add(fulfillment)
        session.flush()
        assert fulfillment.id is not None
        session.add(
            FulfillmentEvent(fulfillment_id=fulfillment.id, to_status="awaiting_payment", actor_id=buyer.id)
        )
        for listing, quantity, price in lines:
            session.add(
                OrderLine(
                    fulfillment_id=fulfillment.id,
                    listing_id=listing.id or 0,
                    title=listing.title,
                    unit=listing.unit,
                    unit_price_cents=price,
                    quantity=quantity,
                    total_cents=quantity * price,
                )
            )
        order.subtotal_cents += fulfillment.subtotal_cents
        order.delivery_cents += fulfillment.delivery_cents
        order.platform_fee_cents += fulfillment.platform_fee_cents
    order.total_cents = order.subtotal_cents + order.delivery_cents
    search_changed(session, listing_ids=ids)  # stock changed: "in stock" may have too
    return order


def transition(
    session: Session, fulfillment: Fulfillment, target: str, actor: User | None, note: str | None = None
) -> Fulfillment:
    """Move a fulfillment along its state machine and record the step; anything else is a 409."""
    if target not in TRANSITIONS.get(fulfillment.status, frozenset()):
        raise InvalidTransition(current=fulfillment.status, target=target)
    assert fulfillment.id is not None
    session.add(
        FulfillmentEvent(
            fulfillment_id=fulfillment.id,
            from_status=fulfillment.status,
            to_status=target,
            actor_id=actor.id if actor else None,
            note=note,
        )
    )
    fulfillment.status = target
    fulfillment.updated_at = utcnow()
    return fulfillment


def lines_of(session: Session, fulfillment: Fulfillment) -> list[OrderLine]:
    return list(session.exec(select(OrderLine).where(OrderLine.fulfillment_id == fulfillment.id)).all())


def expire_unpaid(session: Session, now: datetime | None = None) -> int:
    """Unpaid orders past their reservation expire: their fulfillments are cancelled, the stock returns."""
    now = now or utcnow()
    orders = session.exec(
        select(Order)
        .where(Order.status == "awaiting_payment", col(Order.reserved_until) < now)
        .with_for_update(skip_locked=True)
    ).all()
    for order in orders:
        order.status = "expired"
        for fulfillment in session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).all():
            transition(session, fulfillment, "cancelled", None, N_("La reserva venció sin pago."))
            _restock(session, lines_of(session, fulfillment))
    return len(orders)
