"""Cancelling a stamped CFDI with its motive, through the PAC."""

from __future__ import annotations

from sqlmodel import Session

from market.invoicing.models import Invoice


def request(session: Session, invoice: Invoice, motive: str) -> None:
    """Ask for the invoice's cancellation with `motive` (c_MotivoCancelacion)."""
    invoice.cancel_motive = motive
    session.add(invoice)
