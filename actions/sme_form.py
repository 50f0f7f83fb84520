"""The SME helper: validate_sme_form reads one enterprise's figures, action_sme_result classifies it."""
from __future__ import annotations

from typing import Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.conversation import FORM, language_of, latest_intent, profile_of, reference_date
from bot.reading.numbers import ParseError, parse_amount, parse_count, parse_yes_no
from bot.rules.engine import assess
from bot.rules.money import nok_per_eur, nok_to_eur
from bot.rules.sme import classify_known, ownership_limit, sme_questions
from bot.saying.sme import sme_verdict
from bot.saying.texts import format_number

SME_FORM = "sme_form"
SLOT_PREFIX = "sme_"
AMOUNTS = ("sme_turnover_eur", "sme_balance_sheet_eur")


def _figures(tracker: Tracker) -> dict:
    employees = tracker.get_slot("sme_employees")
    return {"employees": int(employees) if employees is not None else None,
            "turnover_eur": tracker.get_slot("sme_turnover_eur"),
            "balance_sheet_eur": tracker.get_slot("sme_balance_sheet_eur"),
            "owned": tracker.get_slot("sme_owned")}


def _euro(text: str, dispatcher: CollectingDispatcher, language: str) -> float:
    """An amount in EUR; NOK (said, or assumed when no currency is named) is converted and the rate said."""
    try:
        amount = parse_amount(text)
    except ParseError as error:
        if error.code == "zero":
            return 0.0
        raise
    if amount.currency == "EUR":
        return float(amount.value)
    day = reference_date()
    euro, rate = nok_to_eur(float(amount.value), day), nok_per_eur(day)
    dispatcher.utter_message(response="utter_converted_to_eur", nok=format_number(float(amount.value), language),
                             eur=format_number(round(euro), language), rate=format_number(rate, language))
    return euro


class ValidateSmeForm(FormValidationAction):
    def name(self) -> Text:
        return f"validate_{SME_FORM}"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[Text]:
        return [SLOT_PREFIX + name for name in sme_questions(**_figures(tracker), day=reference_date())]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        events = []
        requested = tracker.get_slot("requested_slot") if tracker.active_loop_name == SME_FORM else None
        intent, _ = latest_intent(tracker)
        if requested and intent in ("inform", "affirm", "deny", "nlu_fallback"):
            value = self.read(requested, tracker.latest_message.get("text") or "", intent, dispatcher,
                              language_of(tracker))
            # a re-ask still sets a slot, so that the form asks again instead of being rejected
            events = [SlotSet(requested, value)]
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])

    @staticmethod
    def read(slot: str, text: str, intent: str, dispatcher: CollectingDispatcher, language: str) -> Optional[object]:
        try:
            if slot == "sme_employees":
                return parse_count(text, allow_zero=True)
            if slot in AMOUNTS:
                return _euro(text, dispatcher, language)
            answer = parse_yes_no(text)
            if answer is None:
                raise ParseError("not_yes_no", text)
            return answer
        except ParseError as error:
            if slot == "sme_owned" and intent in ("affirm", "deny") and text.startswith("/"):
                return intent == "affirm"
            dispatcher.utter_message(response=f"utter_problem_{error.code}")
            return None


class ActionAskSmeOwned(Action):
    """Asks about ownership with the threshold from the SME rules, not a copy of it."""

    def name(self) -> Text:
        return "action_ask_sme_owned"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        dispatcher.utter_message(response="utter_ask_sme_owned", limit=ownership_limit(reference_date()))
        return []


class ActionSmeResult(Action):
    """Says whether the enterprise is an SME and why, forgets its figures (the next one may follow), and
    goes back to an unfinished eligibility check."""

    def name(self) -> Text:
        return "action_sme_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        figures = _figures(tracker)
        result = classify_known(figures["employees"], figures["turnover_eur"], figures["balance_sheet_eur"],
                                bool(figures["owned"]), reference_date())
        dispatcher.utter_message(text=sme_verdict(result, language_of(tracker)))
        events = [SlotSet(slot, None) for slot in ("sme_employees", *AMOUNTS, "sme_owned")]
        profile = profile_of(tracker)
        if profile.facts and assess(profile).next_facts:
            events.append(FollowupAction(FORM))
        return events
