"""What is kept, as CSV rows for staff's spreadsheets: one row per check, per unanswered question, per request
for a person. Sender hashes are left out: a file that leaves the database is beyond its retention.

Users write some of these cells (their questions, names, topics), and a spreadsheet runs a cell that begins
like a formula: every CSV file is written by bot.saying.spreadsheet.write_csv, which makes such a cell text."""
from __future__ import annotations

import json
from typing import Any, Callable

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
    return _plain_rows(engine, handoffs, ["name", "email", "consent", "language", "channel", "topic", "status",
                                          "taken_by"])


EXPORTS: dict[str, Callable[[Engine], list[list[Any]]]] = {
    "checks": check_rows, "unanswered": unanswered_rows, "handoffs": handoff_rows}
