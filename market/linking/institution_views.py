"""Pages of the institutions that buy: their registration, the institution's page and its members, its
form for a new demand, the printable purchase order of an awarded demand, and the administrators'
verification of institutions. Thin: the rules live in the linking services. The demands themselves (quotes,
award, conversations) are in `views`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market import csvfiles
from market.accounts.models import User
from market.bounds import MAX_ID, Id, whole_number
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.errors import EmailNotConfirmed, Forbidden, NotFound, ValidationFailed
from market.forms import FormInvalid, checkbox, pesos_field, text_fields, validate
from market.i18n import N_
from market.i18n import gettext as _
from market.linking import awards, buyer_members, buyers, demands, exports, notifications
from market.linking.models import BuyerOrganization
from market.linking.pages import LABELS, PRICE_HELP, form_errors
from market.linking.schemas import (
    BUYER_KINDS,
    FREQUENCIES,
    REGIMENES_FISCALES,
    USOS_CFDI,
    BuyerOrganizationCreate,
    DemandCreate,
    PurchasingSettings,
)
from market.mexico import MEXICO_CITY
from market.money import cents_to_pesos_text
from market.orders import queries
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.web import PageContext, confirm_first, flash, flash_failure, refusable, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

ONCE = N_("Una sola vez")
AMOUNT_HELP = N_("Escribe el monto en pesos, por ejemplo 50000.00, o déjalo en blanco.")


def _member_buyer(session: Session, user: User, buyer_id: int) -> BuyerOrganization:
    """The institution, for its members only (to anyone else it does not exist)."""
    buyer = buyers.get(session, buyer_id)
    if not buyers.is_member(session, user, buyer):
        raise NotFound()
    return buyer


# --- registration ------------------------------------------------------------------------------------


def _institution_form(
    page: PageContext,
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
    return page.render("linking/institution_form.html", LABELS | context, status)


@router.get("/instituciones/nueva", name="linking.new_institution")
def new_institution(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    if not user.email_confirmed:
        message = _("Confirma tu correo para registrar una institución.")
        return confirm_first(page, _("Registrar una institución"), message)
    return _institution_form(page, session, user, {"uso_cfdi": "G01"}, {})


@router.post("/instituciones/nueva", name="linking.create_institution")
def create_institution(page: PageDep, form: FormDep, user: UserDep, session: SessionDep) -> Response:
    values = text_fields(form)
    data = dict(values)
    errors: dict[str, str] = {}
    producer_id = None
    if raw := data.pop("producer_organization_id", None):
        producer_id = whole_number(raw, maximum=MAX_ID)
        if producer_id is None:
            errors["producer_organization_id"] = _("Elige una de tus organizaciones.")
    try:
        with refusable(session):
            buyer = buyers.create(session, user, validate(BuyerOrganizationCreate, data, errors), producer_id)
    except FormInvalid as exc:
        return _institution_form(page, session, user, values, form_errors(exc), 422)
    except EmailNotConfirmed:
        raise  # the error page, with the notice to confirm; not a fault of the form's fields
    except Forbidden as exc:
        return _institution_form(page, session, user, values, {"producer_organization_id": exc.detail}, 422)
    flash(
        page.request,
        _("Registramos {name}. El equipo revisará sus datos fiscales para verificarla.").format(
            name=buyer.name
        ),
    )
    return page.redirect(page.url("linking.institution", buyer_id=buyer.id))


# --- the institution's page and its members ----------------------------------------------------------


def _institution_page(
    page: PageContext,
    session: Session,
    user: User,
    buyer: BuyerOrganization,
    status: int = 200,
    **extra: Any,
) -> Response:
    member = buyers.is_member(session, user, buyer)
    context: dict[str, Any] = {
        "buyer": buyer,
        "member": member,
        "owner": member and buyer_members.is_owner(session, user, buyer),
        "demands": demands.of_buyer(session, user, buyer) if member else [],
        "members": notifications.buyer_members(session, buyer.id or 0),
        "producer": (
            session.get(Organization, buyer.producer_organization_id)
            if buyer.producer_organization_id
            else None
        ),
        "purchasing_values": {
            "partida_required": buyer.partida_required,
            "approval_threshold": cents_to_pesos_text(buyer.approval_threshold_cents)
            if buyer.approval_threshold_cents is not None
            else "",
        },
        "purchasing_errors": {},
    }
    return page.render("linking/institution.html", LABELS | context | extra, status)


@router.get("/instituciones/{buyer_id}", name="linking.institution")
def institution(buyer_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    return _institution_page(page, session, user, buyers.visible(session, user, buyer_id))


@router.post("/instituciones/{buyer_id}/compras", name="linking.purchasing_settings")
def purchasing_settings(
    buyer_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    """The owners' settings of how the institution buys: the partida on every demand, the second approval."""
    buyer = _member_buyer(session, user, buyer_id)
    typed = str(text_fields(form).get("approval_threshold", ""))
    data: dict[str, Any] = {"partida_required": checkbox(form, "partida_required"), "threshold": typed}
    errors: dict[str, str] = {}
    pesos_field(data, "threshold", "approval_threshold_cents", errors, _(AMOUNT_HELP))
    try:
        with flash_failure(page.request, session, 403):
            settings = validate(PurchasingSettings, data, errors)
            buyers.set_purchasing(session, user, buyer, settings, set(PurchasingSettings.model_fields))
            flash(page.request, _("Guardamos cómo compra {name}.").format(name=buyer.name))
    except FormInvalid as exc:
        shown = {"partida_required": data["partida_required"], "approval_threshold": typed}
        return _institution_page(
            page, session, user, buyer, 422, purchasing_values=shown, purchasing_errors=form_errors(exc)
        )
    return page.redirect(page.url("linking.institution", buyer_id=buyer.id) + "#compras")


@router.get("/instituciones/{buyer_id}/demandas.csv", name="linking.demands_csv")
def demands_csv(buyer_id: Id, user: UserDep, session: SessionDep) -> Response:
    """The institution's demands with their partida, purchase order and amount awarded (its members)."""
    buyer = _member_buyer(session, user, buyer_id)
    rows = exports.demand_rows(session, user, buyer)
    return csvfiles.response(f"demandas-{buyer.slug}.csv", exports.COLUMNS, rows)


# --- the institution's demand form -------------------------------------------------------------------


def _demand_form(
    page: PageContext,
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
    return page.render("linking/demand_form.html", LABELS | context, status)


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


@router.get("/instituciones/{buyer_id}/demandas/nueva", name="linking.new_demand")
def new_demand(buyer_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    buyer = _member_buyer(session, user, buyer_id)
    if not user.email_confirmed:
        message = _("Confirma tu correo para publicar demandas de tu institución.")
        return confirm_first(page, _("Nueva demanda"), message)
    defaults = {
        "delivery_state": buyer.state,
        "delivery_municipality": buyer.municipality,
        "deliveries": "1",
        "visibility": "public",
    }
    return _demand_form(page, session, user, buyer, defaults, {})


@router.post("/instituciones/{buyer_id}/demandas/nueva", name="linking.create_demand")
def create_demand(buyer_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep) -> Response:
    buyer = _member_buyer(session, user, buyer_id)
    values = text_fields(form)
    try:
        with refusable(session):  # nothing of a refused form may be committed with the error page
            demand = demands.create(session, user, buyer, validate(DemandCreate, *_demand_data(form, values)))
    except (FormInvalid, ValidationFailed) as exc:
        return _demand_form(page, session, user, buyer, values, form_errors(exc), 422)
    flash(
        page.request, _("Guardamos la demanda como borrador. Revísala y publícala para recibir cotizaciones.")
    )
    return page.redirect(page.url("linking.demand_page", demand_id=demand.id))


# --- purchase order ----------------------------------------------------------------------------------


@router.get("/pedidos/{order_id}/orden-de-compra", name="linking.purchase_order")
def purchase_order(order_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    order = queries.visible_order(session, user, order_id)
    if order.demand_id is None:
        raise NotFound()
    demand = demands.visible(session, user, order.demand_id)
    buyer = buyers.get(session, demand.buyer_organization_id)
    public = queries.view_of(session, user, order)  # a producer: its own part, its quoted prices only
    suppliers = {
        f.organization_slug: organizations.get_by_slug(session, f.organization_slug)
        for f in public.fulfillments
    }
    return page.render(
        "linking/purchase_order.html",
        LABELS
        | {
            "order": order,
            "public": public,
            "demand": demand,
            "buyer": buyer,
            "suppliers": suppliers,
            "total_cents": public.total_cents,
            "call_off": next((c for c in awards.call_offs(session, demand) if c.order_id == order.id), None),
        },
    )


# --- administration ----------------------------------------------------------------------------------


@router.get("/admin/instituciones", name="linking.verification_queue")
def verification_queue(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    pending = buyers.verification_queue(session, user)
    return page.render("linking/admin_queue.html", LABELS | {"pending": pending})


@router.post("/admin/instituciones/{buyer_id}/{decision}", name="linking.decide")
def decide(
    buyer_id: Id, decision: str, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    buyer = buyers.get_for_admin(session, user, buyer_id)
    if decision not in ("verificar", "rechazar"):
        raise NotFound()
    with flash_failure(page.request, session, 409, 422):
        buyers.decide(session, user, buyer, decision == "verificar", str(form.get("reason", "")) or None)
        done = _("Verificamos {name}.") if decision == "verificar" else _("Rechazamos {name}.")
        flash(page.request, done.format(name=buyer.name))
    return page.redirect(page.url("linking.verification_queue"))
