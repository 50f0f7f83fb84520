"""action_extract_facts: after every user message, the reply language and every fact stated outright."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import known_facts, language_of, latest_intent, reference_date
from actions.replies import say_converted, say_reconciled
from bot.reading.extract import enum_value, facts_in
from bot.reading.language import detect_language
from bot.rules.facts import country_names
from bot.rules.profile import reconcile

# Messages that ask or chat rather than state facts: "kan et universitet være partner?" says nothing
# about this project's partners.
NOT_STATEMENTS = {"ask_call_info", "ask_max_grant", "ask_partner_rules", "ask_sme_definition", "ask_deadline",
                  "ask_application_process", "ask_eligible_activities", "ask_assessment_criteria",
                  "human_handoff", "why", "greet", "goodbye", "thank", "bot_challenge", "out_of_scope", "restart"}
# Entities from buttons and the NLU, and the fact each names.
ENTITY_FACTS = {"applicant_type": "applicant", "cluster_programme": "cluster_programme", "goal": "goal"}


def facts_from_entities(entities: list[dict]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for entity in entities:
        fact = ENTITY_FACTS.get(entity.get("entity"))
        if fact:
            value = enum_value(fact, entity.get("value"))
            if value:
                found[fact] = value
        elif entity.get("entity") == "country":
            code = str(entity.get("value", "")).upper()
            code = code if len(code) == 2 else country_names().get(str(entity.get("value", "")).lower())
            if code:
                found.setdefault("countries", []).append(code)
    return found


class ActionExtractFacts(Action):
    def name(self) -> str:
        return "action_extract_facts"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        events = []
        detected = None if text.startswith("/") else detect_language(text)
        if detected and detected != tracker.get_slot("language"):
            events.append(SlotSet("language", detected))
        language = detected or language_of(tracker)
        if latest_intent(tracker)[0] in NOT_STATEMENTS:
            return events
        known = known_facts(tracker)
        stated = facts_from_entities(message.get("entities") or [])
        if not text.startswith("/"):
            extraction = facts_in(text, known, reference_date())
            stated.update(extraction.facts)
            if extraction.converted_from_eur is not None:
                say_converted(dispatcher, language, extraction.converted_from_eur, stated["budget_nok"])
        repeated = bool(stated) and all(value == known.get(fact) for fact, value in stated.items())
        stated = {fact: value for fact, value in stated.items() if value != known.get(fact)}
        accepted, refused, forgotten = reconcile(known, stated, reference_date())
        say_reconciled(dispatcher, language, refused, forgotten)
        events += [SlotSet(fact, value) for fact, value in accepted.items()]
        events += [SlotSet(fact, None) for fact in forgotten]
        events.append(SlotSet("stated_facts", bool(accepted) or repeated))
        return events

