"""Pages where people see invoices: the downloads of one invoice (XML, PDF), the producer's invoices, the
institution's month of invoices in one ZIP, and the administrators' list of invoices stuck in stamping.
Thin: who may see what is in `queries`."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from market.admin.audit import require_admin
from market.bounds import Id, PageNumber
from market.deps import FormDep, PageDep, SessionDep, UserDep
from market.i18n import gettext as _
from market.i18n import ngettext
from market.invoicing import global_invoice, queries
from market.invoicing.zip import month_zip
from market.organizations import service as organizations
from market.web import flash, flash_failure, verify_csrf

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


@router.get("/panel/o/{slug}/facturas", name="invoicing.producer_invoices")
def producer_invoices(
    slug: str,
    page: PageDep,
    user: UserDep,
    session: SessionDep,
    page_number: Annotated[PageNumber, Query(alias="page")] = 1,
) -> Response:
    organization = organizations.get_managed(session, slug, user)
    rows = queries.of_producer(session, user, organization, page_number)
    coming = queries.coming_global(session, user, organization)
    received = queries.commissions_received(session, user, organization)
    return page.render(
        "invoicing/producer.html",
        {"org": organization, "page": rows, "coming": coming, "query": "", "received": received},
    )


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
