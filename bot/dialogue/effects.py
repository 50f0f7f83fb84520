"""What a turn asks its adapter to do besides replying: the dialogue stays pure, the adapter owns storage."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.rules.engine import Assessment


class Effect:
    pass


@dataclass(frozen=True)
class RecordCheck(Effect):
    """A verdict was given: keep the check for staff's report."""
    assessment: Assessment


@dataclass(frozen=True)
class RecordUnanswered(Effect):
    """A message the bot could not place: staff improve the bot's data from these."""
    text: str


# What became of a one-off question, for staff's count of questions by topic (RecordQuestion.outcome)
ANSWERED, TEXTS_SILENT, NOT_PLACED = "answered", "texts_silent", "not_placed"


@dataclass(frozen=True)
class RecordQuestion(Effect):
    """A one-off question's topic (intents.yaml; None where the bot could not place it) and what became of it:
    ANSWERED, TEXTS_SILENT (the call texts do not say) or NOT_PLACED. No text: the unanswered ones keep theirs."""
    topic: Optional[str]
    outcome: str


@dataclass(frozen=True)
class RecordHandoff(Effect):
    """The user asked for a person; with their consent, their name and e-mail so that someone can answer."""
    name: Optional[str]
    email: Optional[str]
    topic: str
    consent: bool


@dataclass(frozen=True)
class Flag(Effect):
    """The user said the bot got it wrong: the conversation is flagged for staff's review, with their words."""
    text: str


@dataclass(frozen=True)
class Restart(Effect):
    """Start the conversation afresh (the adapter resets the tracker)."""


@dataclass(frozen=True)
class Forget(Effect):
    """Delete this user's conversation and records."""
