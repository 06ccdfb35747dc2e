"""E-mail for every step of a fulfillment, in each recipient's language, through the outbox: the buyer
hears about every move; the producer's members hear what asks something of them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.i18n import N_, translations
from market.orders.models import Fulfillment, FulfillmentStatus, Order
from market.organizations.models import Membership, Organization
from market.outbox import send_email
from market.urls import path_for

SUBJECT = N_("Pedido {n}: {organization}")
# What the producer's members are told about; the buyer is told about every step.
PRODUCER_NEWS: dict[str, str] = {
    FulfillmentStatus.PENDING_ACCEPTANCE: N_("Tienes un pedido nuevo por aceptar."),
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


def _email(
    session: Session,
    user: User,
    order: Order,
    organization: Organization,
    news: str,
    note: str | None,
    link: str,
) -> None:
    t = translations(user.locale).gettext
    subject = t(SUBJECT).format(n=order.id, organization=organization.name)
    body = t(news) + (f"\n\n{t(note)}" if note else "")
    send_email(session, user.email, subject, body, link)


def fulfillment_moved(
    session: Session, fulfillment: Fulfillment, current: str, target: str, note: str | None, by: str | None
) -> None:
    """Tell who needs to know, and only who was told of the order: a producer hears nothing of an order
    that ends before it was paid (it never heard of it), nor of its own cancellation."""
    order = session.get(Order, fulfillment.order_id)
    organization = session.get(Organization, fulfillment.organization_id)
    buyer = session.get(User, order.buyer_id) if order else None
    assert order is not None and organization is not None and buyer is not None
    producer_news = PRODUCER_NEWS.get(target)
    buyer_news = BUYER_NEWS.get(target)
    if target == FulfillmentStatus.CANCELLED:
        if by == "producer":
            buyer_news, producer_news = CANCELLED_BY_PRODUCER, None
        elif current == FulfillmentStatus.AWAITING_PAYMENT:
            producer_news = None
        elif by == "buyer":  # otherwise the marketplace cancelled it, and the note says why
            producer_news = CANCELLED_BY_BUYER
    if buyer_news:
        _email(
            session,
            buyer,
            order,
            organization,
            buyer_news,
            note,
            path_for("orders.order_page", order_id=order.id),
        )
    if producer_news:
        members = session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.organization_id == organization.id)
        ).all()
        for member in members:
            link = path_for("orders.producer_queue", slug=organization.slug)
            _email(session, member, order, organization, producer_news, note, link)
