"""Reads the first visible sheet of a workbook (.xlsx, .xls, .ods) given on stdin into rows of text, printed
as one JSON object on stdout. `market.tables` runs it in a child process of its own, under the memory and
CPU limits it passes: calamine builds a whole sheet in memory, from its first cell with data to its last,
so a 5 KB workbook with one value in A1 and one in XFD1048576 asks for 500 GB at once (and Rust aborts the
process that asked), and an 800-byte .ods that repeats a row a million times unfolds into gigabytes. Here
such a file ends only this child.

Imports only the standard library and python_calamine: it runs as `python -I`, outside the app's path.

    argv: memory_bytes cpu_seconds max_rows max_cells
    out:  {"rows": [[str, ...], ...]} | {"error": "locked" | "unreadable" | "memory"}
          | {"error": "cells", "rows": int, "columns": int}
"""

from __future__ import annotations

import json
import resource
import sys
from datetime import date, datetime, time
from typing import Any


def main() -> None:
    memory, cpu_seconds, max_rows, max_cells = (int(arg) for arg in sys.argv[1:5])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    data = sys.stdin.buffer.read()
    try:
        answer = read(data, max_rows, max_cells)
    except MemoryError:
        answer = {"error": "memory"}
    sys.stdout.write(json.dumps(answer))


def read(data: bytes, max_rows: int, max_cells: int) -> dict[str, Any]:
    import io

    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = [
            sheet.name
            for sheet in book.sheets_metadata
            if sheet.visible == python_calamine.SheetVisibleEnum.Visible
            and sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        sheet = book.get_sheet_by_name(visible[0]) if visible else book.get_sheet_by_index(0)
        # read from A1 to the last cell with data (`end`, counted from 0): as a person sees the sheet
        rows, columns = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
        if min(rows, max_rows) * columns > max_cells:
            return {"error": "cells", "rows": rows, "columns": columns}
        cells = sheet.to_python(skip_empty_area=False, nrows=max_rows)
    except python_calamine.PasswordError:
        return {"error": "locked"}
    except (python_calamine.CalamineError, ValueError, IndexError):
        return {"error": "unreadable"}
    return {"rows": [[text(cell) for cell in row] for row in cells]}


def text(cell: object) -> str:
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


if __name__ == "__main__":
    main()
