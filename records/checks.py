"""Completed checks: what the user said about the project (the facts of the check), what the engine concluded,
the channel and language, and the sender as a keyed hash (records/identity.py). No name, e-mail or message text.
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from bot.resources import plain
from bot.rules.engine import Assessment
from records.identity import sender_hash
# actions/replies.py imports connect from here (until it takes it from records.store)
from records.store import checks, connect, utc  # noqa: F401


def record_check(engine: Engine, assessment: Assessment, channel: Optional[str], sender_id: Optional[str] = None,
                 when: Optional[dt.datetime] = None) -> None:
    """Keep a completed check; the sender only as its keyed hash."""
    best = assessment.best_fit
    hashed = sender_hash(engine, sender_id)
    with engine.begin() as connection:
        connection.execute(insert(checks).values(
            created_at=utc(when), user_hash=hashed,
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
    users: int  # distinct senders among the checks (by their hashes)
    verdicts: dict[str, dict[str, int]]  # call id -> verdict -> count
    failing_rules: list[tuple[str, int]]  # most common first
    budgets: list[float]

    def budget_summary(self) -> Optional[dict[str, float]]:
        if not self.budgets:
            return None
        return {"count": len(self.budgets), "min": min(self.budgets), "median": statistics.median(self.budgets),
                "max": max(self.budgets)}


def report(engine: Engine, since: Optional[dt.date] = None) -> Report:
    query = select(checks.c.verdicts, checks.c.failing, checks.c.budget_nok, checks.c.user_hash)
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
    return Report(checks=len(rows), users=len({row.user_hash for row in rows if row.user_hash}), verdicts={call: dict(counts) for call, counts in verdicts.items()},
                  failing_rules=failing.most_common(), budgets=[row.budget_nok for row in rows
                                                              if row.budget_nok is not None])


def report_rows(result: Report) -> Iterable[list[Any]]:
    """The report as CSV rows: section, key, value."""
    yield ["section", "key", "value"]
    yield ["checks", "total", result.checks]
    yield ["checks", "users", result.users]
    for call, counts in sorted(result.verdicts.items()):
        for verdict, count in sorted(counts.items()):
            yield ["verdicts", f"{call}:{verdict}", count]
    for rule, count in result.failing_rules:
        yield ["failing_rules", rule, count]
    for budget in sorted(result.budgets):
        yield ["budgets", "budget_nok", budget]
