"""Pages of productive linking: institutions and their verification, demands (requests for quotation),
the producers' quotes, the comparison and award, the printable purchase order, and the conversation
between an institution and each producer. Thin: the rules live in the linking services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market.accounts.models import User
from market.db import DbSession, utcnow
from market.errors import Forbidden, MarketError, NotFound, ValidationFailed
from market.forms import FormInvalid, checkbox, pesos_field, text_fields, validate
from market.i18n import N_
from market.i18n import gettext as _
from market.linking import awards, buyers, demands, messages, notifications
from market.linking.matching import women_led
from market.linking.models import BuyerOrganization, Demand, Message, Quote
from market.linking.schemas import (
    BUYER_KINDS,
    FREQUENCIES,
    REGIMENES_FISCALES,
    USOS_CFDI,
    AwardRequest,
    BuyerOrganizationCreate,
    DemandCreate,
    MessageCreate,
    QuoteCreate,
)
from market.mexico import MEXICO_CITY, STATES_BY_CODE
from market.orders import queries
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.web import (
    flash,
    flash_failure,
    form_data,
    redirect,
    render,
    require_user,
    verify_csrf,
)
from search.geo import distance_km

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

ONCE = N_("Una sola vez")
PRICE_HELP = N_("Escribe el precio en pesos, por ejemplo 28.50.")
ALLOCATION_PREFIX = "cantidad_"


# --- presentation helpers ----------------------------------------------------------------------------

LABELS = {
    "BUYER_KINDS": BUYER_KINDS,
    "REGIMENES_FISCALES": REGIMENES_FISCALES,
    "USOS_CFDI": USOS_CFDI,
    "FREQUENCIES": FREQUENCIES,
    "DEMAND_STATUS_LABELS": demands.DEMAND_STATUS_LABELS,
    "QUOTE_STATUS_LABELS": demands.QUOTE_STATUS_LABELS,
}


def _page(
    request: Request, template: str, context: dict[str, Any], status: int = 200, user: User | None = None
) -> Response:
    """A page of this domain: its vocabularies are at hand in every template."""
    return render(request, template, LABELS | context, status, user)


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _errors(exc: FormInvalid | ValidationFailed) -> dict[str, str]:
    """Field -> message in the person's language (a service's messages are stored untranslated); list
    items and centavo fields are reported on the form field a person typed in."""
    raw = {k: _(v) for k, v in exc.errors.items()} if isinstance(exc, ValidationFailed) else exc.errors
    errors: dict[str, str] = {}
    for key, message in raw.items():
        errors.setdefault(key.split(".")[0].removesuffix("_cents"), message)
    return errors


def _distance(organization: Organization, demand: Demand) -> float | None:
    """Kilometres from the producer to the capital of the delivery state, when its location is known."""
    if organization.latitude is None or organization.longitude is None:
        return None
    capital = STATES_BY_CODE[demand.delivery_state]
    return distance_km(organization.latitude, organization.longitude, capital.lat, capital.lng)


def _member_buyer(session: Session, user: User, buyer_id: int) -> BuyerOrganization:
    """The institution, for its members only (to anyone else it does not exist)."""
    buyer = buyers.get(session, buyer_id)
    if not buyers.is_member(session, user, buyer):
        raise NotFound()
    return buyer


@contextmanager
def _refused(request: Request, session: Session, *statuses: int) -> Iterator[None]:
    """An action a service refuses (with one of these statuses): nothing of it is kept, and the page the
    person returns to says why."""
    with flash_failure(request, *statuses):
        try:
            yield
        except MarketError as exc:
            if exc.status_code in statuses:
                session.rollback()
            raise


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


# --- institutions ------------------------------------------------------------------------------------


def _institution_form(
    request: Request,
    session: Session,
    user: User,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "kinds": list(BUYER_KINDS.items()),
        "regimenes": [(code, f"{code} · {_(label)}") for code, label in REGIMENES_FISCALES.items()],
        "usos": [(code, f"{code} · {_(label)}") for code, label in USOS_CFDI.items()],
        "producers": [(str(org.id), org.name) for org, _role in organizations.for_user(session, user)],
    }
    return _page(request, "linking/institution_form.html", context, status, user)


@router.get("/instituciones/nueva")
def new_institution(
    request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    return _institution_form(request, session, user, {"uso_cfdi": "G01"}, {})


@router.post("/instituciones/nueva")
def create_institution(
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    values = text_fields(form)
    data = dict(values)
    errors: dict[str, str] = {}
    producer_id = None
    if raw := data.pop("producer_organization_id", None):
        producer_id = _int(raw)
        if producer_id is None:
            errors["producer_organization_id"] = _("Elige una de tus organizaciones.")
    try:
        buyer = buyers.create(session, user, validate(BuyerOrganizationCreate, data, errors), producer_id)
    except FormInvalid as exc:
        return _institution_form(request, session, user, values, _errors(exc), 422)
    except Forbidden as exc:
        session.rollback()
        return _institution_form(
            request, session, user, values, {"producer_organization_id": exc.detail}, 422
        )
    flash(
        request,
        _("Registramos {name}. El equipo revisará sus datos fiscales para verificarla.").format(
            name=buyer.name
        ),
    )
    return redirect(f"/instituciones/{buyer.id}")


@router.get("/instituciones/{buyer_id}")
def institution(
    buyer_id: int, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    buyer = buyers.get(session, buyer_id)
    member = buyers.is_member(session, user, buyer)
    if not member and not user.is_admin:
        raise NotFound()
    return _page(
        request,
        "linking/institution.html",
        {
            "buyer": buyer,
            "member": member,
            "demands": demands.of_buyer(session, user, buyer) if member else [],
            "members": notifications.buyer_members(session, buyer.id or 0),
            "producer": (
                session.get(Organization, buyer.producer_organization_id)
                if buyer.producer_organization_id
                else None
            ),
        },
        user=user,
    )


# --- demands: the institution's form -----------------------------------------------------------------


def _demand_form(
    request: Request,
    session: Session,
    user: User,
    buyer: BuyerOrganization,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = {
        "buyer": buyer,
        "values": values,
        "errors": errors,
        "frequencies": [("", ONCE)] + [(str(days), label) for days, label in FREQUENCIES.items()],
        "producers": organizations.list_public(session, page=1, per_page=100).items,
    }
    return _page(request, "linking/demand_form.html", context, status, user)


def _demand_data(form: FormData, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Form text -> DemandCreate fields: the price in pesos, the deadline in central Mexico's time."""
    data, errors = dict(values), dict[str, str]()
    pesos_field(data, "max_unit_price", "max_unit_price_cents", errors, _(PRICE_HELP))
    if raw := data.pop("quote_deadline", None):
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            errors["quote_deadline"] = _("Escribe la fecha y la hora del cierre.")
        else:
            local = moment if moment.tzinfo else moment.replace(tzinfo=MEXICO_CITY)
            data["quote_deadline"] = local.astimezone(UTC)
    if not data.get("every_days"):
        data.pop("deliveries", None)  # delivered once: the number of deliveries does not apply
    data["women_led_only"] = checkbox(form, "women_led_only")
    return data, errors


@router.get("/instituciones/{buyer_id}/demandas/nueva")
def new_demand(
    buyer_id: int, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    buyer = _member_buyer(session, user, buyer_id)
    defaults = {
        "delivery_state": buyer.state,
        "delivery_municipality": buyer.municipality,
        "deliveries": "1",
        "visibility": "public",
    }
    return _demand_form(request, session, user, buyer, defaults, {})


@router.post("/instituciones/{buyer_id}/demandas/nueva")
def create_demand(
    buyer_id: int,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    buyer = _member_buyer(session, user, buyer_id)
    values = text_fields(form)
    try:
        demand = demands.create(session, user, buyer, validate(DemandCreate, *_demand_data(form, values)))
    except (FormInvalid, ValidationFailed) as exc:
        session.rollback()  # the service may have written the draft before refusing an invitation
        return _demand_form(request, session, user, buyer, values, _errors(exc), 422)
    flash(request, _("Guardamos la demanda como borrador. Revísala y publícala para recibir cotizaciones."))
    return redirect(f"/demandas/{demand.id}")


# --- demands: lists ----------------------------------------------------------------------------------


@router.get("/demandas")
def demand_list(
    request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    for_you = [
        (organization, demands.for_producer(session, organization))
        for organization in demands.producer_organizations(session, user)
    ]
    open_demands = demands.open_public(session)
    shown = {demand.buyer_organization_id for demand in open_demands} | {
        demand.buyer_organization_id for _org, rows in for_you for demand, _fit in rows
    }
    return _page(
        request,
        "linking/demands.html",
        {
            "for_you": for_you,
            "open_demands": open_demands,
            "institutions": buyers.of_user(session, user),
            "buyer_names": {buyer_id: buyers.get(session, buyer_id).name for buyer_id in shown},
        },
        user=user,
    )


# --- one demand --------------------------------------------------------------------------------------


def _demand_page(
    request: Request,
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
        "accepting": demand.status == "open" and demand.quote_deadline > now,
        "call_offs": call_offs,
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
            QuoteRow(quote, org, _distance(org, demand), quote.id in standing, women_led(org))
            for quote, org in quotes
        ]
        if demand.status in ("open", "closed"):
            proposal = awards.propose(session, demand)
            context["proposal"] = proposal
            context["award_values"] = {
                f"{ALLOCATION_PREFIX}{quote.id}": str(quantity)
                for quote, _org, quantity in proposal.allocations
            }
        context["can_award"] = is_buyer and demand.status in ("open", "closed") and not context["accepting"]
    if is_buyer:
        context["threads"] = [(org, messages.thread(session, user, demand, org)) for _quote, org in quotes]
    else:
        own = {org.id: quote for quote, org in quotes}
        context["sides"] = [
            ProducerSide(org, own.get(org.id), messages.thread(session, user, demand, org))
            for org in demands.producer_organizations(session, user)
            if demands.may_quote_as(session, demand, org)
        ]
    context |= extra
    return _page(request, "linking/demand.html", context, status, user)


@router.get("/demandas/{demand_id}")
def demand_page(
    demand_id: int, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    return _demand_page(request, session, user, demands.visible(session, user, demand_id))


@router.post("/demandas/{demand_id}/publicar")
def publish(
    demand_id: int, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    demand = demands.visible(session, user, demand_id)
    with _refused(request, session, 403, 409, 422):
        demands.open_for_quotes(session, user, demand)
        flash(request, _("Publicamos la demanda. Avisaremos a las organizaciones que pueden surtirla."))
    return redirect(f"/demandas/{demand_id}")


@router.post("/demandas/{demand_id}/cancelar")
def cancel(
    demand_id: int, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    demand = demands.visible(session, user, demand_id)
    with _refused(request, session, 403, 409):
        demands.cancel(session, user, demand)
        flash(request, _("Cancelamos la demanda."))
    return redirect(f"/demandas/{demand_id}")


# --- quotes ------------------------------------------------------------------------------------------


def _quoting_as(session: Session, user: User, slug: str) -> Organization:
    """One of the person's verified producer organizations (the one the form was sent for)."""
    for organization in demands.producer_organizations(session, user):
        if organization.slug == slug:
            return organization
    raise NotFound()


@router.post("/demandas/{demand_id}/cotizar")
def submit_quote(
    demand_id: int,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    demand = demands.visible(session, user, demand_id)
    values = text_fields(form)
    organization = _quoting_as(session, user, str(values.pop("organizacion", "")))
    data, errors = dict(values), dict[str, str]()
    pesos_field(data, "unit_price", "unit_price_cents", errors, _(PRICE_HELP))
    try:
        with _refused(request, session, 403, 409):
            quote = validate(QuoteCreate, data, errors)
            demands.submit_quote(session, user, demand, organization, quote)
            flash(request, _("Enviamos tu cotización. Puedes cambiarla o retirarla hasta el cierre."))
            return redirect(f"/demandas/{demand_id}#cotizar-{organization.slug}")
    except (FormInvalid, ValidationFailed) as exc:
        session.rollback()
        return _demand_page(
            request,
            session,
            user,
            demand,
            422,
            quote_errors={organization.id: _errors(exc)},
            quote_values={organization.id: values},
        )
    return redirect(f"/demandas/{demand_id}")


@router.post("/demandas/{demand_id}/cotizaciones/{quote_id}/retirar")
def withdraw_quote(
    demand_id: int,
    quote_id: int,
    request: Request,
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    demands.visible(session, user, demand_id)
    with _refused(request, session, 403, 404, 409):
        if demands.withdraw_quote(session, user, quote_id).demand_id != demand_id:
            raise NotFound()
        flash(request, _("Retiramos tu cotización. Puedes enviar otra mientras la demanda siga abierta."))
    return redirect(f"/demandas/{demand_id}")


# --- award -------------------------------------------------------------------------------------------


def _allocations(form: FormData) -> tuple[list[dict[str, int]], dict[str, str], dict[str, str]]:
    """The `cantidad_<quote id>` fields: the non-zero ones are the allocations (and the typed values)."""
    allocations, errors, values = [], {}, {}
    for key, value in form.items():
        if not key.startswith(ALLOCATION_PREFIX) or not key.removeprefix(ALLOCATION_PREFIX).isdigit():
            continue
        values[key] = raw = str(value).strip()
        if raw in ("", "0"):
            continue
        quantity = _int(raw)
        if quantity is None:
            errors[key] = _("Escribe un número entero.")
        else:
            allocations.append({"quote_id": int(key.removeprefix(ALLOCATION_PREFIX)), "quantity": quantity})
    if not allocations and not errors:
        errors["allocations"] = _("Asigna una cantidad al menos a una cotización.")
    return allocations, errors, values


@router.post("/demandas/{demand_id}/adjudicar")
def award(
    demand_id: int,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    demand = demands.visible(session, user, demand_id)
    allocations, errors, values = _allocations(form)
    try:
        with _refused(request, session, 403, 409):
            request_data = validate(AwardRequest, {"allocations": allocations}, errors)
            orders = awards.award(session, request.app.state.settings, user, demand, request_data)
            number = demand.purchase_order
            flash(request, _("Adjudicaste la demanda. Orden de compra {number}.").format(number=number))
            return redirect(f"/pedidos/{orders[0].id}" if orders else f"/demandas/{demand_id}")
    except (FormInvalid, ValidationFailed) as exc:
        session.rollback()
        found = exc.errors if isinstance(exc, FormInvalid) else {k: _(v) for k, v in exc.errors.items()}
        shown: dict[str, str] = {}
        for key, message in found.items():  # "allocations.1.quantity" -> the field of that quote
            parts = key.split(".")
            if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(allocations):
                key = f"{ALLOCATION_PREFIX}{allocations[int(parts[1])]['quote_id']}"
            shown.setdefault(key, message)
        return _demand_page(request, session, user, demand, 422, award_errors=shown, award_values=values)
    return redirect(f"/demandas/{demand_id}")


# --- conversations -----------------------------------------------------------------------------------


@router.post("/demandas/{demand_id}/mensajes")
def post_message(
    demand_id: int,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    demand = demands.visible(session, user, demand_id)
    values = text_fields(form)
    organization = organizations.get_by_slug(session, str(values.pop("organizacion", "")))
    try:
        with _refused(request, session, 403):
            messages.post(session, user, demand, organization, validate(MessageCreate, values).body)
            flash(request, _("Enviamos tu mensaje."))
    except FormInvalid:
        flash(request, _("Escribe tu mensaje antes de enviarlo."), "error")
    return redirect(f"/demandas/{demand_id}#conversacion-{organization.slug}")


# --- purchase order ----------------------------------------------------------------------------------


@router.get("/pedidos/{order_id}/orden-de-compra")
def purchase_order(
    order_id: int, request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    order = queries.visible_order(session, user, order_id)
    if order.demand_id is None:
        raise NotFound()
    demand = demands.visible(session, user, order.demand_id)
    buyer = buyers.get(session, demand.buyer_organization_id)
    public = queries.to_public(session, order)
    suppliers = {
        f.organization_slug: organizations.get_by_slug(session, f.organization_slug)
        for f in public.fulfillments
    }
    if not (order.buyer_id == user.id or user.is_admin or buyers.is_member(session, user, buyer)):
        # A producer sees its own part only: the others' awarded prices are their quotes.
        public.fulfillments = [
            f
            for f in public.fulfillments
            if organizations.role_in(session, user, suppliers[f.organization_slug]) is not None
        ]
    return _page(
        request,
        "linking/purchase_order.html",
        {
            "order": order,
            "public": public,
            "demand": demand,
            "buyer": buyer,
            "suppliers": suppliers,
            "total_cents": sum(f.subtotal_cents + f.delivery_cents for f in public.fulfillments),
            "call_off": next((c for c in awards.call_offs(session, demand) if c.order_id == order.id), None),
        },
        user=user,
    )


# --- administration ----------------------------------------------------------------------------------


@router.get("/admin/instituciones")
def verification_queue(
    request: Request, user: User = Depends(require_user), session: Session = DbSession
) -> Response:
    pending = buyers.verification_queue(session, user)
    return _page(request, "linking/admin_queue.html", {"pending": pending}, user=user)


@router.post("/admin/instituciones/{buyer_id}/{decision}")
def decide(
    buyer_id: int,
    decision: str,
    request: Request,
    form: FormData = Depends(form_data),
    user: User = Depends(require_user),
    session: Session = DbSession,
) -> Response:
    if decision not in ("verificar", "rechazar"):
        raise NotFound()
    buyer = buyers.get(session, buyer_id)
    with _refused(request, session, 409, 422):
        buyers.decide(session, user, buyer, decision == "verificar", str(form.get("reason", "")) or None)
        done = _("Verificamos {name}.") if decision == "verificar" else _("Rechazamos {name}.")
        flash(request, done.format(name=buyer.name))
    return redirect("/admin/instituciones")
