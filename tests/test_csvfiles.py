"""The one CSV writer: text that a spreadsheet would run as a formula stays text; numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from market import csvfiles
from market.money import cents_to_pesos


def read(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","y")', "+52 55 1234 5678", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"],
)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text: str) -> None:
    [_header, row] = read(csvfiles.to_bytes(["nombre"], [[text]]))
    assert row == ["'" + text]


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    cells: list[csvfiles.Cell] = [
        42,
        cents_to_pesos(-27600),
        cents_to_pesos(18550),
        Decimal("0.00"),
        "Café ñandú",
        "a=b",
        None,
    ]
    rows = [cells]
    [_header, row] = read(csvfiles.to_bytes(["a", "b", "c", "d", "e", "f", "g"], rows))
    assert row == ["42", "-276.00", "185.50", "0.00", "Café ñandú", "a=b", ""]


def test_the_download_is_utf8_with_a_bom_and_a_file_name() -> None:
    response = csvfiles.response("pedidos.csv", ["Pedido"], [[1]])
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="pedidos.csv"'
    assert read(bytes(response.body)) == [["Pedido"], ["1"]]
