"""Issuing a refused invoice again, once its producer fixed what was wrong (its fiscal data, its CSD).

A refused (rechazada) CFDI never got a UUID, so it keeps its serie and folio: it goes back to por timbrar
with its signed XML cleared (it is built and sealed again with the data as they are now) and a new outbox
event. Only a refused invoice; two clicks at once issue it again once (the second finds it por timbrar)."""

from __future__ import annotations

from sqlmodel import Session

from market.accounts.models import User
from market.admin.audit import require_admin
from market.errors import Conflict, NotFound
from market.i18n import N_
from market.invoicing import cancellation, issuing
from market.invoicing.models import Invoice, InvoiceStatus
from market.organizations import service as organizations
from market.organizations.models import Organization

NOT_REFUSED = N_("Solo se emite de nuevo una factura rechazada.")


def by_owner(session: Session, user: User, organization: Organization, invoice_id: int) -> Invoice:
    """An owner of the issuer issues its refused invoice again."""
    organizations.require_owner(session, user, organization)
    invoice = cancellation.locked(session, invoice_id)
    if invoice is None or invoice.organization_id != organization.id:
        raise NotFound()
    return _again(session, invoice)


def by_admin(session: Session, admin: User, invoice_id: int) -> Invoice:
    """An administrator issues a refused invoice again (from the stuck invoices)."""
    require_admin(admin)
    invoice = cancellation.locked(session, invoice_id)
    if invoice is None:
        raise NotFound()
    return _again(session, invoice)


def _again(session: Session, invoice: Invoice) -> Invoice:
    if invoice.status != InvoiceStatus.RECHAZADA:
        raise Conflict(NOT_REFUSED)
    invoice.status = InvoiceStatus.POR_TIMBRAR
    invoice.signed_xml = None
    invoice.attempts = 0
    invoice.last_error = None
    session.add(invoice)
    issuing.request_issue(session, invoice)
    return invoice
