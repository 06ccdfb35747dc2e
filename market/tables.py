"""Tables people upload (a producer's listings, the bank's statement), read into rows of text: a CSV as any
spreadsheet saves it (UTF-8, Windows-1252 or Mac Roman; CR, LF or CRLF line ends; comma, semicolon or tab),
or an Excel workbook (.xlsx, also .xls and .ods) read with python-calamine. Anything else is refused with a
message that says what the file is: never a server error."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time

import python_calamine

from market.errors import MarketError
from market.i18n import N_

Rows = list[list[str]]
DELIMITERS = (",", ";", "\t")
# A zip (.xlsx, .ods) or an OLE2 compound file (.xls, and any workbook with a password): by content, not name.
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
PICTURE_OR_PDF_MAGIC = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF")  # RIFF: WebP
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never in a text table; always in binary files
SPANISH = frozenset("áéíóúüñÁÉÍÓÚÜÑ¿¡")
# Rows read from a sheet at most: enough to tell that it is over any upload's limit (5,000 rows), while a
# compressed sheet of a 2 MB upload could otherwise unfold into millions of rows.
MAX_SHEET_ROWS = 10_000

EMPTY = N_("El archivo está vacío.")
PICTURE_OR_PDF = N_(
    "El archivo es una imagen o un PDF, no una tabla: súbela como CSV o como libro de Excel (.xlsx)."
)
NOT_A_TABLE = N_(
    "El archivo no es un CSV ni un libro de Excel (.xlsx): guarda la tabla así y vuelve a subirla."
)
NOT_A_WORKBOOK = N_(
    "No pudimos abrir el archivo como libro de Excel: guárdalo de nuevo como .xlsx o como CSV."
)
LOCKED = N_("El libro de Excel tiene contraseña: quítasela y vuelve a subirlo.")
OPEN_QUOTE = N_('Unas comillas (") abren una celda que nunca se cierra: revisa el archivo.')


class UnreadableTable(MarketError):
    status_code = 422
    code = "unreadable_table"
    message = NOT_A_TABLE


def read(data: bytes, fits: Callable[[Rows], bool] = lambda rows: True) -> Rows:
    """The rows of the first visible sheet of a workbook, or of a CSV split by the first delimiter whose rows
    `fits` (else by the likeliest: the one that splits the first line into most cells). Every cell is text;
    blank rows are kept, so that row numbers are those a person sees in the spreadsheet."""
    if data.startswith(PICTURE_OR_PDF_MAGIC):
        raise UnreadableTable(PICTURE_OR_PDF)
    readings = [_workbook(data)] if data.startswith(WORKBOOK_MAGIC) else _readings(_decode(data))
    readings = [rows for rows in readings if any(cell.strip() for row in rows for cell in row)]
    if not readings:
        raise UnreadableTable(EMPTY)
    return next((rows for rows in readings if fits(rows)), readings[0])


def plain(header: str) -> str:
    """A column name whatever its accents, capitals and separators: " Clave_de_Rastreo" -> "clave de
    rastreo", "Categoría" -> "categoria"."""
    ascii_only = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[_.\-]", " ", ascii_only.lower()).split())


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        text = _attempt(data, "utf-16")
    else:
        text = _attempt(data, "utf-8-sig")
        text = _likeliest_excel_text(data) if text is None else text
    if text is None or CONTROL.search(text):
        raise UnreadableTable(NOT_A_TABLE)
    return text


def _attempt(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _likeliest_excel_text(data: bytes) -> str:
    """Excel saves "CSV" as Windows-1252 on Windows and as Mac Roman on an older Mac: read as whichever
    gives more Spanish letters (a Mac "é" is a Windows "é" never, but "Ž")."""
    candidates = [text for codec in ("cp1252", "mac_roman") if (text := _attempt(data, codec)) is not None]
    return max(candidates, key=lambda text: sum(char in SPANISH for char in text))


def _readings(text: str) -> list[Rows]:
    """The text split by each delimiter, likeliest first."""
    readings = []
    for delimiter in DELIMITERS:
        try:  # newline="": csv itself ends rows at CR, LF or CRLF, and keeps those inside quotes
            readings.append(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
        except csv.Error:  # a field past csv's size limit: a quote opened and never closed
            continue
    if not readings:
        raise UnreadableTable(OPEN_QUOTE)
    return sorted(readings, key=lambda rows: -len(next((row for row in rows if any(row)), [])))


def _workbook(data: bytes) -> Rows:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = [
            sheet.name
            for sheet in book.sheets_metadata
            if sheet.visible == python_calamine.SheetVisibleEnum.Visible
            and sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        sheet = book.get_sheet_by_name(visible[0]) if visible else book.get_sheet_by_index(0)
        cells = sheet.to_python(skip_empty_area=False, nrows=MAX_SHEET_ROWS)
    except python_calamine.PasswordError:
        raise UnreadableTable(LOCKED) from None
    except (python_calamine.CalamineError, ValueError):
        raise UnreadableTable(NOT_A_WORKBOOK) from None
    return [[_text(cell) for cell in row] for row in cells]


def _text(cell: object) -> str:
    """A cell as a person would have typed it: 400.0 -> "400", a date -> "2025-03-05"."""
    if isinstance(cell, bool):
        return "sí" if cell else "no"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else f"{cell:.15g}"
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat(sep=" ")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return "" if cell is None else str(cell)
