"""The one reader of uploaded tables, on the files that reach it besides the common ones (those are tested
through the listing import and the bank statement)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from market import tables
from tests.spreadsheets import NOT_TABLES, xlsx_bytes


def test_excel_unicode_text_is_utf16_and_tab_separated() -> None:
    assert tables.read("Título\tPrecio\r\nPiña\t45\r\n".encode("utf-16")) == [
        ["Título", "Precio"],
        ["Piña", "45"],
    ]


def test_the_delimiter_is_the_first_whose_rows_fit_else_the_likeliest() -> None:
    data = b"Cuenta: 0123,Periodo: marzo\nfecha;concepto;abono\n"
    assert tables.read(data, fits=lambda rows: ["fecha", "concepto", "abono"] in rows)[1] == [
        "fecha",
        "concepto",
        "abono",
    ]
    assert tables.read(b"a;b;c\n")[0] == ["a", "b", "c"]  # nothing asked: the delimiter that splits most


def test_workbook_cells_read_as_typed() -> None:
    data = xlsx_bytes([[185.5, 400, date(2025, 3, 5), datetime(2025, 3, 5, 9, 30), True, None, "07;27"]])
    assert tables.read(data) == [["185.5", "400", "2025-03-05", "2025-03-05 09:30:00", "sí", "", "07;27"]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'titulo,precio\n"Cafe' + b"x" * 200_000, tables.OPEN_QUOTE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), tables.NOT_A_WORKBOOK),  # an .xls that is not one
        (b"\xff\xfe\x00", tables.NOT_A_TABLE),  # half a UTF-16 character
    ],
    ids=["open-quote", "broken-xls", "broken-utf16"],
)
def test_what_cannot_be_read_says_why(data: bytes, message: str) -> None:
    with pytest.raises(tables.UnreadableTable) as refused:
        tables.read(data)
    assert refused.value.detail == message


def test_headers_are_compared_without_accents_capitals_or_separators() -> None:
    assert [tables.plain(h) for h in (" Título ", "CATEGORÍA", "Clave_de_Rastreo", "Fecha.Valor")] == [
        "titulo",
        "categoria",
        "clave de rastreo",
        "fecha valor",
    ]


def test_a_workbook_that_would_not_fit_in_memory_ends_only_its_reader() -> None:
    """Read in this process, the workbook would abort it (Rust cannot allocate 17 billion cells)."""
    _name, data, message = NOT_TABLES["far-apart-cells"]

    with pytest.raises(tables.UnreadableTable) as refused:
        tables.read(data)

    assert refused.value.detail == message


def test_a_workbook_whose_parts_unpack_into_too_much_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _name, data, message = NOT_TABLES["unzips-too-big"]
    monkeypatch.setattr(
        "market.tables.subprocess.run", lambda *args, **kwargs: pytest.fail("the reader started")
    )

    with pytest.raises(tables.UnreadableTable) as refused:
        tables.read(data)

    assert refused.value.detail == message


def test_a_large_real_sheet_is_read_whole() -> None:
    header = ["titulo", *[f"c{i}" for i in range(9)]]
    rows = tables.read(xlsx_bytes([header, *[[i] * 10 for i in range(5_000)]]))
    assert (len(rows), len(rows[0]), rows[-1][-1]) == (5_001, 10, "4999")


@pytest.mark.parametrize(("count", "name"), [(1, "A"), (26, "Z"), (27, "AA"), (200, "GR"), (16_384, "XFD")])
def test_columns_are_named_as_the_spreadsheet_names_them(count: int, name: str) -> None:
    assert tables._column_name(count) == name
