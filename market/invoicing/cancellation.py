"""Cancelling an invoice with its motive (c_MotivoCancelacion), through the PAC once it was stamped.

`request` asks for it, under the invoice's row lock (the worker sealing or stamping it holds the same lock):
an invoice never sealed was never sent to the PAC, so it is cancelled here and now, and the worker finds
nothing to issue; a refused one too (it never got a UUID). Otherwise an outbox event (TOPIC) asks the worker
to cancel it: a sealed invoice waits for its stamp (the PAC may have stamped it already), a stamped one is
cancelled at the PAC and keeps the acuse. An unreachable PAC is asked again later, with back-off; a refusal
leaves the invoice stamped with the reason, and the issuer's owners are told. Running the handler twice, or
on two workers, cancels once (and the PAC answers 202 to a second request anyway).

`cancel_by_owner` is the producer's own cancellation of a stamped invoice, with its motive."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from satcfdi.pacs import CancelReason
from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import utcnow
from market.errors import Conflict, MarketError, NotFound, ValidationFailed
from market.i18n import N_
from market.invoicing import csd_store, notices, pac
from market.invoicing.models import CANCEL_BY_OWNER, CANCEL_MOTIVES, Invoice, InvoiceStatus
from market.mail import kinds
from market.organizations import service as organizations
from market.organizations.effects import notify_owners
from market.organizations.models import Organization
from market.outbox import OutboxEvent
from market.urls import path_for

log = logging.getLogger(__name__)

TOPIC = "invoice.cancel"
STAMP_WAIT = timedelta(minutes=2)  # a sealed invoice to cancel looks again for its stamp after this
MAX_DELAY = timedelta(hours=6)
REPLACED = "01"  # comprobante emitido con errores con relación: names the CFDI that replaces it
MOTIVES = CANCEL_MOTIVES
assert set(MOTIVES) == {reason.value for reason in CancelReason}  # the codes as satcfdi has them
BY_OWNER = CANCEL_BY_OWNER
BAD_MOTIVE = N_("Elige un motivo de cancelación de la lista.")
SUBSTITUTE_REQUIRED = N_("Con el motivo 01 indica el folio fiscal (UUID) de la factura que sustituye a esta.")
BAD_SUBSTITUTE = N_("El folio fiscal que la sustituye debe ser otra factura timbrada de esta organización.")
NOT_STAMPED = N_("Solo se puede cancelar una factura timbrada.")
ALREADY_ASKED = N_("La cancelación de esta factura ya se pidió.")


def locked(session: Session, invoice_id: int) -> Invoice | None:
    """The invoice, read again under its row lock (whatever this session held of it before)."""
    return session.exec(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()


def request(session: Session, invoice: Invoice, motive: str, substitute: str | None = None) -> None:
    """Ask for the invoice's cancellation with `motive` (c_MotivoCancelacion; 01 with the `substitute` UUID).
    Asking again while it is asked, or once cancelled, does nothing."""
    assert invoice.id is not None
    current = locked(session, invoice.id)
    if current is None or current.status == InvoiceStatus.CANCELADA or current.cancel_motive:
        return
    current.cancel_motive = motive
    session.add(current)
    if (current.status == InvoiceStatus.RECHAZADA or current.signed_xml is None) and _cancelled_unsent(
        session, current
    ):
        return
    _ask_worker(session, current, substitute)


def _cancelled_unsent(session: Session, invoice: Invoice) -> bool:
    """Cancelled here and now if it still never went to the PAC (refused, or not sealed). Compare-and-set on
    top of the row lock: where rows cannot be locked (SQLite) a worker may have sealed it meanwhile, and
    then it is the worker's to cancel."""
    unsent = or_(
        col(Invoice.status) == InvoiceStatus.RECHAZADA,
        and_(col(Invoice.status) == InvoiceStatus.POR_TIMBRAR, col(Invoice.signed_xml).is_(None)),
    )
    done = session.execute(
        update(Invoice)
        .where(col(Invoice.id) == invoice.id, unsent)
        .values(status=InvoiceStatus.CANCELADA, cancelled_at=utcnow(), last_error=None, cancel_ack=None)
    )
    session.refresh(invoice)
    return bool(done.rowcount)  # type: ignore[attr-defined]


def _ask_worker(
    session: Session, invoice: Invoice, substitute: str | None, after: timedelta | None = None
) -> None:
    session.add(
        OutboxEvent(
            topic=TOPIC,
            payload={"invoice_id": invoice.id, "substitute": substitute},
            available_at=utcnow() + after if after else utcnow(),
        )
    )


def stamped(session: Session, invoice: Invoice) -> None:
    """The worker just stamped the invoice: if its cancellation waits for that, it need wait no longer."""
    if invoice.cancel_motive and invoice.status == InvoiceStatus.TIMBRADA:
        _ask_worker(session, invoice, None)


def handler(settings: Settings) -> Callable[[Session, dict[str, Any]], None]:
    """The worker's handler for TOPIC."""

    def handle(session: Session, payload: dict[str, Any]) -> None:
        cancel(session, settings, payload["invoice_id"], payload.get("substitute"))

    return handle


def cancel(
    session: Session, settings: Settings, invoice_id: int, substitute: str | None, now: datetime | None = None
) -> None:
    """The cancellation's next step (see the module)."""
    invoice = locked(session, invoice_id)
    if invoice is None or invoice.status == InvoiceStatus.CANCELADA or not invoice.cancel_motive:
        return
    now = now or utcnow()
    if invoice.status == InvoiceStatus.RECHAZADA or invoice.signed_xml is None:
        _cancelled(invoice, None, now)
        session.add(invoice)
        return
    if invoice.status == InvoiceStatus.POR_TIMBRAR or invoice.uuid is None:
        _ask_worker(session, invoice, substitute, after=STAMP_WAIT)  # `stamped` hurries it up
        return
    issuer = session.get_one(Organization, invoice.organization_id)
    try:
        signer = csd_store.signer_for(session, settings, issuer, now=now)
        done = pac.cancel(settings, signer, invoice.uuid, invoice.cancel_motive, substitute)
    except pac.PacUnavailable as down:
        invoice.attempts += 1
        invoice.last_error = str(down)[:2000]
        session.add(invoice)
        _ask_worker(
            session, invoice, substitute, after=min(timedelta(minutes=2 ** (invoice.attempts - 1)), MAX_DELAY)
        )
        log.warning("invoice %s waits for the PAC to cancel it (attempt %s)", invoice.id, invoice.attempts)
        return
    except MarketError as refused:  # the PAC's refusal, or no CSD to sign the request with
        _refused(session, invoice, str(refused))
        return
    _cancelled(invoice, done.acuse, now)
    session.add(invoice)
    notices.tell_receiver(session, invoice)


def _cancelled(invoice: Invoice, acuse: bytes | None, now: datetime) -> None:
    invoice.status = InvoiceStatus.CANCELADA
    invoice.cancel_ack = acuse
    invoice.cancelled_at = now
    invoice.last_error = None


def _refused(session: Session, invoice: Invoice, reason: str) -> None:
    """The cancellation did not go through: the invoice stays stamped with the reason; its owners are told."""
    invoice.cancel_motive = None
    invoice.last_error = reason[:2000]
    session.add(invoice)
    log.info("cancellation of invoice %s refused: %s", invoice.id, reason)
    issuer = session.get_one(Organization, invoice.organization_id)
    notify_owners(
        session,
        issuer,
        kinds.INVOICE_CANCEL_REFUSED,
        link=path_for("invoicing.producer_invoices", slug=issuer.slug),
        folio=f"{invoice.serie or ''}{invoice.folio or ''}",
        uuid=invoice.uuid,
        reason=invoice.last_error,
    )


def cancel_by_owner(
    session: Session,
    user: User,
    organization: Organization,
    invoice_id: int,
    motive: str,
    substitute: str | None = None,
) -> Invoice:
    """An owner of the issuer asks to cancel one of its stamped invoices, with a motive (01, 02 or 03; 01
    names the UUID of the organization's stamped invoice that replaces it). A refusal writes nothing."""
    organizations.require_owner(session, user, organization)
    invoice = locked(session, invoice_id)
    if invoice is None or invoice.organization_id != organization.id:
        raise NotFound()
    substitute = (substitute or "").strip().upper() or None
    if motive not in BY_OWNER:
        raise ValidationFailed({"motive": BAD_MOTIVE})
    if motive == REPLACED and substitute is None:
        raise ValidationFailed({"substitute": SUBSTITUTE_REQUIRED})
    if motive == REPLACED:
        replacement = session.exec(
            select(Invoice).where(
                col(Invoice.uuid) == substitute,
                Invoice.organization_id == organization.id,
                Invoice.status == InvoiceStatus.TIMBRADA,
                Invoice.id != invoice.id,
            )
        ).first()
        if replacement is None:
            raise ValidationFailed({"substitute": BAD_SUBSTITUTE})
    else:
        substitute = None
    if invoice.cancel_motive and invoice.status != InvoiceStatus.CANCELADA:
        raise Conflict(ALREADY_ASKED)
    if invoice.status != InvoiceStatus.TIMBRADA:
        raise Conflict(NOT_STAMPED)
    invoice.last_error = None  # a previous refusal is not this request's
    request(session, invoice, motive, substitute)
    return invoice
