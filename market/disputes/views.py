"""Dispute pages: the buyer opens one on a part of an order (and follows it there); administrators see the
list and resolve each with a refund or by releasing the money. Thin: the rules live in the service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlmodel import Session

from market.accounts.models import User
from market.admin import audit
from market.bounds import Id, PageNumber
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.disputes import queries, service
from market.disputes.models import DisputeStatus
from market.errors import MarketError, ValidationFailed
from market.i18n import gettext as _
from market.money import cents_to_pesos_text, format_mxn, parse_pesos
from market.web import PageContext, flash, refusable, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
LABELS = {"DISPUTE_STATUS_LABELS": DisputeStatus.labels()}


def _field_errors(exc: ValidationFailed) -> dict[str, str]:
    """The service's messages in the person's language, on the form field that was typed in."""
    return {field.removesuffix("_cents"): _(message) for field, message in exc.errors.items()}


# --- the buyer ----------------------------------------------------------------------------------------


def _part_page(
    page: PageContext,
    session: Session,
    user: User,
    order_id: int,
    fulfillment_id: int,
    status_code: int = 200,
    **context: Any,
) -> Response:
    case = queries.case_of(session, user, fulfillment_id, order_id)
    context = LABELS | {"case": case, "values": {}, "errors": {}} | context
    return page.render("disputes/part.html", context, status_code)


@router.get("/pedidos/{order_id}/partes/{fulfillment_id}/disputa", name="disputes.part_page")
def part_page(
    order_id: Id, fulfillment_id: Id, page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    return _part_page(page, session, user, order_id, fulfillment_id)


@router.post("/pedidos/{order_id}/partes/{fulfillment_id}/disputa", name="disputes.open_dispute")
def open_dispute(
    order_id: Id, fulfillment_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    queries.case_of(session, user, fulfillment_id, order_id)  # 404 to whoever may not see the part there
    values = {"reason": str(form.get("reason", ""))}
    try:
        with refusable(session):  # nothing of a refused request is kept; the typed text is shown again
            service.open(session, user, fulfillment_id, values["reason"])
    except MarketError as exc:
        if exc.status_code not in (409, 422):
            raise
        errors = _field_errors(exc) if isinstance(exc, ValidationFailed) else {}
        error = None if errors else exc.detail
        return _part_page(
            page,
            session,
            user,
            order_id,
            fulfillment_id,
            exc.status_code,
            values=values,
            errors=errors,
            error=error,
        )
    flash(
        page.request,
        _(
            "Abrimos tu disputa. El pago de esta parte queda retenido mientras el equipo de administración "
            "la revisa; te avisaremos por correo."
        ),
    )
    return page.redirect(page.url("disputes.part_page", order_id=order_id, fulfillment_id=fulfillment_id))


# --- administrators -----------------------------------------------------------------------------------


@router.get("/admin/disputas", name="disputes.admin_list")
def admin_list(
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    found = queries.queue(session, user, number)
    # `page` in the template is the page of results, as the shared pagination expects.
    return page.render("disputes/admin_list.html", LABELS | {"page": found, "query": ""})


def _case_page(
    page: PageContext, session: Session, user: User, dispute_id: int, status_code: int = 200, **context: Any
) -> Response:
    audit.require_admin(user)
    case = queries.visible(session, user, dispute_id)
    defaults = {"outcome": "refund", "amount": cents_to_pesos_text(case.full_cents), "note": ""}
    context = LABELS | {"case": case, "values": defaults, "errors": {}} | context
    return page.render("disputes/admin_case.html", context, status_code)


@router.get("/admin/disputas/{dispute_id}", name="disputes.admin_case")
def admin_case(dispute_id: Id, page: PageDep, user: UserDep, session: SessionDep) -> Response:
    return _case_page(page, session, user, dispute_id)


@router.post("/admin/disputas/{dispute_id}/resolver", name="disputes.resolve")
def resolve(dispute_id: Id, page: PageDep, form: FormDep, user: UserDep, session: SessionDep) -> Response:
    audit.require_admin(user)
    values = {key: str(form.get(key, "")).strip() for key in ("outcome", "amount", "note")}
    amount_cents = None
    if values["outcome"] == "refund":
        try:
            amount_cents = parse_pesos(values["amount"])
        except ValueError:
            errors = {"amount": _("Escribe el monto del reembolso en pesos, por ejemplo 1,250.50.")}
            return _case_page(page, session, user, dispute_id, 422, values=values, errors=errors)
    try:
        with refusable(session):
            dispute = service.resolve(
                session, user, dispute_id, values["outcome"], amount_cents, values["note"]
            )
    except ValidationFailed as exc:
        return _case_page(page, session, user, dispute_id, 422, values=values, errors=_field_errors(exc))
    except MarketError as exc:
        if exc.status_code != 409:
            raise  # otherwise resolved meanwhile by someone else: the page shows how
        flash(page.request, exc.detail, "error")
        return page.redirect(page.url("disputes.admin_case", dispute_id=dispute_id))
    if dispute.status == DisputeStatus.REFUNDED:
        amount = format_mxn(dispute.refund_cents or 0, page.locale)
        flash(
            page.request, _("Disputa resuelta: se devuelven {amount} a quien compró.").format(amount=amount)
        )
    else:
        flash(page.request, _("Disputa resuelta: el pago se libera a la organización."))
    return page.redirect(page.url("disputes.admin_case", dispute_id=dispute_id))
