"""From quotes to orders: the proposed allocation (the cheapest cover that respects the buyer's
preferences), the award the buyer confirms or adjusts, and the call-off orders of each delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from market.accounts.confirmation import require_confirmed
from market.accounts.models import User
from market.catalog.units import quantity_text
from market.config import Settings
from market.db import utcnow
from market.errors import Conflict, InvalidTransition, ValidationFailed
from market.i18n import N_
from market.i18n import gettext as _
from market.linking import buyers, notifications
from market.linking.models import (
    ApprovalStatus,
    Award,
    AwardApproval,
    BuyerOrganization,
    CallOff,
    CallOffStatus,
    Demand,
    DemandStatus,
    Quote,
    QuoteStatus,
)
from market.linking.schemas import AwardRequest
from market.mexico import STATES_BY_CODE, state_name
from market.orders.checkout import LineDraft, PartDraft, place_order
from market.orders.models import Order
from market.organizations.models import Organization, VerificationStatus
from search.geo import distance_km

CALL_OFF_LEAD_DAYS = 7  # a delivery's order is placed this long before it is due


@dataclass
class Proposal:
    allocations: list[tuple[Quote, Organization, int]] = field(default_factory=list)
    missing: int = 0  # what the quotes cannot cover, per delivery

    @property
    def total_cents(self) -> int:
        return sum(quote.unit_price_cents * quantity for quote, _org, quantity in self.allocations)


def _acceptable(demand: Demand, organization: Organization) -> bool:
    """A quote counts only from a producer that meets the buyer's conditions."""
    if not organization.is_public or not set(demand.required_certifications) <= set(
        organization.certifications
    ):
        return False
    if demand.women_led_only and not organization.women_led:
        return False
    if demand.max_distance_km is not None:
        capital = STATES_BY_CODE[demand.delivery_state]
        if organization.latitude is None or organization.longitude is None:
            return False
        far = distance_km(organization.latitude, organization.longitude, capital.lat, capital.lng)
        return far <= demand.max_distance_km
    return True


def standing_quotes(session: Session, demand: Demand) -> list[tuple[Quote, Organization]]:
    rows = session.exec(
        select(Quote, Organization)
        .join(Organization, col(Organization.id) == Quote.organization_id)
        .where(Quote.demand_id == demand.id, Quote.status == QuoteStatus.SUBMITTED)
    ).all()
    return [(quote, org) for quote, org in rows if _acceptable(demand, org)]


def propose(session: Session, demand: Demand) -> Proposal:
    """The cheapest cover: take quotes from the lowest price up, each up to what it offers, until the
    quantity is reached; at equal price, the buyer's preferred legal forms first, then the earlier quote."""
    candidates = sorted(
        standing_quotes(session, demand),
        key=lambda qo: (
            qo[0].unit_price_cents,
            qo[1].legal_form not in demand.preferred_legal_forms,
            qo[0].id,
        ),
    )
    proposal, remaining = Proposal(), demand.quantity
    for quote, organization in candidates:
        if remaining == 0:
            break
        take = min(quote.quantity, remaining)
        proposal.allocations.append((quote, organization, take))
        remaining -= take
    proposal.missing = remaining
    return proposal


def award(
    session: Session, settings: Settings, user: User, demand: Demand, request: AwardRequest
) -> list[Order]:
    """Award quotes (the proposal, or the buyer's adjustment of it): together they must cover the quantity,
    none beyond what its producer offered. Creates the call-offs and places the orders that are due. An
    award above the institution's approval amount is not made here: `approvals.request_award` holds it."""
    standing = check(session, user, demand, request)
    buyer = buyers.get(session, demand.buyer_organization_id)
    if buyer.needs_second_approval(total_cents(demand, standing, request)):
        raise Conflict(
            N_("Esta adjudicación necesita la aprobación de otra persona que administre la institución.")
        )
    return execute(session, settings, demand, request, standing)


Standing = dict[int | None, tuple[Quote, Organization]]


def total_cents(demand: Demand, standing: Standing, request: AwardRequest) -> int:
    """What the award commits the institution to: every allocation at its quoted price, every delivery."""
    per_delivery = sum(standing[a.quote_id][0].unit_price_cents * a.quantity for a in request.allocations)
    return per_delivery * demand.deliveries


def pending_approval(session: Session, demand: Demand) -> AwardApproval | None:
    """The award of this demand waiting for a second owner's approval, if one is."""
    return session.exec(
        select(AwardApproval).where(
            AwardApproval.demand_id == demand.id, AwardApproval.status == ApprovalStatus.PENDING
        )
    ).first()


def check(
    session: Session,
    user: User,
    demand: Demand,
    request: AwardRequest,
    approving: AwardApproval | None = None,
) -> Standing:
    """Everything an award must meet, checked without writing: the person acts for the institution, quoting
    is over, no other award waits for approval (but the one `approving`), and the allocations cover the
    quantity from standing quotes. Returns the standing quotes."""
    require_confirmed(user)
    buyer = buyers.get(session, demand.buyer_organization_id)
    buyers.require_member(session, user, buyer)
    if demand.accepts_quotes():
        raise Conflict(
            N_("Espera al cierre de cotizaciones para adjudicar: otras organizaciones pueden cotizar.")
        )
    if not demand.quoting:
        raise InvalidTransition(current=demand.status, target=DemandStatus.AWARDED)
    pending = pending_approval(session, demand)
    if pending is not None and (approving is None or pending.id != approving.id):
        raise Conflict(
            N_("Ya hay una adjudicación de esta demanda esperando aprobación: apruébala o recházala primero.")
        )
    standing = {quote.id: (quote, org) for quote, org in standing_quotes(session, demand)}
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for n, allocation in enumerate(request.allocations):
        if allocation.quote_id not in standing or allocation.quote_id in seen:
            errors[f"allocations.{n}.quote_id"] = N_("Esa cotización no está disponible para esta demanda.")
        elif allocation.quantity > (offered := standing[allocation.quote_id][0].quantity):
            more = _("Es más de lo que esa organización ofreció: {quantity}.")
            errors[f"allocations.{n}.quantity"] = more.format(quantity=quantity_text(offered, demand.unit))
        seen.add(allocation.quote_id)
    total = sum(a.quantity for a in request.allocations)
    if not errors and total != demand.quantity:
        errors["allocations"] = _("Las cantidades deben sumar lo que pide cada entrega: {quantity}.").format(
            quantity=quantity_text(demand.quantity, demand.unit)
        )
    if errors:
        raise ValidationFailed(errors)
    return standing


def execute(
    session: Session, settings: Settings, demand: Demand, request: AwardRequest, standing: Standing
) -> list[Order]:
    """Make a checked award: the quotes awarded and declined (and their producers told), the purchase order
    number, the call-offs, and the orders that are due."""
    # Two members awarding at once read the same status; the database lets only the first through.
    moved = session.execute(
        update(Demand)
        .where(col(Demand.id) == demand.id, col(Demand.status) == demand.status)
        .values(status=DemandStatus.AWARDED)
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict(N_("Alguien más adjudicó esta demanda en este momento: recarga la página."))

    for allocation in request.allocations:
        quote = standing[allocation.quote_id][0]
        session.add(
            Award(
                demand_id=demand.id or 0,
                quote_id=quote.id or 0,
                quantity=allocation.quantity,
                unit_price_cents=quote.unit_price_cents,
            )
        )
        quote.status = QuoteStatus.AWARDED
    for quote, organization in standing.values():
        if quote.status != QuoteStatus.AWARDED:
            quote.status = QuoteStatus.DECLINED
        notifications.award_decided(
            session, demand, organization.id or 0, quote.status == QuoteStatus.AWARDED
        )
    demand.status = DemandStatus.AWARDED
    demand.purchase_order = f"OC-{utcnow().year}-{demand.id:05d}"
    for sequence in range(demand.deliveries):
        session.add(
            CallOff(
                demand_id=demand.id or 0,
                sequence=sequence + 1,
                due=demand.first_delivery + timedelta(days=(demand.every_days or 0) * sequence),
            )
        )
    session.flush()
    return place_due_call_offs(session, settings, demand_id=demand.id, today=None, first=True)


def place_due_call_offs(
    session: Session,
    settings: Settings,
    *,
    demand_id: int | None = None,
    today: date | None = None,
    first: bool = False,
) -> list[Order]:
    """Place the orders of deliveries falling due within the lead time (worker job; at award, the first
    delivery is placed whatever its date)."""
    horizon = (today or utcnow().date()) + timedelta(days=CALL_OFF_LEAD_DAYS)
    query = (
        select(CallOff)
        .where(CallOff.status == CallOffStatus.SCHEDULED)
        .order_by(col(CallOff.demand_id), col(CallOff.sequence))
    )
    if demand_id is not None:
        query = query.where(CallOff.demand_id == demand_id)
    placed = []
    for call_off in session.exec(query.with_for_update(skip_locked=True)).all():
        if call_off.due > horizon and not (first and call_off.sequence == 1):
            continue
        demand = session.get(Demand, call_off.demand_id)
        assert demand is not None
        if not demand.places_call_offs:  # paused or ended (market.linking.schedules)
            continue
        placed.append(_place(session, settings, demand, call_off))
    return placed


def _place(session: Session, settings: Settings, demand: Demand, call_off: CallOff) -> Order:
    buyer_organization = session.get(BuyerOrganization, demand.buyer_organization_id)
    person = session.get(User, demand.created_by)
    assert buyer_organization is not None and person is not None
    awards = session.exec(
        select(Award, Quote).join(Quote, col(Quote.id) == Award.quote_id).where(Award.demand_id == demand.id)
    ).all()
    parts = [
        PartDraft(
            organization_id=quote.organization_id,
            delivery_method="delivery",
            delivery_cents=0,  # quoted prices include delivery to the address
            lines=[LineDraft(None, demand.title, demand.unit, award.unit_price_cents, award.quantity)],
        )
        for award, quote in awards
    ]
    verified = buyer_organization.verification_status == VerificationStatus.VERIFIED
    suffix = f"-{call_off.sequence}" if demand.deliveries > 1 else ""
    order = place_order(
        session,
        settings,
        person,
        "invoice" if verified else "spei_transfer",  # verified institutions pay at 30 days
        parts,
        ship_to=", ".join(
            (demand.delivery_address, demand.delivery_municipality, state_name(demand.delivery_state))
        ),
        demand_id=demand.id,
        buyer_organization_id=demand.buyer_organization_id,
        purchase_order=f"{demand.purchase_order}{suffix}",
    )
    call_off.order_id, call_off.status = order.id, CallOffStatus.PLACED
    return order


def call_offs(session: Session, demand: Demand) -> list[CallOff]:
    return list(
        session.exec(
            select(CallOff).where(CallOff.demand_id == demand.id).order_by(col(CallOff.sequence))
        ).all()
    )
