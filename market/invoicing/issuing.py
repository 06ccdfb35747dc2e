"""Issuing each producer's CFDI de Ingreso for a part sold to an institution.

When a part sold to an institution becomes payable to invoice (paid at once: PUE; or placed on 30-day
invoice terms: PPD, forma de pago 99), `part_payable` writes its Invoice, por timbrar, and an outbox event in
the same transaction. The worker then, in two steps each committed before the next: builds the CFDI and seals
it with the producer's CSD (the signed XML is kept, so that sending it again after a timeout gives the same
UUID); then stamps it. An unreachable PAC leaves it por timbrar and tries again later, with back-off; a PAC
that refuses it, or a producer without complete fiscal data or CSD, makes it rechazada with the reason.

When the institution pays an order on invoice terms, `invoice_paid` writes, for each part whose ingreso is
PPD, its CFDI de Pago (kind pago), issued by the worker the same way; never before its ingreso is stamped:
until then it waits (and an ingreso refused leaves its pago refused too).

A part whose buyer gave no fiscal data (neither an institution's nor its own) is not invoiced by itself: once
paid it becomes a public sale, gathered in its producer's global invoice for the month.

Money given back for a part owes a CFDI de Egreso related to what invoiced it (market.invoicing.egreso); it
waits for that CFDI as a pago waits for its ingreso, and a pago written after it pays what was left. The
platform's monthly commission invoice to each producer (market.invoicing.commission) is issued by the
platform: its issuer and CSD are the platform's (market.invoicing.platform), its folios one serie.

Each kind's CFDI comes from its builder in BUILDERS; sealing, stamping, retries and refusals are the same for
all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from satcfdi.models import Signer
from sqlalchemy import and_, func, or_, true
from sqlmodel import Session, col, select

from market.catalog.models import Listing
from market.config import Settings
from market.db import utcnow
from market.errors import MarketError
from market.i18n import N_
from market.invoicing import build, cancellation, csd_store, fiscal_profile, notices, pac, platform
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, OrderReceiver, PublicSale
from market.invoicing.seal import BrokenSeal, CfdiInvalid, seal
from market.linking.models import BuyerOrganization, Demand
from market.mail import kinds
from market.mexico import MEXICO_CITY
from market.orders.models import Fulfillment, FulfillmentStatus, Order, OrderLine, OrderStatus
from market.organizations.effects import notify_owners
from market.organizations.models import Organization
from market.outbox import OutboxEvent
from market.urls import path_for

log = logging.getLogger(__name__)

TOPIC = "invoice.issue"
SERIES = {
    InvoiceKind.INGRESO: "A",
    InvoiceKind.PAGO: "P",
    InvoiceKind.EGRESO: "E",
    InvoiceKind.GLOBAL: "G",
    InvoiceKind.COMISION: "C",
}
# c_FormaPago of what the buyer paid with, when it paid at once (PUE)
FORMA_PAGO = {"card": "04", "spei": "03", "spei_transfer": "03", "oxxo": "01"}
CASH = "01"  # c_FormaPago: efectivo (paid at pickup)
TO_BE_DEFINED = "99"  # paid later (PPD): each payment will say how, in its complemento de pago
MAX_DELAY = timedelta(hours=6)
INGRESO_WAIT = timedelta(minutes=10)  # a pago whose ingreso is not stamped yet looks again after this
INCOMPLETE_PROFILE = N_(
    "Faltan datos fiscales de la organización (razón social, régimen fiscal o código postal): "
    "complétalos en Facturación."
)
INCOMPLETE_RECEIVER = N_("La institución compradora no tiene completos sus datos fiscales.")
UNWRITABLE = N_(
    "Un nombre de la factura tiene caracteres que un CFDI no admite (caracteres de control): corrige los "
    "datos fiscales y emítela de nuevo."
)
INGRESO_REFUSED = N_("La factura de ingreso de este pago no se timbró: el complemento de pago no se emite.")


class IngresoPending(Exception):
    """What the invoice builds on is not stamped yet (a pago's ingreso or earlier credit notes, a credit
    note's corrected CFDI): the invoice waits for it."""


def part_payable(session: Session, fulfillment: Fulfillment) -> Invoice | None:
    """The part moved to the producer: if it is paid (PUE) or an institution's on invoice terms (PPD), its
    invoice is owed (see `owed`). Paid at pickup: nothing is paid yet (`part_collected` when it is)."""
    order = session.get_one(Order, fulfillment.order_id)
    if order.status == OrderStatus.INVOICED:
        if receiver_of(session, order) is None:  # on credit, no institution named: owed once it is paid
            return None
        return owed(session, order, fulfillment, "PPD", TO_BE_DEFINED)
    if order.status == OrderStatus.PAID and order.payment_method in FORMA_PAGO:
        return owed(session, order, fulfillment, "PUE", FORMA_PAGO[order.payment_method])
    return None


def part_collected(session: Session, fulfillment: Fulfillment) -> Invoice | None:
    """A part paid in cash at pickup was handed over: its money arrived, so its invoice is owed."""
    order = session.get_one(Order, fulfillment.order_id)
    return owed(session, order, fulfillment, "PUE", CASH)


def owed(session: Session, order: Order, fulfillment: Fulfillment, metodo: str, forma: str) -> Invoice | None:
    """The part's invoice is owed: an ingreso to its receiver (the institution, or the buyer's own fiscal
    data), written por timbrar with an outbox event for the worker; with no receiver, a public sale for its
    producer's global invoice of this month (returns None)."""
    assert fulfillment.id is not None and order.id is not None
    if receiver_of(session, order) is None:
        session.add(
            PublicSale(
                fulfillment_id=fulfillment.id,
                organization_id=fulfillment.organization_id,
                period=month_of(utcnow()),
                total_cents=fulfillment.subtotal_cents + fulfillment.delivery_cents,
            )
        )
        return None
    return ingreso_owed(session, order, fulfillment, metodo, forma)


def ingreso_owed(
    session: Session, order: Order, fulfillment: Fulfillment, metodo: str, forma: str
) -> Invoice:
    """The part's ingreso to the order's receiver, por timbrar, with the outbox event that issues it."""
    assert fulfillment.id is not None and order.id is not None
    invoice = Invoice(
        organization_id=fulfillment.organization_id,
        fulfillment_id=fulfillment.id,
        order_id=order.id,
        kind=InvoiceKind.INGRESO,
        metodo_pago=metodo,
        forma_pago=forma,
        total_cents=fulfillment.subtotal_cents + fulfillment.delivery_cents,
    )
    session.add(invoice)
    session.flush()
    request_issue(session, invoice)
    return invoice


def paid_forma(order: Order) -> str:
    """The c_FormaPago of what the buyer paid a part with, once it was paid (PUE): cash at pickup else."""
    return FORMA_PAGO.get(order.payment_method, CASH)


def receiver_of(session: Session, order: Order) -> build.Receiver | None:
    """Who the order's invoices are issued to: the institution it was bought for, or the fiscal data its buyer
    gave; None for público en general."""
    if order.buyer_organization_id is not None:
        return session.get(BuyerOrganization, order.buyer_organization_id)
    return session.exec(select(OrderReceiver).where(OrderReceiver.order_id == order.id)).first()


def month_of(moment: datetime) -> str:
    """The fiscal month of a moment, as "2026-11": Mexico City's calendar."""
    return moment.astimezone(MEXICO_CITY).strftime("%Y-%m")


def request_issue(session: Session, invoice: Invoice, after: timedelta | None = None) -> None:
    """Ask the worker to take the invoice's next step (once this transaction commits)."""
    assert invoice.id is not None
    session.add(
        OutboxEvent(
            topic=TOPIC,
            payload={"invoice_id": invoice.id},
            available_at=utcnow() + after if after else utcnow(),
        )
    )


def invoice_paid(session: Session, order: Order) -> list[Invoice]:
    """The institution paid an order on invoice terms: each part whose ingreso is PPD (stamped, or still
    por timbrar) is owed its CFDI de Pago for the part's total, paid by transfer. Writes them por timbrar,
    once, and asks the worker to issue them."""
    rows = session.exec(
        select(Invoice)
        .join(Fulfillment, col(Fulfillment.id) == Invoice.fulfillment_id)
        .where(
            Invoice.order_id == order.id,
            Invoice.kind == InvoiceKind.INGRESO,
            Invoice.metodo_pago == "PPD",
            col(Invoice.status).in_((InvoiceStatus.POR_TIMBRAR, InvoiceStatus.TIMBRADA)),
            col(Fulfillment.status).not_in((FulfillmentStatus.REJECTED, FulfillmentStatus.CANCELLED)),
        )
        .order_by(col(Invoice.id))
    ).all()
    paid = set(
        session.exec(
            select(Invoice.fulfillment_id).where(
                Invoice.order_id == order.id, Invoice.kind == InvoiceKind.PAGO
            )
        ).all()
    )
    written = []
    for ingreso in rows:
        if ingreso.fulfillment_id in paid:
            continue
        due = ingreso.total_cents - credited(session, ingreso)
        if due <= 0:
            continue  # credit notes took all of it: nothing was paid for this part
        pago = Invoice(
            organization_id=ingreso.organization_id,
            fulfillment_id=ingreso.fulfillment_id,
            order_id=ingreso.order_id,
            kind=InvoiceKind.PAGO,
            metodo_pago="PPD",  # that of the document it pays
            forma_pago=build.TRANSFER,
            total_cents=due,  # what was still owed for the part, in one payment
        )
        session.add(pago)
        session.flush()
        request_issue(session, pago)
        written.append(pago)
    _paid_without_ingreso(session, order)
    return written


def _paid_without_ingreso(session: Session, order: Order) -> None:
    """Parts bought on credit with no institution to invoice (a cooperative's member, say) were owed nothing
    while unpaid: now paid by transfer, each is owed its invoice (an ingreso PUE to the buyer's own data, or
    a public sale)."""
    invoiced = select(Invoice.fulfillment_id).where(
        Invoice.order_id == order.id, Invoice.kind == InvoiceKind.INGRESO
    )
    gathered = select(PublicSale.fulfillment_id)
    for fulfillment in session.exec(
        select(Fulfillment).where(
            Fulfillment.order_id == order.id,
            col(Fulfillment.status).not_in((FulfillmentStatus.REJECTED, FulfillmentStatus.CANCELLED)),
            col(Fulfillment.id).not_in(invoiced),
            col(Fulfillment.id).not_in(gathered),
        )
    ):
        owed(session, order, fulfillment, "PUE", build.TRANSFER)


def credited(session: Session, corrected: Invoice) -> int:
    """What credit notes related to this invoice took off it (those not refused nor cancelled)."""
    return int(
        session.exec(
            select(func.coalesce(func.sum(Invoice.total_cents), 0)).where(
                Invoice.related_invoice_id == corrected.id,
                Invoice.kind == InvoiceKind.EGRESO,
                col(Invoice.status).in_((InvoiceStatus.POR_TIMBRAR, InvoiceStatus.TIMBRADA)),
            )
        ).one()
    )


def handler(settings: Settings) -> Callable[[Session, dict[str, Any]], None]:
    """The worker's handler for TOPIC."""

    def handle(session: Session, payload: dict[str, Any]) -> None:
        issue(session, settings, payload["invoice_id"])

    return handle


def issue(session: Session, settings: Settings, invoice_id: int, now: datetime | None = None) -> None:
    """The invoice's next step: sealed if it is not yet (and asked again), stamped if it is. Nothing to do
    for one already stamped or refused, so running it twice, or on two workers, issues it once."""
    invoice = session.exec(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()
    if invoice is None or invoice.status != InvoiceStatus.POR_TIMBRAR:
        return
    if invoice.signed_xml is None:
        try:
            invoice.signed_xml = _sealed(session, settings, invoice, now or utcnow())
        except IngresoPending:
            request_issue(session, invoice, after=INGRESO_WAIT)
            return
        except (MarketError, CfdiInvalid, BrokenSeal) as refused:
            _reject(session, invoice, str(refused))
            return
        except ValueError as broken:  # lxml refuses a control character in a name (data from before checks)
            log.warning("invoice %s cannot be built: %s", invoice.id, broken)
            _reject(session, invoice, str(MarketError(UNWRITABLE)))
            return
        session.add(invoice)
        request_issue(session, invoice)  # stamped once committed
        return
    try:
        stamped = pac.stamp(settings, invoice.signed_xml)
    except pac.PacUnavailable as down:
        invoice.attempts += 1
        invoice.last_error = str(down)[:2000]
        delay = min(timedelta(minutes=2 ** (invoice.attempts - 1)), MAX_DELAY)
        session.add(invoice)
        request_issue(session, invoice, after=delay)
        log.warning("invoice %s waits for the PAC (attempt %s): %s", invoice.id, invoice.attempts, down)
        return
    except (pac.PacRejected, BrokenSeal) as refused:
        _reject(session, invoice, str(refused))
        return
    invoice.status = InvoiceStatus.TIMBRADA
    invoice.uuid = stamped.uuid
    invoice.stamped_xml = stamped.xml
    invoice.stamped_at = stamped.stamped_at.astimezone(UTC)
    invoice.last_error = None
    session.add(invoice)
    notices.tell_receiver(session, invoice)
    cancellation.stamped(session, invoice)  # a cancellation asked meanwhile can go on
    # A pago waiting for its part's ingreso or credit notes, and a credit note waiting for the CFDI it
    # corrects, need not wait any longer.
    waiting_for_this = (
        (col(Invoice.related_invoice_id) == invoice.id)
        if invoice.fulfillment_id is None
        else or_(
            col(Invoice.related_invoice_id) == invoice.id,
            and_(
                col(Invoice.fulfillment_id) == invoice.fulfillment_id,
                col(Invoice.kind) == InvoiceKind.PAGO,
            ),
        )
    )
    for waiting in session.exec(
        select(Invoice.id).where(
            waiting_for_this,
            Invoice.status == InvoiceStatus.POR_TIMBRAR,
            col(Invoice.signed_xml).is_(None),
            Invoice.id != invoice.id,
        )
    ):
        session.add(OutboxEvent(topic=TOPIC, payload={"invoice_id": waiting}))


def _reject(session: Session, invoice: Invoice, reason: str) -> None:
    """The invoice cannot be issued as it is: kept with the reason, and the issuer's owners told why."""
    invoice.status = InvoiceStatus.RECHAZADA
    invoice.last_error = reason[:2000]
    session.add(invoice)
    log.info("invoice %s refused: %s", invoice.id, reason)
    if invoice.kind == InvoiceKind.COMISION:
        return  # the platform issues it: the administrators see why in their list of stuck invoices
    issuer = session.get_one(Organization, invoice.organization_id)
    notify_owners(
        session,
        issuer,
        kinds.INVOICE_REFUSED,
        link=path_for("invoicing.producer_invoices", slug=issuer.slug),
        order_id=invoice.order_id,
        reason=invoice.last_error,
    )


def _sealed(session: Session, settings: Settings, invoice: Invoice, now: datetime) -> bytes:
    """The invoice's CFDI, built by its kind's builder and sealed with its issuer's CSD; a MarketError saying
    what is missing."""
    issuer, signer = _issuer_and_signer(session, settings, invoice, now)
    fecha = now.astimezone(pac.MEXICO_CITY).replace(tzinfo=None, microsecond=0)
    return seal(BUILDERS[invoice.kind](session, issuer, invoice, fecha), signer)


def lock_issuer(session: Session, organization_id: int) -> Organization:
    """The producer, locked so that its invoices are numbered one at a time. FOR NO KEY UPDATE, not FOR
    UPDATE: a request that writes a row referring to the organization (a sale's ledger entries, an invoice)
    holds a key-share lock on it, which FOR UPDATE would wait for, and that request may itself be waiting for
    the invoice this worker holds (a part cancelled while its invoice is stamped: a deadlock)."""
    return session.exec(
        select(Organization).where(Organization.id == organization_id).with_for_update(key_share=True)
    ).one()


def _issuer_and_signer(
    session: Session, settings: Settings, invoice: Invoice, now: datetime
) -> tuple[build.Issuer, Signer]:
    """Who issues the invoice and the CSD that seals it: the platform for its commission (numbered one at
    a time across the platform), the producer organization for everything else (one at a time per issuer)."""
    if invoice.kind == InvoiceKind.COMISION:
        platform.one_folio_at_a_time(session)
        return platform.issuer(settings), platform.signer(settings, now)
    issuer = lock_issuer(session, invoice.organization_id)
    if not fiscal_profile.is_complete(issuer):
        raise MarketError(INCOMPLETE_PROFILE)
    return issuer, csd_store.signer_for(session, settings, issuer, now=now)


def _ingreso(session: Session, issuer: build.Issuer, invoice: Invoice, fecha: datetime) -> Any:
    """The part's CFDI de Ingreso (not sealed), to the order's receiver."""
    fulfillment = session.get_one(Fulfillment, invoice.fulfillment_id)
    order = session.get_one(Order, fulfillment.order_id)
    receiver = receiver_of(session, order)
    if receiver is None or not all(
        (
            receiver.rfc,
            receiver.razon_social,
            receiver.regimen_fiscal,
            receiver.codigo_postal,
            receiver.uso_cfdi,
        )
    ):
        raise MarketError(INCOMPLETE_RECEIVER)
    lines, category = part_lines(session, fulfillment, order)
    numbered(session, issuer, invoice)
    assert invoice.serie is not None and invoice.folio is not None
    comprobante = build.ingreso(
        issuer=issuer,
        receiver=receiver,
        fulfillment=fulfillment,
        lines=lines,
        category=category,
        serie=invoice.serie,
        folio=invoice.folio,
        metodo_pago=invoice.metodo_pago,
        forma_pago=invoice.forma_pago,
        fecha=fecha,
    )
    total = int(comprobante["Total"] * 100)
    if total != invoice.total_cents:  # never issue an invoice that does not say what was sold
        raise MarketError(N_("El total de la factura no coincide con el del pedido."))
    return comprobante


def part_lines(
    session: Session, fulfillment: Fulfillment, order: Order
) -> tuple[list[tuple[OrderLine, Listing | None]], str | None]:
    """The part's lines with their listings, and the demand's category (for quoted lines, which have none)."""
    demand = session.get(Demand, order.demand_id) if order.demand_id else None
    lines = session.exec(
        select(OrderLine, Listing)
        .join(Listing, col(Listing.id) == OrderLine.listing_id, isouter=True)
        .where(OrderLine.fulfillment_id == fulfillment.id)
        .order_by(col(OrderLine.id))
    ).all()
    return [(line, listing) for line, listing in lines], demand.category if demand else None


def numbered(session: Session, issuer: build.Issuer, invoice: Invoice) -> None:
    """The invoice's serie and folio: the next of its kind's serie for this issuer, assigned once (the
    platform's commission invoices are one serie for the platform, whoever they are issued to)."""
    if invoice.folio is None:
        serie = SERIES[invoice.kind]
        same_issuer = (
            true()
            if invoice.kind == InvoiceKind.COMISION
            else Invoice.organization_id == invoice.organization_id
        )
        last = session.exec(select(func.max(Invoice.folio)).where(same_issuer, Invoice.serie == serie)).one()
        invoice.serie, invoice.folio = serie, (last or 0) + 1


def _pago(session: Session, issuer: build.Issuer, invoice: Invoice, fecha: datetime) -> Any:
    """The pago's CFDI (not sealed), from its stamped ingreso, for what was owed after its credit notes
    (all of it, in one payment); IngresoPending while the ingreso or one of those credit notes is not
    stamped (the SAT reads the payment after what it pays for)."""
    ingreso = session.exec(
        select(Invoice).where(
            Invoice.fulfillment_id == invoice.fulfillment_id, Invoice.kind == InvoiceKind.INGRESO
        )
    ).first()
    if ingreso is None or ingreso.status in (InvoiceStatus.RECHAZADA, InvoiceStatus.CANCELADA):
        raise MarketError(INGRESO_REFUSED)
    if ingreso.status != InvoiceStatus.TIMBRADA or ingreso.stamped_xml is None:
        raise IngresoPending()
    if session.exec(
        select(Invoice.id).where(
            Invoice.related_invoice_id == ingreso.id,
            Invoice.kind == InvoiceKind.EGRESO,
            Invoice.status == InvoiceStatus.POR_TIMBRAR,
            col(Invoice.id) < invoice.id,  # written before the payment: it lowered what was paid
        )
    ).first():
        raise IngresoPending()
    numbered(session, issuer, invoice)
    assert invoice.serie is not None and invoice.folio is not None
    comprobante = build.pago(
        ingreso_xml=ingreso.stamped_xml,
        amount_cents=invoice.total_cents,
        balance_cents=invoice.total_cents,  # the one payment settles what was owed after the credit notes
        serie=invoice.serie,
        folio=invoice.folio,
        fecha=fecha,
        fecha_pago=invoice.created_at.astimezone(pac.MEXICO_CITY).replace(tzinfo=None, microsecond=0),
    )
    if int(comprobante["Complemento"]["Totales"]["MontoTotalPagos"] * 100) != invoice.total_cents:
        raise MarketError(N_("El monto del complemento de pago no coincide con lo pagado."))
    return comprobante


def _egreso(session: Session, issuer: build.Issuer, invoice: Invoice, fecha: datetime) -> Any:
    from market.invoicing import egreso  # it builds on this module's lifecycle

    return egreso.comprobante(session, issuer, invoice, fecha)


def _comision(session: Session, issuer: build.Issuer, invoice: Invoice, fecha: datetime) -> Any:
    from market.invoicing import commission  # it builds on this module's lifecycle

    return commission.comprobante(session, issuer, invoice, fecha)


# Each kind's CFDI, built (not sealed) from the invoice: (session, issuer, invoice, fecha) -> Comprobante.
BUILDERS: dict[InvoiceKind, Callable[[Session, build.Issuer, Invoice, datetime], Any]] = {
    InvoiceKind.INGRESO: _ingreso,
    InvoiceKind.PAGO: _pago,
    InvoiceKind.EGRESO: _egreso,
    InvoiceKind.COMISION: _comision,
}
