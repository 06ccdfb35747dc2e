"""Import of listings from a CSV or an Excel workbook: every row is validated first; one bad row and nothing
is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session

from market import tables
from market.accounts.models import User
from market.catalog.models import Listing, ListingStatus
from market.catalog.schemas import ListingCreate
from market.catalog.service import add_listing
from market.errors import ErrorBody, MarketError
from market.i18n import gettext as _
from market.money import parse_pesos
from market.organizations import service as organizations
from market.organizations.models import Organization
from market.validation import field_errors

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024

# CSV column -> listing field. Spanish headers, as a cooperative's spreadsheet would have them.
COLUMNS: dict[str, str] = {
    "titulo": "title",
    "descripcion": "description",
    "categoria": "category",
    "tipo": "kind",
    "unidad": "unit",
    "precio": "price_cents",
    "existencias": "stock",
    "pedido_minimo": "minimum_order",
    "dias_entrega": "lead_time_days",
    "recoger": "pickup",
    "estados_entrega": "delivery_states",
    "envio_nacional": "national_shipping",
    "precios_volumen": "tiers",
    "publicar": "status",
}
REQUIRED = ("titulo", "categoria", "unidad", "precio")
FIELD_TO_COLUMN = {field: column for column, field in COLUMNS.items()}
TEMPLATE = (
    ",".join(COLUMNS)
    + "\n"
    + "Café de altura tostado 1 kg,Café arábica de sombra,cafe,producto,kg,320.00,400,1,3,si,07;27,si,"
    + "10:300;50:280,si\n"
)
_YES = {"si", "sí", "s", "yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}
_KINDS = {"producto": "good", "bien": "good", "good": "good", "servicio": "service", "service": "service"}


# What to tell a person whose cell cannot be read at all (Spanish source, translated when shown).
CELL_MESSAGES = {
    "precio": "Escribe el precio en pesos, por ejemplo 185.50.",
    "recoger": "Escribe «si» o «no».",
    "envio_nacional": "Escribe «si» o «no».",
    "precios_volumen": (
        "Escribe los precios por volumen como cantidad:precio separados por «;», por ejemplo 10:170;50:160."
    ),
    "tipo": "Escribe «producto» o «servicio».",
    "publicar": "Escribe «si» o «no».",
}


@dataclass
class RowError:
    row: int  # line number in the file, the header being line 1
    column: str
    message: str


class RowProblem(BaseModel):
    row: int
    column: str
    message: str


class ImportReport(ErrorBody):
    """What a refused spreadsheet answers: every problem, by row (nothing was imported)."""

    rows: list[RowProblem] = Field(default_factory=list)


class ImportRejected(MarketError):
    status_code = 422
    code = "import_rejected"
    message = "El archivo tiene errores; no se importó ninguna fila."

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__()
        self.errors = errors

    def body(self) -> dict[str, Any]:
        rows = [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors]
        return super().body() | {"rows": rows}


def _column(header: str) -> str:
    """ "Pedido mínimo" -> "pedido_minimo": headers as people type them, with or without accents."""
    return tables.plain(header).replace(" ", "_")


def _first_filled(rows: tables.Rows) -> int:
    return next((i for i, row in enumerate(rows) if any(cell.strip() for cell in row)), 0)


def _has_required_columns(rows: tables.Rows) -> bool:
    return set(REQUIRED) <= {_column(cell) for cell in rows[_first_filled(rows)]}


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ValueError(value)


def _tiers(value: str) -> list[dict[str, int]]:
    tiers = []
    for part in filter(None, (p.strip() for p in value.split(";"))):
        quantity, _sep, price = part.partition(":")
        tiers.append({"min_quantity": int(quantity), "unit_price_cents": parse_pesos(price)})
    return tiers


def _row_to_fields(row: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Turn spreadsheet text into typed fields; errors for the cells that cannot be read at all."""
    fields: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    converters: dict[str, Any] = {
        "precio": parse_pesos,
        "recoger": _bool,
        "envio_nacional": _bool,
        "precios_volumen": _tiers,
        "tipo": lambda v: _KINDS[v.strip().lower()],
        "publicar": lambda v: ListingStatus.ACTIVE if _bool(v) else ListingStatus.DRAFT,
    }
    for column, field in COLUMNS.items():
        raw = (row.get(column) or "").strip()
        if raw == "" and column not in REQUIRED:
            continue
        try:
            fields[field] = converters[column](raw) if column in converters else raw
        except (ValueError, KeyError):
            errors.append((column, _(CELL_MESSAGES[column])))
    return fields, errors


def parse(data: bytes) -> tuple[list[ListingCreate], list[RowError]]:
    if len(data) > MAX_BYTES:
        return [], [RowError(1, "", _("El archivo pesa más de 2 MB; divídelo en partes."))]
    try:
        rows = tables.read(data, fits=_has_required_columns)
    except tables.UnreadableTable as exc:
        return [], [RowError(1, "", exc.detail)]
    header_index = _first_filled(rows)
    headers = [_column(cell) for cell in rows[header_index]]
    missing = [c for c in REQUIRED if c not in headers]
    unknown = [h for h in headers if h and h not in COLUMNS]
    if missing or unknown:
        message = (
            _("Faltan columnas: {missing}.").format(missing=", ".join(missing))
            if missing
            else _("Columnas desconocidas: {unknown}.").format(unknown=", ".join(unknown))
        )
        return [], [RowError(header_index + 1, "", message)]

    listings: list[ListingCreate] = []
    errors: list[RowError] = []
    data_rows = 0
    for line, cells in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        data_rows += 1
        if data_rows > MAX_ROWS:
            errors.append(RowError(line, "", _("Cada archivo admite hasta {n} filas.").format(n=MAX_ROWS)))
            break
        row = dict(zip(headers, cells, strict=False))  # cells past the header are ignored, missing ones empty
        fields, cell_errors = _row_to_fields(row)
        errors.extend(RowError(line, column, message) for column, message in cell_errors)
        try:
            listings.append(ListingCreate(**fields))
        except ValidationError as exc:
            unreadable = {column for column, _m in cell_errors}
            for field, message in field_errors(exc).items():
                column = FIELD_TO_COLUMN.get(field.split(".")[0], field)
                if column not in unreadable:
                    errors.append(RowError(line, column, message))
    if not listings and not errors:
        errors.append(RowError(1, "", _("El archivo no tiene filas.")))
    return listings, errors


def import_listings(session: Session, user: User, organization: Organization, data: bytes) -> list[Listing]:
    organizations.require_member(session, user, organization)
    rows, errors = parse(data)
    if errors:
        raise ImportRejected(errors)
    return [add_listing(session, organization, row) for row in rows]
