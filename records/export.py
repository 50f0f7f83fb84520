"""What is kept, as CSV rows for staff's spreadsheets: one row per check, per unanswered question, per request
for a person. Sender hashes are left out: a file that leaves the database is beyond its retention.

Users write some of these cells (their questions, names, topics), and a spreadsheet runs a cell that begins
like a formula: every CSV file is written by write_csv, which makes such a cell text."""
from __future__ import annotations

import csv
import json
from typing import Any, Callable, Iterable, TextIO

from sqlalchemy import select
from sqlalchemy.engine import Engine

from records.store import checks, handoffs, unanswered, utc


def _moment(value) -> str:
    return utc(value).isoformat(timespec="seconds")


def check_rows(engine: Engine) -> list[list[Any]]:
    with engine.connect() as connection:
        rows = connection.execute(select(checks).order_by(checks.c.created_at, checks.c.id)).all()
    calls = sorted({call for row in rows for call in row.verdicts})
    header = ["created_at", "channel", "language", *(f"verdict:{call}" for call in calls), "failing_rules",
              "best_fit", "max_grant_nok", "budget_nok", "facts"]
    return [header] + [[_moment(row.created_at), row.channel or "", row.language or "",
                        *(row.verdicts.get(call, "") for call in calls), " ".join(row.failing), row.best_fit or "",
                        "" if row.max_grant_nok is None else row.max_grant_nok,
                        "" if row.budget_nok is None else row.budget_nok,
                        json.dumps(row.facts, ensure_ascii=False, sort_keys=True)] for row in rows]


def _plain_rows(engine: Engine, table, columns: list[str]) -> list[list[Any]]:
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.created_at, table.c.id)).all()
    return [["created_at", *columns]] + [[_moment(row.created_at), *("" if getattr(row, column) is None
                                                                     else getattr(row, column) for column in columns)]
                                         for row in rows]


def unanswered_rows(engine: Engine) -> list[list[Any]]:
    return _plain_rows(engine, unanswered, ["language", "channel", "text"])


def handoff_rows(engine: Engine) -> list[list[Any]]:
    return _plain_rows(engine, handoffs, ["name", "email", "consent", "language", "channel", "topic"])


EXPORTS: dict[str, Callable[[Engine], list[list[Any]]]] = {
    "checks": check_rows, "unanswered": unanswered_rows, "handoffs": handoff_rows}


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
