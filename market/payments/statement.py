"""Matching the bank's statement (CSV or Excel workbook) to the orders paid by SPEI transfer: a deposit whose
concept names an order's reference (TS00000123) and carries exactly what is due pays the order. The whole
file is read first; one unreadable row and nothing is applied. An order already paid is reported, never
paid twice."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from market import tables
from market.accounts.models import User
from market.admin import audit
from market.errors import MarketError
from market.i18n import N_
from market.i18n import gettext as _
from market.ledger import service as ledger
from market.ledger.models import LedgerEntry
from market.money import parse_pesos
from market.orders.fulfillment import mark_paid
from market.orders.models import Order, OrderStatus, payment_reference
from market.payments import service as payments

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
HEADER_SEARCH_ROWS = 10  # banks put the account and the period above the column names
REFERENCE = re.compile(r"TS(\d{8})(?!\d)", re.IGNORECASE)
REFERENCE_MAX = 80  # LedgerEntry.reference

# Column names as the banks write them, without accents, in lower case.
DATE_COLUMNS = ("fecha", "fecha operacion", "fecha de operacion", "fecha movimiento", "fecha valor")
CONCEPT_COLUMNS = ("concepto", "descripcion", "referencia", "concepto de pago", "referencia numerica")
AMOUNT_COLUMNS = ("abono", "abonos", "deposito", "depositos", "monto", "importe")
TRACKING_COLUMNS = ("clave de rastreo", "rastreo", "clave rastreo")

MATCHED, MISMATCH, ALREADY_PAID, NOT_PAYABLE, UNKNOWN = (
    "matched",
    "mismatch",
    "already_paid",
    "not_payable",
    "unknown",
)
OUTCOME_LABELS = {
    MATCHED: N_("Pagado"),
    MISMATCH: N_("Importe distinto: no se aplicó"),
    ALREADY_PAID: N_("Ya estaba pagado"),
    NOT_PAYABLE: N_("El pedido no espera esta transferencia"),
    UNKNOWN: N_("Sin referencia conocida"),
}
AMBIGUOUS = N_("El concepto menciona más de una referencia; confírmalo a mano.")
NO_REFERENCE = N_("El concepto no menciona ninguna referencia de pedido.")
NO_SUCH_ORDER = N_("No existe un pedido con esa referencia.")
APPLIED_BEFORE = N_("Este depósito ya se había aplicado.")
PAID_OTHERWISE = N_("El pedido se pagó con otro movimiento: si el dinero llegó dos veces, devuélvelo.")
NOT_AWAITING = N_(
    "Revisa el pedido: puede haber vencido o usar otra forma de pago; devuelve el dinero si corresponde."
)


@dataclass(frozen=True)
class Deposit:
    """One money-in row of the statement."""

    line: int  # line number in the file, the first line being 1
    date: str
    concept: str
    amount_cents: int
    tracking_key: str | None


@dataclass
class ReportLine:
    deposit: Deposit
    outcome: str
    reference: str | None = None  # the TS00000123 found in the concept
    order_id: int | None = None
    expected_cents: int | None = None
    note: str | None = None  # Spanish source, translated when shown


@dataclass
class Report:
    lines: list[ReportLine] = field(default_factory=list)

    def of(self, outcome: str) -> list[ReportLine]:
        return [line for line in self.lines if line.outcome == outcome]

    @property
    def counts(self) -> dict[str, int]:
        return {outcome: len(self.of(outcome)) for outcome in OUTCOME_LABELS}


class StatementRejected(MarketError):
    status_code = 422
    code = "statement_rejected"
    message = N_("No pudimos leer el estado de cuenta; no se aplicó ningún pago.")

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__()
        self.problems = problems  # (line, message in the current language)

    def body(self) -> dict[str, Any]:
        rows = [{"row": line, "message": message} for line, message in self.problems]
        return super().body() | {"rows": rows}


def _first(headers: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in headers:
            return headers.index(name)
    return None


@dataclass(frozen=True)
class _Columns:
    date: int
    amount: int
    concepts: list[int]
    tracking: int | None


def _columns(headers: list[str]) -> _Columns | list[str]:
    """Where each column is, or the names of those missing."""
    date, amount = _first(headers, DATE_COLUMNS), _first(headers, AMOUNT_COLUMNS)
    concepts = [i for i, h in enumerate(headers) if h in CONCEPT_COLUMNS]
    if date is None or amount is None or not concepts:
        found = {"fecha": date is not None, "concepto": bool(concepts), "abono": amount is not None}
        return [name for name, present in found.items() if not present]
    return _Columns(date, amount, concepts, _first(headers, TRACKING_COLUMNS))


def _header(rows: list[list[str]]) -> tuple[int, _Columns] | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _columns([tables.plain(cell) for cell in row])
        if isinstance(found, _Columns):
            return index, found
    return None


def _missing(rows: list[list[str]]) -> list[str]:
    """The columns missing from the first line."""
    first = next((row for row in rows if any(cell.strip() for cell in row)), [])
    missing = _columns([tables.plain(cell) for cell in first])
    return missing if isinstance(missing, list) else []


def parse_amount(text: str) -> int | None:
    """Money in, in centavos: "1,234.50", "$1,234.50", "1234.5 MXN". None for an empty cell, a zero or a
    withdrawal written as a negative amount. ValueError for anything else."""
    cleaned = re.sub(r"\s*MXN\s*$|^\s*MXN\s*", "", text.strip(), flags=re.IGNORECASE).replace(" ", "")
    if cleaned in ("", "-"):
        return None
    negative = cleaned.startswith(("-", "(", "$-")) or cleaned.endswith("-")  # "300.00-" too
    cents = parse_pesos(cleaned.replace("$-", "$", 1).strip("-()"))
    return None if negative or cents == 0 else cents


def parse(data: bytes) -> list[Deposit]:
    """The deposits of the statement, or StatementRejected saying every problem found."""
    if len(data) > MAX_BYTES:
        raise StatementRejected([(1, _("El archivo pesa más de 2 MB; divídelo por periodos."))])
    try:
        rows = tables.read(data, fits=lambda rows: _header(rows) is not None)
    except tables.UnreadableTable as exc:
        raise StatementRejected([(1, exc.detail)]) from None
    found = _header(rows)
    if found is None:
        raise StatementRejected(
            [
                (
                    1,
                    _(
                        "Faltan columnas: {missing}. El archivo necesita fecha, concepto (o descripción o "
                        "referencia) y abono (o monto, importe o depósito)."
                    ).format(missing=", ".join(_missing(rows))),
                )
            ]
        )
    header_index, columns = found
    width = len(rows[header_index])
    deposits: list[Deposit] = []
    problems: list[tuple[int, str]] = []
    data_rows = 0
    for line, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            problems.append((line, _("Cada archivo admite hasta {n} movimientos.").format(n=MAX_ROWS)))
            break
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(
                (
                    line,
                    _("La fila tiene más columnas que el encabezado: ¿algún importe con coma sin comillas?"),
                )
            )
            continue
        cells = [cell.strip() for cell in row] + [""] * (width - len(row))
        try:
            amount = parse_amount(cells[columns.amount])
        except ValueError:
            problems.append(
                (
                    line,
                    _("No se entiende el importe «{value}»; escríbelo como 1,234.50.").format(
                        value=cells[columns.amount]
                    ),
                )
            )
            continue
        if amount is None:
            continue  # a withdrawal, or nothing came in
        if not cells[columns.date]:
            problems.append((line, _("Falta la fecha del movimiento.")))
            continue
        tracking = cells[columns.tracking] if columns.tracking is not None else ""
        deposits.append(
            Deposit(
                line=line,
                date=cells[columns.date],
                concept=" ".join(cells[i] for i in columns.concepts if cells[i]),
                amount_cents=amount,
                tracking_key=tracking or None,
            )
        )
    if problems:
        raise StatementRejected(problems)
    return deposits


def _payment_references(session: Session, order_id: int) -> set[str]:
    """The references of the money already received for an order (a tracking key, or the statement's)."""
    rows = session.exec(
        select(LedgerEntry.reference)
        .where(LedgerEntry.order_id == order_id, LedgerEntry.kind == "payment")
        .where(LedgerEntry.account == ledger.CASH)
    ).all()
    return {reference for reference in rows if reference}


def _match(session: Session, admin: User, deposit: Deposit) -> ReportLine:
    references = sorted({number for number in REFERENCE.findall(deposit.concept)})
    if not references:
        return ReportLine(deposit, UNKNOWN, note=NO_REFERENCE)
    if len(references) > 1:
        return ReportLine(deposit, UNKNOWN, note=AMBIGUOUS)
    reference = payment_reference(int(references[0]))
    # Locked until the request commits: two administrators uploading the same statement pay once.
    order = session.exec(
        select(Order)
        .where(Order.id == int(references[0]))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if order is None:
        return ReportLine(deposit, UNKNOWN, reference, note=NO_SUCH_ORDER)
    line = ReportLine(deposit, UNKNOWN, reference, order.id)
    # Stored in the ledger, so in the platform's language whatever the administrator's.
    tracking = (deposit.tracking_key or f"Estado de cuenta {deposit.date}")[:REFERENCE_MAX]
    if order.status == OrderStatus.PAID:
        line.outcome = ALREADY_PAID
        paid_with = _payment_references(session, order.id or 0)
        line.note = APPLIED_BEFORE if tracking in paid_with else PAID_OTHERWISE
        return line
    if not order.awaits_bank_transfer:
        line.outcome, line.note = NOT_PAYABLE, NOT_AWAITING
        return line
    line.expected_cents = payments.amount_due(session, order)
    if deposit.amount_cents != line.expected_cents:
        line.outcome = MISMATCH
        return line
    mark_paid(session, order, admin, tracking)
    line.outcome = MATCHED
    audit.record(
        session,
        admin,
        "statement.deposit_matched",
        "order",
        order.id or 0,
        reference,
        amount_cents=deposit.amount_cents,
        reference=tracking,
        date=deposit.date,
        line=deposit.line,
    )
    return line


def apply(session: Session, admin: User, deposits: list[Deposit]) -> Report:
    audit.require_admin(admin)
    return Report([_match(session, admin, deposit) for deposit in deposits])


def reconcile(session: Session, admin: User, data: bytes) -> Report:
    """Read the statement and pay the orders it matches; a bad file raises before anything changes."""
    audit.require_admin(admin)
    return apply(session, admin, parse(data))
