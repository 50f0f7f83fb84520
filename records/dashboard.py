"""What staff's dashboard shows, read from the records: checks over time, verdicts per call, the rules that
most often block companies, channel and language split, questions the bot did not understand and requests for
a person. Numbers only; records/page.py puts them into words and plots."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.resources import fold
from records.handoffs import Handoff
from records.store import checks, handoffs, unanswered, utc

LISTED = 50  # unanswered questions and requests shown on the page; the CSV export has them all


@dataclass(frozen=True)
class Question:
    text: str  # as last asked
    count: int  # how often it was asked, compared without case and spacing
    last: dt.datetime


@dataclass(frozen=True)
class Dashboard:
    checks: int
    users: int
    per_day: tuple[tuple[dt.date, int], ...]  # every day from the first check to the last, days without any too
    verdicts: dict[str, dict[str, int]]  # call id -> verdict -> checks
    blocking: tuple[tuple[str, str, int], ...]  # (call id, rule id, checks it failed), most first
    channels: tuple[tuple[Optional[str], int], ...]  # most first
    languages: tuple[tuple[Optional[str], int], ...]
    unanswered: int
    questions: tuple[Question, ...]  # most often asked first, at most LISTED
    handoffs: tuple[Handoff, ...]  # latest first, at most LISTED
    handoff_count: int


def _days(moments: list[dt.datetime]) -> tuple[tuple[dt.date, int], ...]:
    if not moments:
        return ()
    counts = Counter(moment.date() for moment in moments)
    first, last = min(counts), max(counts)
    return tuple((first + dt.timedelta(days=offset), counts.get(first + dt.timedelta(days=offset), 0))
                 for offset in range((last - first).days + 1))


def dashboard(engine: Engine) -> Dashboard:
    with engine.connect() as connection:
        check_rows = connection.execute(select(checks.c.created_at, checks.c.channel, checks.c.language,
                                               checks.c.verdicts, checks.c.failing, checks.c.user_hash)).all()
        question_rows = connection.execute(select(unanswered.c.text, unanswered.c.created_at)
                                           .order_by(unanswered.c.created_at)).all()
        handoff_rows = connection.execute(select(handoffs).order_by(handoffs.c.created_at.desc(),
                                                                    handoffs.c.id.desc())).all()
    verdicts: dict[str, Counter] = {}
    blocking: Counter = Counter()
    for row in check_rows:
        for call, verdict in row.verdicts.items():
            verdicts.setdefault(call, Counter())[verdict] += 1
        blocking.update(tuple(failed.split(":", 1)) for failed in row.failing)
    asked: dict[str, Question] = {}
    for row in question_rows:  # oldest first, so the last text and time win
        key = fold(row.text)
        asked[key] = Question(text=row.text, count=asked[key].count + 1 if key in asked else 1, last=utc(row.created_at))
    questions = sorted(asked.values(), key=lambda question: (-question.count, -question.last.timestamp()))
    return Dashboard(
        checks=len(check_rows), users=len({row.user_hash for row in check_rows if row.user_hash}),
        per_day=_days([utc(row.created_at) for row in check_rows]),
        verdicts={call: dict(counts) for call, counts in sorted(verdicts.items())},
        blocking=tuple((call, rule, count) for (call, rule), count in blocking.most_common()),
        channels=tuple(Counter(row.channel for row in check_rows).most_common()),
        languages=tuple(Counter(row.language for row in check_rows).most_common()),
        unanswered=len(question_rows), questions=tuple(questions[:LISTED]),
        handoffs=tuple(Handoff(created_at=utc(row.created_at), name=row.name, email=row.email, consent=row.consent,
                               language=row.language, channel=row.channel, topic=row.topic)
                       for row in handoff_rows[:LISTED]),
        handoff_count=len(handoff_rows))
