"""Completed checks, kept through SQLAlchemy in the database DATABASE_URL names (SQLite by default).

What is stored is what the user said about the project (the facts of the check) and what the engine
concluded; no name, e-mail or message text is stored.
"""
from __future__ import annotations

import datetime as dt
import os
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

from sqlalchemy import (JSON, Column, DateTime, Float, Integer, MetaData, String, Table, create_engine, func,
                        insert, select)
from sqlalchemy.engine import Engine

from bot.resources import plain
from bot.rules.engine import Assessment

DEFAULT_DATABASE = Path(__file__).resolve().parent.parent / "var" / "klyngebot.db"
SCHEMA_VERSION = 1

metadata = MetaData()
schema_version = Table("klyngebot_schema", metadata, Column("version", Integer, nullable=False))
checks = Table(
    "klyngebot_checks", metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("channel", String(32)),
    Column("language", String(2)),
    Column("facts", JSON, nullable=False),
    Column("verdicts", JSON, nullable=False),  # {call id: verdict}
    Column("failing", JSON, nullable=False),  # ["call id:rule id", ...]
    Column("best_fit", String(64)),
    Column("max_grant_nok", Integer),
    Column("budget_nok", Float),
)


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}"


def connect(url: Optional[str] = None) -> Engine:
    """An engine for the database, its schema created or brought up to date."""
    url = url or database_url()
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True, future=True)
    migrate(engine)
    return engine


def migrate(engine: Engine) -> None:
    """Version 1 is the first schema; later versions add their steps here, keyed by the version they reach."""
    metadata.create_all(engine)
    with engine.begin() as connection:
        if connection.execute(select(func.count()).select_from(schema_version)).scalar_one() == 0:
            connection.execute(insert(schema_version).values(version=SCHEMA_VERSION))


def record_check(engine: Engine, assessment: Assessment, channel: Optional[str],
                 when: Optional[dt.datetime] = None) -> None:
    best = assessment.best_fit
    with engine.begin() as connection:
        connection.execute(insert(checks).values(
            created_at=when or dt.datetime.now(dt.timezone.utc),
            channel=channel, language=assessment.profile.language,
            facts=plain(assessment.profile.facts),
            verdicts={item.call.id: item.verdict for item in assessment.calls},
            failing=[f"{item.call.id}:{result.rule.id}" for item in assessment.calls for result in item.failed],
            best_fit=best.call.id if best else None,
            max_grant_nok=best.max_grant_nok if best else None,
            budget_nok=assessment.profile.get("budget_nok"),
        ))


@dataclass(frozen=True)
class Report:
    checks: int
    verdicts: dict[str, dict[str, int]]  # call id -> verdict -> count
    failing_rules: list[tuple[str, int]]  # most common first
    budgets: list[float]

    def budget_summary(self) -> Optional[dict[str, float]]:
        if not self.budgets:
            return None
        return {"count": len(self.budgets), "min": min(self.budgets), "median": statistics.median(self.budgets),
                "max": max(self.budgets)}


def report(engine: Engine, since: Optional[dt.date] = None) -> Report:
    query = select(checks.c.verdicts, checks.c.failing, checks.c.budget_nok)
    if since is not None:
        query = query.where(checks.c.created_at >= dt.datetime.combine(since, dt.time(), dt.timezone.utc))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    verdicts: dict[str, Counter] = {}
    failing: Counter = Counter()
    for row in rows:
        for call, verdict in row.verdicts.items():
            verdicts.setdefault(call, Counter())[verdict] += 1
        failing.update(row.failing)
    return Report(checks=len(rows), verdicts={call: dict(counts) for call, counts in verdicts.items()},
                  failing_rules=failing.most_common(), budgets=[row.budget_nok for row in rows
                                                              if row.budget_nok is not None])


def report_rows(result: Report) -> Iterable[list[Any]]:
    """The report as CSV rows: section, key, value."""
    yield ["section", "key", "value"]
    yield ["checks", "total", result.checks]
    for call, counts in sorted(result.verdicts.items()):
        for verdict, count in sorted(counts.items()):
            yield ["verdicts", f"{call}:{verdict}", count]
    for rule, count in result.failing_rules:
        yield ["failing_rules", rule, count]
    for budget in sorted(result.budgets):
        yield ["budgets", "budget_nok", budget]
