"""Pages' actions on an awarded demand's schedule ("Entregas programadas" on the demand's page): pause,
resume, skip one delivery, change the quantity per delivery, end. Thin: the rules are in
market.linking.schedules; the table itself is rendered by the demand's page (views._demand_page)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from market.bounds import Id, whole_number
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.errors import ValidationFailed
from market.forms import FormInvalid, validate
from market.i18n import gettext as _
from market.i18n import ngettext
from market.linking import demands, schedules, views
from market.linking.schedule_schemas import ScheduleChange
from market.web import PageContext, flash, flash_failure, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

QUANTITY_PREFIX = "entrega_"  # entrega_<quote id>: one producer's quantity per delivery


def _back(page: PageContext, demand_id: int) -> Response:
    return page.redirect(page.url("linking.demand_page", demand_id=demand_id) + "#entregas")


@router.post("/demandas/{demand_id}/entregas/pausar", name="linking.pause_schedule")
def pause(demand_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    demand = demands.visible(session, user, demand_id)
    with flash_failure(page.request, session, 403, 409):
        schedules.pause(session, user, demand)
        flash(page.request, _("Pausamos las entregas. No se hará ningún pedido hasta que las reanudes."))
    return _back(page, demand_id)


@router.post("/demandas/{demand_id}/entregas/reanudar", name="linking.resume_schedule")
def resume(demand_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    demand = demands.visible(session, user, demand_id)
    with flash_failure(page.request, session, 403, 409):
        missed = schedules.resume(session, user, demand)
        message = _("Reanudamos las entregas.")
        if missed:
            message += " " + ngettext(
                "Se omitió %(num)d entrega que cayó durante la pausa.",
                "Se omitieron %(num)d entregas que cayeron durante la pausa.",
                len(missed),
            ) % {"num": len(missed)}
        flash(page.request, message)
    return _back(page, demand_id)


@router.post("/demandas/{demand_id}/entregas/terminar", name="linking.end_schedule")
def end(demand_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    demand = demands.visible(session, user, demand_id)
    with flash_failure(page.request, session, 403, 409):
        schedules.end(session, user, demand)
        flash(page.request, _("Terminamos las entregas. Los pedidos ya hechos siguen en pie."))
    return _back(page, demand_id)


@router.post("/demandas/{demand_id}/entregas/{sequence}/omitir", name="linking.skip_delivery")
def skip(demand_id: Id, sequence: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    demand = demands.visible(session, user, demand_id)
    with flash_failure(page.request, session, 403, 404, 409):
        schedules.skip(session, user, demand, sequence)
        flash(page.request, _("Omitimos la entrega {n}. Avisamos a las organizaciones.").format(n=sequence))
    return _back(page, demand_id)


@router.post("/demandas/{demand_id}/entregas/cantidad", name="linking.change_schedule")
def change_quantity(
    demand_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    demand = demands.visible(session, user, demand_id)
    allocations, errors, values = [], {}, {}
    for key, value in form.items():
        quote_id = whole_number(key.removeprefix(QUANTITY_PREFIX))
        if not key.startswith(QUANTITY_PREFIX) or quote_id is None:
            continue
        values[key] = raw = str(value).strip()
        quantity = whole_number(raw)
        if quantity is None or quantity < 1:
            errors[key] = _("Escribe un número entero mayor que cero.")
        else:
            allocations.append({"quote_id": quote_id, "quantity": quantity})
    if not allocations and not errors:
        errors["allocations"] = _("Escribe la cantidad por entrega de cada organización.")
    try:
        with flash_failure(page.request, session, 403, 409):
            change = validate(ScheduleChange, {"allocations": allocations}, errors)
            schedules.change_quantity(session, user, demand, change)
            changed = _("Cambiamos la cantidad de las próximas entregas. Avisamos a las organizaciones.")
            flash(page.request, changed)
    except (FormInvalid, ValidationFailed) as exc:  # flash_failure's savepoint undid what it wrote
        found = exc.errors if isinstance(exc, FormInvalid) else {k: _(v) for k, v in exc.errors.items()}
        shown: dict[str, str] = {}
        for key, message in found.items():  # "allocations.1.quantity" -> the field of that quote
            parts = key.split(".")
            if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(allocations):
                key = f"{QUANTITY_PREFIX}{allocations[int(parts[1])]['quote_id']}"
            shown.setdefault(key, message)
        return views._demand_page(
            page, session, user, demand, 422, schedule_errors=shown, schedule_values=values
        )
    return _back(page, demand_id)
