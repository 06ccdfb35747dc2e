"""The CFDI de Egreso (nota de crédito): money given back for a part, related to the CFDI that invoiced it.

Written por timbrar when the refund happens (market.invoicing.corrections), issued by the worker like every
kind (market.invoicing.issuing) once the CFDI it corrects is stamped; refused, with the reason for the
producer, when that CFDI was refused or cancelled. The CFDI itself is market.invoicing.credit_note's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from market.errors import MarketError
from market.i18n import N_
from market.invoicing import build, credit_note, issuing
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from market.orders.models import Fulfillment, Order, OrderStatus

# c_FormaPago of a credit note that lowers what an institution on invoice terms still owes (a PPD ingreso
# not paid yet): no money moves, the producer forgives that part of the debt, so "15 Condonación". Not
# "17 Compensación", which sets off two debts against each other: the institution is owed nothing by the
# producer that could be set off, the amount simply stops being owed.
CONDONATION = "15"
CORRECTED_REFUSED = N_(
    "La factura que corrige esta nota de crédito no se timbró o fue cancelada: la nota de crédito no se "
    "emite."
)
TOTAL_MISMATCH = N_("El total de la nota de crédito no coincide con lo reembolsado.")


def owed(session: Session, corrected: Invoice, fulfillment: Fulfillment, amount_cents: int) -> Invoice:
    """A credit note for `amount_cents` of the part, related to `corrected` (its ingreso or the global
    invoice it is in): written por timbrar, issued by the worker once `corrected` is stamped. Paid as the
    corrected CFDI was (PUE); a PPD ingreso paid since by transfer, by transfer; one not paid yet, by
    condonation of that much of the balance."""
    assert fulfillment.id is not None
    forma = corrected.forma_pago
    if corrected.metodo_pago == "PPD":
        order = session.get_one(Order, fulfillment.order_id)
        forma = CONDONATION if order.status == OrderStatus.INVOICED else build.TRANSFER
    note = Invoice(
        organization_id=corrected.organization_id,
        fulfillment_id=fulfillment.id,
        order_id=fulfillment.order_id,
        kind=InvoiceKind.EGRESO,
        metodo_pago="PUE",
        forma_pago=forma,
        total_cents=amount_cents,
        related_invoice_id=corrected.id,
    )
    session.add(note)
    session.flush()
    issuing.request_issue(session, note)
    return note


def comprobante(session: Session, issuer: build.Issuer, invoice: Invoice, fecha: datetime) -> Any:
    """The credit note's CFDI (not sealed); IngresoPending while the CFDI it corrects is not stamped."""
    corrected = session.get(Invoice, invoice.related_invoice_id) if invoice.related_invoice_id else None
    if corrected is None or corrected.status in (InvoiceStatus.RECHAZADA, InvoiceStatus.CANCELADA):
        raise MarketError(CORRECTED_REFUSED)
    if corrected.status != InvoiceStatus.TIMBRADA or corrected.stamped_xml is None:
        raise issuing.IngresoPending()
    fulfillment = session.get_one(Fulfillment, invoice.fulfillment_id)
    order = session.get_one(Order, fulfillment.order_id)
    lines, category = issuing.part_lines(session, fulfillment, order)
    issuing.numbered(session, issuer, invoice)
    assert invoice.serie is not None and invoice.folio is not None
    cfdi = credit_note.egreso(
        issuer=issuer,
        corrected_xml=corrected.stamped_xml,
        sold=credit_note.treatments(build.part_conceptos(fulfillment, lines, category)),
        amount_cents=invoice.total_cents,
        whole=invoice.total_cents == fulfillment.subtotal_cents + fulfillment.delivery_cents,
        forma_pago=invoice.forma_pago,
        serie=invoice.serie,
        folio=invoice.folio,
        fecha=fecha,
    )
    if int(cfdi["Total"] * 100) != invoice.total_cents:
        raise MarketError(TOTAL_MISMATCH)
    return cfdi
