"""What staff's dashboard shows, read from the records, for a period: the funnel (conversations, checks started,
verdicts reached, requests for a person), checks over time, verdicts per call (a call whose round was closed on the
day of the check counted apart: its checks are "not yet known" by the call's own dates, not by the project), the
rules that most often block, channel and language split, questions by topic and what became of them, questions the
bot did not understand, and requests for a person with their status. Numbers only; records/page.py puts them into
words and plots.

A block counts only rules that failed on facts the user stated or confirmed: the engine never fails a rule on a fact
the bot inferred (bot/rules/engine.py), so every recorded failing rule is one the user's own words decided as the bot
read them. Where the user said the bot got it wrong (a flagged conversation, records/review.py), the reading is in
doubt: those blocks are left out and counted apart until staff review them."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from bot.resources import fold
from bot.rules.catalogue import catalogue
from records.handoffs import Handoff
from records.review import FLAG_REASONS
from records.store import HANDOFF_STATUSES, checks, flags, handoffs, questions, rasa_events, reviews, unanswered, utc

LISTED = 50  # unanswered questions and requests shown on the page; the CSV export has them all
CHECK_TASK = "check"  # the dialogue's task while it checks a project (bot/dialogue/check.py)


@dataclass(frozen=True)
class Period:
    """From `since` to `until`, both days included; None: no bound."""
    since: Optional[dt.date] = None
    until: Optional[dt.date] = None

    def start(self) -> Optional[dt.datetime]:
        return dt.datetime.combine(self.since, dt.time(), dt.timezone.utc) if self.since else None

    def end(self) -> Optional[dt.datetime]:
        return dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), dt.timezone.utc) \
            if self.until else None

    def holds(self, moment: dt.datetime) -> bool:
        start, end = self.start(), self.end()
        return (start is None or moment >= start) and (end is None or moment < end)


@dataclass(frozen=True)
class Question:
    text: str  # as last asked
    count: int  # how often it was asked, compared without case and spacing
    last: dt.datetime


@dataclass(frozen=True)
class Request(Handoff):
    """A request for a person as staff work on it: where it stands and who has it."""
    id: int = 0
    status: str = HANDOFF_STATUSES[0]
    taken_by: Optional[str] = None


@dataclass(frozen=True)
class Funnel:
    conversations: int  # with at least one message from the user in the period (Rasa's events)
    checks_started: int  # conversations in which a check began
    verdicts: int  # completed checks
    handoffs: int  # requests for a person
    flagged: int  # conversations whose user said the bot got something wrong (words or 👎)
    reviewed: int  # turns staff reviewed in the period


@dataclass(frozen=True)
class Dashboard:
    period: Period
    funnel: Funnel
    checks: int
    users: int
    per_day: tuple[tuple[dt.date, int], ...]  # every day from the first check to the last, days without any too
    verdicts: dict[str, dict[str, int]]  # call id -> verdict -> checks, while the call's round was open
    closed: dict[str, int]  # call id -> checks made while its round was closed
    blocking: tuple[tuple[str, str, int], ...]  # (call id, rule id, checks it failed), most first; not flagged ones
    blocking_in_doubt: int  # rules failed in checks of flagged conversations, left out of `blocking`
    channels: tuple[tuple[Optional[str], int], ...]  # most first
    languages: tuple[tuple[Optional[str], int], ...]
    topics: tuple[tuple[Optional[str], dict[str, int]], ...]  # topic (None: not placed) -> outcome -> count
    unanswered: int
    questions: tuple[Question, ...]  # most often asked first, at most LISTED
    requests: tuple[Request, ...]  # latest first, at most LISTED
    handoff_count: int
    open_requests: int  # not done yet


def _days(moments: list[dt.datetime]) -> tuple[tuple[dt.date, int], ...]:
    if not moments:
        return ()
    counts = Counter(moment.date() for moment in moments)
    first, last = min(counts), max(counts)
    return tuple((first + dt.timedelta(days=offset), counts.get(first + dt.timedelta(days=offset), 0))
                 for offset in range((last - first).days + 1))


def _within(query: Any, column: Any, period: Period) -> Any:
    if period.start() is not None:
        query = query.where(column >= period.start())
    if period.end() is not None:
        query = query.where(column < period.end())
    return query


def _open_on(call_id: str, day: dt.date) -> bool:
    try:
        return catalogue().call(call_id).status(day) != "closed"
    except KeyError:  # a call no longer in the catalogue: counted with the others until its records are purged
        return True


def _conversations(engine: Engine, period: Period) -> tuple[int, int]:
    """Conversations with a user message in the period, and those among them in which a check began, from Rasa's
    events (absent where Rasa keeps them elsewhere: then 0, 0)."""
    if not inspect(engine).has_table(rasa_events.name):
        return 0, 0
    query = select(rasa_events.c.sender_id, rasa_events.c.type_name, rasa_events.c.data)
    start, end = period.start(), period.end()
    if start is not None:
        query = query.where(rasa_events.c.timestamp >= start.timestamp())
    if end is not None:
        query = query.where(rasa_events.c.timestamp < end.timestamp())
    talked, checked = set(), set()
    with engine.connect() as connection:
        for sender, kind, data in connection.execute(query.where(rasa_events.c.type_name.in_(("user", "slot")))):
            if kind == "user":
                talked.add(sender)
            elif '"dialogue"' in (data or ""):
                event = json.loads(data)
                if event.get("name") == "dialogue" and (event.get("value") or {}).get("task") == CHECK_TASK:
                    checked.add(sender)
    return len(talked), len(checked & talked)


def dashboard(engine: Engine, period: Period = Period()) -> Dashboard:
    with engine.connect() as connection:
        check_rows = connection.execute(_within(select(
            checks.c.created_at, checks.c.channel, checks.c.language, checks.c.verdicts, checks.c.failing,
            checks.c.user_hash), checks.c.created_at, period)).all()
        question_rows = connection.execute(_within(select(unanswered.c.text, unanswered.c.created_at),
                                                   unanswered.c.created_at, period)
                                           .order_by(unanswered.c.created_at)).all()
        topic_rows = connection.execute(_within(select(questions.c.topic, questions.c.outcome),
                                                questions.c.created_at, period)).all()
        handoff_rows = connection.execute(_within(select(handoffs), handoffs.c.created_at, period)
                                          .order_by(handoffs.c.created_at.desc(), handoffs.c.id.desc())).all()
        flagged = set(connection.execute(_within(select(flags.c.user_hash).where(flags.c.reason.in_(FLAG_REASONS)),
                                                     flags.c.created_at, period)).scalars())
        reviewed = len(connection.execute(_within(select(reviews.c.id), reviews.c.reviewed_at, period)).all())
    verdicts: dict[str, Counter] = {}
    closed: Counter = Counter()
    blocking: Counter = Counter()
    in_doubt = 0
    for row in check_rows:
        day = utc(row.created_at).date()
        for call, verdict in row.verdicts.items():
            if _open_on(call, day):
                verdicts.setdefault(call, Counter())[verdict] += 1
            else:
                closed[call] += 1
        if row.user_hash in flagged:
            in_doubt += len(row.failing)
        else:
            blocking.update(tuple(failed.split(":", 1)) for failed in row.failing)
    asked: dict[str, Question] = {}
    for row in question_rows:  # oldest first, so the last text and time win
        key = fold(row.text)
        asked[key] = Question(text=row.text, count=asked[key].count + 1 if key in asked else 1, last=utc(row.created_at))
    listed = sorted(asked.values(), key=lambda question: (-question.count, -question.last.timestamp()))
    topics: dict[Optional[str], Counter] = {}
    for row in topic_rows:
        topics.setdefault(row.topic, Counter())[row.outcome] += 1
    conversations, started = _conversations(engine, period)
    return Dashboard(
        period=period,
        funnel=Funnel(conversations=conversations, checks_started=started, verdicts=len(check_rows),
                      handoffs=len(handoff_rows), flagged=len(flagged), reviewed=reviewed),
        checks=len(check_rows), users=len({row.user_hash for row in check_rows if row.user_hash}),
        per_day=_days([utc(row.created_at) for row in check_rows]),
        verdicts={call: dict(counts) for call, counts in sorted(verdicts.items())},
        closed=dict(sorted(closed.items())),
        blocking=tuple((call, rule, count) for (call, rule), count in blocking.most_common()),
        blocking_in_doubt=in_doubt,
        channels=tuple(Counter(row.channel for row in check_rows).most_common()),
        languages=tuple(Counter(row.language for row in check_rows).most_common()),
        topics=tuple(sorted(((topic, dict(counts)) for topic, counts in topics.items()),
                            key=lambda item: (-sum(item[1].values()), item[0] or ""))),
        unanswered=len(question_rows), questions=tuple(listed[:LISTED]),
        requests=tuple(Request(id=row.id, created_at=utc(row.created_at), name=row.name, email=row.email,
                               consent=row.consent, language=row.language, channel=row.channel, topic=row.topic,
                               status=row.status, taken_by=row.taken_by) for row in handoff_rows[:LISTED]),
        handoff_count=len(handoff_rows), open_requests=sum(row.status != "done" for row in handoff_rows))
