"""What the bot says: responses from domain.yml for dialogue, bot.present for computed content."""
from __future__ import annotations

import logging
from typing import Optional, Text

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import language_of, latest_intent, profile_of, reference_date, requested_fact, skipped_facts
from bot.reading.questions import calls_named_in, partner_types_in
from bot.rules.engine import Assessment, assess
from bot.rules.money import nok_per_eur
from bot.saying.answers import answer
from bot.saying.messages import message
from bot.saying.texts import format_number
from bot.saying.verdicts import fact_label, result_messages, trace_messages, why_we_ask
from records.checks import connect, record_check

logger = logging.getLogger(__name__)

TOPIC_OF_INTENT = {
    "ask_call_info": "call_info", "ask_max_grant": "max_grant", "ask_partner_rules": "partner_rules",
    "ask_sme_definition": "sme_definition", "ask_deadline": "deadline",
    "ask_application_process": "application_process", "ask_eligible_activities": "eligible_activities",
    "ask_assessment_criteria": "assessment_criteria", "human_handoff": "contact",
}


def say_all(dispatcher: CollectingDispatcher, texts: list[str]) -> None:
    for text in texts:
        dispatcher.utter_message(text=text)


def say_reconciled(dispatcher: CollectingDispatcher, language: str, refused: list[str],
                   forgotten: list[str]) -> None:
    for fact in refused:
        dispatcher.utter_message(response=f"utter_conflict_{fact}")
    for fact in forgotten:
        dispatcher.utter_message(response="utter_forgot_fact", fact=fact_label(fact, language))


def say_converted(dispatcher: CollectingDispatcher, language: str, eur: float, nok: float) -> None:
    rate = nok_per_eur(reference_date())
    dispatcher.utter_message(response="utter_converted_eur", eur=format_number(eur, language),
                             nok=format_number(round(nok), language), rate=format_number(rate, language))


def say_why_we_ask(dispatcher: CollectingDispatcher, language: str, fact: str) -> None:
    dispatcher.utter_message(text=why_we_ask(fact, language, reference_date()))


class ActionShowResult(Action):
    def name(self) -> Text:
        return "action_show_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        language = language_of(tracker)
        assessment = assess(profile_of(tracker))
        say_all(dispatcher, result_messages(assessment, language, skipped_facts(tracker)))
        record(assessment, tracker.get_latest_input_channel())
        return []


_database: dict[str, Engine] = {}


def record(assessment: Assessment, channel: Optional[str]) -> None:
    """Keep the completed check for staff's report. The user has their answer either way: a database
    that is down costs the record (with one log line), never the reply."""
    try:
        if "engine" not in _database:
            _database["engine"] = connect()
        record_check(_database["engine"], assessment, channel)
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        logger.error("could not record a completed check: %s", " ".join(str(cause).split()))


class ActionAnswerQuestion(Action):
    """One-off questions, answered from the calls catalogue for the calls the question names."""

    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        intent, _ = latest_intent(tracker)
        topic = TOPIC_OF_INTENT.get(intent)
        if topic is None:
            dispatcher.utter_message(response="utter_default")
            return []
        if topic == "contact":
            dispatcher.utter_message(response="utter_handoff")
        text = tracker.latest_message.get("text") or ""
        say_all(dispatcher, answer(topic, calls_named_in(text), partner_types_in(text), language_of(tracker),
                                   reference_date(), budget=tracker.get_slot("budget_nok")))
        return []


class ActionExplain(Action):
    """"Why?": during a check, why the current question matters; afterwards, the reasoning trace."""

    def name(self) -> Text:
        return "action_explain"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        language = language_of(tracker)
        fact = requested_fact(tracker)
        if fact is not None:
            say_why_we_ask(dispatcher, language, fact)
            return []
        profile = profile_of(tracker)
        if not profile.facts:
            dispatcher.utter_message(text=message("trace.no_check", language))
            return []
        say_all(dispatcher, trace_messages(assess(profile), language))
        return []

