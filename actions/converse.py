"""action_converse: the one custom action. Every user message costs one call: the tracker becomes the dialogue's
state and message, bot.dialogue decides the turn, and its outcome becomes utterances, slot events and records."""
from __future__ import annotations

from typing import Any, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import conversation_of, message_of, reference_date, restarted, slot_events, utter
from actions.records import carry_out
from bot.dialogue.effects import Forget, Restart
from bot.dialogue.respond import respond


class ActionConverse(Action):
    def name(self) -> Text:
        return "action_converse"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        before = conversation_of(tracker)
        outcome = respond(before, message_of(tracker), reference_date())
        utter(dispatcher, outcome, tracker.get_latest_input_channel())
        events = await carry_out(outcome.effects, tracker, dispatcher, outcome.state.language)
        if any(isinstance(effect, (Restart, Forget)) for effect in outcome.effects):
            return restarted(outcome.state) + events
        return slot_events(before, outcome.state) + events
