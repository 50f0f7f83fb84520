"""Excel workbooks (.xlsx) for `python -m bot prioritise`: the proposals read from the first sheet, as a CSV file's
rows are, and the ranking written as a sheet. Excel is where cluster staff keep their proposals."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any, Iterator, Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from bot.cli.input import UsageError, drafts_from_rows
from bot.rules.prioritise import ProposalDraft

# Every .xlsx file is a zip archive, and starts as one: a workbook saved under another name is still read as one.
ZIP_MAGIC = b"PK\x03\x04"
XLSX = ".xlsx"


def is_workbook(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(ZIP_MAGIC)) == ZIP_MAGIC
    except OSError:
        return False  # the reader of its suffix says why it cannot be read


def _text(value: Any, where: str) -> str:
    """A cell as the text a CSV file would hold: numbers with a decimal point, yes/no in words, empty for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise UsageError(f"{where}: is a date or time, not a number or a word")
    return str(value).strip()


def _rows(path: str) -> Iterator[tuple[int, list[str]]]:
    try:
        # from an open file, as openpyxl refuses a workbook by its name's suffix; data_only: a formula's saved value
        with open(path, "rb") as handle:
            workbook = load_workbook(io.BytesIO(handle.read()), read_only=True, data_only=True)
    except OSError as error:
        raise UsageError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError):
        raise UsageError(f"cannot read {path}: it is not an Excel workbook (.xlsx); save it from the spreadsheet "
                         f"as .xlsx or as CSV UTF-8") from None
    try:
        sheet = workbook.worksheets[0]
        columns = 0
        for cells in sheet.iter_rows():
            values = [cell.value for cell in cells]
            if not columns:
                if all(value is None for value in values):
                    continue  # blank rows above the header
                # the header's last named column: a cell formatted, but empty, past it is no column
                columns = max(index for index, value in enumerate(values) if value is not None) + 1
            number = cells[0].row
            yield number, [_text(value, f"row {number}, column {index + 1}") for index, value in enumerate(values)
                           if index < columns or value is not None]
    finally:
        workbook.close()


def drafts_from_xlsx(path: str, criteria: Sequence[str]) -> tuple[list[ProposalDraft], list[str]]:
    """The proposals on the workbook's first sheet, a header row and one row per proposal, as in a CSV file."""
    return drafts_from_rows(_rows(path), criteria, "row")


def _cell(value: Any) -> Any:
    """A spreadsheet row's value as a cell: an empty cell where there is none, the weighted score a number."""
    if value == "":
        return None
    return float(value) if isinstance(value, Decimal) else value


def workbook_bytes(rows: Sequence[Sequence[Any]], title: str) -> bytes:
    """The table as a one-sheet workbook: the header bold and kept in view, numbers as numbers. Text is stored as
    text even where it starts with "=": a proposal's name never becomes a formula that Excel would run."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's longest sheet name
    for values in rows:
        sheet.append([_cell(value) for value in values])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"  # the header and the place and name stay in view
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
