"""Pages where people see invoices: the downloads of one invoice (XML, PDF, the cancellation's acuse), the
producer's invoices (where its owners cancel a stamped one or issue a refused one again), the institution's
month of invoices in one ZIP, and the administrators' list of invoices stuck in stamping or cancelling.
Thin: who may see what is in `queries`; cancelling and issuing again in `cancellation` and `reissue`."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from market.accounts.models import User
from market.admin.audit import require_admin
from market.bounds import Id, PageNumber
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.errors import Conflict, MarketError, ValidationFailed
from market.i18n import N_, ngettext
from market.i18n import gettext as _
from market.invoicing import cancellation, global_invoice, queries, reissue
from market.invoicing.zip import month_zip
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.web import PageContext, flash, flash_failure, refusable, verify_csrf

log = logging.getLogger(__name__)
router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _download(content: bytes, filename: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/facturas/{invoice_id}/xml", name="invoicing.xml")
def xml(invoice_id: Id, user: UserDep, session: SessionDep) -> Response:
    content, filename = queries.xml_of(queries.visible_invoice(session, user, invoice_id))
    return _download(content, filename, "application/xml")


@router.get("/facturas/{invoice_id}/pdf", name="invoicing.pdf")
def pdf(invoice_id: Id, user: UserDep, session: SessionDep) -> Response:
    content, filename = queries.pdf_of(queries.visible_invoice(session, user, invoice_id))
    return _download(content, filename, "application/pdf")


@router.get("/facturas/{invoice_id}/acuse.xml", name="invoicing.acuse")
def acuse(invoice_id: Id, user: UserDep, session: SessionDep) -> Response:
    content, filename = queries.acuse_of(queries.visible_invoice(session, user, invoice_id))
    return _download(content, filename, "application/xml")


def _producer_page(
    page: PageContext,
    session: Session,
    user: User,
    organization: Organization,
    page_number: int = 1,
    errors: dict[int, dict[str, str]] | None = None,
    values: dict[int, dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    rows = queries.of_producer(session, user, organization, page_number)
    return page.render(
        "invoicing/producer.html",
        {
            "org": organization,
            "page": rows,
            "coming": queries.coming_global(session, user, organization),
            "received": queries.commissions_received(session, user, organization),
            "query": "",
            "is_owner": organizations.role_in(session, user, organization) == "owner",
            "errors": errors or {},
            "values": values or {},
        },
        status,
    )


@router.get("/panel/o/{slug}/facturas", name="invoicing.producer_invoices")
def producer_invoices(
    slug: str,
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    organization = organizations.get_managed(session, slug, user)
    return _producer_page(page, session, user, organization, page_number)


CONFIRM = N_("Marca la casilla para confirmar la cancelación.")


def _field_errors(exc: MarketError) -> dict[str, str]:
    return exc.body()["fields"] if isinstance(exc, ValidationFailed) else {"form": exc.detail}


@router.post("/panel/o/{slug}/facturas/{invoice_id}/cancelar", name="invoicing.cancel")
def cancel(
    slug: str,
    invoice_id: Id,
    request: Request,
    page: PageDep,
    form: FormDep,
    user: UserDep,
    session: SessionDep,
) -> Response:
    organization = organizations.get_managed(session, slug, user)
    values = {name: str(form.get(name) or "").strip() for name in ("motive", "substitute")}
    try:
        with refusable(session):
            if form.get("confirm") != "1":
                organizations.require_owner(session, user, organization)
                raise ValidationFailed({"confirm": CONFIRM})
            cancellation.cancel_by_owner(
                session, user, organization, invoice_id, values["motive"], values["substitute"]
            )
    except (ValidationFailed, Conflict) as exc:
        return _producer_page(
            page,
            session,
            user,
            organization,
            errors={invoice_id: _field_errors(exc)},
            values={invoice_id: values},
            status=exc.status_code,
        )
    flash(request, _("Pedimos la cancelación de la factura al PAC."))
    return page.redirect(page.url("invoicing.producer_invoices", slug=organization.slug))


@router.post("/panel/o/{slug}/facturas/{invoice_id}/emitir", name="invoicing.reissue")
def reissue_invoice(
    slug: str, invoice_id: Id, request: Request, page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    organization = organizations.get_managed(session, slug, user)
    try:
        with refusable(session):
            reissue.by_owner(session, user, organization, invoice_id)
    except Conflict as exc:
        return _producer_page(
            page, session, user, organization, errors={invoice_id: _field_errors(exc)}, status=409
        )
    flash(request, _("La factura se emitirá de nuevo con los datos fiscales actuales."))
    return page.redirect(page.url("invoicing.producer_invoices", slug=organization.slug))


@router.get("/instituciones/{buyer_id}/facturas.zip", name="invoicing.month_zip")
def institution_month(
    buyer_id: Id,
    user: UserDep,
    session: SessionDep,
    month: Annotated[str | None, Query(alias="mes", max_length=20)] = None,
) -> Response:
    rows = queries.stamped_in_month(session, user, buyer_id, month)
    first, _, _ = queries.month_bounds(month)
    content = month_zip([row.invoice for row in rows], lambda invoice: queries.pdf_of(invoice)[0])
    return _download(content, f"facturas-{first:%Y-%m}.zip", "application/zip")


@router.get("/admin/facturas", name="invoicing.stuck")
def stuck(
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    return page.render(
        "invoicing/stuck.html",
        {
            "rows": queries.stuck(session, user),
            "globals": queries.global_invoices(session, user),
            "last_month": global_invoice.previous_month(),
            "page": queries.commissions(session, user, page_number),
            "query": "",
        },
    )


@router.post("/admin/facturas/global", name="invoicing.gather_global")
def gather_global(
    request: Request, page: PageDep, form: FormDep, user: UserDep, session: SessionDep
) -> Response:
    """An administrator writes the global invoices of a month that is over (the worker does it anyway)."""
    require_admin(user)
    with flash_failure(request, session, 422):
        written = global_invoice.gather(session, str(form.get("mes", "")))
        flash(
            request,
            ngettext(
                "Escribimos %(num)d factura global; el trabajador la timbra.",
                "Escribimos %(num)d facturas globales; el trabajador las timbra.",
                len(written),
            )
            % {"num": len(written)}
            if written
            else _("No quedaban ventas al público en general de ese mes: no se escribió ninguna factura."),
        )
    return page.redirect(page.url("invoicing.stuck"))


@router.post("/admin/facturas/{invoice_id}/emitir", name="invoicing.admin_reissue")
def admin_reissue(
    invoice_id: Id, request: Request, page: PageDep, user: UserDep, session: SessionDep
) -> Response:
    try:
        with refusable(session):
            reissue.by_admin(session, user, invoice_id)
    except Conflict as exc:
        flash(request, exc.detail, "error")
    else:
        flash(request, _("La factura se emitirá de nuevo con los datos fiscales actuales."))
    return page.redirect(page.url("invoicing.stuck"))
