"""The one CSV writer: text that a spreadsheet would run as a formula stays text; numbers stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
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


def test_a_streamed_file_is_the_same_file_a_chunk_of_rows_at_a_time() -> None:
    rows: list[list[csvfiles.Cell]] = [[n, f"=fila {n}", cents_to_pesos(n * 7)] for n in range(2_500)]
    handed_out = 0

    def counted() -> Iterator[list[csvfiles.Cell]]:
        nonlocal handed_out
        for row in rows:
            handed_out += 1
            yield row

    chunks = csvfiles.chunks(["n", "texto", "monto"], counted())
    first = next(chunks)
    assert handed_out == csvfiles.STREAM_ROWS  # the rest is not read yet
    whole = first + b"".join(chunks)
    assert whole == csvfiles.to_bytes(["n", "texto", "monto"], rows)
    assert read(whole)[1] == ["0", "'=fila 0", "0.00"]
