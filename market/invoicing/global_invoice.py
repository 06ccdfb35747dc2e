"""Each producer's global invoice for a month: its sales to público en general (public sales) gathered, once
the month is over in Mexico City, into one Invoice of kind global, then sealed and stamped by the worker like
any other (its CFDI from `cfdi`, registered in issuing.BUILDERS).

Gathering runs on the worker for the month just ended (any day: a month already gathered has nothing left),
from the command line and from the administrators' page. Two gatherers at once write each producer's invoice
once: each locks the producer's public sales of the month FOR UPDATE, so the second waits for the first and
then finds them gathered; a buyer turning its purchase into a nominative invoice locks the same rows, and it
is waited for too, never skipped, so that a sale is in exactly one of the two invoices. The unique (issuer,
kind, period) is the last word if two gatherers still race with different rows."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from market.db import utcnow
from market.errors import MarketError, ValidationFailed
from market.i18n import N_
from market.invoicing import build, build_global, issuing
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, PublicSale
from market.orders.models import Fulfillment, Order

log = logging.getLogger(__name__)

# A month is gathered this long after it ends, so that a sale paid in its last second, still committing,
# is in it (a sale arriving later still goes into its invoice while that is not sealed).
SETTLING = timedelta(minutes=10)

MONTH_NOT_OVER = N_("Solo se puede emitir la factura global de un mes que ya terminó.")
NO_SALES = N_("La factura global no tiene ventas al público en general.")
TOTAL_MISMATCH = N_("El total de la factura global no coincide con el de sus ventas.")


def previous_month(now: datetime | None = None) -> str:
    """The month that ended last, Mexico City's calendar: "2026-11" during December (from its 00:10)."""
    year, month = map(int, issuing.month_of((now or utcnow()) - SETTLING).split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def gather(session: Session, period: str, now: datetime | None = None) -> list[Invoice]:
    """Write each producer's global invoice for `period` ("2026-11") from its public sales not yet gathered,
    por timbrar, and ask the worker to issue it. Only a month that is over. The invoices written (or that a
    late sale joined, while not sealed yet)."""
    from market.invoicing.queries import month_bounds  # queries reads the sales counts from here

    month_bounds(period)  # "2026-11" or a ValidationFailed on the field mes
    period = period.strip()
    if period >= issuing.month_of((now or utcnow()) - SETTLING):
        raise ValidationFailed({"mes": MONTH_NOT_OVER})
    producers = session.exec(
        select(PublicSale.organization_id)
        .where(PublicSale.period == period, col(PublicSale.invoice_id).is_(None))
        .distinct()
        .order_by(col(PublicSale.organization_id))
    ).all()
    written = []
    for organization_id in producers:
        try:
            invoice = _gather_producer(session, organization_id, period)
        except IntegrityError:  # another gatherer wrote this producer's invoice meanwhile: it stands
            log.info("global invoice of %s for %s written meanwhile", organization_id, period)
            continue
        if invoice is not None:
            written.append(invoice)
    return written


def _gather_producer(session: Session, organization_id: int, period: str) -> Invoice | None:
    # The savepoint undoes this producer alone if the unique constraint refuses it; on SQLite it takes the
    # write lock first (market.db), so gatherers take turns there as the row locks make them on PostgreSQL.
    with session.begin_nested():
        sales = session.exec(
            select(PublicSale)
            .where(
                PublicSale.organization_id == organization_id,
                PublicSale.period == period,
                col(PublicSale.invoice_id).is_(None),
            )
            .order_by(col(PublicSale.id))
            .with_for_update()  # wait for a buyer asking for its own invoice, or another gatherer
            .execution_options(populate_existing=True)
        ).all()
        if not sales:
            return None
        invoice = session.exec(
            select(Invoice)
            .where(
                Invoice.organization_id == organization_id,
                Invoice.kind == InvoiceKind.GLOBAL,
                Invoice.period == period,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if invoice is not None and (
            invoice.signed_xml is not None or invoice.status != InvoiceStatus.POR_TIMBRAR
        ):
            # A sale recorded as the month ended, after its global invoice was sealed: it stays visible as
            # not gathered (the producer's and administrators' pages) rather than changing a sealed CFDI.
            log.warning(
                "global invoice %s of %s is sealed; %s sales left out", invoice.id, period, len(sales)
            )
            return None
        fresh = invoice is None
        if invoice is None:
            invoice = Invoice(
                organization_id=organization_id,
                kind=InvoiceKind.GLOBAL,
                period=period,
                metodo_pago="PUE",
                forma_pago=issuing.CASH,
                total_cents=0,
            )
            session.add(invoice)
            session.flush()
        for sale in sales:
            sale.invoice_id = invoice.id
            session.add(sale)
        session.flush()
        invoice.total_cents = sum(sale.total_cents for sale in _sales_of(session, invoice))
        invoice.forma_pago = build_global.forma_of(_paid_with(session, invoice))
        session.add(invoice)
        if fresh:
            issuing.request_issue(session, invoice)
        return invoice


def _sales_of(session: Session, invoice: Invoice) -> list[PublicSale]:
    return list(
        session.exec(
            select(PublicSale).where(PublicSale.invoice_id == invoice.id).order_by(col(PublicSale.id))
        ).all()
    )


def _paid_with(session: Session, invoice: Invoice) -> dict[str, int]:
    """What the invoice's sales were paid, by c_FormaPago."""
    amounts: dict[str, int] = {}
    for total, method in session.exec(
        select(PublicSale.total_cents, Order.payment_method)
        .join(Fulfillment, col(Fulfillment.id) == PublicSale.fulfillment_id)
        .join(Order, col(Order.id) == Fulfillment.order_id)
        .where(PublicSale.invoice_id == invoice.id)
    ):
        forma = issuing.FORMA_PAGO.get(method, issuing.CASH)  # not paid online: paid in cash at pickup
        amounts[forma] = amounts.get(forma, 0) + total
    return amounts


def sales_count(session: Session, invoice_ids: list[int]) -> dict[int, int]:
    """How many sales each of these global invoices gathers."""
    if not invoice_ids:
        return {}
    rows = session.exec(
        select(PublicSale.invoice_id, func.count())
        .where(col(PublicSale.invoice_id).in_(invoice_ids))
        .group_by(col(PublicSale.invoice_id))
    ).all()
    return {invoice_id: count for invoice_id, count in rows if invoice_id is not None}


def cfdi(session: Session, issuer: build.Issuer, invoice: Invoice, fecha: datetime) -> Any:
    """The invoice's CFDI global (not sealed): one operation per part gathered, per IVA rate."""
    assert invoice.period is not None
    operations = []
    for sale in _sales_of(session, invoice):
        fulfillment = session.get_one(Fulfillment, sale.fulfillment_id)
        order = session.get_one(Order, fulfillment.order_id)
        lines, category = issuing.part_lines(session, fulfillment, order)
        operations.append(
            build_global.Operation(
                number=f"{order.id}-{fulfillment.id}",
                shares=build_global.shares(fulfillment, lines, category, sale.total_cents),
            )
        )
    if not operations:
        raise MarketError(NO_SALES)
    issuing.numbered(session, issuer, invoice)
    assert invoice.serie is not None and invoice.folio is not None
    comprobante = build_global.comprobante(
        issuer=issuer,
        operations=operations,
        period=invoice.period,
        forma_pago=invoice.forma_pago,
        serie=invoice.serie,
        folio=invoice.folio,
        fecha=fecha,
    )
    if int(comprobante["Total"] * 100) != invoice.total_cents:  # never a CFDI that says other than was sold
        raise MarketError(TOTAL_MISMATCH)
    return comprobante


issuing.BUILDERS[InvoiceKind.GLOBAL] = cfdi
