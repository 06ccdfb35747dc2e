"""Every CSV the platform hands out goes through here: UTF-8 with a byte-order mark (so that Excel, as used
in Mexico, reads the accents) and no cell a spreadsheet would run as a formula.

Text comes from people (an organization named `=HYPERLINK(...)`, a buyer, a reason typed by an
administrator), so a text cell that starts like a formula gets a leading apostrophe, as OWASP recommends
against CSV injection. Numbers are passed as numbers (`int`, `Decimal`) and stay numbers, negatives too."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from fastapi.responses import Response, StreamingResponse

Cell = str | int | Decimal | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STREAM_ROWS = 1_000  # rows per chunk of a streamed file


def safe(cell: Cell) -> str | int | Decimal:
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def to_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe(cell) for cell in header])
    writer.writerows([safe(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Response:
    """The file as a download named `filename`."""
    return Response(
        to_bytes(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def chunks(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """The file of `to_bytes`, a chunk of rows at a time: the rows are never all in memory."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([safe(cell) for cell in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe(cell) for cell in row])
        if count % STREAM_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def streamed(filename: str, body: Iterator[bytes]) -> StreamingResponse:
    """A file of `chunks` as a download named `filename`, sent as it is made (a file that grows with
    history)."""
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
