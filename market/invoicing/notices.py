"""Whoever an invoice is for gets it by e-mail once it is stamped (or, later, cancelled at the SAT): the
order's buyer for a part's ingreso, payment complement or credit note; the producer's owners for the
platform's commission invoice. A global invoice is for público en general: nobody to send it to."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from market.accounts.models import User
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from market.mail import kinds
from market.mail.queue import send, send_each
from market.orders.models import Order
from market.organizations.models import Organization
from market.organizations.people import owners_of
from market.urls import path_for

PLATFORM_NAME = "Tianguis Solidario"


def tell_receiver(session: Session, invoice: Invoice) -> None:
    assert invoice.id is not None
    context: dict[str, Any] = {
        "kind_label": invoice.kind.label,
        "folio": f"{invoice.serie or ''}{invoice.folio or ''}",
        "uuid": invoice.uuid,
        "total_cents": invoice.total_cents,
        "xml_link": path_for("invoicing.xml", invoice_id=invoice.id),
        "pdf_link": path_for("invoicing.pdf", invoice_id=invoice.id),
        "cancelled": invoice.status == InvoiceStatus.CANCELADA,
    }
    if invoice.kind == InvoiceKind.COMISION:
        producer = session.get_one(Organization, invoice.organization_id)
        link = path_for("invoicing.producer_invoices", slug=producer.slug)
        people = owners_of(session, invoice.organization_id)
        send_each(session, kinds.INVOICE_ISSUED, people, link=link, organization=PLATFORM_NAME, **context)
    elif invoice.kind != InvoiceKind.GLOBAL and invoice.order_id is not None:
        order = session.get_one(Order, invoice.order_id)
        issuer = session.get_one(Organization, invoice.organization_id)
        link = path_for("orders.order_page", order_id=order.id)
        buyer = session.get_one(User, order.buyer_id)
        send(session, kinds.INVOICE_ISSUED, buyer, link=link, organization=issuer.name, **context)
