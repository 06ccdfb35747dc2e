"""What money going back to a buyer does to the invoices of the part it was paid for.

A part still waiting for its month's global invoice just leaves it (or counts for less). Otherwise the CFDI
that covers it is corrected: a whole refund of a part invoiced by itself cancels its ingreso (motive 03,
the operation did not take place) unless a payment complement already relates to it; anything else, and
any part already in a stamped global invoice, gets a CFDI de Egreso related to that CFDI for the amount."""

from __future__ import annotations

from sqlmodel import Session, select

from market.invoicing import cancellation, egreso
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, PublicSale
from market.orders.models import Fulfillment

NOT_CARRIED_OUT = "03"  # c_MotivoCancelacion: operación no llevada a cabo


def part_refunded(session: Session, fulfillment: Fulfillment, amount_cents: int) -> None:
    """`amount_cents` of the part went back to the buyer (or off what the institution owes)."""
    whole = amount_cents == fulfillment.subtotal_cents + fulfillment.delivery_cents
    sale = session.exec(
        select(PublicSale).where(PublicSale.fulfillment_id == fulfillment.id).with_for_update()
    ).first()
    if sale is not None:
        if sale.invoice_id is None:  # not gathered yet: the month's global invoice counts it for less
            if whole:
                session.delete(sale)
            else:
                sale.total_cents -= amount_cents
                session.add(sale)
            return
        egreso.owed(session, session.get_one(Invoice, sale.invoice_id), fulfillment, amount_cents)
        return
    invoices = {
        invoice.kind: invoice
        for invoice in session.exec(
            select(Invoice).where(Invoice.fulfillment_id == fulfillment.id).with_for_update(key_share=True)
        )
    }
    ingreso = invoices.get(InvoiceKind.INGRESO)
    if ingreso is None or ingreso.status in (InvoiceStatus.RECHAZADA, InvoiceStatus.CANCELADA):
        return  # nothing was invoiced for it
    if whole and InvoiceKind.PAGO not in invoices:
        cancellation.request(session, ingreso, NOT_CARRIED_OUT)
    else:
        egreso.owed(session, ingreso, fulfillment, amount_cents)
