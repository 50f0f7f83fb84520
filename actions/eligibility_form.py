"""validate_eligibility_form: which question comes next, and reading the answer to the one just asked."""
from __future__ import annotations

from typing import Any, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.conversation import (FACTS, FORM, known_facts, language_of, latest_intent, profile_of, reference_date,
                                  requested_fact, skipped_facts)
from actions.replies import say_converted, say_reconciled, say_why_we_ask
from bot.reading.extract import answer_for, asks_to_skip
from bot.rules.engine import assess
from bot.rules.facts import facts
from bot.rules.profile import reconcile

# Messages that answer the question asked; anything else (a question, small talk) is left to the rules,
# which answer it and come back to the form.
ANSWERS = {"inform", "affirm", "deny", "skip_question", "nlu_fallback", "check_eligibility"}
YES_NO_INTENTS = {"affirm": True, "deny": False}
# Below this an affirm/deny guess does not answer a yes/no question ("ehh" once came out as affirm at 0.52);
# buttons and the yes/no words the parser knows always do.
CONFIDENT_YES_NO = 0.9
ATTEMPTS_BEFORE_OFFERING_TO_SKIP = 2
# Actions that run around every user message without answering it themselves.
_PASSIVE_ACTIONS = {"action_listen", "action_extract_slots", "action_extract_facts", FORM, f"validate_{FORM}"}


def unanswered_message(tracker: Tracker) -> bool:
    """Whether the latest user message is still to be read here, rather than already answered by
    another action (the form also runs when it resumes after an interruption)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in _PASSIVE_ACTIONS:
            return False
    return False


def facts_set_this_turn(tracker: Tracker) -> set[str]:
    return {slot for slot in tracker.slots_to_validate() if slot in FACTS}


class ValidateEligibilityForm(FormValidationAction):
    def name(self) -> Text:
        return f"validate_{FORM}"

    async def required_slots(self, domain_slots: list[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict) -> list[Text]:
        """Only what the engine still needs for a verdict and a grant, minus what the user skipped."""
        skipped = set(skipped_facts(tracker))
        return [fact for fact in assess(profile_of(tracker)).next_facts if fact not in skipped]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        events = []
        fact = requested_fact(tracker)
        intent, _ = latest_intent(tracker)
        if (fact is not None and intent in ANSWERS and unanswered_message(tracker)
                and not facts_set_this_turn(tracker)):
            events = self.read_answer(fact, intent, dispatcher, tracker)
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])

    def read_answer(self, fact: str, intent: str, dispatcher: CollectingDispatcher,
                    tracker: Tracker) -> list[dict]:
        """The user's reply to the question about `fact`. Always sets at least one slot, so that the form
        goes on (re-asking) instead of being rejected."""
        language = language_of(tracker)
        text = tracker.latest_message.get("text") or ""
        if asks_to_skip(text):
            dispatcher.utter_message(response="utter_skipped")
            return [SlotSet("skipped_facts", [*skipped_facts(tracker), fact]), SlotSet("failed_attempts", None)]
        known = known_facts(tracker)
        reply = answer_for(fact, text, known, reference_date())
        value = reply.value
        _, confidence = latest_intent(tracker)
        if (value is None and facts()[fact].type == "bool" and intent in YES_NO_INTENTS
                and (text.startswith("/") or confidence >= CONFIDENT_YES_NO)):
            value = YES_NO_INTENTS[intent]
        if value is not None:
            accepted, refused, forgotten = reconcile(known, {fact: value}, reference_date())
            say_reconciled(dispatcher, language, refused, forgotten)
            if reply.converted_from_eur is not None and fact in accepted:
                say_converted(dispatcher, language, reply.converted_from_eur, value)
            if fact in accepted:
                return [SlotSet(fact, accepted[fact]), SlotSet("failed_attempts", None),
                        *[SlotSet(old, None) for old in forgotten]]
            return self.failed(fact, dispatcher, tracker, language, explain=False)
        if intent == "check_eligibility":  # "kan vi søke?" again: just ask the question again
            return [SlotSet("failed_attempts", tracker.get_slot("failed_attempts"))]
        if reply.unsure or intent == "skip_question":
            return self.failed(fact, dispatcher, tracker, language, explain=True)
        dispatcher.utter_message(response=f"utter_problem_{reply.problem or 'not_understood'}")
        return self.failed(fact, dispatcher, tracker, language, explain=False)

    @staticmethod
    def failed(fact: str, dispatcher: CollectingDispatcher, tracker: Tracker, language: str,
               explain: bool) -> list[dict]:
        """Count a failed answer; on "not sure", or from the second failure on, say why the question
        matters and offer to skip it."""
        previous: Any = tracker.get_slot("failed_attempts") or {}
        count = (previous.get("count", 0) if previous.get("fact") == fact else 0) + 1
        if explain or count >= ATTEMPTS_BEFORE_OFFERING_TO_SKIP:
            say_why_we_ask(dispatcher, language, fact)
            dispatcher.utter_message(response="utter_offer_skip")
        return [SlotSet("failed_attempts", {"fact": fact, "count": count})]
