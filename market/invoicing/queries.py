"""Reading invoices: who may see which, and the lists the pages show.

An invoice is seen by the buyer of its order (the person, or the members of the institution it bought for),
by the members of the producer that issued it, and by the administrators; to anyone else it does not exist
(404). A producer never sees another producer's invoice, even on an order they share. Why an invoice was
refused is for the producer (who can fix it) and the administrators only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from satcfdi.cfdi import CFDI
from sqlalchemy import func
from sqlmodel import Session, and_, col, or_, select

from market.accounts.models import User
from market.admin.audit import require_admin
from market.db import utcnow
from market.errors import NotFound, ValidationFailed
from market.i18n import N_
from market.i18n import gettext as _
from market.impact.charts import month_label
from market.invoicing import global_invoice, issuing
from market.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, PublicSale
from market.linking import buyers
from market.mexico import MEXICO_CITY
from market.orders.fulfillment import acts_for_buyer
from market.orders.models import Order
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.pagination import Page, paginate

STUCK_AFTER = timedelta(hours=1)  # por timbrar longer than this: the administrators look at it
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
BAD_MONTH = N_("Indica el mes como año-mes, por ejemplo 2026-12.")


@dataclass(frozen=True)
class Row:
    """An invoice as a list shows it: the invoice, who it was issued to and who issued it."""

    invoice: Invoice
    receiver: str
    issuer: str
    month: str = ""  # a global invoice's month, as people read it ("noviembre 2026")
    sales: int = 0  # how many sales a global invoice gathers


@dataclass(frozen=True)
class Coming:
    """A month's sales to público en general not yet in a global invoice: what the producer's will hold."""

    period: str
    month: str
    sales: int
    total_cents: int


def issued_by_member(session: Session, user: User, invoice: Invoice) -> bool:
    organization = session.get(Organization, invoice.organization_id)
    return organization is not None and organizations.role_in(session, user, organization) is not None


def may_see(session: Session, user: User, invoice: Invoice) -> bool:
    if user.is_admin or issued_by_member(session, user, invoice):
        return True
    order = session.get(Order, invoice.order_id) if invoice.order_id else None
    return order is not None and acts_for_buyer(session, user, order)


def may_see_reason(session: Session, user: User, invoice: Invoice) -> bool:
    """Why it was refused (or why stamping waits): for the producer and the administrators; for the
    platform's commission invoice (the producer receives it), for the administrators only."""
    if invoice.kind == InvoiceKind.COMISION:
        return user.is_admin
    return user.is_admin or issued_by_member(session, user, invoice)


def visible_invoice(session: Session, user: User, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or not may_see(session, user, invoice):
        raise NotFound()
    return invoice


@dataclass(frozen=True)
class Shown:
    """One invoice as an order shows it: `reason` (why it was refused) only for who may read it."""

    invoice: Invoice
    reason: str | None


@dataclass(frozen=True)
class PartInvoice:
    """A part's invoices as its order shows them: its ingreso (none when the part went into a global
    invoice) and the credit notes of money given back for it, oldest first."""

    invoice: Invoice | None
    reason: str | None
    credit_notes: tuple[Shown, ...] = ()


def of_parts(session: Session, user: User, fulfillment_ids: list[int]) -> dict[int, PartInvoice]:
    """The ingreso and credit notes of each of these parts that this person may see, by part."""
    if not fulfillment_ids:
        return {}
    found = session.exec(
        select(Invoice)
        .where(
            col(Invoice.fulfillment_id).in_(fulfillment_ids),
            col(Invoice.kind).in_((InvoiceKind.INGRESO, InvoiceKind.EGRESO)),
        )
        .order_by(col(Invoice.id))
    ).all()
    ingresos: dict[int, Shown] = {}
    notes: dict[int, list[Shown]] = {}
    for invoice in found:
        if not invoice.fulfillment_id or not may_see(session, user, invoice):
            continue
        shown = Shown(invoice, invoice.last_error if may_see_reason(session, user, invoice) else None)
        if invoice.kind == InvoiceKind.INGRESO:
            ingresos[invoice.fulfillment_id] = shown
        else:
            notes.setdefault(invoice.fulfillment_id, []).append(shown)
    return {
        part: PartInvoice(
            ingresos[part].invoice if part in ingresos else None,
            ingresos[part].reason if part in ingresos else None,
            tuple(notes.get(part, ())),
        )
        for part in ingresos.keys() | notes.keys()
    }


PLATFORM = "Tianguis Solidario"  # the issuer of the commission invoices, as the lists name it


def _rows(session: Session, invoices: list[Invoice]) -> list[Row]:
    rows = []
    sales = global_invoice.sales_count(
        session, [i.id for i in invoices if i.kind == InvoiceKind.GLOBAL and i.id is not None]
    )
    for invoice in invoices:
        if invoice.kind == InvoiceKind.GLOBAL and invoice.period:
            issuer = session.get(Organization, invoice.organization_id)
            rows.append(
                Row(
                    invoice=invoice,
                    receiver=_("Público en general"),
                    issuer=issuer.name if issuer else "",
                    month=month_label(invoice.period),
                    sales=sales.get(invoice.id or 0, 0),
                )
            )
            continue
        if invoice.kind == InvoiceKind.COMISION:  # the platform issues it to the producer
            producer = session.get(Organization, invoice.organization_id)
            name = producer.legal_name or producer.name if producer else ""
            rows.append(Row(invoice=invoice, receiver=name, issuer=PLATFORM))
            continue
        order = session.get(Order, invoice.order_id) if invoice.order_id else None
        receiver = issuing.receiver_of(session, order) if order else None  # an institution or the buyer
        issuer = session.get(Organization, invoice.organization_id)
        rows.append(
            Row(
                invoice=invoice,
                receiver=receiver.razon_social if receiver else "",
                issuer=issuer.name if issuer else "",
            )
        )
    return rows


def of_producer(
    session: Session, user: User, organization: Organization, page: int, per_page: int = 25
) -> Page[Row]:
    """The invoices the organization issued, all states, newest first, for its members."""
    organizations.require_member(session, user, organization)
    found = paginate(
        session,
        select(Invoice)
        .where(Invoice.organization_id == organization.id, Invoice.kind != InvoiceKind.COMISION)
        .order_by(col(Invoice.created_at).desc(), col(Invoice.id).desc()),
        page,
        per_page,
    )
    return Page(
        items=_rows(session, found.items), total=found.total, page=found.page, per_page=found.per_page
    )


def coming_global(session: Session, user: User, organization: Organization) -> list[Coming]:
    """The organization's sales to público en general not gathered yet, by month, for its members: the
    current month's will be its next global invoice."""
    organizations.require_member(session, user, organization)
    found = session.exec(
        select(PublicSale.period, func.count(), func.sum(PublicSale.total_cents))
        .where(PublicSale.organization_id == organization.id, col(PublicSale.invoice_id).is_(None))
        .group_by(col(PublicSale.period))
        .order_by(col(PublicSale.period))
    ).all()
    return [Coming(period, month_label(period), count, int(total or 0)) for period, count, total in found]


def global_invoices(session: Session, admin: User, limit: int = 50) -> list[Row]:
    """The latest global invoices of every producer, newest month first, for the administrators."""
    require_admin(admin)
    found = session.exec(
        select(Invoice)
        .where(Invoice.kind == InvoiceKind.GLOBAL)
        .order_by(col(Invoice.period).desc(), col(Invoice.id).desc())
        .limit(limit)
    ).all()
    return _rows(session, list(found))


def commissions_received(session: Session, user: User, organization: Organization) -> list[Row]:
    """The platform's commission invoices to the organization, newest month first, for its members: the
    stamped ones (one not stamped yet, or refused, is the administrators' to see to)."""
    organizations.require_member(session, user, organization)
    found = session.exec(
        select(Invoice)
        .where(
            Invoice.organization_id == organization.id,
            Invoice.kind == InvoiceKind.COMISION,
            Invoice.status == InvoiceStatus.TIMBRADA,
        )
        .order_by(col(Invoice.period).desc(), col(Invoice.id).desc())
    ).all()
    return _rows(session, list(found))


def commissions(session: Session, admin: User, page: int, per_page: int = 50) -> Page[Row]:
    """Every commission invoice the platform issued or owes, newest month first, for the administrators."""
    require_admin(admin)
    found = paginate(
        session,
        select(Invoice)
        .where(Invoice.kind == InvoiceKind.COMISION)
        .order_by(col(Invoice.period).desc(), col(Invoice.id).desc()),
        page,
        per_page,
    )
    return Page(
        items=_rows(session, found.items), total=found.total, page=found.page, per_page=found.per_page
    )


def month_bounds(text: str | None) -> tuple[date, datetime, datetime]:
    """'2026-12' -> the month's first day and its start and end (UTC) in Mexico City's calendar."""
    match = MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ValidationFailed({"mes": BAD_MONTH})
    first = date(int(match.group(1)), int(match.group(2)), 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)

    def start_of(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=MEXICO_CITY).astimezone(UTC)

    return first, start_of(first), start_of(following)


def stamped_in_month(session: Session, user: User, buyer_id: int, month: str | None) -> list[Row]:
    """The stamped invoices issued to the institution in that month (by date of stamping), for its members
    and the administrators."""
    buyer = buyers.visible(session, user, buyer_id)
    _, start, end = month_bounds(month)
    found = session.exec(
        select(Invoice)
        .join(Order, col(Order.id) == Invoice.order_id)
        .where(
            Order.buyer_organization_id == buyer.id,
            Invoice.status == InvoiceStatus.TIMBRADA,
            col(Invoice.stamped_at) >= start,
            col(Invoice.stamped_at) < end,
        )
        .order_by(col(Invoice.stamped_at), col(Invoice.id))
    ).all()
    return _rows(session, list(found))


def stuck(session: Session, admin: User, now: datetime | None = None) -> list[Row]:
    """Invoices that wait to be stamped for over an hour, or that were refused; stamped ones whose
    cancellation the PAC refused (the reason kept) or is still asked for over an hour: oldest first."""
    require_admin(admin)
    since = (now or utcnow()) - STUCK_AFTER
    found = session.exec(
        select(Invoice)
        .where(
            or_(
                col(Invoice.status) == InvoiceStatus.RECHAZADA,
                and_(col(Invoice.status) == InvoiceStatus.POR_TIMBRAR, col(Invoice.created_at) < since),
                and_(
                    col(Invoice.status) == InvoiceStatus.TIMBRADA,
                    or_(col(Invoice.last_error).is_not(None), col(Invoice.cancel_motive).is_not(None)),
                ),
            )
        )
        .order_by(col(Invoice.created_at), col(Invoice.id))
    ).all()
    return _rows(session, list(found))


def xml_of(invoice: Invoice) -> tuple[bytes, str]:
    """The XML to download: the stamped one, or the signed one while it waits to be stamped."""
    xml = invoice.stamped_xml or invoice.signed_xml
    if xml is None:
        raise NotFound()
    return xml, f"{file_name(invoice)}.xml"


def acuse_of(invoice: Invoice) -> tuple[bytes, str]:
    """The acuse of the invoice's cancellation, as the PAC returned it (none for one cancelled before it
    was ever stamped)."""
    if invoice.cancel_ack is None:
        raise NotFound()
    return invoice.cancel_ack, f"{file_name(invoice)}-acuse-cancelacion.xml"


def file_name(invoice: Invoice) -> str:
    if invoice.uuid:
        return invoice.uuid
    if invoice.folio is not None:
        return f"{invoice.serie or ''}{invoice.folio}-sin-timbrar"
    return f"factura-{invoice.id}-sin-timbrar"


# A cancelled CFDI's printout says so on every page, across the page and on top.
CANCELLED_MARK = (
    '<div class="cancelada" style="position: fixed; top: 40%; left: 0; right: 0; text-align: center; '
    "transform: rotate(-30deg); font: bold 72pt Arial; color: rgba(176, 0, 32, 0.35); "
    'letter-spacing: 8pt;">CANCELADA</div>'
    '<p class="cancelada" style="text-align: center; font: bold 12pt Arial; color: #b00020;">'
    "CANCELADA{date}</p>"
)
BODY = re.compile(r"<body[^>]*>")


def printable_html(invoice: Invoice) -> str:
    """The HTML its PDF is printed from: satcfdi's representation of the CFDI, marked CANCELADA (with the
    date) once cancelled."""
    from satcfdi.render import html_str

    xml, _ = xml_of(invoice)
    html = str(html_str(CFDI.from_string(xml)))
    if invoice.status != InvoiceStatus.CANCELADA:
        return html
    when = invoice.cancelled_at
    date = f" · {when.astimezone(MEXICO_CITY):%Y-%m-%d}" if when else ""
    mark = CANCELLED_MARK.format(date=date)
    found = BODY.search(html)
    return html[: found.end()] + mark + html[found.end() :] if found else mark + html


def pdf_of(invoice: Invoice) -> tuple[bytes, str]:
    """The invoice's printable representation, rendered by satcfdi from its XML."""
    import weasyprint  # loads slowly: only when a PDF is asked for
    from satcfdi.render import PDF_CSS

    pdf = weasyprint.HTML(string=printable_html(invoice)).write_pdf(stylesheets=[PDF_CSS])
    return bytes(pdf or b""), f"{file_name(invoice)}.pdf"
