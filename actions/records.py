"""Carrying out what a turn asks besides its replies: the records staff read (records/), the request for a person
passed on to staff (e-mail, Slack) with the user told truthfully what became of it, and a user's data deleted on
request; a conversation the user says the bot got wrong is flagged for staff's review. A database that is down costs
the record (with one log line), never the reply."""
from __future__ import annotations

import logging
from typing import Iterable, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.dialogue.effects import Effect, Flag, Forget, RecordCheck, RecordHandoff, RecordQuestion, RecordUnanswered
from bot.saying.messages import message
from records.checks import record_check
from records.handoffs import keep_handoff, new_handoff
from records.notify import notify_staff, told_user
from records.questions import record_question
from records.retention import forget
from records.review import record_flag
from records.store import RecordsError, connect
from records.unanswered import record_unanswered

logger = logging.getLogger(__name__)
FORGET_ME_SLOT = "forget_me"  # deploy/rasa/tracker_store.py deletes the conversation of a turn that sets it
_database: dict[str, Engine] = {}


def _engine() -> Engine:
    if "engine" not in _database:
        _database["engine"] = connect()
    return _database["engine"]


async def carry_out(effects: Iterable[Effect], tracker: Tracker, dispatcher: CollectingDispatcher,
                    language: str) -> list[dict]:
    """Does what each effect asks; returns the slot events some of them need."""
    channel, sender = tracker.get_latest_input_channel(), tracker.sender_id
    events = []
    for effect in effects:
        if isinstance(effect, Forget):
            # the conversation goes whatever happens to the records: the tracker store deletes it on this slot
            events.append(SlotSet(FORGET_ME_SLOT, True))
        if isinstance(effect, RecordHandoff):
            told = await _pass_on(effect, channel, sender, language)
            if told:
                dispatcher.utter_message(text=told)
            continue
        try:
            await _carry_out(effect, channel, sender, language)
        except (SQLAlchemyError, RecordsError) as error:
            _log_failure(effect, error)
            if isinstance(effect, Forget):
                dispatcher.utter_message(text=message("conversation.forget_failed", language))
    return events


def _log_failure(effect: Effect, error: Exception) -> None:
    """One line for a record the database did not take: the effect's kind and the driver's own words."""
    cause = getattr(error, "orig", None) or error
    logger.error("could not keep or delete a record (%s): %s", type(effect).__name__, " ".join(str(cause).split()))


async def _pass_on(effect: RecordHandoff, channel: Optional[str], sender: str, language: str) -> Optional[str]:
    """Keeps the request and tells staff of it; staff are told even when the database is down (the e-mail and
    the Slack post carry all of it). Returns what the user is told became of it."""
    handoff = new_handoff(effect.name, effect.email, language, channel, effect.topic, consent=effect.consent)
    try:
        keep_handoff(_engine(), handoff, sender)
        kept = True
    except (SQLAlchemyError, RecordsError) as error:
        _log_failure(effect, error)
        kept = False
    return told_user(await notify_staff(handoff), handoff, language, kept)


async def _carry_out(effect: Effect, channel: Optional[str], sender: str, language: str) -> None:
    if isinstance(effect, RecordCheck):
        record_check(_engine(), effect.assessment, channel, sender)
    elif isinstance(effect, RecordUnanswered):
        record_unanswered(_engine(), effect.text, language, channel, sender)
    elif isinstance(effect, RecordQuestion):
        record_question(_engine(), effect.topic, effect.outcome, language, channel, sender)
    elif isinstance(effect, Flag):
        record_flag(_engine(), "said", effect.text, language, channel, sender)
    elif isinstance(effect, Forget):
        forget(_engine(), sender)
