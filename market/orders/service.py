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
from market.errors import (
    Forbidden,
    InsufficientStock,
    InvalidTransition,
    ListingNotFound,
    NotFound,
    SoldOut,
    ValidationFailed,
)
from market.i18n import N_
from market.ledger import service as ledger
from market.money import apply_bps
from market.orders.models import Fulfillment, FulfillmentEvent, Order, OrderLine
from market.orders.schemas import Checkout, FulfillmentPublic, OrderPublic
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.outbox import search_changed

# How long an unpaid order holds its stock, by payment method.
RESERVATION = {
    "card": timedelta(minutes=30),
    "spei_transfer": timedelta(hours=72),
    "cash_on_pickup": timedelta(days=7),
}
ORDER_STATUS_LABELS = {
    "awaiting_payment": "Esperando pago",
    "paid": "Pagado",
    "expired": "Vencido",
    "cancelled": "Cancelado",
}
FULFILLMENT_STATUS_LABELS = {
    "awaiting_payment": "Esperando pago",
    "pending_acceptance": "Por aceptar",
    "accepted": "Aceptado",
    "preparing": "En preparación",
    "shipped": "Enviado",
    "ready_for_pickup": "Listo para recoger",
    "delivered": "Entregado",
    "completed": "Completado",
    "rejected": "Rechazado",
    "cancelled": "Cancelado",
}
STEP_LABELS = {  # what the producer's buttons say
    "accepted": "Aceptar",
    "preparing": "Empezar a preparar",
    "ready_for_pickup": "Listo para recoger",
    "shipped": "Marcar como enviado",
    "rejected": "Rechazar",
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


def load_for_pricing(
    session: Session, ids: list[int]
) -> tuple[dict[int, tuple[Listing, Organization]], dict[int, list[PriceTier]]]:
    """Listings with their organizations and volume tiers, in two queries: what pricing needs."""
    rows = session.exec(
        select(Listing, Organization)
        .join(Organization, col(Organization.id) == Listing.organization_id)
        .where(col(Listing.id).in_(ids))
    ).all()
    tiers: dict[int, list[PriceTier]] = defaultdict(list)
    for tier in session.exec(select(PriceTier).where(col(PriceTier.listing_id).in_(ids))).all():
        tiers[tier.listing_id].append(tier)
    return {listing.id or 0: (listing, org) for listing, org in rows}, tiers


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
    found, tiers = load_for_pricing(session, ids)

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

    # Row locks are taken in listing-id order, so two checkouts can never deadlock each other.
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
        waiting = session.exec(
            select(Fulfillment).where(
                Fulfillment.order_id == order.id, Fulfillment.status == "awaiting_payment"
            )
        ).all()
        for fulfillment in waiting:  # the buyer may have cancelled some already: their stock is back
            transition(session, fulfillment, "cancelled", None, N_("La reserva venció sin pago."))
            _restock(session, lines_of(session, fulfillment))
    return len(orders)


# --- who moves a fulfillment -----------------------------------------------------------------------

PRODUCER_STEPS = frozenset({"accepted", "rejected", "preparing", "shipped", "ready_for_pickup"})
BUYER_STEPS = frozenset({"delivered", "completed", "cancelled"})
RELEASES_STOCK = frozenset({"rejected", "cancelled"})


def get_fulfillment(session: Session, fulfillment_id: int) -> tuple[Fulfillment, Order]:
    fulfillment = session.get(Fulfillment, fulfillment_id)
    order = session.get(Order, fulfillment.order_id) if fulfillment else None
    if fulfillment is None or order is None:
        raise NotFound()
    return fulfillment, order


def move(
    session: Session,
    user: User,
    fulfillment_id: int,
    target: str,
    note: str | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> Fulfillment:
    """A person moves a fulfillment: the producer's members accept, reject, prepare and ship; the buyer
    confirms delivery or cancels before the producer has started. Rejected or cancelled lines go back
    to stock."""
    fulfillment, order = get_fulfillment(session, fulfillment_id)
    organization = session.get(Organization, fulfillment.organization_id)
    assert organization is not None
    if target in PRODUCER_STEPS:
        organizations.require_member(session, user, organization)
    elif target in BUYER_STEPS and order.buyer_id != user.id:
        raise Forbidden(N_("Solo quien compró puede hacer esto."))
    elif target not in PRODUCER_STEPS | BUYER_STEPS:
        raise InvalidTransition(current=fulfillment.status, target=target)
    if target == "cancelled" and fulfillment.status not in ("awaiting_payment", "pending_acceptance"):
        raise InvalidTransition(current=fulfillment.status, target=target)
    if target == "shipped":
        if not (carrier and tracking_number):
            raise ValidationFailed({"tracking_number": N_("Indica la paquetería y el número de guía.")})
        fulfillment.carrier, fulfillment.tracking_number = carrier, tracking_number
    transition(session, fulfillment, target, user, note)
    if target in RELEASES_STOCK:
        _restock(session, lines_of(session, fulfillment))
        if order.status == "paid":  # its share goes back to the buyer
            ledger.record_refund(session, fulfillment)
    return fulfillment


def confirm_offline_payment(session: Session, admin: User, order_id: int, reference: str) -> Order:
    """An administrator matched the buyer's SPEI transfer (or cash): the producers may now accept."""
    if not admin.is_admin:
        raise Forbidden(N_("Solo el equipo de administración puede hacer esto."))
    reference = reference.strip()
    if len(reference) < 4:  # the bank's tracking key is what ties the money to this order
        raise ValidationFailed({"reference": N_("Escribe la referencia del pago (al menos 4 caracteres).")})
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound()
    if order.status != "awaiting_payment":
        raise InvalidTransition(current=order.status, target="paid")
    order.status = "paid"
    order.reserved_until = None
    fulfillments = list(session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).all())
    for fulfillment in fulfillments:
        transition(session, fulfillment, "pending_acceptance", admin, reference)
    ledger.record_payment(session, order, fulfillments, reference)
    return order


def orders_of(session: Session, buyer: User) -> list[Order]:
    return list(
        session.exec(select(Order).where(Order.buyer_id == buyer.id).order_by(col(Order.id).desc())).all()
    )


def visible_order(session: Session, user: User, order_id: int) -> Order:
    """The buyer, the administrators and the members of a producer in the order may see it."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound()
    if order.buyer_id == user.id or user.is_admin:
        return order
    for fulfillment in session.exec(select(Fulfillment).where(Fulfillment.order_id == order.id)).all():
        organization = session.get(Organization, fulfillment.organization_id)
        if organization and organizations.role_in(session, user, organization):
            return order
    raise NotFound()


def to_public(session: Session, order: Order) -> OrderPublic:
    fulfillments = session.exec(
        select(Fulfillment).where(Fulfillment.order_id == order.id).order_by(col(Fulfillment.id))
    ).all()
    parts = []
    for fulfillment in fulfillments:
        events = session.exec(
            select(FulfillmentEvent)
            .where(FulfillmentEvent.fulfillment_id == fulfillment.id)
            .order_by(col(FulfillmentEvent.id))
        ).all()
        organization = session.get(Organization, fulfillment.organization_id)
        assert organization is not None
        parts.append(
            FulfillmentPublic.model_validate(
                fulfillment.model_dump()
                | {
                    "lines": lines_of(session, fulfillment),
                    "timeline": list(events),
                    "organization_name": organization.name,
                    "organization_slug": organization.slug,
                }
            )
        )
    return OrderPublic.model_validate(order.model_dump() | {"fulfillments": parts})


def queue_of(session: Session, user: User, organization: Organization) -> list[OrderPublic]:
    """The organization's paid orders, newest first, for its members (each order shows only its part)."""
    organizations.require_member(session, user, organization)
    rows = session.exec(
        select(Order)
        .join(Fulfillment, col(Fulfillment.order_id) == Order.id)
        .where(Fulfillment.organization_id == organization.id, Order.status == "paid")
        .order_by(col(Order.id).desc())
    ).all()
    queue = []
    for order in rows:
        public = to_public(session, order)
        public.fulfillments = [f for f in public.fulfillments if f.organization_id == organization.id]
        queue.append(public)
    return queue


def producer_steps(status: str) -> list[str]:
    """The next steps a producer may take from this status, in the order the page offers them."""
    return [
        s
        for s in ("accepted", "preparing", "ready_for_pickup", "shipped", "rejected")
        if s in TRANSITIONS.get(status, frozenset()) and s in PRODUCER_STEPS
    ]


def awaiting_payment(session: Session, admin: User) -> list[tuple[Order, User]]:
    """Orders whose offline payment an administrator still has to match, oldest first."""
    if not admin.is_admin:
        raise Forbidden(N_("Solo el equipo de administración puede hacer esto."))
    rows = session.exec(
        select(Order, User)
        .join(User, col(User.id) == Order.buyer_id)
        .where(Order.status == "awaiting_payment")
        .order_by(col(Order.id))
    ).all()
    return [(order, buyer) for order, buyer in rows]


def payment_reference(order: Order) -> str:
    """What the buyer writes in the SPEI transfer, so the payment can be matched to the order."""
    return f"TS{order.id or 0:08d}"
