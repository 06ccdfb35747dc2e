"""E-mail about disputes, in each recipient's language, through the outbox: the producer's owners and the
administrators hear of a new dispute; the buyer and the producer's owners hear how it was resolved."""

from __future__ import annotations

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.disputes.models import Dispute, DisputeStatus
from market.i18n import N_, translations
from market.money import format_mxn
from market.orders.models import Fulfillment, Order, OrderStatus
from market.organizations.models import Membership, Organization
from market.outbox import send_email
from market.urls import path_for

OPENED_SUBJECT = N_("Pedido {n}: disputa abierta sobre la parte de {organization}")
OPENED_FOR_PRODUCER = N_(
    "Quien compró abrió una disputa sobre su pedido. Su pago queda retenido hasta que el equipo de "
    "administración la resuelva. Esto escribió:"
)
OPENED_FOR_ADMINS = N_("Hay una disputa nueva por resolver. Esto escribió quien compró:")
RESOLVED_SUBJECT = N_("Pedido {n}: se resolvió la disputa sobre la parte de {organization}")
RESOLVED_FOR_BUYER = {
    "refund": N_("Resolvimos tu disputa: te devolvemos {amount}."),
    "refund_invoiced": N_("Resolvimos tu disputa: descontamos {amount} de lo que se debe por este pedido."),
    "release": N_("Resolvimos tu disputa: el pago de esta parte se entrega a la organización."),
}
RESOLVED_FOR_PRODUCER = {
    "refund": N_(
        "Resolvimos la disputa: se devuelven {amount} a quien compró, que se descuentan de tu parte y "
        "de la comisión en proporción."
    ),
    "release": N_("Resolvimos la disputa: el pago de tu parte queda liberado."),
}
RESOLUTION_NOTE = N_("Explicación del equipo de administración:")


def _owners(session: Session, organization: Organization) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.organization_id == organization.id, Membership.role == "owner")
        ).all()
    )


def _admins(session: Session) -> list[User]:
    return list(session.exec(select(User).where(col(User.is_admin).is_(True), col(User.is_active).is_(True))))


def _send(session: Session, user: User, subject: str, lines: list[str], link: str) -> None:
    send_email(session, user.email, subject, "\n\n".join(lines), link)


def opened(session: Session, dispute: Dispute, order: Order, organization: Organization) -> None:
    for owner in _owners(session, organization):
        t = translations(owner.locale).gettext
        subject = t(OPENED_SUBJECT).format(n=order.id, organization=organization.name)
        _send(
            session,
            owner,
            subject,
            [t(OPENED_FOR_PRODUCER), dispute.reason],
            path_for("orders.order_page", order_id=order.id),
        )
    for admin in _admins(session):
        t = translations(admin.locale).gettext
        subject = t(OPENED_SUBJECT).format(n=order.id, organization=organization.name)
        link = path_for("disputes.admin_case", dispute_id=dispute.id)
        _send(session, admin, subject, [t(OPENED_FOR_ADMINS), dispute.reason], link)


def resolved(
    session: Session, dispute: Dispute, order: Order, fulfillment: Fulfillment, organization: Organization
) -> None:
    outcome = "refund" if dispute.status == DisputeStatus.REFUNDED else "release"
    buyer = session.get(User, order.buyer_id)
    assert buyer is not None
    buyer_news = (
        "refund_invoiced" if outcome == "refund" and order.status == OrderStatus.INVOICED else outcome
    )
    news = [
        (
            buyer,
            RESOLVED_FOR_BUYER[buyer_news],
            path_for("disputes.part_page", order_id=order.id, fulfillment_id=fulfillment.id),
        )
    ]
    for owner in _owners(session, organization):
        news.append((owner, RESOLVED_FOR_PRODUCER[outcome], path_for("orders.order_page", order_id=order.id)))
    for user, message, link in news:
        t = translations(user.locale).gettext
        subject = t(RESOLVED_SUBJECT).format(n=order.id, organization=organization.name)
        amount = format_mxn(dispute.refund_cents or 0, user.locale)
        lines = [t(message).format(amount=amount), t(RESOLUTION_NOTE), dispute.resolution or ""]
        _send(session, user, subject, lines, link)
