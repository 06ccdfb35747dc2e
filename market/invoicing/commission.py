"""The platform's monthly CFDI to each producer for its fees (kind comision).

The platform keeps a fee from every sale (PLATFORM_FEE_BPS of the part's subtotal, IVA included: nothing is
added to it) and gives back its share of every refund; the ledger posts both to the `platform_fees` account
under the producer (market.ledger.service). Once a month has ended (Mexico City's calendar), each producer
whose fees in it, net of those given back, are above zero is owed one CFDI from the platform for them:
written por timbrar and issued by the worker as every kind is (market.invoicing.issuing), sealed with the
platform's CSD (market.invoicing.platform). The worker writes last month's every so often and `market
invoices commissions --mes 2026-11` writes any ended month's; both may run at once, any number of times:
the unique (organization, kind, period) keeps one invoice per producer and month."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from market.config import Settings
from market.db import transaction, utcnow
from market.errors import MarketError, ValidationFailed
from market.i18n import N_
from market.invoicing import build, fiscal_profile, issuing, queries
from market.invoicing.models import Invoice, InvoiceKind
from market.ledger.models import LedgerEntry
from market.ledger.service import FEES
from market.mexico import MEXICO_CITY
from market.organizations.models import Organization

MONTH_NOT_OVER = N_("El mes {month} aún no termina: su factura de comisión se emite cuando acabe.")
INCOMPLETE_RECEIVER = N_(
    "La organización no tiene completos sus datos fiscales (RFC, razón social, régimen fiscal o código "
    "postal): la factura de comisión no se emite."
)
TOTAL_MISMATCH = N_("El total de la factura de comisión no coincide con las comisiones del mes.")


def fees_in(session: Session, period: str) -> list[tuple[int, int]]:
    """(organization id, its fees in the month net of those given back) for every organization with fee
    postings in it, by organization id."""
    _, start, end = queries.month_bounds(period)
    rows = session.exec(
        select(LedgerEntry.organization_id, func.sum(LedgerEntry.amount_cents))
        .where(
            LedgerEntry.account == FEES,
            col(LedgerEntry.organization_id).is_not(None),
            col(LedgerEntry.created_at) >= start,
            col(LedgerEntry.created_at) < end,
        )
        .group_by(col(LedgerEntry.organization_id))
        .order_by(col(LedgerEntry.organization_id))
    ).all()
    return [(int(org_id), -int(total)) for org_id, total in rows if org_id is not None]  # fees are credits


def issue_commissions(
    session: Session, settings: Settings, period: str, now: datetime | None = None
) -> list[Invoice]:
    """The month's commission invoices, por timbrar with their outbox events, for every organization with
    net fees in it that has none yet; the ones written. ValidationFailed for a month not over yet."""
    first, _, end = queries.month_bounds(period)
    if end > (now or utcnow()):
        raise ValidationFailed({"mes": MONTH_NOT_OVER}, month=f"{first:%Y-%m}")
    period = f"{first:%Y-%m}"
    issued = set(
        session.exec(
            select(Invoice.organization_id).where(
                Invoice.kind == InvoiceKind.COMISION, Invoice.period == period
            )
        ).all()
    )
    written = []
    for organization_id, fees in fees_in(session, period):
        if fees <= 0 or organization_id in issued:
            continue
        invoice = Invoice(
            organization_id=organization_id,
            kind=InvoiceKind.COMISION,
            period=period,
            metodo_pago="PUE",
            forma_pago=build.COMPENSATION,
            total_cents=fees,
        )
        try:
            with session.begin_nested():
                session.add(invoice)
        except IntegrityError:
            continue  # another worker wrote it since: it waits on our insert and fails, or we on its
        issuing.request_issue(session, invoice)
        written.append(invoice)
    return written


def last_month(now: datetime | None = None) -> str:
    """The month before this one, Mexico City's calendar: "2026-11" in December."""
    today = (now or utcnow()).astimezone(MEXICO_CITY).date()
    return f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"


def issue_last_month(db: Engine, settings: Settings) -> int:
    """The worker's run: last month's commission invoices, in their own transaction."""
    with transaction(db) as session:
        return len(issue_commissions(session, settings, last_month()))


def comprobante(session: Session, issuer: build.Issuer, invoice: Invoice, fecha: datetime) -> Any:
    """The commission invoice's CFDI (not sealed), from the platform to the producer."""
    receiver = session.get_one(Organization, invoice.organization_id)
    if not fiscal_profile.is_complete(receiver):
        raise MarketError(INCOMPLETE_RECEIVER)
    issuing.numbered(session, issuer, invoice)
    assert invoice.serie is not None and invoice.folio is not None and invoice.period is not None
    cfdi = build.commission(
        issuer=issuer,
        receiver=receiver,
        amount_cents=invoice.total_cents,
        period=invoice.period,
        serie=invoice.serie,
        folio=invoice.folio,
        fecha=fecha,
    )
    if int(cfdi["Total"] * 100) != invoice.total_cents:
        raise MarketError(TOTAL_MISMATCH)
    return cfdi
