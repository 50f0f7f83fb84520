"""CSV for spreadsheets, safe to open: every file the project writes for Excel, LibreOffice or Google Sheets (staff's
exports, the prioritisation from the command line and from the chat) goes through write_csv.

Users write some cells (their questions, names, proposals' names), and a spreadsheet runs a cell that begins like a
formula, so such a cell is made text."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable, TextIO

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP, "CSV Injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: Any) -> Any:
    """A text cell that begins like a formula with a single quote before it, which spreadsheets show as text;
    numbers are the program's own and stay numbers."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def write_csv(rows: Iterable[list[Any]], handle: TextIO) -> None:
    """RFC 4180's CRLF between rows: the csv module quotes a cell holding any character of the line end, so a
    user's lone CR is quoted, not read as the end of the row."""
    csv.writer(handle, lineterminator="\r\n").writerows([neutralised(cell) for cell in row] for row in rows)


def csv_text(rows: Iterable[list[Any]]) -> str:
    output = io.StringIO()
    write_csv(rows, output)
    return output.getvalue()
