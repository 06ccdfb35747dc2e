"""E-mail of the linking domain, in each recipient's language, through the outbox."""

from __future__ import annotations

from sqlmodel import Session, col, select

from market.accounts.models import User
from market.i18n import N_, translations
from market.linking.models import BuyerMembership, BuyerOrganization, Demand
from market.mexico import local_time
from market.orders.models import Order
from market.organizations.models import Membership, Organization
from market.outbox import send_email
from market.urls import path_for

SUBJECT = N_("Demanda «{title}»")
FOR_YOU = N_("{buyer} busca {quantity} {unit} y tu organización puede cotizar hasta el {deadline}.")
QUOTE_RECEIVED = N_("{organization} envió una cotización.")
AWARDED = N_("¡Tu cotización fue elegida! El pedido ya está en tu lista de pedidos.")
NOT_AWARDED = N_("La demanda se adjudicó a otras organizaciones. Gracias por cotizar.")
NEW_MESSAGE = N_("Tienes un mensaje nuevo de {author}.")
ORDER_SUBJECT = N_("Pedido {n}: mensaje nuevo")


def _send(
    session: Session, users: list[User], demand: Demand, news: str, link: str, **values: object
) -> None:
    for user in users:
        t = translations(user.locale).gettext
        send_email(session, user.email, t(SUBJECT).format(title=demand.title), t(news).format(**values), link)


def producer_members(session: Session, organization_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.organization_id == organization_id)
        ).all()
    )


def buyer_members(session: Session, buyer_organization_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(BuyerMembership, col(BuyerMembership.user_id) == User.id)
            .where(BuyerMembership.buyer_organization_id == buyer_organization_id)
        ).all()
    )


def demand_for_you(session: Session, demand: Demand, organization: Organization) -> None:
    buyer = session.get(BuyerOrganization, demand.buyer_organization_id)
    assert buyer is not None
    _send(
        session,
        producer_members(session, organization.id or 0),
        demand,
        FOR_YOU,
        path_for("linking.demand_page", demand_id=demand.id),
        buyer=buyer.name,
        quantity=demand.quantity,
        unit=demand.unit,
        deadline=local_time(demand.quote_deadline),
    )


def quote_received(session: Session, demand: Demand, organization: Organization) -> None:
    _send(
        session,
        buyer_members(session, demand.buyer_organization_id),
        demand,
        QUOTE_RECEIVED,
        path_for("linking.demand_page", demand_id=demand.id),
        organization=organization.name,
    )


def award_decided(session: Session, demand: Demand, organization_id: int, awarded: bool) -> None:
    link = path_for("linking.demand_page", demand_id=demand.id)
    _send(
        session, producer_members(session, organization_id), demand, AWARDED if awarded else NOT_AWARDED, link
    )


def order_message_posted(session: Session, order: Order, recipients: list[User], author: User) -> None:
    for user in recipients:
        t = translations(user.locale).gettext
        subject = t(ORDER_SUBJECT).format(n=order.id)
        send_email(
            session,
            user.email,
            subject,
            t(NEW_MESSAGE).format(author=author.name),
            path_for("orders.order_page", order_id=order.id),
        )


def message_posted(session: Session, demand: Demand, recipients: list[User], author: User) -> None:
    _send(
        session,
        recipients,
        demand,
        NEW_MESSAGE,
        path_for("linking.demand_page", demand_id=demand.id),
        author=author.name,
    )
