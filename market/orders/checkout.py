"""Placing an order: checkout of a cart (validation, refusal of hoarding, stock reserved in one conditional
UPDATE per listing), and `place_order`, which writes an order from drafts of its parts (checkout's, or an
awarded demand's)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from market.accounts.confirmation import require_confirmed
from market.accounts.models import User
from market.catalog import service as catalog
from market.catalog.models import Listing, ListingStatus
from market.config import Settings
from market.db import rows_by_id, utcnow
from market.errors import (
    InsufficientStock,
    ListingNotFound,
    SoldOut,
    TooManyUnpaidOrders,
    ValidationFailed,
)
from market.i18n import N_
from market.impact.profile import producer_profile
from market.invoicing import receivers
from market.ledger import service as ledger
from market.linking import buyers
from market.money import apply_bps
from market.orders import notifications
from market.orders.fulfillment import transition
from market.orders.limits import minimum_order_message
from market.orders.models import (
    Fulfillment,
    FulfillmentEvent,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
)
from market.orders.pricing import delivery_fee, load_for_pricing, unit_price
from market.orders.schemas import Checkout
from market.organizations.models import Organization
from market.outbox import search_changed
from market.payments import methods as payment_methods

PERSONAL_ON_CREDIT = N_(
    "La factura a crédito es para compras de tu institución; una compra personal se paga al hacer el pedido."
)

# Payment terms on which the producers may start before the money arrives, and the order's status on them.
DEFERRED_PAYMENT = {"invoice": OrderStatus.INVOICED, "cash_on_pickup": OrderStatus.PAY_AT_PICKUP}


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
    if listing.stock >= quantity:  # as this checkout read it; the UPDATE decides (a sale meanwhile)
        taken = session.execute(
            update(Listing)
            .where(
                col(Listing.id) == listing.id,
                col(Listing.stock) >= quantity,
                col(Listing.status) == ListingStatus.ACTIVE,
            )
            .values(stock=col(Listing.stock) - quantity, updated_at=utcnow())
        )
        if taken.rowcount:  # type: ignore[attr-defined]
            return
        session.refresh(listing)
    available = listing.stock or 0
    if available == 0:
        raise SoldOut(title=listing.title)
    raise InsufficientStock(available=available, unit=listing.unit, title=listing.title)


def checkout(
    session: Session, settings: Settings, buyer: User, data: Checkout, seen: frozenset[int] = frozenset()
) -> Order:
    """Create the order, one fulfillment per organization and the lines, reserving the stock. Any
    failure raises before the caller commits, so nothing is half-written and no unit stays taken. A listing
    no longer for sale is named only if the buyer `seen` it (it is in the cart); to anyone else it is the
    404 of an unknown id, so that a draft's title cannot be fished out by id."""
    assert buyer.id is not None
    require_confirmed(buyer)
    if not payment_methods.allows(session, settings, buyer, data.payment_method):
        raise ValidationFailed({"payment_method": N_("Esa forma de pago no está disponible para ti.")})
    if data.personal and data.payment_method == "invoice":  # credit is the institution's, not the person's
        raise ValidationFailed({"payment_method": PERSONAL_ON_CREDIT})
    if data.payment_method in payment_methods.RESERVATION:
        refuse_hoarding(session, settings, buyer)
    buyer_organization_id = None if data.personal else buyers.buying_for(session, buyer)
    if data.fiscal is not None:
        receivers.check_at_checkout(data.fiscal, buyer_organization_id)
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
        buyer_organization_id=buyer_organization_id,
    )
    if data.fiscal is not None:  # its parts are invoiced to the buyer as they are paid
        receivers.give(session, buyer, order, data.fiscal)
    search_changed(session, listing_ids=ids)  # stock changed: "in stock" may have too
    # The units last: every buyer of a popular listing waits on its row lock until this transaction ends,
    # so nothing else is written while it is held. In listing-id order, so two checkouts never deadlock.
    for listing, quantity, _price in sorted(
        (x for lines in by_org.values() for x in lines), key=lambda x: x[0].id or 0
    ):
        _reserve(session, listing, quantity)
    return order


def refuse_hoarding(session: Session, settings: Settings, buyer: User) -> None:
    """At most `max_unpaid_orders` orders per buyer hold stock with no money yet: awaiting payment, or
    cash on pickup with a part its producer has not accepted. The buyer's row is locked first (a no-op
    UPDATE), so two checkouts of one buyer at once count one after the other."""
    lock = update(User).where(col(User.id) == buyer.id).values(id=col(User.id))
    # Nothing changes: the buyer's loaded row stays as it is (the ORM would otherwise expire and re-read it).
    session.execute(lock.execution_options(synchronize_session=False))
    unaccepted = select(Fulfillment.order_id).where(
        Fulfillment.status == FulfillmentStatus.PENDING_ACCEPTANCE
    )
    count = session.exec(
        select(func.count())
        .select_from(Order)
        .where(
            Order.buyer_id == buyer.id,
            or_(
                col(Order.status) == OrderStatus.AWAITING_PAYMENT,
                and_(col(Order.status) == OrderStatus.PAY_AT_PICKUP, col(Order.id).in_(unaccepted)),
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
    business). On cash on pickup or invoice terms the producers may start before the money arrives. The buyer
    is sent the order with how to pay it."""
    assert buyer.id is not None
    subtotals = [sum(line.quantity * line.unit_price_cents for line in part.lines) for part in parts]
    fees = [apply_bps(subtotal, settings.platform_fee_bps) for subtotal in subtotals]
    delivery = sum(part.delivery_cents for part in parts)
    order = Order(
        buyer_id=buyer.id,
        payment_method=payment_method,
        ship_to=ship_to,
        contact_phone=contact_phone,
        subtotal_cents=sum(subtotals),
        delivery_cents=delivery,
        total_cents=sum(subtotals) + delivery,
        platform_fee_cents=sum(fees),
        reserved_until=reserved_until,
        **fields,
    )
    session.add(order)
    session.flush()
    assert order.id is not None
    producers = rows_by_id(session, Organization, {part.organization_id for part in parts})
    fulfillments = [
        Fulfillment(
            order_id=order.id,
            organization_id=part.organization_id,
            delivery_method=part.delivery_method,
            subtotal_cents=subtotal,
            delivery_cents=part.delivery_cents,
            platform_fee_cents=fee,
            **producer_profile(producers[part.organization_id]),
        )
        for part, subtotal, fee in zip(parts, subtotals, fees, strict=True)
    ]
    session.add_all(fulfillments)
    session.flush()  # one INSERT for all the parts, which gives their ids to their lines and events
    lines = [
        [
            OrderLine(
                fulfillment_id=fulfillment.id or 0,
                listing_id=line.listing_id,
                title=line.title,
                unit=line.unit,
                unit_price_cents=line.unit_price_cents,
                quantity=line.quantity,
                total_cents=line.quantity * line.unit_price_cents,
            )
            for line in part.lines
        ]
        for part, fulfillment in zip(parts, fulfillments, strict=True)
    ]
    session.add_all(line for part_lines in lines for line in part_lines)
    placed = FulfillmentStatus.AWAITING_PAYMENT
    session.add_all(
        FulfillmentEvent(fulfillment_id=f.id or 0, to_status=placed, actor_id=buyer.id) for f in fulfillments
    )
    if payment_method in DEFERRED_PAYMENT:
        order.status = DEFERRED_PAYMENT[payment_method]
        for fulfillment in fulfillments:
            transition(session, fulfillment, FulfillmentStatus.PENDING_ACCEPTANCE, buyer)
        if order.status == OrderStatus.INVOICED:
            order.payment_due_at = utcnow() + timedelta(days=settings.invoice_days)
            ledger.record_invoice(session, order, fulfillments)
    written = [(f, producers[f.organization_id], ls) for f, ls in zip(fulfillments, lines, strict=True)]
    notifications.order_placed(session, settings, order, written)
    return order
