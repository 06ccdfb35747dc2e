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


def _far_apart_xlsx() -> bytes:
    """Two values, in A1 and in the last cell of a sheet (XFD1048576): ~5 KB that calamine would build into
    a sheet of 17 billion cells."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "titulo"
    sheet.cell(row=1_048_576, column=16_384, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _repeated_ods(rows: int, columns: int) -> bytes:
    """An OpenDocument sheet whose second row, of `columns` cells with a number, repeats `rows` times: under
    1 KB that unfolds into rows × columns cells."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Hoja1">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>titulo</text:p>'
        "</table:table-cell></table:table-row>"
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        f'table:number-columns-repeated="{columns}" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def _padded_xlsx(megabytes: int) -> bytes:
    """A real workbook carrying a part of `megabytes` MB of zeros: ~65 KB that say they unpack into more."""
    buffer = io.BytesIO(xlsx_bytes([["titulo"], ["Café"]]))
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/relleno.bin", "w") as part,
    ):
        for _ in range(megabytes):
            part.write(bytes(1024 * 1024))
    return buffer.getvalue()


PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
EMPTY = "El archivo está vacío."
PICTURE = "El archivo es una imagen o un PDF, no una tabla: súbela como CSV o como libro de Excel (.xlsx)."
NOT_A_TABLE = "El archivo no es un CSV ni un libro de Excel (.xlsx): guarda la tabla así y vuelve a subirla."
NOT_A_WORKBOOK = "No pudimos abrir el archivo como libro de Excel: guárdalo de nuevo como .xlsx o como CSV."
TOO_BIG_TO_READ = (
    "El libro de Excel necesita demasiada memoria para abrirlo (suele pasar con datos muy lejos de la "
    "tabla). Borra lo que haya fuera de la tabla, o guarda la tabla como CSV, y vuelve a subirlo."
)
TOO_MANY_CELLS = (
    "La hoja llega hasta la fila 10,001 y la columna GR; el máximo es 1,000,000 celdas. Borra lo que haya "
    "fuera de la tabla, o guarda la tabla como CSV, y vuelve a subirla."
)
UNZIPS_TOO_BIG = (
    "El libro de Excel ocupa 65 MB al descomprimirlo; el máximo es 64 MB. Guarda solo la hoja con la tabla, "
    "o la tabla como CSV, y vuelve a subirlo."
)

# (file name, content, the message that says what is wrong with it)
NOT_TABLES = {
    "empty": ("productos.csv", b"", EMPTY),
    "blank": ("productos.csv", b"\r\n \r\n", EMPTY),
    "png": ("foto.png", _png(), PICTURE),
    "pdf": ("catalogo.pdf", PDF, PICTURE),
    "random-bytes": ("productos.csv", bytes(range(256)) * 4, NOT_A_TABLE),
    "zip-of-text": ("productos.xlsx", _zip_of_text(), NOT_A_WORKBOOK),
    "truncated-xlsx": ("productos.xlsx", xlsx_bytes([["titulo"], ["Café"]])[:300], NOT_A_WORKBOOK),
    # bombs: small files that would unfold into more memory than the app has
    "far-apart-cells": ("productos.xlsx", _far_apart_xlsx(), TOO_BIG_TO_READ),
    "repeated-rows-ods": ("productos.ods", _repeated_ods(10_000, 200), TOO_MANY_CELLS),
    "unzips-too-big": ("productos.xlsx", _padded_xlsx(65), UNZIPS_TOO_BIG),
}
