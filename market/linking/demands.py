"""Demands (requests for quotation): draft → open → closed → awarded | cancelled, who may see them, and the
quotes producers send while they are open."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from market.accounts.confirmation import require_confirmed
from market.accounts.models import User
from market.catalog.units import quantity_text
from market.db import utcnow
from market.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from market.i18n import N_, current_locale
from market.i18n import gettext as _
from market.linking import buyers, notifications
from market.linking.models import (
    ApprovalStatus,
    AwardApproval,
    BuyerOrganization,
    Demand,
    DemandInvitation,
    DemandStatus,
    Quote,
    QuoteStatus,
)
from market.linking.schemas import DemandCreate, QuoteCreate
from market.money import format_mxn
from market.orders.models import Order
from market.organizations import service as organizations
from market.organizations.models import Membership, Organization, VerificationStatus
from market.outbox import enqueue

MATCH_TOPIC = "match_demand"
CANCELLED_REASON = "La demanda se canceló."  # stored as said, in Spanish, as every person's reason


def create(session: Session, user: User, buyer: BuyerOrganization, data: DemandCreate) -> Demand:
    """A draft demand of the institution; invited producers are recorded now (only verified ones)."""
    require_confirmed(user)
    buyers.require_member(session, user, buyer)
    _deadline_ahead(data.quote_deadline)
    if buyer.partida_required and not data.partida_code:
        raise ValidationFailed(
            {"partida_code": N_("Tu institución pide la partida presupuestal de cada demanda, como 2211.")}
        )
    invited_ids = sorted(set(data.invited_organization_ids))
    if data.visibility == "invited" and not invited_ids:
        raise ValidationFailed({"invited_organization_ids": N_("Invita al menos a una organización.")})
    for organization_id in invited_ids:  # all checked before anything is written
        organization = session.get(Organization, organization_id)
        if organization is None or not organization.is_public:
            raise ValidationFailed(
                {"invited_organization_ids": N_("Solo puedes invitar organizaciones verificadas.")}
            )
    fields = data.model_dump(exclude={"invited_organization_ids"})
    demand = Demand(buyer_organization_id=buyer.id or 0, created_by=user.id or 0, **fields)
    session.add(demand)
    session.flush()
    for organization_id in invited_ids:
        session.add(DemandInvitation(demand_id=demand.id or 0, organization_id=organization_id, invited=True))
    return demand


def _deadline_ahead(deadline: datetime) -> None:
    if deadline <= utcnow():
        raise ValidationFailed({"quote_deadline": N_("El cierre de cotizaciones debe ser en el futuro.")})


def open_for_quotes(session: Session, user: User, demand: Demand) -> Demand:
    """Publish the demand; matching and the producers' notices follow through the worker (they need the
    search engine, and must not fail the buyer's request when it is down)."""
    require_confirmed(user)
    buyer = _require_buyer(session, user, demand)
    if buyer.verification_status != VerificationStatus.VERIFIED:  # producers' time is not for unknown senders
        raise Conflict(N_("Tu institución debe estar verificada para publicar demandas."))
    if demand.status != DemandStatus.DRAFT:
        raise InvalidTransition(current=demand.status, target=DemandStatus.OPEN)
    _deadline_ahead(demand.quote_deadline)
    demand.status, demand.opened_at = DemandStatus.OPEN, utcnow()
    enqueue(session, MATCH_TOPIC, {"demand_id": demand.id})
    return demand


def cancel(session: Session, user: User, demand: Demand) -> Demand:
    _require_buyer(session, user, demand)
    if demand.status not in (DemandStatus.DRAFT, DemandStatus.OPEN, DemandStatus.CLOSED):
        raise InvalidTransition(current=demand.status, target=DemandStatus.CANCELLED)
    demand.status = DemandStatus.CANCELLED
    for pending in session.exec(
        select(AwardApproval).where(
            AwardApproval.demand_id == demand.id, AwardApproval.status == ApprovalStatus.PENDING
        )
    ).all():  # an award waiting for approval goes with its demand
        pending.status, pending.decided_by, pending.decided_at = ApprovalStatus.REJECTED, user.id, utcnow()
        pending.reason = CANCELLED_REASON
    return demand


def close_due(session: Session, now: datetime | None = None) -> int:
    """Demands past their quote deadline stop receiving quotes (worker job)."""
    due = session.exec(
        select(Demand).where(
            Demand.status == DemandStatus.OPEN, col(Demand.quote_deadline) <= (now or utcnow())
        )
    ).all()
    for demand in due:
        demand.status = DemandStatus.CLOSED
    return len(due)


# --- who sees what ---------------------------------------------------------------------------------


def _require_buyer(session: Session, user: User, demand: Demand) -> BuyerOrganization:
    buyer = buyers.get(session, demand.buyer_organization_id)
    buyers.require_member(session, user, buyer)
    return buyer


def producer_organizations(session: Session, user: User) -> list[Organization]:
    """The verified producers the person works for: those it may quote as."""
    return list(
        session.exec(
            select(Organization)
            .join(Membership, col(Membership.organization_id) == Organization.id)
            .where(
                Membership.user_id == user.id, Organization.verification_status == VerificationStatus.VERIFIED
            )
            .where(col(Organization.suspended).is_(False))
        ).all()
    )


def invited(session: Session, demand: Demand, organization: Organization) -> bool:
    return (
        session.exec(
            select(DemandInvitation.id).where(
                DemandInvitation.demand_id == demand.id,
                DemandInvitation.organization_id == organization.id,
                col(DemandInvitation.invited).is_(True),
            )
        ).first()
        is not None
    )


def may_quote_as(session: Session, demand: Demand, organization: Organization) -> bool:
    return organization.is_public and (
        demand.visibility == "public" or invited(session, demand, organization)
    )


def visible(session: Session, user: User | None, demand_id: int) -> Demand:
    """The buyer's members see their demands in any state; producers see open (and later) public demands,
    and invited-only ones they were invited to; nobody else learns that a demand exists."""
    demand = session.get(Demand, demand_id)
    if demand is None:
        raise NotFound()
    if user is not None and (
        user.is_admin or buyers.is_member(session, user, buyers.get(session, demand.buyer_organization_id))
    ):
        return demand
    producers = producer_organizations(session, user) if user is not None else []
    if demand.status != DemandStatus.DRAFT and any(may_quote_as(session, demand, org) for org in producers):
        return demand
    raise NotFound()


def open_public(session: Session, user: User) -> list[Demand]:
    """Open public demands, soonest deadline first, for those who may quote them (and the administrators):
    to anyone else a demand does not exist, so it is not listed either."""
    producers = producer_organizations(session, user)
    if not producers and not user.is_admin:
        return []
    found = session.exec(
        select(Demand)
        .where(Demand.status == DemandStatus.OPEN, Demand.visibility == "public")
        .order_by(col(Demand.quote_deadline))
    ).all()
    return [d for d in found if user.is_admin or any(may_quote_as(session, d, org) for org in producers)]


def addressed_to(session: Session, user: User, found: list[Demand]) -> set[int]:
    """Which of these demands' delivery address the person may read: the institution's members and the
    administrators, and members of a verified producer the demand concerns, i.e. one the buyer invited or
    matching found (both a DemandInvitation row) or one that quoted. A producer that only may quote learns
    the municipality and state, enough to decide; not where the institution receives its goods."""
    if user.is_admin:
        return {d.id for d in found if d.id is not None}
    shown = {
        d.id
        for d in found
        if d.id is not None and buyers.is_member(session, user, buyers.get(session, d.buyer_organization_id))
    }
    own = [org.id for org in producer_organizations(session, user)]
    ids = [d.id for d in found if d.id not in shown]
    if own and ids:
        for source in (DemandInvitation, Quote):
            shown.update(
                session.exec(
                    select(source.demand_id).where(
                        col(source.demand_id).in_(ids), col(source.organization_id).in_(own)
                    )
                ).all()
            )
    return shown


def for_producer(session: Session, organization: Organization) -> list[tuple[Demand, int]]:
    """The open demands the producer fits (found by matching) or was invited to, best fit first."""
    rows = session.exec(
        select(Demand, DemandInvitation.fit)
        .join(DemandInvitation, col(DemandInvitation.demand_id) == Demand.id)
        .where(DemandInvitation.organization_id == organization.id, Demand.status == DemandStatus.OPEN)
        .order_by(col(DemandInvitation.fit).desc(), col(Demand.quote_deadline))
    ).all()
    return [(demand, fit) for demand, fit in rows]


def of_buyer(session: Session, user: User, buyer: BuyerOrganization) -> list[Demand]:
    buyers.require_member(session, user, buyer)
    return list(
        session.exec(
            select(Demand).where(Demand.buyer_organization_id == buyer.id).order_by(col(Demand.id).desc())
        ).all()
    )


# --- quotes ----------------------------------------------------------------------------------------


def partida_of_order(session: Session, order: Order) -> tuple[str, str] | None:
    """The budget line (code, description) of the demand an order was placed from, if it names one."""
    demand = session.get(Demand, order.demand_id) if order.demand_id is not None else None
    if demand is None or demand.partida_code is None:
        return None
    return demand.partida_code, demand.partida_description


def quote_of(session: Session, demand: Demand, organization: Organization) -> Quote | None:
    """The producer's quote for this demand (one per producer and demand), in whatever status."""
    return session.exec(
        select(Quote).where(Quote.demand_id == demand.id, Quote.organization_id == organization.id)
    ).first()


def submit_quote(
    session: Session, user: User, demand: Demand, organization: Organization, data: QuoteCreate
) -> Quote:
    """Send or revise the producer's quote while the demand is open; partial quantities are welcome."""
    require_confirmed(user)
    organizations.require_member(session, user, organization)
    if not may_quote_as(session, demand, organization):
        raise Forbidden(N_("Esta demanda es solo para organizaciones invitadas."))
    if not demand.accepts_quotes():
        raise Conflict(N_("Esta demanda ya no recibe cotizaciones."))
    errors = {}
    if data.quantity > demand.quantity:
        errors["quantity"] = _("No puedes ofrecer más de lo que se pide por entrega: {quantity}.").format(
            quantity=quantity_text(demand.quantity, demand.unit)
        )
    if demand.max_unit_price_cents is not None and data.unit_price_cents > demand.max_unit_price_cents:
        above = _("El precio supera el máximo que acepta la institución: {price}.")
        errors["unit_price_cents"] = above.format(
            price=format_mxn(demand.max_unit_price_cents, current_locale.get())
        )
    if errors:
        raise ValidationFailed(errors)
    quote = quote_of(session, demand, organization)
    if quote is None:
        quote = Quote(
            demand_id=demand.id or 0,
            organization_id=organization.id or 0,
            created_by=user.id or 0,
            **data.model_dump(),
        )
    else:
        for name, value in data.model_dump().items():
            setattr(quote, name, value)
        quote.status, quote.updated_at = QuoteStatus.SUBMITTED, utcnow()
    session.add(quote)
    session.flush()
    notifications.quote_received(session, demand, organization)
    return quote


def withdraw_quote(session: Session, user: User, quote_id: int) -> Quote:
    quote = session.get(Quote, quote_id)
    organization = session.get(Organization, quote.organization_id) if quote else None
    demand = session.get(Demand, quote.demand_id) if quote else None
    if quote is None or organization is None or demand is None:
        raise NotFound()
    if not (organizations.role_in(session, user, organization) or _sees_every_quote(session, user, demand)):
        raise NotFound()  # as an unknown id: another producer learns nothing about who quoted
    organizations.require_member(session, user, organization)
    if not demand.accepts_quotes():
        raise Conflict(N_("Esta demanda ya no recibe cotizaciones."))
    if quote.status != QuoteStatus.SUBMITTED:
        raise InvalidTransition(current=quote.status, target=QuoteStatus.WITHDRAWN)
    quote.status, quote.updated_at = QuoteStatus.WITHDRAWN, utcnow()
    return quote


def quotes_for(session: Session, user: User, demand: Demand) -> list[tuple[Quote, Organization]]:
    """The buyer sees every quote; a producer sees only its own (never a competitor's)."""
    query = (
        select(Quote, Organization)
        .join(Organization, col(Organization.id) == Quote.organization_id)
        .where(Quote.demand_id == demand.id)
        .order_by(col(Quote.unit_price_cents), col(Quote.id))
    )
    if not _sees_every_quote(session, user, demand):
        own = [org.id for org in producer_organizations(session, user)]
        query = query.where(col(Quote.organization_id).in_(own))
    return [(quote, organization) for quote, organization in session.exec(query).all()]


def _sees_every_quote(session: Session, user: User, demand: Demand) -> bool:
    return user.is_admin or buyers.is_member(session, user, buyers.get(session, demand.buyer_organization_id))
