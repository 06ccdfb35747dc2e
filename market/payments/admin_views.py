"""Administrators' money pages: the bank statement matched against the orders awaiting a transfer, the
producers' payouts by SPEI, and the offline refunds still to be sent back to buyers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from market import i18n
from market.accounts.models import User
from market.admin import audit
from market.bounds import Id
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.forms import pesos_field
from market.i18n import gettext as _
from market.money import format_mxn
from market.orders import queries
from market.orders.fulfillment import confirm_offline_payment
from market.orders.models import Order
from market.organizations.models import Organization
from market.payments import dispersion as dispersions
from market.payments import service as payments
from market.payments import statement
from market.web import PageContext, flash, flash_failure, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
PAYOUT_REFERENCE_MAX, REFUND_REFERENCE_MAX = 80, 64  # Payout.reference, Refund.provider_ref


def _too_long(request: Request, form: FormData, limit: int) -> bool:
    """A tracking key longer than its column would fail in the database: say so instead."""
    if len(str(form.get("reference", "")).strip()) <= limit:
        return False
    message = _("La clave de rastreo es demasiado larga (máximo {n} caracteres).").format(n=limit)
    flash(request, message, "error")
    return True


# --- bank statement -----------------------------------------------------------------------------------


def _payments_page(
    page: PageContext, session: Session, user: User, status_code: int = 200, **context: Any
) -> Response:
    """Orders whose money an administrator matches (with what a statement upload adds): each with the
    reference the buyer was given and the exact amount still due."""
    pending = [
        (order, buyer, order.payment_reference, payments.amount_due(session, order))
        for order, buyer in queries.awaiting_payment(session, user)
    ]
    return page.render("orders/payments.html", {"pending": pending} | context, status_code)


@router.get("/admin/pagos", name="payments.payments_queue")
def payments_queue(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    return _payments_page(page, session, user)


@router.post("/admin/pagos/estado-de-cuenta", name="payments.upload_statement")
def upload_statement(
    file: Annotated[UploadFile, File(alias="archivo")], page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    audit.require_admin(user)
    try:
        report = statement.reconcile(session, user, file.file.read(statement.MAX_BYTES + 1))
    except statement.StatementRejected as exc:
        return _payments_page(
            page, session, user, 422, statement_error=exc.detail, statement_problems=exc.problems
        )
    return _payments_page(
        page,
        session,
        user,
        report=report,
        OUTCOME_LABELS=statement.OUTCOME_LABELS,
    )


@router.post(
    "/admin/pagos/{order_id}", name="payments.confirm_payment"
)  # after /admin/pagos/estado-de-cuenta, which it would shadow
def confirm_payment(
    order_id: Id, request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    with flash_failure(request, session, 409, 422):
        confirm_offline_payment(session, user, order_id, str(form.get("reference", "")))
        flash(request, _("Pago registrado: el pedido {n} pasa a las organizaciones.").format(n=order_id))
    return page.redirect(page.url("payments.payments_queue"))


# --- payouts and refunds ------------------------------------------------------------------------------


@router.get("/admin/pagos-a-productores", name="payments.payouts_page")
def payouts_page(page: PageDep, user: UserDep, session: SessionDep) -> Response:
    payable = payments.payable_organizations(session, user)
    refunds = []
    for refund in payments.pending_refunds(session, user):
        order = session.get(Order, refund.order_id)
        assert order is not None
        buyer = session.get(User, order.buyer_id)
        refunds.append((refund, order, buyer, order.payment_reference))
    return page.render(
        "payments/admin_payouts.html",
        {
            "payable": payable,
            "refunds": refunds,
            "payouts": payments.recent_payouts(session, user),
            "waiting": dispersions.waiting_for_the_bank(session, user),
        },
    )


@router.post("/admin/pagos-a-productores/{organization_id}", name="payments.record_payout")
def record_payout(
    organization_id: Id, request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    audit.require_admin(user)
    back = page.url("payments.payouts_page")
    data: dict[str, Any] = {"amount": str(form.get("amount", ""))}
    errors: dict[str, str] = {}
    pesos_field(data, "amount", "amount_cents", errors, _("Escribe el monto en pesos, por ejemplo 1,250.50."))
    if errors or "amount_cents" not in data:
        flash(request, errors.get("amount_cents") or _("Escribe el monto del pago."), "error")
        return page.redirect(back)
    if _too_long(request, form, PAYOUT_REFERENCE_MAX):
        return page.redirect(back)
    # A savepoint: whatever the service wrote before refusing is undone, and the refusal is shown.
    with flash_failure(request, session, 404, 409, 422):
        payout = payments.pay_out(
            session, user, organization_id, data["amount_cents"], str(form.get("reference", ""))
        )
        organization = session.get(Organization, organization_id)
        assert organization is not None
        flash(
            request,
            _("Pago registrado: {amount} a {name}.").format(
                amount=format_mxn(payout.amount_cents, i18n.current_locale.get()), name=organization.name
            ),
        )
    return page.redirect(back)


@router.post("/admin/reembolsos/{refund_id}", name="payments.record_refund_sent")
def record_refund_sent(
    refund_id: Id, request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    audit.require_admin(user)
    back = page.url("payments.payouts_page")
    if _too_long(request, form, REFUND_REFERENCE_MAX):
        return page.redirect(back)
    with flash_failure(request, session, 404, 409, 422):
        refund = payments.mark_refund_sent(session, user, refund_id, str(form.get("reference", "")))
        flash(
            request,
            _("Reembolso registrado: {amount} del pedido {n}.").format(
                amount=format_mxn(refund.amount_cents, i18n.current_locale.get()), n=refund.order_id
            ),
        )
    return page.redirect(back)
