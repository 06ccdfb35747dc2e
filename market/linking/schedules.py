"""The deliveries of an awarded recurring demand, as the institution bends them: pause and resume, skip one
delivery, change the quantity per delivery of what is not ordered yet, or end the schedule. Each awarded
producer is told of every change, and sees its own side of the schedule (never another producer's).

Rules:
- Only what is not ordered yet changes. A delivery whose order was placed follows the order's own rules
  (its parts are cancelled from the order page); refusing here says so.
- While paused, no delivery's order is placed. Resuming skips the deliveries that fell due during the pause
  (due on or before the day it resumes: a school on holiday wants them dropped, not piled up at once);
  the later ones keep their dates, and the worker places them when they fall due as always.
- A new quantity per delivery is per producer (each awarded quote), or a total split in proportion to the
  current quantities. It may go down freely, never to zero, and up only to what each producer quoted.
  It lives in the awards (the schedule's quantity): the demand keeps the quantity it asked for, and each
  quote its coverage of it, as they were awarded.
- Ending cancels every delivery not yet ordered; the demand shows "Terminada".

Racing the worker: every change locks the demand and then, waiting, the call-offs it concerns (the worker
locks call-offs with SKIP LOCKED, so it passes over those a change holds and never waits on a change). A
change that comes while the worker is placing a delivery waits for it, then sees it placed: skipping it is
refused, and a pause or a new quantity applies to the deliveries after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from market.accounts.confirmation import require_confirmed
from market.accounts.models import User
from market.catalog.units import quantity_text
from market.db import utcnow
from market.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from market.i18n import N_
from market.i18n import gettext as _
from market.linking import buyers, notifications
from market.linking.models import (
    Award,
    CallOff,
    CallOffStatus,
    Demand,
    DemandStatus,
    Quote,
    ScheduleStatus,
)
from market.linking.schedule_schemas import ScheduleChange
from market.mexico import MEXICO_CITY
from market.orders.models import Fulfillment, OrderLine
from market.organizations.models import Membership, Organization


class NoSchedule(Conflict):
    code = "no_schedule"
    message = N_("Esta demanda no tiene entregas programadas: primero hay que adjudicarla.")


class NothingLeft(Conflict):
    code = "no_deliveries_left"
    message = N_("Ya no quedan entregas por pedir en esta demanda.")


class ScheduleEnded(Conflict):
    code = "schedule_ended"
    message = N_("Estas entregas ya terminaron: ya no se pueden cambiar.")


class DeliveryOrdered(Conflict):
    code = "call_off_placed"
    message = N_("El pedido de la entrega {sequence} ya se hizo: si hace falta, cancélalo desde el pedido.")


# --- what each party sees ------------------------------------------------------------------------------


@dataclass
class Line:
    """One producer's part of one delivery (its quantity; the organization is named to the institution)."""

    organization_id: int
    organization_name: str
    quantity: int


@dataclass
class Delivery:
    call_off: CallOff
    lines: list[Line]

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass
class AwardLine:
    award: Award
    quote: Quote
    organization: Organization


@dataclass
class Schedule:
    demand: Demand
    deliveries: list[Delivery]
    awards: list[AwardLine] = field(default_factory=list)  # the lines this person may see
    manages: bool = False  # a member of the institution: may change it

    @property
    def upcoming(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.call_off.status == CallOffStatus.SCHEDULED]

    @property
    def quantity(self) -> int:
        """The quantity per delivery from now on (of the lines this person may see): what the awards carry,
        after any change; the demand keeps what was asked."""
        return sum(line.award.quantity for line in self.awards)

    @property
    def changeable(self) -> bool:
        return self.manages and self.demand.schedule_status != ScheduleStatus.ENDED


def _award_lines(session: Session, demand: Demand) -> list[AwardLine]:
    rows = session.exec(
        select(Award, Quote, Organization)
        .join(Quote, col(Quote.id) == Award.quote_id)
        .join(Organization, col(Organization.id) == Quote.organization_id)
        .where(Award.demand_id == demand.id)
        .order_by(col(Award.id))
    ).all()
    return [AwardLine(award, quote, organization) for award, quote, organization in rows]


def _own_organizations(session: Session, user: User) -> set[int]:
    return set(session.exec(select(Membership.organization_id).where(Membership.user_id == user.id)).all())


def call_offs(session: Session, demand: Demand, *, lock: bool = False) -> list[CallOff]:
    query = select(CallOff).where(CallOff.demand_id == demand.id).order_by(col(CallOff.sequence))
    if lock:  # waits for the worker placing one of them; read again, as committed
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(session.exec(query).all())


def _ordered_quantities(session: Session, order_ids: list[int]) -> dict[tuple[int, int], int]:
    """(order, organization) → the quantity its order lines hold (what was ordered, whatever changed)."""
    if not order_ids:
        return {}
    rows = session.exec(
        select(Fulfillment.order_id, Fulfillment.organization_id, OrderLine.quantity)
        .join(OrderLine, col(OrderLine.fulfillment_id) == Fulfillment.id)
        .where(col(Fulfillment.order_id).in_(order_ids))
    ).all()
    found: dict[tuple[int, int], int] = {}
    for order_id, organization_id, quantity in rows:
        found[(order_id, organization_id)] = found.get((order_id, organization_id), 0) + quantity
    return found


def view(session: Session, user: User, demand: Demand) -> Schedule:
    """The schedule as this person may see it: the institution's members (and administrators) see every
    producer's part; an awarded producer's members see their own part only; anyone else is refused."""
    if demand.status != DemandStatus.AWARDED:
        raise NoSchedule()
    manages = buyers.is_member(session, user, buyers.get(session, demand.buyer_organization_id))
    lines = _award_lines(session, demand)
    if not (manages or user.is_admin):
        own = _own_organizations(session, user)
        lines = [line for line in lines if line.organization.id in own]
        if not lines:
            raise Forbidden(N_("Solo la institución y las organizaciones elegidas ven estas entregas."))
    found = call_offs(session, demand)
    ordered = _ordered_quantities(session, [c.order_id for c in found if c.order_id is not None])
    deliveries = []
    for call_off in found:
        parts = []
        for line in lines:
            organization_id = line.organization.id or 0
            if call_off.order_id is not None:
                quantity = ordered.get((call_off.order_id, organization_id), 0)
            else:
                quantity = line.award.quantity
            parts.append(Line(organization_id, line.organization.name, quantity))
        deliveries.append(Delivery(call_off, parts))
    return Schedule(demand, deliveries, lines, manages)


def for_page(session: Session, user: User, demand: Demand) -> Schedule | None:
    """The schedule for the demand's page, or None where there is none for this person."""
    try:
        return view(session, user, demand)
    except (NoSchedule, Forbidden):
        return None


# --- the institution's changes -------------------------------------------------------------------------


def _for_change(session: Session, user: User, demand: Demand) -> Demand:
    """The demand, locked against another change, once the person may change its schedule."""
    require_confirmed(user)
    buyers.require_member(session, user, buyers.get(session, demand.buyer_organization_id))
    locked = session.exec(
        select(Demand)
        .where(Demand.id == demand.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if locked.status != DemandStatus.AWARDED:
        raise NoSchedule()
    return locked


def _scheduled(session: Session, demand: Demand) -> list[CallOff]:
    return [c for c in call_offs(session, demand, lock=True) if c.status == CallOffStatus.SCHEDULED]


def _tell(session: Session, demand: Demand, change: str, **details: object) -> None:
    for line in _award_lines(session, demand):
        notifications.schedule_changed(
            session, demand, line.organization.id or 0, change, quantity=line.award.quantity, **details
        )


def _today() -> date:
    """The day in central Mexico, where deliveries are dated (an evening there is already tomorrow in UTC)."""
    return utcnow().astimezone(MEXICO_CITY).date()


def pause(session: Session, user: User, demand: Demand, today: date | None = None) -> Demand:
    demand = _for_change(session, user, demand)
    if demand.schedule_status != ScheduleStatus.ACTIVE:
        raise InvalidTransition(current=demand.schedule_status, target=ScheduleStatus.PAUSED)
    if not _scheduled(session, demand):
        raise NothingLeft()
    demand.schedule_status, demand.paused_on = ScheduleStatus.PAUSED, today or _today()
    _tell(session, demand, "paused")
    return demand


def resume(session: Session, user: User, demand: Demand, today: date | None = None) -> list[CallOff]:
    """Resume; the deliveries due on or before today are skipped (returned)."""
    demand = _for_change(session, user, demand)
    if demand.schedule_status != ScheduleStatus.PAUSED:
        raise InvalidTransition(current=demand.schedule_status, target=ScheduleStatus.ACTIVE)
    today = today or _today()
    missed = [c for c in _scheduled(session, demand) if c.due <= today]
    for call_off in missed:
        call_off.status = CallOffStatus.SKIPPED
    demand.schedule_status, demand.paused_on = ScheduleStatus.ACTIVE, None
    _tell(session, demand, "resumed", skipped=[c.due for c in missed])
    return missed


def skip(session: Session, user: User, demand: Demand, sequence: int) -> CallOff:
    """Skip one delivery not yet ordered (a school holiday)."""
    demand = _for_change(session, user, demand)
    call_off = next((c for c in call_offs(session, demand, lock=True) if c.sequence == sequence), None)
    if call_off is None:
        raise NotFound()
    if call_off.status == CallOffStatus.PLACED:
        raise DeliveryOrdered(sequence=sequence)
    if call_off.status != CallOffStatus.SCHEDULED:
        raise InvalidTransition(current=call_off.status, target=CallOffStatus.SKIPPED)
    call_off.status = CallOffStatus.SKIPPED
    _tell(session, demand, "skipped", sequence=sequence, due=call_off.due)
    return call_off


def end(session: Session, user: User, demand: Demand) -> list[CallOff]:
    """End the schedule: every delivery not yet ordered is cancelled (returned); placed orders stand."""
    demand = _for_change(session, user, demand)
    if demand.schedule_status == ScheduleStatus.ENDED:
        raise InvalidTransition(current=demand.schedule_status, target=ScheduleStatus.ENDED)
    cancelled = _scheduled(session, demand)
    for call_off in cancelled:
        call_off.status = CallOffStatus.CANCELLED
    demand.schedule_status, demand.paused_on = ScheduleStatus.ENDED, None
    _tell(session, demand, "ended", cancelled=len(cancelled))
    return cancelled


def _proportional(total: int, lines: list[AwardLine]) -> dict[int, int]:
    """`total` split in proportion to the current quantities (largest remainders), each at least one and
    at most its quote; what a capped line cannot take goes to the others, in their order."""
    current = sum(line.award.quantity for line in lines)
    shares = {line.quote.id or 0: total * line.award.quantity // current for line in lines}
    by_remainder = sorted(lines, key=lambda line: -(total * line.award.quantity % current))
    for line in by_remainder[: total - sum(shares.values())]:
        shares[line.quote.id or 0] += 1
    excess = 0
    for line in lines:
        key = line.quote.id or 0
        if shares[key] > line.quote.quantity:
            excess += shares[key] - line.quote.quantity
            shares[key] = line.quote.quantity
    for line in lines:
        key = line.quote.id or 0
        room = line.quote.quantity - shares[key]
        take = min(room, excess)
        shares[key] += take
        excess -= take
    for line in lines:  # never zero: take one from the largest
        key = line.quote.id or 0
        if shares[key] == 0:
            largest = max(shares, key=lambda k: shares[k])
            shares[largest] -= 1
            shares[key] = 1
    return shares


def change_quantity(session: Session, user: User, demand: Demand, change: ScheduleChange) -> dict[int, int]:
    """New quantities per delivery for the deliveries not ordered yet: {quote id: quantity}."""
    demand = _for_change(session, user, demand)
    if demand.schedule_status == ScheduleStatus.ENDED:
        raise ScheduleEnded()
    lines = _award_lines(session, demand)
    by_quote = {line.quote.id: line for line in lines}
    errors: dict[str, str] = {}
    if change.quantity is not None:
        offered = sum(line.quote.quantity for line in lines)
        if change.quantity < len(lines):
            least = _("Al menos {n} por entrega: una unidad por organización.")
            errors["quantity"] = least.format(n=len(lines))
        elif change.quantity > offered:
            errors["quantity"] = _("Como máximo {quantity}: es lo que las organizaciones cotizaron.").format(
                quantity=quantity_text(offered, demand.unit)
            )
        wanted = {} if errors else _proportional(change.quantity, lines)
    else:
        wanted = {}
        seen: set[int] = set()
        for n, allocation in enumerate(change.allocations or []):
            line = by_quote.get(allocation.quote_id)
            if allocation.quote_id in seen:
                twice = N_("Esa cotización aparece dos veces: indícala una sola vez.")
                errors[f"allocations.{n}.quote_id"] = twice
            elif line is None:
                errors[f"allocations.{n}.quote_id"] = N_("Esa organización no surte esta demanda.")
            elif allocation.quantity > line.quote.quantity:
                more = _("Es más de lo que esa organización cotizó: {quantity}.")
                errors[f"allocations.{n}.quantity"] = more.format(
                    quantity=quantity_text(line.quote.quantity, demand.unit)
                )
            else:
                wanted[allocation.quote_id] = allocation.quantity
            seen.add(allocation.quote_id)
    if errors:
        raise ValidationFailed(errors)
    changed = {key: q for key, q in wanted.items() if by_quote[key].award.quantity != q}
    if not changed:
        field_name = "quantity" if change.quantity is not None else "allocations"
        raise ValidationFailed({field_name: N_("Es la misma cantidad que ya tiene cada entrega.")})
    if not _scheduled(session, demand):
        raise NothingLeft()
    for key, quantity in changed.items():  # the demand keeps what was asked, the quotes what they covered
        by_quote[key].award.quantity = quantity
    for key in changed:
        line = by_quote[key]
        notifications.schedule_changed(
            session, demand, line.organization.id or 0, "quantity", quantity=line.award.quantity
        )
    return {line.quote.id or 0: line.award.quantity for line in lines}


# --- the producer's side ---------------------------------------------------------------------------------


@dataclass
class Supply:
    """One awarded demand a producer supplies: its part per delivery and what comes next."""

    demand: Demand
    organization: Organization
    quantity: int
    upcoming: list[CallOff]


def supplies_for(session: Session, user: User) -> list[Supply]:
    """The awarded demands the person's organizations supply, for their list of demands: their own quantity
    per delivery and the deliveries still to come (none once ended), newest award first."""
    rows = session.exec(
        select(Demand, Organization, Award)
        .join(Award, col(Award.demand_id) == Demand.id)
        .join(Quote, col(Quote.id) == Award.quote_id)
        .join(Organization, col(Organization.id) == Quote.organization_id)
        .join(Membership, col(Membership.organization_id) == Organization.id)
        .where(Membership.user_id == user.id, Demand.status == DemandStatus.AWARDED)
        .order_by(col(Demand.id).desc())
    ).all()
    found = []
    for demand, organization, award in rows:
        upcoming = [c for c in call_offs(session, demand) if c.status == CallOffStatus.SCHEDULED]
        found.append(Supply(demand, organization, award.quantity, upcoming))
    return found
