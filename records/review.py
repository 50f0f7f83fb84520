"""Conversation review: staff read recent conversations turn by turn, mark a turn the bot misread with the right
reading, and take the reviewed turns away as test cases that fail until the misreading is fixed.

The conversations are Rasa's own record of them, the `events` table its SQL tracker store keeps in the same
database (deploy/rasa_config.py): each user event has the text as written and the NLU's intent, each SlotSet the
facts the bot took (bot/data/facts.yaml names them), each bot event what it answered. A conversation is named by
its sender's keyed hash (records/identity.py), as every record is; the page shows only the hash's first
SHORT_HASH characters, never the sender id. What the records add: a check (a verdict was reached), a request for a
person, a flag (the user said the bot got it wrong, or pressed 👎).

A review keeps the user's messages up to the misread turn, so that its test case does not need the conversation
afterwards; it is kept under the conversation's sender hash and dated from the conversation's start, so that
retention and "delete my data" remove it with the conversation (records/store.py PERSONAL_TABLES).

Exported, every review is one conversation in the shape of tests/cases/people/conversations_*.yaml, played by
simulation/people.py: `say` the messages, and after the misread one `then` the right reading (`facts`, or the
`intent` the NLU should have given).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

import yaml
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, insert, inspect, select
from sqlalchemy.engine import Connection, Engine

from bot.dialogue.intents import intents
from bot.reading.numbers import ParseError, parse_count, parse_number, parse_yes_no
from bot.resources import LANGUAGES
from bot.rules.facts import Fact, facts
from bot.rules.profile import InvalidInput, make_profile
from records.identity import hash_key, sender_hash, user_hash
from records.store import checks, flags, handoffs, reviews, utc

SHORT_HASH = 10  # hex characters of a sender's hash shown to staff: enough to tell conversations apart
LISTED = 100  # conversations on the review list, latest first
FLAG_REASONS = ("said", "thumbs_down")  # the user said it was wrong; the user pressed 👎 on an answer
# A 👍 on an answer is kept in the same table, as staff's review reads both beside the answer, but it flags nothing.
THUMBS_UP = "thumbs_up"
THUMBS = ("thumbs_down", THUMBS_UP)  # what a user can press under an answer: 👎, 👍
FLAGGED_TEXT_LENGTH = 2000  # of an answer given a 👎 or 👍: enough to find it in the transcript, and no more is kept
OUTCOMES = ("verdict", "left", "handoff", "flagged")  # "left": neither a verdict nor a request for a person

# Rasa's SQLTrackerStore.SQLEvent (rasa/core/tracker_store.py), the columns read here; declared so that records/
# needs no Rasa import. `timestamp` is Unix seconds.
rasa_events = Table("events", MetaData(), Column("id", Integer, primary_key=True), Column("sender_id", String(255)),
                    Column("type_name", String(255)), Column("timestamp", Float), Column("data", Text))
READ_EVENTS = ("user", "bot", "slot")
YAML_TRUTH = {"true": True, "false": False}


@dataclass(frozen=True)
class Turn:
    number: int  # counted from 1
    text: str  # as written (a button's payload, as sent)
    intent: Optional[str]
    read: Mapping[str, Any]  # the facts the turn set: fact -> value (None: the fact went)
    answers: tuple[str, ...]
    flagged: frozenset[str]  # FLAG_REASONS: the user said here that the bot was wrong; gave an answer of it a 👎
    thumbs_up: bool = False  # the user gave an answer of it a 👍


@dataclass(frozen=True)
class Conversation:
    user_hash: str
    started: dt.datetime
    last: dt.datetime
    channel: Optional[str]
    language: Optional[str]
    outcomes: frozenset[str]
    turns: tuple[Turn, ...] = ()
    verdicts: Mapping[str, str] = field(default_factory=dict)  # the latest check's: call id -> verdict

    @property
    def short_hash(self) -> str:
        return self.user_hash[:SHORT_HASH]


@dataclass(frozen=True)
class Filter:
    since: Optional[dt.date] = None  # the conversation's last message on or after this day (UTC)
    until: Optional[dt.date] = None  # ... and on or before this one
    channel: Optional[str] = None
    language: Optional[str] = None
    outcome: Optional[str] = None  # one of OUTCOMES


class ReviewError(ValueError):
    """A review staff cannot keep as given; `key` names its text in the message store (review.error.*)."""

    def __init__(self, key: str, detail: str = ""):
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key, self.detail = key, detail


# --- flags --------------------------------------------------------------------------------------------------

def record_flag(engine: Engine, reason: str, text: Optional[str], language: Optional[str], channel: Optional[str],
                sender_id: Optional[str], when: Optional[dt.datetime] = None) -> None:
    if reason not in FLAG_REASONS:
        raise ValueError(f"a flag's reason is one of {', '.join(FLAG_REASONS)}, not {reason!r}")
    hashed = sender_hash(engine, sender_id)
    with engine.begin() as connection:
        connection.execute(insert(flags).values(created_at=utc(when), reason=reason, text=text, language=language,
                                                channel=channel, user_hash=hashed))


def record_thumbs(engine: Engine, thumb: str, answer: Optional[str], channel: Optional[str], sender_id: str,
                  when: Optional[dt.datetime] = None) -> None:
    """A 👎 or 👍 (THUMBS) on one of the bot's answers. The same again on the same answer of the same conversation
    adds nothing. `answer` is None where the channel names only the message (a reaction in Slack or Teams): then
    the conversation is marked, not the turn, and each one is kept (the channel drops its own repeats)."""
    if thumb not in THUMBS:
        raise ValueError(f"a thumb is one of {', '.join(THUMBS)}, not {thumb!r}")
    hashed = sender_hash(engine, sender_id)
    text = answer[:FLAGGED_TEXT_LENGTH] if answer is not None else None
    with engine.begin() as connection:
        if text is None or connection.execute(select(flags.c.id).where(
                flags.c.user_hash == hashed, flags.c.reason == thumb, flags.c.text == text).limit(1)).first() is None:
            connection.execute(insert(flags).values(created_at=utc(when), reason=thumb, text=text, channel=channel,
                                                    user_hash=hashed))


# --- reading Rasa's events ----------------------------------------------------------------------------------

def _moment(timestamp: Optional[float]) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp or 0, dt.timezone.utc)


def _events(connection: Connection, sender_ids: Optional[Sequence[str]] = None) -> dict[str, list[dict]]:
    """Each sender's user, bot and slot events in the order Rasa wrote them."""
    if not inspect(connection).has_table(rasa_events.name):
        return {}
    query = select(rasa_events.c.sender_id, rasa_events.c.data).where(rasa_events.c.type_name.in_(READ_EVENTS))
    if sender_ids is not None:
        query = query.where(rasa_events.c.sender_id.in_(sender_ids))
    found: dict[str, list[dict]] = {}
    for sender, data in connection.execute(query.order_by(rasa_events.c.id)):
        found.setdefault(sender, []).append(json.loads(data))
    return found


def _turns(events: Sequence[Mapping[str, Any]], said_wrong: set[str], thumbs_down: set[str],
           thumbs_up: set[str]) -> tuple[Turn, ...]:
    """Per user event: the facts its SlotSets took and the bot's answers until the next user event; flagged when
    the user said there that the bot was wrong, or gave one of its answers a 👎; and whether one got a 👍."""
    fact_slots = set(facts())

    def given(answers: Sequence[str], thumbed: set[str]) -> bool:
        return any(answer[:FLAGGED_TEXT_LENGTH] in thumbed for answer in answers)

    turns: list[dict[str, Any]] = []
    for event in events:
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            turns.append({"text": event.get("text") or "", "intent": intent, "read": {}, "answers": []})
        elif not turns:
            continue  # the greeting Rasa may send before the user writes anything
        elif event.get("event") == "slot" and event.get("name") in fact_slots:
            turns[-1]["read"][event["name"]] = event.get("value")
        elif event.get("event") == "bot" and event.get("text"):
            turns[-1]["answers"].append(event["text"])
    return tuple(Turn(number=number, text=turn["text"], intent=turn["intent"], read=turn["read"],
                      answers=tuple(turn["answers"]),
                      flagged=frozenset({"said"} if turn["text"] in said_wrong else set())
                      | ({"thumbs_down"} if given(turn["answers"], thumbs_down) else set()),
                      thumbs_up=given(turn["answers"], thumbs_up))
                 for number, turn in enumerate(turns, 1))


def _language(events: Sequence[Mapping[str, Any]]) -> Optional[str]:
    languages = [event.get("value") for event in events if event.get("event") == "slot"
                 and event.get("name") == "language" and event.get("value")]
    return languages[-1] if languages else None


def _conversation(user_hash_: str, events: Sequence[Mapping[str, Any]], connection: Connection,
                  with_turns: bool) -> Conversation:
    said = [event for event in events if event.get("event") == "user"]
    moments = [_moment(event.get("timestamp")) for event in events]
    check_rows = connection.execute(select(checks.c.verdicts).where(checks.c.user_hash == user_hash_)
                                    .order_by(checks.c.created_at, checks.c.id)).all()
    flag_rows = connection.execute(select(flags.c.reason, flags.c.text).where(flags.c.user_hash == user_hash_)).all()

    def flagged(reason: str) -> set[str]:
        return {row.text for row in flag_rows if row.reason == reason and row.text}

    asked_for_person = connection.execute(select(handoffs.c.id).where(handoffs.c.user_hash == user_hash_)
                                          .limit(1)).first() is not None
    outcomes = {"verdict"} if check_rows else set()
    outcomes |= {"handoff"} if asked_for_person else set()
    outcomes |= {"left"} if not outcomes else set()
    outcomes |= {"flagged"} if any(row.reason in FLAG_REASONS for row in flag_rows) else set()
    return Conversation(user_hash=user_hash_, started=min(moments), last=max(moments),
                        channel=next((event.get("input_channel") for event in said if event.get("input_channel")),
                                     None),
                        language=_language(events), outcomes=frozenset(outcomes),
                        turns=_turns(events, flagged("said"), flagged("thumbs_down"), flagged(THUMBS_UP))
                        if with_turns else (),
                        verdicts=dict(check_rows[-1].verdicts) if check_rows else {})


def _matches(conversation: Conversation, chosen: Filter) -> bool:
    day = conversation.last.date()
    return ((chosen.since is None or day >= chosen.since) and (chosen.until is None or day <= chosen.until)
            and (chosen.channel is None or conversation.channel == chosen.channel)
            and (chosen.language is None or conversation.language == chosen.language)
            and (chosen.outcome is None or chosen.outcome in conversation.outcomes))


def conversations(engine: Engine, chosen: Filter = Filter()) -> list[Conversation]:
    """The conversations that match, latest first, at most LISTED; a conversation without a user message (an API
    read, a greeting only) is none."""
    key = hash_key(engine)
    with engine.connect() as connection:
        found = [_conversation(user_hash(sender, key), events, connection, with_turns=False)
                 for sender, events in _events(connection).items()
                 if any(event.get("event") == "user" for event in events)]
    found = [conversation for conversation in found if _matches(conversation, chosen)]
    return sorted(found, key=lambda conversation: conversation.last, reverse=True)[:LISTED]


def _sender_of(connection: Connection, key: bytes, hashed: str) -> Optional[str]:
    """The sender id whose keyed hash this is: the hash cannot be turned back, so every stored sender is hashed."""
    if not inspect(connection).has_table(rasa_events.name):
        return None
    senders = connection.execute(select(rasa_events.c.sender_id).distinct()).scalars()
    return next((sender for sender in senders if user_hash(sender, key) == hashed), None)


def transcript(engine: Engine, hashed: str) -> Optional[Conversation]:
    """The conversation of this sender hash with its turns and verdict; None when it is not (or no longer) kept."""
    key = hash_key(engine)
    with engine.connect() as connection:
        sender = _sender_of(connection, key, hashed)
        events = _events(connection, [sender]).get(sender or "") if sender else None
        if not events or not any(event.get("event") == "user" for event in events):
            return None
        return _conversation(hashed, events, connection, with_turns=True)


# --- reviews ------------------------------------------------------------------------------------------------

def _typed(fact: Fact, written: Any) -> Any:
    """The value as the fact's type has it, from YAML read as text (YAML's own booleans would make Norway's "NO"
    false); a choice by its id or its label in either language."""
    by_label = {label(language).casefold(): value for value, label in fact.labels.items() for language in LANGUAGES}
    if isinstance(written, list):
        return [_typed(fact, item) for item in written] if fact.type in ("enum_list", "countries") else written
    if isinstance(written, dict):
        return {code: parse_count(count, allow_zero=True) for code, count in written.items()} \
            if fact.type == "country_counts" else written
    if fact.type == "bool":  # as the test cases write it, or as a user would
        return YAML_TRUTH.get(written.strip().lower()) if written.strip().lower() in YAML_TRUTH \
            else parse_yes_no(written)
    if fact.type == "count":
        return parse_count(written, allow_zero=True)
    if fact.type == "amount":
        return float(parse_number(written))
    return by_label.get(written.strip().casefold(), written.strip())


def right_value(fact: str, written: str) -> Any:
    """A value staff typed for a fact, as the test cases write it (3, true, nce, [NO, SE], {NO: 3}), in words
    where the bot reads them ("ja", "fem", a choice's label). Checked as the command line checks a profile."""
    if fact not in facts():
        raise ReviewError("unknown_fact", fact)
    try:
        value = _typed(facts()[fact], yaml.load(written, Loader=yaml.BaseLoader))
        checked = make_profile({fact: value}, dt.date.today()).facts[fact]
    except (yaml.YAMLError, ParseError):
        raise ReviewError("bad_value", written) from None
    except (InvalidInput, KeyError) as error:
        raise ReviewError("bad_value", getattr(error, "reason", written)) from None
    return json.loads(json.dumps(checked, default=list))  # tuples and mappings as the slots hold them


@dataclass(frozen=True)
class Review:
    conversation: str  # the sender's hash
    turn: int
    fact: Optional[str] = None
    value: Any = None
    intent: Optional[str] = None


def keep_review(engine: Engine, review: Review, when: Optional[dt.datetime] = None) -> None:
    """Keeps staff's right reading of one turn: a fact and its value, or the intent, not both."""
    if (review.fact is None) == (review.intent is None):
        raise ReviewError("one_reading")
    if review.intent is not None and review.intent not in intents():
        raise ReviewError("unknown_intent", review.intent)
    if review.fact is not None and review.fact not in facts():
        raise ReviewError("unknown_fact", review.fact)
    conversation = transcript(engine, review.conversation)
    if conversation is None:
        raise ReviewError("no_conversation")
    if not 1 <= review.turn <= len(conversation.turns):
        raise ReviewError("no_turn", str(review.turn))
    with engine.begin() as connection:
        connection.execute(insert(reviews).values(
            created_at=conversation.started, reviewed_at=utc(when), user_hash=review.conversation, turn=review.turn,
            language=conversation.language, said=[turn.text for turn in conversation.turns[:review.turn]],
            fact=review.fact, value=review.value, intent=review.intent))


def review_cases(engine: Engine) -> list[dict[str, Any]]:
    """Every review as a conversation case of tests/cases/people/, oldest review first."""
    with engine.connect() as connection:
        rows = connection.execute(select(reviews).order_by(reviews.c.reviewed_at, reviews.c.id)).all()
    cases = []
    for row in rows:
        right = {"facts": {row.fact: row.value}} if row.fact else {"intent": row.intent}
        said: list[Any] = [{"text": text} for text in row.said]
        said[-1] = {**said[-1], "then": right}
        cases.append({"id": f"review-{row.id}-{row.user_hash[:SHORT_HASH]}", "language": row.language or "nb",
                      "who": f"turn {row.turn} of a conversation of {utc(row.created_at):%Y-%m-%d}, reviewed "
                             f"{utc(row.reviewed_at):%Y-%m-%d}",
                      "say": said})
    return cases


def cases_yaml(cases: Iterable[Mapping[str, Any]]) -> str:
    """The cases as a file beside tests/cases/people/conversations_*.yaml, readable and diffable."""
    return yaml.safe_dump(list(cases), allow_unicode=True, sort_keys=False, width=120)
