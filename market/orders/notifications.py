"""E-mail about orders, in each recipient's language, queued in the transaction that makes the news: the
buyer gets the order with what to do next (how to pay, where to pick up) and hears about every move of each
part; each producer's members get their own part of a new order (never another producer's lines, prices or
the order's total) and hear what asks something of them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.catalog.models import Listing
from market.catalog.taxonomy import DELIVERY_LABELS
from market.config import Settings
from market.db import rows_by_id
from market.i18n import N_
from market.mail import kinds, queue
from market.mexico import state_name
from market.orders.models import Fulfillment, FulfillmentStatus, Order, OrderLine, OrderStatus, status_label
from market.organizations.models import Organization
from market.organizations.people import members_of
from market.payments.methods import METHOD_LABELS
from market.urls import path_for

# What the producer's members are told about, besides a new order to accept (kind new_order); the buyer is
# told about every step.
PRODUCER_NEWS: dict[str, str] = {
    FulfillmentStatus.CANCELLED: N_("Este pedido se canceló."),
    FulfillmentStatus.DELIVERED: N_("El pedido se entregó."),
    FulfillmentStatus.COMPLETED: N_("El pedido se completó: su importe ya está disponible en tu saldo."),
}
BUYER_NEWS: dict[str, str] = {
    FulfillmentStatus.PENDING_ACCEPTANCE: N_(
        "Tu pedido llegó a la organización; te avisaremos cuando lo confirme."
    ),
    FulfillmentStatus.ACCEPTED: N_("La organización aceptó tu pedido."),
    FulfillmentStatus.PREPARING: N_("La organización está preparando tu pedido."),
    FulfillmentStatus.SHIPPED: N_("Tu pedido va en camino."),
    FulfillmentStatus.READY_FOR_PICKUP: N_("Tu pedido está listo para recoger."),
    FulfillmentStatus.DELIVERED: N_("Tu pedido se marcó como entregado."),
    FulfillmentStatus.COMPLETED: N_("Tu pedido se completó. ¡Gracias por comprar a la economía social!"),
    FulfillmentStatus.REJECTED: N_("La organización no pudo aceptar tu pedido; te devolvemos su importe."),
    FulfillmentStatus.CANCELLED: N_("Esta parte de tu pedido se canceló."),
}
CANCELLED_BY_BUYER = N_("La persona que compró canceló su pedido.")
CANCELLED_BY_PRODUCER = N_(
    "La organización canceló esta parte de tu pedido. Si ya la pagaste, te devolvemos su importe."
)
# Payment terms on which the parts reach the producers as the order is placed (its own message says so).
PLACED_WITH_THE_PRODUCERS = (OrderStatus.INVOICED, OrderStatus.PAY_AT_PICKUP)


# --- what the messages show ------------------------------------------------------------------------


def _lines(session: Session, fulfillment: Fulfillment) -> list[OrderLine]:
    return list(
        session.exec(
            select(OrderLine).where(OrderLine.fulfillment_id == fulfillment.id).order_by(col(OrderLine.id))
        ).all()
    )


def pickup_place(session: Session, organization: Organization, lines: list[OrderLine]) -> dict[str, Any]:
    """Where a part is picked up, as the producer wrote it: the pickup address of its listings (or the
    organization's address), its municipality and state, and how to reach it."""
    listing_ids = {line.listing_id for line in lines if line.listing_id is not None}
    written = [listing.pickup_address for listing in rows_by_id(session, Listing, listing_ids).values()]
    addresses = sorted({address.strip() for address in written if address and address.strip()})
    if not addresses and organization.address:
        addresses = [organization.address]
    return {
        "addresses": addresses,
        "place": f"{organization.municipality}, {state_name(organization.state)}",
        "hours": organization.pickup_hours,
        "phone": organization.phone,
        "email": organization.contact_email,
    }


def pickup_places(session: Session, fulfillment_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Where and when each of these parts that is picked up is collected, by part id (the order's page)."""
    parts = session.exec(
        select(Fulfillment).where(
            col(Fulfillment.id).in_(fulfillment_ids), Fulfillment.delivery_method == "pickup"
        )
    ).all()
    organizations = rows_by_id(session, Organization, {part.organization_id for part in parts})
    return {
        part.id or 0: pickup_place(session, organizations[part.organization_id], _lines(session, part))
        for part in parts
    }


def part_facts(
    session: Session,
    fulfillment: Fulfillment,
    organization: Organization,
    lines: list[OrderLine] | None = None,
) -> dict[str, Any]:
    """One producer's part: its lines (read unless given) and prices, its delivery and what it adds up to."""
    lines = _lines(session, fulfillment) if lines is None else lines
    return {
        "organization": organization.name,
        "lines": [
            {
                "title": line.title,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price_cents": line.unit_price_cents,
                "total_cents": line.total_cents,
            }
            for line in lines
        ],
        "subtotal_cents": fulfillment.subtotal_cents,
        "delivery_method": fulfillment.delivery_method,
        "delivery": DELIVERY_LABELS[fulfillment.delivery_method],  # Spanish source text
        "delivery_cents": fulfillment.delivery_cents,
        "total_cents": fulfillment.subtotal_cents + fulfillment.delivery_cents,
        "pickup": (
            pickup_place(session, organization, lines) if fulfillment.delivery_method == "pickup" else None
        ),
    }


def how_to_pay(settings: Settings, order: Order) -> dict[str, Any]:
    """What the buyer does next for the chosen way to pay, as the order's page says it."""
    facts: dict[str, Any] = {
        "method": order.payment_method,
        "label": METHOD_LABELS[order.payment_method],  # Spanish source text
        "amount_cents": order.total_cents,
        "reference": order.payment_reference,
        "reserved_until": order.reserved_until,
        "due_at": order.payment_due_at,
    }
    if order.payment_method in ("spei_transfer", "invoice"):
        facts |= {"clabe": settings.platform_clabe, "beneficiary": settings.platform_bank_beneficiary}
    return facts


# --- the messages ----------------------------------------------------------------------------------


def order_placed(
    session: Session,
    settings: Settings,
    order: Order,
    parts: list[tuple[Fulfillment, Organization, list[OrderLine]]],
) -> None:
    """The buyer's copy of the order just placed: every part (with its producer and lines, as just
    written), the total and how to pay it."""
    buyer = session.get(User, order.buyer_id)
    assert buyer is not None and order.id is not None
    queue.send(
        session,
        kinds.ORDER_PLACED,
        buyer,
        link=path_for("orders.order_page", order_id=order.id),
        order={
            "id": order.id,
            "placed_at": order.created_at,
            "purchase_order": order.purchase_order,
            "subtotal_cents": order.subtotal_cents,
            "delivery_cents": order.delivery_cents,
            "total_cents": order.total_cents,
            "ship_to": order.ship_to,
            "contact_phone": order.contact_phone,
            "for_institution": order.buyer_organization_id is not None,  # invoiced to the institution
        },
        parts=[part_facts(session, *part) for part in parts],
        payment=how_to_pay(settings, order),
    )


def payment_instructions(
    session: Session, order: Order, amount_cents: int, instructions: dict[str, Any]
) -> None:
    """The provider's voucher (OXXO) or CLABE (Stripe's SPEI) for this order, once the provider made it."""
    buyer = session.get(User, order.buyer_id)
    assert buyer is not None and order.id is not None
    expires = instructions.get("expires_at")  # Stripe's Unix time
    if isinstance(expires, int):
        instructions = instructions | {"expires_at": datetime.fromtimestamp(expires, UTC)}
    queue.send(
        session,
        kinds.PAYMENT_INSTRUCTIONS,
        buyer,
        link=path_for("orders.order_page", order_id=order.id),
        order_id=order.id,
        amount_cents=amount_cents,
        instructions=instructions,
    )


def _new_order(session: Session, order: Order, fulfillment: Fulfillment, organization: Organization) -> None:
    """A part to accept, to each member of its producer: only this part's lines, prices and sums."""
    buyer = session.get(User, order.buyer_id)
    assert buyer is not None
    context = {
        "order": {
            "id": order.id,
            "placed_at": order.created_at,
            "purchase_order": order.purchase_order,
            "paid": order.status == OrderStatus.PAID,
            "payment_method": order.payment_method,  # unpaid: on invoice terms, or cash on pickup
            "accept_by": order.reserved_until if order.status == OrderStatus.PAY_AT_PICKUP else None,
            "buyer": buyer.name,
            "contact_phone": order.contact_phone,
            "ship_to": order.ship_to if fulfillment.delivery_method != "pickup" else None,
        },
        "part": part_facts(session, fulfillment, organization)
        | {
            "you_receive_cents": fulfillment.subtotal_cents
            + fulfillment.delivery_cents
            - fulfillment.platform_fee_cents
        },
    }
    link = path_for("orders.producer_queue", slug=organization.slug)
    queue.send_each(session, kinds.NEW_ORDER, members_of(session, organization.id), link=link, **context)


def fulfillment_moved(
    session: Session, fulfillment: Fulfillment, current: str, target: str, note: str | None, by: str | None
) -> None:
    """Tell who needs to know, and only who was told of the order: a producer hears nothing of an order
    that ends before it was paid (it never heard of it), nor of its own cancellation. An order placed on
    invoice terms or cash on pickup reaches the producers at once; its buyer already has it in the order's
    own message."""
    order = session.get(Order, fulfillment.order_id)
    organization = session.get(Organization, fulfillment.organization_id)
    buyer = session.get(User, order.buyer_id) if order else None
    assert order is not None and organization is not None and buyer is not None
    if target == FulfillmentStatus.PENDING_ACCEPTANCE:
        _new_order(session, order, fulfillment, organization)
        if order.status in PLACED_WITH_THE_PRODUCERS:
            return
    producer_news = PRODUCER_NEWS.get(target)
    buyer_news = BUYER_NEWS.get(target)
    if target == FulfillmentStatus.CANCELLED:
        if by == "producer":
            buyer_news, producer_news = CANCELLED_BY_PRODUCER, None
        elif current == FulfillmentStatus.AWAITING_PAYMENT:
            producer_news = None
        elif by == "buyer":  # otherwise the marketplace cancelled it, and the note says why
            producer_news = CANCELLED_BY_BUYER
    about: dict[str, Any] = {
        "order_id": order.id,
        "organization": organization.name,
        "note": note,
        "step": status_label(target, fulfillment.delivery_method),  # the news, in the subject too
    }
    if buyer_news:
        handed_over: dict[str, Any] = {"tracking": None, "pickup": None}
        if target == FulfillmentStatus.SHIPPED and fulfillment.tracking_number:
            handed_over["tracking"] = {"carrier": fulfillment.carrier, "number": fulfillment.tracking_number}
        if target == FulfillmentStatus.READY_FOR_PICKUP:
            handed_over["pickup"] = pickup_place(session, organization, _lines(session, fulfillment))
        queue.send(
            session,
            kinds.ORDER_NEWS,
            buyer,
            link=path_for("orders.order_page", order_id=order.id),
            news=buyer_news,
            **about,
            **handed_over,
        )
    if producer_news:
        link = path_for("orders.producer_queue", slug=organization.slug)
        queue.send_each(
            session,
            kinds.PART_NEWS,
            members_of(session, organization.id),
            link=link,
            news=producer_news,
            **about,
        )
