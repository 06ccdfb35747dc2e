"""Tables people upload (a producer's listings, the bank's statement), read into rows of text: a CSV as any
spreadsheet saves it (UTF-8, Windows-1252 or Mac Roman; CR, LF or CRLF line ends; comma, semicolon or tab),
or an Excel workbook (.xlsx, also .xls and .ods) read with python-calamine. Anything else is refused with a
message that says what the file is: never a server error."""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

from market.errors import MarketError
from market.i18n import N_

log = logging.getLogger(__name__)

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
# A workbook is read in a child process (market/workbook_reader.py) that may use this much at most: a sheet
# of 5,000 rows of 30 columns takes ~100 MB there; what needs more is no table of products or deposits.
READER_MEMORY = 1024 * 1024 * 1024
READER_CPU_SECONDS = 10
READER_WAIT_SECONDS = 30
MAX_SHEET_CELLS = 1_000_000  # of the rows read: e.g. 10,000 rows of 100 columns
MAX_UNZIPPED_MB = 64  # what an .xlsx / .ods says its parts take unpacked
READER = Path(__file__).with_name("workbook_reader.py")
RUN_READER = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"

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
UNZIPS_TOO_BIG = N_(
    "El libro de Excel ocupa {mb} MB al descomprimirlo; el máximo es {max_mb} MB. Guarda solo la hoja con la "
    "tabla, o la tabla como CSV, y vuelve a subirlo."
)
TOO_MANY_CELLS = N_(
    "La hoja llega hasta la fila {rows} y la columna {columns}; el máximo es {max_cells} celdas. Borra lo "
    "que haya fuera de la tabla, o guarda la tabla como CSV, y vuelve a subirla."
)
TOO_BIG_TO_READ = N_(
    "El libro de Excel necesita demasiada memoria para abrirlo (suele pasar con datos muy lejos de la "
    "tabla). Borra lo que haya fuera de la tabla, o guarda la tabla como CSV, y vuelve a subirlo."
)
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
    """The first visible sheet, read by calamine in a child process under READER_* limits: a workbook
    that needs more ends that process, never the app's."""
    _check_unzipped_size(data)
    limits = (READER_MEMORY, READER_CPU_SECONDS, MAX_SHEET_ROWS, MAX_SHEET_CELLS)
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", RUN_READER, str(READER), *map(str, limits)],
            input=data,
            capture_output=True,
            timeout=READER_WAIT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise UnreadableTable(TOO_BIG_TO_READ) from None
    if done.returncode < 0:  # ended by a signal: its memory or CPU limit (Rust aborts when out of memory)
        log.info("workbook reader ended by signal %d", -done.returncode)
        raise UnreadableTable(TOO_BIG_TO_READ)
    if done.returncode != 0:
        raise RuntimeError(f"workbook reader failed: {done.stderr.decode(errors='replace')[-2000:]}")
    answer = json.loads(done.stdout)
    match answer.get("error"):
        case None:
            return list(answer["rows"])
        case "locked":
            raise UnreadableTable(LOCKED)
        case "memory":
            raise UnreadableTable(TOO_BIG_TO_READ)
        case "cells":
            rows, columns = answer["rows"], _column_name(answer["columns"])
            raise UnreadableTable(
                TOO_MANY_CELLS, rows=f"{rows:,}", columns=columns, max_cells=f"{MAX_SHEET_CELLS:,}"
            )
        case _:
            raise UnreadableTable(NOT_A_WORKBOOK)


def _check_unzipped_size(data: bytes) -> None:
    """An .xlsx or .ods is a zip: refuse at once one whose parts say they unpack into too much (one that
    lies about it meets the reader's limits instead)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # an .xls, or a broken zip: the reader says what it is
    if unzipped > MAX_UNZIPPED_MB * 1024 * 1024:
        raise UnreadableTable(UNZIPS_TOO_BIG, mb=unzipped // (1024 * 1024), max_mb=MAX_UNZIPPED_MB)


def _column_name(count: int) -> str:
    """The spreadsheet's name of the count-th column: 1 -> "A", 27 -> "AA", 16384 -> "XFD"."""
    name = ""
    while count > 0:
        count, rest = divmod(count - 1, 26)
        name = chr(ord("A") + rest) + name
    return name
