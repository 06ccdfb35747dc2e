"""Pages of demands (requests for quotation): the lists of demands, one demand with the producers' quotes
side by side, the proposal and the award, and the conversation between the institution and each producer.
Thin: the rules live in the linking services. The institutions' own pages (with their demand form), the
purchase order and the verification of institutions are in `institution_views`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts.models import User
from market.bounds import Id, whole_number
from market.db import utcnow
from market.deps import FormDep, PageDep, SessionDep, SettingsDep, UserDep
from market.documents import service as documents
from market.errors import NotFound, ValidationFailed
from market.forms import FormInvalid, pesos_field, text_fields, validate
from market.i18n import N_
from market.i18n import gettext as _
from market.linking import approvals, awards, buyers, demands, messages, schedules
from market.linking.models import ApprovalStatus, Demand, Message, Quote
from market.linking.pages import LABELS, PRICE_HELP, form_errors
from market.linking.schemas import AwardRequest, MessageCreate, QuoteCreate
from market.mexico import STATES_BY_CODE
from market.organizations.models import Organization
from market.web import PageContext, flash, flash_failure, verify_csrf
from search.geo import distance_km

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

ALLOCATION_PREFIX = "cantidad_"
AWAITS_APPROVAL = N_(
    "La adjudicación supera el monto que pide una segunda aprobación: avisamos a quienes administran la "
    "institución. Los pedidos se crean cuando otra persona la apruebe."
)


# --- presentation helpers ----------------------------------------------------------------------------


def _distance(organization: Organization, demand: Demand) -> float | None:
    """Kilometres from the producer to the capital of the delivery state, when its location is known."""
    if organization.latitude is None or organization.longitude is None:
        return None
    capital = STATES_BY_CODE[demand.delivery_state]
    return distance_km(organization.latitude, organization.longitude, capital.lat, capital.lng)


@dataclass
class QuoteRow:
    """One quote in the buyer's comparison."""

    quote: Quote
    organization: Organization
    distance_km: float | None
    acceptable: bool  # meets the buyer's conditions (only those count for the award)
    women_led: bool


@dataclass
class ProducerSide:
    """What a member of one producer organization sees and does on a demand."""

    organization: Organization
    quote: Quote | None
    thread: list[tuple[Message, User]]


# --- demands: lists ----------------------------------------------------------------------------------


@router.get("/demandas", name="linking.demand_list")
def demand_list(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    for_you = [
        (organization, demands.for_producer(session, organization))
        for organization in demands.producer_organizations(session, user)
    ]
    open_demands = demands.open_public(session, user)
    shown = {demand.buyer_organization_id for demand in open_demands} | {
        demand.buyer_organization_id for _org, rows in for_you for demand, _fit in rows
    }
    return page.render(
        "linking/demands.html",
        LABELS
        | {
            "for_you": for_you,
            "supplies": schedules.supplies_for(session, user),
            "open_demands": open_demands,
            "may_quote": bool(for_you) or user.is_admin,
            "institutions": buyers.of_user(session, user),
            "buyer_names": {buyer_id: buyers.get(session, buyer_id).name for buyer_id in shown},
        },
    )


# --- one demand --------------------------------------------------------------------------------------


def _demand_page(
    page: PageContext,
    session: Session,
    user: User,
    demand: Demand,
    status: int = 200,
    **extra: Any,
) -> Response:
    buyer = buyers.get(session, demand.buyer_organization_id)
    is_buyer = buyers.is_member(session, user, buyer)
    now = utcnow()
    quotes = demands.quotes_for(session, user, demand)
    call_offs = awards.call_offs(session, demand)
    context: dict[str, Any] = {
        "demand": demand,
        "buyer": buyer,
        "is_buyer": is_buyer,
        "accepting": demand.accepts_quotes(now),
        "show_address": demand.id in demands.addressed_to(session, user, [demand]),
        "call_offs": call_offs,
        "schedule": schedules.for_page(session, user, demand),
        "schedule_errors": {},
        "schedule_values": {},
        "quote_errors": {},
        "quote_values": {},
        "award_errors": {},
        "award_values": {},
        "sides": [],
        "rows": [],
        "threads": [],
        "proposal": None,
        "can_award": False,
    }
    if is_buyer or user.is_admin:
        standing = {quote.id for quote, _org in awards.standing_quotes(session, demand)}
        context["rows"] = [
            QuoteRow(quote, org, _distance(org, demand), quote.id in standing, org.women_led)
            for quote, org in quotes
        ]
        context["org_badges"] = documents.badges_of(session, [org for _quote, org in quotes])
        if demand.quoting:
            proposal = awards.propose(session, demand)
            context["proposal"] = proposal
            context["award_values"] = {
                f"{ALLOCATION_PREFIX}{quote.id}": str(quantity)
                for quote, _org, quantity in proposal.allocations
            }
        context["can_award"] = is_buyer and demand.awardable(now)
    if is_buyer:
        context |= _approval_context(session, user, demand, quotes)
        context["can_award"] = context["can_award"] and context["approval"] is None
        # A thread with each producer that quoted (in the comparison's order), then those that only wrote.
        talking = {org.id: org for _quote, org in quotes}
        for org in messages.thread_organizations(session, user, demand):
            talking.setdefault(org.id, org)
        context["threads"] = [(org, messages.thread(session, user, demand, org)) for org in talking.values()]
    else:
        own = {org.id: quote for quote, org in quotes}
        context["sides"] = [
            ProducerSide(org, own.get(org.id), messages.thread(session, user, demand, org))
            for org in demands.producer_organizations(session, user)
            if demands.may_quote_as(session, demand, org)
        ]
    context |= extra
    return page.render("linking/demand.html", LABELS | context, status)


def _approval_context(
    session: Session, user: User, demand: Demand, quotes: list[tuple[Quote, Organization]]
) -> dict[str, Any]:
    """The award waiting for a second approval (what it takes from whom, who proposed it, whether this person
    may decide), and the last rejected one, for the institution's members."""
    found = approvals.history(session, user, demand) if demand.quoting else []
    pending = found[0] if found and found[0].status == ApprovalStatus.PENDING else None
    rejected = next((a for a in found if a.status == ApprovalStatus.REJECTED), None)
    by_quote = {quote.id: (quote, org) for quote, org in quotes}
    lines = [
        (by_quote[a["quote_id"]][1], a["quantity"], by_quote[a["quote_id"]][0].unit_price_cents)
        for a in (pending.allocations if pending else [])
        if a["quote_id"] in by_quote
    ]
    people = {a.proposed_by for a in found[:1]} | {a.decided_by for a in found if a.decided_by}
    return {
        "approval": pending,
        "approval_lines": lines,
        "last_rejected": None if pending else rejected,
        "people": {person_id: session.get(User, person_id) for person_id in people},
        "may_decide": pending is not None and approvals.may_decide(session, user, demand, pending),
        "reject_errors": {},
    }


@router.get("/demandas/{demand_id}", name="linking.demand_page")
def demand_page(demand_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    return _demand_page(page, session, user, demands.visible(session, user, demand_id))


@router.post("/demandas/{demand_id}/publicar", name="linking.publish")
def publish(demand_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    demand = demands.visible(session, user, demand_id)
    with flash_failure(page.request, session, 403, 409, 422):
        demands.open_for_quotes(session, user, demand)
        flash(page.request, _("Publicamos la demanda. Avisaremos a las organizaciones que pueden surtirla."))
    return page.redirect(page.url("linking.demand_page", demand_id=demand_id))


@router.post("/demandas/{demand_id}/cancelar", name="linking.cancel")
def cancel(demand_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    demand = demands.visible(session, user, demand_id)
    with flash_failure(page.request, session, 403, 409):
        demands.cancel(session, user, demand)
        flash(page.request, _("Cancelamos la demanda."))
    return page.redirect(page.url("linking.demand_page", demand_id=demand_id))


# --- quotes ------------------------------------------------------------------------------------------


def _quoting_as(session: Session, user: User, slug: str) -> Organization:
    """One of the person's verified producer organizations (the one the form was sent for)."""
    for organization in demands.producer_organizations(session, user):
        if organization.slug == slug:
            return organization
    raise NotFound()


@router.post("/demandas/{demand_id}/cotizar", name="linking.submit_quote")
def submit_quote(demand_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep) -> Response:
    demand = demands.visible(session, user, demand_id)
    values = text_fields(form)
    organization = _quoting_as(session, user, str(values.pop("organizacion", "")))
    data, errors = dict(values), dict[str, str]()
    pesos_field(data, "unit_price", "unit_price_cents", errors, _(PRICE_HELP))
    demand_url = page.url("linking.demand_page", demand_id=demand_id)
    try:
        with flash_failure(page.request, session, 403, 409):
            quote = validate(QuoteCreate, data, errors)
            demands.submit_quote(session, user, demand, organization, quote)
            flash(page.request, _("Enviamos tu cotización. Puedes cambiarla o retirarla hasta el cierre."))
            return page.redirect(f"{demand_url}#cotizar-{organization.slug}")
    except (FormInvalid, ValidationFailed) as exc:  # flash_failure's savepoint undid what it wrote
        return _demand_page(
            page,
            session,
            user,
            demand,
            422,
            quote_errors={organization.id: form_errors(exc)},
            quote_values={organization.id: values},
        )
    return page.redirect(demand_url)


@router.post("/demandas/{demand_id}/cotizaciones/{quote_id}/retirar", name="linking.withdraw_quote")
def withdraw_quote(
    demand_id: Id, quote_id: Id, page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    demands.visible(session, user, demand_id)
    with flash_failure(page.request, session, 403, 404, 409):
        if demands.withdraw_quote(session, user, quote_id).demand_id != demand_id:
            raise NotFound()
        flash(
            page.request, _("Retiramos tu cotización. Puedes enviar otra mientras la demanda siga abierta.")
        )
    return page.redirect(page.url("linking.demand_page", demand_id=demand_id))


# --- award -------------------------------------------------------------------------------------------


def _allocations(form: FormData) -> tuple[list[dict[str, int]], dict[str, str], dict[str, str]]:
    """The `cantidad_<quote id>` fields: the non-zero ones are the allocations (and the typed values)."""
    allocations, errors, values = [], {}, {}
    for key, value in form.items():
        quote_id = whole_number(key.removeprefix(ALLOCATION_PREFIX))
        if not key.startswith(ALLOCATION_PREFIX) or quote_id is None:
            continue
        values[key] = raw = str(value).strip()
        if raw in ("", "0"):
            continue
        quantity = whole_number(raw)
        if quantity is None:
            errors[key] = _("Escribe un número entero.")
        else:
            allocations.append({"quote_id": quote_id, "quantity": quantity})
    if not allocations and not errors:
        errors["allocations"] = _("Asigna una cantidad al menos a una cotización.")
    return allocations, errors, values


@router.post("/demandas/{demand_id}/adjudicar", name="linking.award")
def award(
    demand_id: Id,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    demand = demands.visible(session, user, demand_id)
    allocations, errors, values = _allocations(form)
    demand_url = page.url("linking.demand_page", demand_id=demand_id)
    try:
        with flash_failure(page.request, session, 403, 409):
            request_data = validate(AwardRequest, {"allocations": allocations}, errors)
            outcome = approvals.request_award(session, settings, user, demand, request_data)
            if outcome.pending:
                flash(page.request, _(AWAITS_APPROVAL))
                return page.redirect(f"{demand_url}#aprobacion")
            number = demand.purchase_order
            flash(page.request, _("Adjudicaste la demanda. Orden de compra {number}.").format(number=number))
            orders = outcome.orders
            return page.redirect(
                page.url("orders.order_page", order_id=orders[0].id) if orders else demand_url
            )
    except (FormInvalid, ValidationFailed) as exc:  # flash_failure's savepoint undid what it wrote
        found = exc.errors if isinstance(exc, FormInvalid) else {k: _(v) for k, v in exc.errors.items()}
        shown: dict[str, str] = {}
        for key, message in found.items():  # "allocations.1.quantity" -> the field of that quote
            parts = key.split(".")
            if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(allocations):
                key = f"{ALLOCATION_PREFIX}{allocations[int(parts[1])]['quote_id']}"
            shown.setdefault(key, message)
        return _demand_page(page, session, user, demand, 422, award_errors=shown, award_values=values)
    return page.redirect(demand_url)


@router.post("/demandas/{demand_id}/adjudicacion/aprobar", name="linking.approve_award")
def approve_award(
    demand_id: Id, page: PageDep, user: UserDep, session: SessionDep, settings: SettingsDep
) -> Response:
    demand = demands.visible(session, user, demand_id)
    demand_url = page.url("linking.demand_page", demand_id=demand_id)
    with flash_failure(page.request, session, 403, 409, 422):
        orders = approvals.approve(session, settings, user, demand)
        number = demand.purchase_order
        flash(page.request, _("Aprobaste la adjudicación. Orden de compra {number}.").format(number=number))
        return page.redirect(page.url("orders.order_page", order_id=orders[0].id) if orders else demand_url)
    return page.redirect(f"{demand_url}#aprobacion")


@router.post("/demandas/{demand_id}/adjudicacion/rechazar", name="linking.reject_award")
def reject_award(demand_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep) -> Response:
    demand = demands.visible(session, user, demand_id)
    demand_url = page.url("linking.demand_page", demand_id=demand_id)
    try:
        with flash_failure(page.request, session, 403, 409):
            approvals.reject(session, user, demand, str(text_fields(form).get("reason", "")))
            flash(page.request, _("Rechazamos la adjudicación. La demanda puede adjudicarse de nuevo."))
    except ValidationFailed as exc:
        return _demand_page(page, session, user, demand, 422, reject_errors=form_errors(exc))
    return page.redirect(f"{demand_url}#aprobacion")


# --- conversations -----------------------------------------------------------------------------------


@router.post("/demandas/{demand_id}/mensajes", name="linking.post_message")
def post_message(demand_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep) -> Response:
    demand = demands.visible(session, user, demand_id)
    values = text_fields(form)
    organization = messages.counterpart(session, str(values.pop("organizacion", "")))
    try:
        with flash_failure(page.request, session, 403):
            messages.post(session, user, demand, organization, validate(MessageCreate, values).body)
            flash(page.request, _("Enviamos tu mensaje."))
    except FormInvalid:
        flash(page.request, _("Escribe tu mensaje antes de enviarlo."), "error")
    demand_url = page.url("linking.demand_page", demand_id=demand_id)
    return page.redirect(f"{demand_url}#conversacion-{organization.slug}")
