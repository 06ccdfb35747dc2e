"""The CFDI de Egreso (nota de crédito): money given back for a part, related to the CFDI that invoiced it."""

from __future__ import annotations

from sqlmodel import Session

from market.invoicing.models import Invoice, InvoiceKind
from market.orders.models import Fulfillment


def owed(session: Session, corrected: Invoice, fulfillment: Fulfillment, amount_cents: int) -> Invoice:
    """A credit note for `amount_cents` of the part, related to `corrected` (its ingreso or the global
    invoice it is in): written por timbrar, issued by the worker once `corrected` is stamped."""
    from market.invoicing.issuing import request_issue

    assert fulfillment.id is not None
    note = Invoice(
        organization_id=corrected.organization_id,
        fulfillment_id=fulfillment.id,
        order_id=fulfillment.order_id,
        kind=InvoiceKind.EGRESO,
        metodo_pago="PUE",
        forma_pago=corrected.forma_pago,
        total_cents=amount_cents,
        related_invoice_id=corrected.id,
    )
    session.add(note)
    session.flush()
    request_issue(session, note)
    return note
