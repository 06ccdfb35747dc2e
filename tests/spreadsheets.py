"""Files people upload where a table is expected: real Excel workbooks (written with openpyxl, as Excel
would save them) and files that are no table at all."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import Workbook
from PIL import Image

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(rows: list[list[Any]], title: str = "Hoja1") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (180, 90, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("productos.txt", "titulo,categoria,unidad,precio\n")
    return buffer.getvalue()


PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
EMPTY = "El archivo está vacío."
PICTURE = "El archivo es una imagen o un PDF, no una tabla: súbela como CSV o como libro de Excel (.xlsx)."
NOT_A_TABLE = "El archivo no es un CSV ni un libro de Excel (.xlsx): guarda la tabla así y vuelve a subirla."
NOT_A_WORKBOOK = "No pudimos abrir el archivo como libro de Excel: guárdalo de nuevo como .xlsx o como CSV."

# (file name, content, the message that says what is wrong with it)
NOT_TABLES = {
    "empty": ("productos.csv", b"", EMPTY),
    "blank": ("productos.csv", b"\r\n \r\n", EMPTY),
    "png": ("foto.png", _png(), PICTURE),
    "pdf": ("catalogo.pdf", PDF, PICTURE),
    "random-bytes": ("productos.csv", bytes(range(256)) * 4, NOT_A_TABLE),
    "zip-of-text": ("productos.xlsx", _zip_of_text(), NOT_A_WORKBOOK),
    "truncated-xlsx": ("productos.xlsx", xlsx_bytes([["titulo"], ["Café"]])[:300], NOT_A_WORKBOOK),
}
