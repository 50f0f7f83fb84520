"""Translating between a Rasa tracker and the dialogue's terms: the conversation state from the slots, the message
from the latest user event, and back from a turn's outcome to slot events and utterances."""
from __future__ import annotations

import datetime as dt
import os
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.message import Message
from bot.dialogue.respond import Outcome
from bot.dialogue.state import Conversation
from bot.resources import plain
from bot.rules.facts import facts

DIALOGUE_SLOT, LANGUAGE_SLOT = "dialogue", "language"
# A fixed reference date for demos and tests of a call round that has closed (e.g. 2015-06-01).
REFERENCE_DATE_VARIABLE = "KLYNGEBOT_DATE"
# The channels that offer a reply's file for download: the chat page's (channels/webchat.py names itself so; a test
# holds the two together, as actions/ imports no channel)
DOWNLOADS_TO = ("webchat",)


def reference_date() -> dt.date:
    configured = os.environ.get(REFERENCE_DATE_VARIABLE)
    return dt.date.fromisoformat(configured) if configured else dt.date.today()


def conversation_of(tracker: Tracker) -> Conversation:
    known = {name: tracker.get_slot(name) for name in facts() if tracker.get_slot(name) is not None}
    return Conversation.from_json(tracker.get_slot(DIALOGUE_SLOT), known, tracker.get_slot(LANGUAGE_SLOT))


def message_of(tracker: Tracker) -> Message:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    metadata = latest.get("metadata") or {}
    return Message(text=latest.get("text") or "", intent=intent.get("name"), confidence=intent.get("confidence") or 0.0,
                   entities=tuple(latest.get("entities") or ()), language=metadata.get("language"))


def slot_events(before: Conversation, after: Conversation) -> list[dict[str, Any]]:
    """The slots the turn changed: each fact that changed or went, the dialogue's state, the language."""
    events = [SlotSet(name, plain(after.facts.get(name))) for name in facts()
              if before.facts.get(name) != after.facts.get(name)]
    events.append(SlotSet(DIALOGUE_SLOT, after.meta_json()))
    if after.language != before.language:
        events.append(SlotSet(LANGUAGE_SLOT, after.language))
    return events


def utter(dispatcher: CollectingDispatcher, outcome: Outcome, channel: Optional[str] = None) -> None:
    """Each reply as a message; a verdict's card travels as metadata for the channels that draw cards. A download
    goes only to the chat page, as its own message (custom JSON, which Slack or Teams would show as junk)."""
    for reply in outcome.replies:
        if reply.download is not None:
            if channel in DOWNLOADS_TO:
                dispatcher.utter_message(json_message={"download": {
                    "label": reply.text, "file_name": reply.download.file_name,
                    "media_type": reply.download.media_type, "content": reply.download.content}})
            continue
        extra = {"card": reply.card} if reply.card else {}
        dispatcher.utter_message(text=reply.text, buttons=[{"title": button.title, "payload": button.payload}
                                                           for button in reply.buttons], **extra)


def restarted(after: Conversation) -> list[dict[str, Any]]:
    """A fresh conversation in the language it had."""
    return [Restarted(), SlotSet(LANGUAGE_SLOT, after.language), SlotSet(DIALOGUE_SLOT, after.meta_json())]
