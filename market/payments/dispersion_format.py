"""The dispersion file the bank's business portal takes, and the result file it gives back: pure functions.

**Outgoing file: BBVA México, Net Cash, "Pago a terceros — interbancarios (SPEI)", TXT layout.** One
fixed-width record of 165 characters per transfer, no header and no totals record, ASCII, every line ended
by CR LF (the portal is a Windows upload). Fields:

    #  field                     positions  width  how it is written
    1  Cuenta destino (CLABE)      1–18      18    the beneficiary's 18-digit CLABE
    2  Cuenta origen              19–36      18    the ordering BBVA account (10 digits), zeros to the left
    3  Divisa                     37–39       3    "MXP" (the code BBVA's layouts use for pesos)
    4  Importe                    40–55      16    13 integer digits, ".", 2 decimals, zeros to the left:
                                                   $1,250.50 -> "0000000001250.50"
    5  Titular / beneficiario     56–85      30    upper-case ASCII letters, digits and spaces, no accents
                                                   (Ñ -> N), left-aligned, spaces to the right, cut to 30
    6  Tipo de cuenta             86–87       2    "40" = CLABE
    7  Número de banco            88–90       3    the receiving bank: the CLABE's first three digits
    8  Motivo de pago             91–120     30    like field 5 (the concept the beneficiary sees)
    9  Referencia numérica       121–127      7    digits, zeros to the left: what the result file matches
   10  Disponibilidad            128          1    "H" = same day (SPEI)
   11  Comprobante fiscal        129          1    "0" = none asked of the beneficiary
   12  RFC del beneficiario     130–147      18    spaces (only with a comprobante fiscal)
   13  IVA                      148–165      18    "000000000000000.00" (only with a comprobante fiscal)

Where it came from: BBVA México's Net Cash (formerly Bancomer Cash Windows) layout for interbank transfers,
as a public Mexican treasury system's Bancomer layout generator writes it field by field ("suma 165
caracteres"; arturoFloresGS/GlobalSET, LayoutBancomerBusiness.beArmaBancomer). No copy of the bank's own PDF
was at hand: **check the widths against the layout your Net Cash contract gives before the first real
file** — every width is a constant below, and the tests pin each byte.

The ordering account is the platform's own account at BBVA: the 10-digit account inside the platform's
CLABE (positions 8–17 of a BBVA CLABE `012 PPP 0AAAAAAAAAA D`).

**Result file: a CSV (or Excel workbook) as the portal's "consulta de operaciones" exports it.** BBVA does
not document a return layout for this upload that we could find, so the result is read by column names, as
`market.payments.statement` reads a statement: `referencia` (the 7-digit numeric reference), `cuenta
destino`/`clabe`, `importe`, `estatus`, and, when present, `clave de rastreo` and `motivo` (the reason of a
rejection). A status of liquidada/aplicada/enviada/exitosa marks the transfer sent; rechazada/devuelta/
cancelada/error marks it failed. The file is read whole first; a bad line and nothing is applied."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from market import tables
from market.i18n import gettext as _
from market.payments.statement import parse_amount

WIDTH = 165
LINE_END = b"\r\n"
CURRENCY = "MXP"
ACCOUNT_TYPE_CLABE = "40"
SAME_DAY = "H"
NO_FISCAL_RECEIPT = "0" + " " * 18 + "000000000000000.00"  # fields 11-13: no comprobante, RFC or IVA
NAME_WIDTH, CONCEPT_WIDTH, REFERENCE_WIDTH, AMOUNT_WIDTH = 30, 30, 7, 16
MAX_AMOUNT_CENTS = 10**15 - 1  # 13 integer digits
MAX_REFERENCE = 10**REFERENCE_WIDTH - 1
RESULT_MAX_BYTES = 1024 * 1024
RESULT_MAX_ROWS = 5000


@dataclass(frozen=True)
class Transfer:
    """One line of the dispersion: who is paid, how much, and the reference the bank gives back."""

    clabe: str
    beneficiary: str
    amount_cents: int
    reference: int
    concept: str


def bank_text(text: str, width: int) -> str:
    """What a bank portal accepts in a name: A–Z, 0–9 and spaces, without accents, cut and padded to
    `width`: "Cooperativa Flor de Café, S.C." -> "COOPERATIVA FLOR DE CAFE SC"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    plain = " ".join(re.sub(r"[^A-Z0-9 ]", "", plain.replace("-", " ").replace("/", " ")).split())
    return plain[:width].ljust(width)


def amount_field(cents: int) -> str:
    """`125050` -> `0000000001250.50`."""
    if not 0 < cents <= MAX_AMOUNT_CENTS:
        raise ValueError(cents)
    return f"{cents // 100:013d}.{cents % 100:02d}"


def origin_account(platform_clabe: str) -> str:
    """The platform's 10-digit BBVA account inside its CLABE, as field 2 wants it (18 wide)."""
    digits = "".join(platform_clabe.split())
    if len(digits) != 18 or not digits.isdigit():
        raise ValueError(platform_clabe)
    return digits[7:17].rjust(18, "0")


def record(transfer: Transfer, origin: str) -> str:
    """One 165-character record."""
    clabe = transfer.clabe
    if len(clabe) != 18 or not clabe.isdigit() or not 0 < transfer.reference <= MAX_REFERENCE:
        raise ValueError(transfer)
    line = (
        clabe
        + origin
        + CURRENCY
        + amount_field(transfer.amount_cents)
        + bank_text(transfer.beneficiary, NAME_WIDTH)
        + ACCOUNT_TYPE_CLABE
        + clabe[:3]
        + bank_text(transfer.concept, CONCEPT_WIDTH)
        + f"{transfer.reference:0{REFERENCE_WIDTH}d}"
        + SAME_DAY
        + NO_FISCAL_RECEIPT
    )
    assert len(line) == WIDTH, line
    return line


def render(transfers: list[Transfer], platform_clabe: str) -> bytes:
    """The whole file: one record per transfer, CR LF after each, ASCII."""
    origin = origin_account(platform_clabe)
    return b"".join(record(t, origin).encode("ascii") + LINE_END for t in transfers)


# --- the result file -------------------------------------------------------------------------------------

SENT, FAILED = "sent", "failed"
SENT_WORDS = frozenset(
    {"liquidada", "liquidado", "aplicada", "aplicado", "enviada", "enviado", "exitosa", "exitoso", "ok"}
)
FAILED_WORDS = frozenset(
    {"rechazada", "rechazado", "devuelta", "devuelto", "cancelada", "cancelado", "error", "fallida"}
)
REFERENCE_COLUMNS = ("referencia", "referencia numerica", "ref numerica", "referencia num")
CLABE_COLUMNS = ("cuenta destino", "clabe", "cuenta", "cuenta beneficiario", "cuenta abono")
AMOUNT_COLUMNS = ("importe", "monto")
STATUS_COLUMNS = ("estatus", "estado", "status", "resultado")
TRACKING_COLUMNS = ("clave de rastreo", "rastreo", "clave rastreo")
REASON_COLUMNS = ("motivo", "motivo de rechazo", "motivo rechazo", "descripcion", "detalle", "observaciones")
TRACKING_MAX, REASON_MAX = 30, 200


@dataclass(frozen=True)
class ResultLine:
    """One line of the bank's result: the transfer it names and what became of it."""

    line: int
    reference: int
    clabe: str
    amount_cents: int
    outcome: str  # SENT | FAILED
    tracking_key: str | None
    reason: str | None


class ResultUnreadable(Exception):
    """The file cannot be read as a result file: (line, message in the current language) for each problem."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


def _first(headers: list[str], names: tuple[str, ...]) -> int | None:
    return next((headers.index(name) for name in names if name in headers), None)


def _columns(row: list[str]) -> dict[str, int | None] | None:
    headers = [tables.plain(cell) for cell in row]
    found = {
        "reference": _first(headers, REFERENCE_COLUMNS),
        "clabe": _first(headers, CLABE_COLUMNS),
        "amount": _first(headers, AMOUNT_COLUMNS),
        "status": _first(headers, STATUS_COLUMNS),
        "tracking": _first(headers, TRACKING_COLUMNS),
        "reason": _first(headers, REASON_COLUMNS),
    }
    required = ("reference", "clabe", "amount", "status")
    return found if all(found[name] is not None for name in required) else None


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int | None]] | None:
    for index, row in enumerate(rows[:10]):
        columns = _columns(row)
        if columns is not None:
            return index, columns
    return None


def _line(number: int, cells: list[str], columns: dict[str, int | None]) -> ResultLine | str:
    """The line, or what is wrong with it."""

    def cell(name: str) -> str:
        index = columns[name]
        return cells[index].strip() if index is not None and index < len(cells) else ""

    reference_text = cell("reference").lstrip("'")
    if not reference_text.isdigit() or not 0 < int(reference_text) <= MAX_REFERENCE:
        return _("La referencia «{value}» no es una referencia numérica de 7 dígitos.").format(
            value=reference_text
        )
    clabe = "".join(cell("clabe").lstrip("'").split())
    if len(clabe) != 18 or not clabe.isdigit():
        return _("La cuenta destino «{value}» no es una CLABE de 18 dígitos.").format(value=clabe)
    try:
        amount = parse_amount(cell("amount"))
    except ValueError:
        amount = None
    if amount is None:
        return _("No se entiende el importe «{value}»; escríbelo como 1,234.50.").format(value=cell("amount"))
    status = tables.plain(cell("status"))
    if status in SENT_WORDS:
        outcome = SENT
    elif status in FAILED_WORDS:
        outcome = FAILED
    else:
        return _("No se entiende el estatus «{value}»: se espera liquidada o rechazada.").format(
            value=cell("status")
        )
    tracking, reason = cell("tracking"), cell("reason")
    if len(tracking) > TRACKING_MAX:
        return _("La clave de rastreo es demasiado larga (máximo {n} caracteres).").format(n=TRACKING_MAX)
    return ResultLine(
        number,
        int(reference_text),
        clabe,
        amount,
        outcome,
        tracking or None,
        reason[:REASON_MAX] or None,
    )


def parse_result(data: bytes) -> list[ResultLine]:
    """The lines of the bank's result file, or ResultUnreadable saying every problem found."""
    if len(data) > RESULT_MAX_BYTES:
        raise ResultUnreadable([(1, _("El archivo pesa más de 1 MB: no es un archivo de resultados."))])
    try:
        rows = tables.read(data, fits=lambda rows: _header(rows) is not None)
    except tables.UnreadableTable as exc:
        raise ResultUnreadable([(1, exc.detail)]) from None
    found = _header(rows)
    if found is None:
        message = _(
            "No encontramos las columnas del resultado: se necesitan referencia, cuenta destino (o CLABE), "
            "importe y estatus."
        )
        raise ResultUnreadable([(1, message)])
    header, columns = found
    lines: list[ResultLine] = []
    problems: list[tuple[int, str]] = []
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(lines) + len(problems) >= RESULT_MAX_ROWS:
            problems.append((number, _("Cada archivo admite hasta {n} líneas.").format(n=RESULT_MAX_ROWS)))
            break
        parsed = _line(number, row, columns)
        if isinstance(parsed, str):
            problems.append((number, parsed))
        else:
            lines.append(parsed)
    if problems:
        raise ResultUnreadable(problems)
    if not lines:
        raise ResultUnreadable([(1, _("El archivo no tiene ninguna línea de resultado."))])
    seen: dict[int, int] = {}
    for line in lines:
        if line.reference in seen:
            problems.append(
                (
                    line.line,
                    _("La referencia {ref} ya aparece en la fila {row}.").format(
                        ref=f"{line.reference:07d}", row=seen[line.reference]
                    ),
                )
            )
        seen.setdefault(line.reference, line.line)
    if problems:
        raise ResultUnreadable(problems)
    return lines
