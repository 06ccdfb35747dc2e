"""Checkout with atomic stock reservation, the fulfillment state machine, and expiry of unpaid orders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlmodel import Session, col, select

from market.accounts.confirmation import require_confirmed
from market.accounts.models import User
from market.admin import audit
from market.catalog import service as catalog
from market.catalog.models import Listing, PriceTier
from market.config import Settings
from market.db import utcnow
from market.disputes import holds
from market.errors import (
    ChangedMeanwhile,
    Forbidden,
    InsufficientStock,
    InvalidTransition,
    ListingNotFound,
    NotFound,
    SoldOut,
    StepNotForDelivery,
    TooManyUnpaidOrders,
    ValidationFailed,
)
from market.i18n import N_
from market.impact.profile import producer_profile
from market.ledger import service as ledger
from market.linking import buyers
from market.linking.models import BuyerMembership
from market.money import apply_bps
from market.orders import notifications
from market.orders.limits import minimum_order_message
from market.orders.models import Fulfillment, FulfillmentEvent, Order, OrderLine
from market.orders.schemas import Checkout
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.outbox import search_changed
from market.payments import methods as payment_methods
from market.payments import service as payments

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


# Orders whose fulfillments the producers work on: paid, or on terms that let the work start first.
ACTIVE_ORDER_STATUSES = ("paid", "invoiced", "pay_at_pickup")
DEFERRED_PAYMENT = {"invoice": "invoiced", "cash_on_pickup": "pay_at_pickup"}


def delivery_fee(organization: Organization, method: str) -> int:
    return {
        "pickup": 0,
        "delivery": organization.delivery_fee_cents,
        "national": organization.shipping_fee_cents,
    }[method]


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
    lines = [line for line in lines if line.listing_id is not None]  # quoted lines held no stock
    for line in lines:
        session.execute(
            update(Listing)
            .where(col(Listing.id) == line.listing_id, col(Listing.stock).is_not(None))
            .values(stock=col(Listing.stock) + line.quantity, updated_at=utcnow())
        )
    search_changed(session, listing_ids=[line.listing_id for line in lines if line.listing_id])


def checkout(
    session: Session, settings: Settings, buyer: User, data: Checkout, seen: frozenset[int] = frozenset()
) -> Order:
    """Create the order, one fulfillment per organization and the lines, reserving the stock. Any
    failure raises before the caller commits, so nothing is half-written and no unit stays taken. A listing
    no longer for sale is named only if the buyer `seen` it (it is in the cart); to anyone else it is the
    404 of an unknown id, so that a draft's title cannot be fished out by id."""
    assert buyer.id is not None
    require_confirmed(buyer)
    if data.payment_method not in payment_methods.available(session, settings, buyer):
        raise ValidationFailed({"payment_method": N_("Esa forma de pago no está disponible para ti.")})
    if data.payment_method in payment_methods.RESERVATION:
        refuse_hoarding(session, settings, buyer)
    ids = [item.listing_id for item in data.items]
    found, tiers = load_for_pricing(session, ids)

    errors: dict[str, str] = {}
    organizations_by_id: dict[int, Organization] = {}
    by_org: dict[int, list[tuple[Listing, int, int]]] = defaultdict(list)
    for n, item in enumerate(data.items):
        if item.listing_id not in found:
            raise ListingNotFound()
        listing, org = found[item.listing_id]
        if not catalog.is_purchasable(listing, org):
            if item.listing_id not in seen:
                raise ListingNotFound()
            raise ListingNotFound(
                N_("«{title}» ya no está a la venta; quítalo para continuar."),
                title=listing.title,
            )
        if item.quantity < listing.minimum_order:
            errors[f"items.{n}.quantity"] = minimum_order_message(listing)
            continue
        method = data.delivery.get(org.id or 0, "pickup")
        if method == "delivery" and data.delivery_state is None:
            errors["delivery_state"] = N_("Elige el estado donde quieres la entrega local.")
            continue
        if not _offers(listing, method, data.delivery_state):
            errors[f"delivery.{org.id}"] = (
                N_("Esta organización no entrega en ese estado.")
                if method == "delivery"
                else N_("Esta organización no ofrece esa forma de entrega.")
            )
            continue
        if data.payment_method == "cash_on_pickup" and method != "pickup":
            errors[f"delivery.{org.id}"] = N_(
                "Para pagar en efectivo al recoger, elige recoger con el productor."
            )
            continue
        organizations_by_id[org.id or 0] = org
        by_org[org.id or 0].append(
            (listing, item.quantity, unit_price(listing, tiers[listing.id or 0], item.quantity))
        )
    ordered_from = {org.id or 0 for _listing, org in found.values()}
    delivers = any(data.delivery.get(org_id, "pickup") != "pickup" for org_id in ordered_from)
    if delivers and (data.ship_to is None or len(data.ship_to) < 10):
        errors["ship_to"] = N_("Escribe la dirección de entrega: calle, número, colonia, CP y municipio.")
    if errors:
        raise ValidationFailed(errors)

    # Row locks are taken in listing-id order, so two checkouts can never deadlock each other.
    for listing, quantity, _price in sorted(
        (x for lines in by_org.values() for x in lines), key=lambda x: x[0].id or 0
    ):
        _reserve(session, listing, quantity)

    parts = [
        PartDraft(
            organization_id=organization_id,
            delivery_method=data.delivery.get(organization_id, "pickup"),
            delivery_cents=delivery_fee(
                organizations_by_id[organization_id], data.delivery.get(organization_id, "pickup")
            ),
            lines=[
                LineDraft(listing.id, listing.title, listing.unit, price, quantity)
                for listing, quantity, price in lines
            ],
        )
        for organization_id, lines in by_org.items()
    ]
    order = place_order(
        session,
        settings,
        buyer,
        data.payment_method,
        parts,
        ship_to=data.ship_to,
        contact_phone=data.contact_phone,
        reserved_until=(
            utcnow() + payment_methods.RESERVATION[data.payment_method]
            if data.payment_method in payment_methods.RESERVATION
            else None
        ),
        buyer_organization_id=None if data.personal else buyers.buying_for(session, buyer),
    )
    search_changed(session, listing_ids=ids)  # stock changed: "in stock" may have too
    return order


def refuse_hoarding(session: Session, settings: Settings, buyer: User) -> None:
    """At most `max_unpaid_orders` orders per buyer hold stock with no money yet: awaiting payment, or
    cash on pickup with a part its producer has not accepted. The buyer's row is locked first (a no-op
    UPDATE), so two checkouts of one buyer at once count one after the other."""
    session.execute(update(User).where(col(User.id) == buyer.id).values(id=col(User.id)))
    unaccepted = select(Fulfillment.order_id).where(Fulfillment.status == "pending_acceptance")
    count = session.exec(
        select(func.count())
        .select_from(Order)
        .where(
            Order.buyer_id == buyer.id,
            or_(
                col(Order.status) == "awaiting_payment",
                and_(col(Order.status) == "pay_at_pickup", col(Order.id).in_(unaccepted)),
            ),
        )
    ).one()
    if count >= settings.max_unpaid_orders:
        raise TooManyUnpaidOrders(count=count)


@dataclass(frozen=True)
class LineDraft:
    listing_id: int | None  # None for what was quoted rather than listed
    title: str
    unit: str
    unit_price_cents: int
    quantity: int


@dataclass(frozen=True)
class PartDraft:
    organization_id: int
    delivery_method: str
    delivery_cents: int
    lines: list[LineDraft]


def place_order(
    session: Session,
    settings: Settings,
    buyer: User,
    payment_method: str,
    parts: list[PartDraft],
    *,
    ship_to: str | None = None,
    contact_phone: str | None = None,
    reserved_until: datetime | None = None,
    **fields: Any,
) -> Order:
    """Write an order, one fulfillment per producer and its lines (whatever was reserved is the caller's
    business). On cash on pickup or invoice terms the producers may start before the money arrives."""
    assert buyer.id is not None
    order = Order(
        buyer_id=buyer.id,
        payment_method=payment_method,
        ship_to=ship_to,
        contact_phone=contact_phone,
        subtotal_cents=0,
        delivery_cents=0,
        total_cents=0,
        platform_fee_cents=0,
        reserved_until=reserved_until,
        **fields,
    )
    session.add(order)
    session.flush()
    assert order.id is not None
    fulfillments: list[Fulfillment] = []
    for part in parts:
        subtotal = sum(line.quantity * line.unit_price_cents for line in part.lines)
        fulfillment = Fulfillment(
            order_id=order.id,
            organization_id=part.organization_id,
            delivery_method=part.delivery_method,
            subtotal_cents=subtotal,
            delivery_cents=part.delivery_cents,
            platform_fee_cents=apply_bps(subtotal, settings.platform_fee_bps),
            **producer_profile(session.get_one(Organization, part.organization_id)),
        )
        session.add(fulfillment)
        session.flush()
        assert fulfillment.id is not None
        session.add(
            FulfillmentEvent(fulfillment_id=fulfillment.id, to_status="awaiting_payment", actor_id=buyer.id)
        )
        for line in part.lines:
            session.add(
                OrderLine(
                    fulfillment_id=fulfillment.id,
                    listing_id=line.listing_id,
                    title=line.title,
                    unit=line.unit,
                    unit_price_cents=line.unit_price_cents,
                    quantity=line.quantity,
                    total_cents=line.quantity * line.unit_price_cents,
                )
            )
        order.subtotal_cents += fulfillment.subtotal_cents
        order.delivery_cents += fulfillment.delivery_cents
        order.platform_fee_cents += fulfillment.platform_fee_cents
        fulfillments.append(fulfillment)
    order.total_cents = order.subtotal_cents + order.delivery_cents
    if payment_method in DEFERRED_PAYMENT:
        order.status = DEFERRED_PAYMENT[payment_method]
        for fulfillment in fulfillments:
            transition(session, fulfillment, "pending_acceptance", buyer)
        if order.status == "invoiced":
            order.payment_due_at = utcnow() + timedelta(days=settings.invoice_days)
            ledger.record_invoice(session, order, fulfillments)
    return order


def transition(
    session: Session,
    fulfillment: Fulfillment,
    target: str,
    actor: User | None,
    note: str | None = None,
    by_producer: bool = False,
) -> Fulfillment:
    """Move a fulfillment along its state machine and record the step; anything else is a 409."""
    if target not in TRANSITIONS.get(fulfillment.status, frozenset()):
        raise InvalidTransition(current=fulfillment.status, target=target)
    assert fulfillment.id is not None
    current = fulfillment.status  # the UPDATE below also changes the row in memory
    _compare_and_set(session, Fulfillment, fulfillment.id, current, target)
    session.add(
        FulfillmentEvent(
            fulfillment_id=fulfillment.id,
            from_status=current,
            to_status=target,
            actor_id=actor.id if actor else None,
            note=note,
        )
    )
    fulfillment.status = target
    fulfillment.updated_at = utcnow()
    by = "producer" if by_producer else "buyer" if actor else None  # None: the marketplace itself
    notifications.fulfillment_moved(session, fulfillment, current, target, note, by)
    return fulfillment


def _compare_and_set(
    session: Session, model: type[Order] | type[Fulfillment], id_: int, current: str, new: str
) -> None:
    """Move a row from the status this request read to a new one, in one conditional UPDATE. Two requests
    acting on the same order at once (a payment and a cancellation) read the same status; the database
    lets only the first through (row lock on PostgreSQL, one writer at a time on SQLite) and the other
    gets a clear conflict instead of undoing the first."""
    moved = session.execute(
        update(model).where(col(model.id) == id_, col(model.status) == current).values(status=new)
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        raise ChangedMeanwhile()


def hold_order(session: Session, order: Order) -> None:
    """Make sure the order is still as read, and keep it so until commit (a no-op compare-and-set)."""
    _compare_and_set(session, Order, order.id or 0, order.status, order.status)


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
            col(Order.status) == "pay_at_pickup",
            col(Order.reserved_until) < now,
            col(Fulfillment.status) == "pending_acceptance",
        )
        .with_for_update(skip_locked=True)
    ).all()
    for fulfillment in parts:
        transition(
            session,
            fulfillment,
            "cancelled",
            None,
            N_("La organización no confirmó el pedido a tiempo; cancelamos esta parte."),
        )
        _restock(session, lines_of(session, fulfillment))
    return len(parts)


def expire(session: Session, order: Order, note: str) -> None:
    """An unpaid order ends (its reservation ran out, or its voucher expired): the stock comes back."""
    if order.status != "awaiting_payment":
        return
    _compare_and_set(session, Order, order.id or 0, "awaiting_payment", "expired")
    order.status = "expired"
    payments.withdraw(session, order)
    waiting = session.exec(
        select(Fulfillment).where(Fulfillment.order_id == order.id, Fulfillment.status == "awaiting_payment")
    ).all()
    for fulfillment in waiting:  # the buyer may have cancelled some already: their stock is back
        transition(session, fulfillment, "cancelled", None, note)
        _restock(session, lines_of(session, fulfillment))


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
            Fulfillment.status == "delivered",
            col(Fulfillment.updated_at) < now - timedelta(days=settings.complete_after_days),
            ~holds.under_dispute(),  # its money waits for an administrator's decision
        )
        .with_for_update(skip_locked=True)
    ).all()
    for fulfillment in delivered:
        order = session.get(Order, fulfillment.order_id)
        organization = session.get(Organization, fulfillment.organization_id)
        assert order is not None and organization is not None
        transition(session, fulfillment, "completed", None)
        payments.request_transfer(session, order, fulfillment, organization)
        moved += 1
    handed_over = session.exec(
        select(Fulfillment)
        .join(Order, col(Order.id) == Fulfillment.order_id)
        .where(
            col(Fulfillment.status).in_(("shipped", "ready_for_pickup")),
            col(Order.status) != "pay_at_pickup",
            col(Fulfillment.updated_at) < now - timedelta(days=settings.auto_deliver_days),
            ~holds.under_dispute(),  # someone did report a problem
        )
        .with_for_update(skip_locked=True)
    ).all()
    for fulfillment in handed_over:
        transition(
            session,
            fulfillment,
            "delivered",
            None,
            N_("Se da por entregado: nadie reportó problemas."),
        )
        moved += 1
    return moved


# --- who moves a fulfillment -----------------------------------------------------------------------

PRODUCER_STEPS = frozenset({"accepted", "rejected", "preparing", "shipped", "ready_for_pickup"})
BUYER_STEPS = frozenset({"delivered", "completed", "cancelled"})
RELEASES_STOCK = frozenset({"rejected", "cancelled"})
TOO_LONG = {500: N_("Escribe hasta 500 caracteres."), 80: N_("Escribe hasta 80 caracteres.")}
BUYER_MAY_CANCEL = ("awaiting_payment", "pending_acceptance")  # before the producer has started
PRODUCER_MAY_CANCEL = ("accepted", "preparing")  # with a reason; before that it rejects
# How a part reaches its buyer decides its hand-over step: picked up, or on its way (a local delivery
# needs no carrier; national shipping needs the carrier's tracking number).
HAND_OVER = {"pickup": "ready_for_pickup", "delivery": "shipped", "national": "shipped"}


def hands_over_by(step: str, delivery_method: str) -> bool:
    """Whether this hand-over step (or any other step) fits how the part is delivered."""
    return step not in ("shipped", "ready_for_pickup") or HAND_OVER[delivery_method] == step


def bought_by(user: User) -> ColumnElement[bool]:
    """The orders a person acts for as buyer: its own, and those bought for its institutions (awarded
    demands, and colleagues' checkouts that were not personal)."""
    institutions = select(BuyerMembership.buyer_organization_id).where(BuyerMembership.user_id == user.id)
    return or_(col(Order.buyer_id) == user.id, col(Order.buyer_organization_id).in_(institutions))


def acts_for_buyer(session: Session, user: User, order: Order) -> bool:
    if order.buyer_id == user.id:
        return True
    return session.exec(select(Order.id).where(Order.id == order.id, bought_by(user))).first() is not None


def get_fulfillment(session: Session, fulfillment_id: int) -> tuple[Fulfillment, Order]:
    fulfillment = session.get(Fulfillment, fulfillment_id)
    order = session.get(Order, fulfillment.order_id) if fulfillment else None
    if fulfillment is None or order is None:
        raise NotFound()
    return fulfillment, order


def known_fulfillment(session: Session, user: User, fulfillment_id: int) -> tuple[Fulfillment, Order]:
    """The part, for those who may know it exists: whoever acts for the buyer, its producer's members and
    the administrators. Anyone else (another producer of the order too) gets the 404 of an unknown id."""
    fulfillment, order = get_fulfillment(session, fulfillment_id)
    organization = session.get(Organization, fulfillment.organization_id)
    if not (
        user.is_admin
        or acts_for_buyer(session, user, order)
        or (organization is not None and organizations.role_in(session, user, organization))
    ):
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
    """A person moves a fulfillment: the producer's members accept, reject, prepare, hand it over the way
    the buyer chose (ready for pickup, out for local delivery, shipped with a tracking number) and may
    still cancel it with a reason once accepted; the buyer confirms delivery or cancels before the
    producer has started. On cash on pickup the producer confirms the delivery, since that is when it is
    paid."""
    for field, value, limit in (
        ("note", note, 500),
        ("carrier", carrier, 80),
        ("tracking_number", tracking_number, 80),
    ):
        if (
            value and len(value) > limit
        ):  # what a page's form sends unchecked (the API's schema says the same)
            raise ValidationFailed({field: TOO_LONG[limit]})
    fulfillment, order = known_fulfillment(session, user, fulfillment_id)
    # The order first (as a payment does), then the part: whether it is paid decides where money goes back.
    hold_order(session, order)
    organization = session.get(Organization, fulfillment.organization_id)
    assert organization is not None
    producer_steps = PRODUCER_STEPS | ({"delivered"} if order.status == "pay_at_pickup" else set())
    by_producer = target in producer_steps
    cancels_as_producer = target == "cancelled" and fulfillment.status in PRODUCER_MAY_CANCEL
    if cancels_as_producer and organizations.role_in(session, user, organization):
        if not note:
            raise ValidationFailed({"note": N_("Explica a quien compró por qué cancelas.")})
        holds.refuse_if_disputed(session, fulfillment)  # an administrator decides where its money goes
        by_producer = True
    elif by_producer:
        organizations.require_member(session, user, organization)
    elif target in BUYER_STEPS and not acts_for_buyer(session, user, order):
        raise Forbidden(N_("Solo quien compró puede hacer esto."))
    elif target not in BUYER_STEPS or (target == "cancelled" and fulfillment.status not in BUYER_MAY_CANCEL):
        raise InvalidTransition(current=fulfillment.status, target=target)
    if not hands_over_by(target, fulfillment.delivery_method):
        raise StepNotForDelivery()
    if target == "shipped" and fulfillment.delivery_method == "national":
        if not (carrier and tracking_number):
            raise ValidationFailed({"tracking_number": N_("Indica la paquetería y el número de guía.")})
        fulfillment.carrier, fulfillment.tracking_number = carrier, tracking_number
    elif carrier or tracking_number:
        raise ValidationFailed(
            {"tracking_number": N_("Solo un envío por paquetería lleva paquetería y número de guía.")}
        )
    if target == "completed":  # it releases the producer's money, which an open dispute holds
        holds.refuse_if_disputed(session, fulfillment)
    transition(session, fulfillment, target, user, note, by_producer)
    if target in RELEASES_STOCK:
        release(session, order, fulfillment)
    elif target == "delivered" and order.status == "pay_at_pickup":
        ledger.record_cash_sale(session, fulfillment)
    elif target == "completed":
        payments.request_transfer(session, order, fulfillment, organization)
    return fulfillment


def release(session: Session, order: Order, fulfillment: Fulfillment) -> None:
    """A rejected or cancelled fulfillment: its units go back to stock and its share to the buyer. An unpaid
    order whose every part the buyer cancelled is itself cancelled (nothing is left to pay)."""
    _restock(session, lines_of(session, fulfillment))
    if (
        order.status == "awaiting_payment"
        and not session.exec(
            select(Fulfillment.id).where(
                Fulfillment.order_id == order.id, Fulfillment.status == "awaiting_payment"
            )
        ).first()
    ):
        _compare_and_set(session, Order, order.id or 0, "awaiting_payment", "cancelled")
        order.status = "cancelled"
        payments.withdraw(session, order)
    if order.status == "paid":
        ledger.record_refund(session, fulfillment)
        payments.request_refund(
            session, order, fulfillment, fulfillment.subtotal_cents + fulfillment.delivery_cents
        )
    elif order.status == "invoiced":  # the institution simply owes less
        ledger.record_refund(session, fulfillment, ledger.RECEIVABLE)


def mark_paid(
    session: Session, order: Order, actor: User | None, reference: str, received_cents: int | None = None
) -> int:
    """The buyer's money arrived (matched by an administrator, a bank statement or a provider's event):
    the producers may now accept. An invoiced order was already with them; its debt is settled. Returns
    what a provider charged beyond what is still due (the whole amount for an order that expired while
    the buyer paid), which the caller refunds."""
    if order.status == "invoiced":
        _compare_and_set(session, Order, order.id or 0, "invoiced", "paid")
        order.status = "paid"
        ledger.record_invoice_paid(session, order, reference)
        return 0
    if order.status != "awaiting_payment":
        if received_cents is None:
            raise InvalidTransition(current=order.status, target="paid")
        return ledger.record_payment(session, order, [], reference, received_cents)
    _compare_and_set(session, Order, order.id or 0, "awaiting_payment", "paid")
    order.status = "paid"
    order.reserved_until = None
    waiting = list(
        session.exec(
            select(Fulfillment)
            .where(Fulfillment.order_id == order.id, Fulfillment.status == "awaiting_payment")
            .order_by(col(Fulfillment.id))
        )
    )
    for fulfillment in waiting:
        transition(session, fulfillment, "pending_acceptance", actor, N_("Pago recibido."))
    return ledger.record_payment(session, order, waiting, reference, received_cents)


def confirm_offline_payment(session: Session, admin: User, order_id: int, reference: str) -> Order:
    """An administrator matched the buyer's SPEI transfer (or an institution paid its invoice)."""
    audit.require_admin(admin)
    reference = reference.strip()
    if not 4 <= len(reference) <= 40:  # the bank's tracking key is what ties the money to this order
        raise ValidationFailed({"reference": N_("Escribe la referencia del pago (de 4 a 40 caracteres).")})
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound()
    if order.payment_method not in ("spei_transfer", "invoice"):
        raise InvalidTransition(current=order.status, target="paid")
    amount = payments.amount_due(session, order)
    mark_paid(session, order, admin, reference)
    audit.record(
        session,
        admin,
        "order.payment_confirmed",
        "order",
        order.id or 0,
        f"TS{order.id or 0:08d}",  # the payment reference the buyer was given
        amount_cents=amount,
        reference=reference,
    )
    return order
