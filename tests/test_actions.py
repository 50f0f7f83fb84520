"""Every custom action against real rasa-sdk trackers and dispatchers, without any server."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.eligibility_form import ValidateEligibilityForm
from actions.extract_facts import ActionExtractFacts
from actions.replies import ActionAnswerQuestion, ActionExplain, ActionShowResult
from actions.sme_form import ActionAskSmeOwned, ActionSmeResult, ValidateSmeForm
from bot.rules.facts import facts

DOMAIN = {"forms": {"eligibility_form": {"required_slots": list(facts())}}, "slots": {}}


def tracker(text="", intent="inform", slots=None, requested=None, entities=(), events=None):
    values = {name: None for name in facts()}
    values.update({"language": "nb", "skipped_facts": [], "failed_attempts": None, "requested_slot": requested})
    values.update(slots or {})
    active_loop = {"name": "eligibility_form"} if requested else {}
    message = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": list(entities)}
    history = events if events is not None else [{"event": "action", "name": "action_listen"},
                                                 {"event": "user", "text": text, "parse_data": message}]
    return Tracker("tester", values, message, history, False, None, active_loop, "action_listen")


def run(action, current):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, DOMAIN))
    return events, dispatcher.messages


def slots_set(events):
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def responses(messages):
    return [message.get("response") for message in messages if message.get("response")]


# --- action_extract_facts -----------------------------------------------------------------------------

def test_several_facts_from_one_message():
    events, _ = run(ActionExtractFacts(), tracker(
        "Vi er tre bedrifter i en NCE-klynge, to er SMB-er, budsjettet er 500 000 kr"))
    assert slots_set(events) == {"applicant": "company", "companies": 3, "cluster_programme": "nce", "smes": 2,
                                 "budget_nok": 500000.0, "stated_facts": True}


def test_language_follows_the_user():
    events, _ = run(ActionExtractFacts(), tracker("which call fits us?", intent="check_eligibility"))
    assert slots_set(events) == {"language": "en", "stated_facts": False}
    events, _ = run(ActionExtractFacts(), tracker("4", slots={"language": "en"}))
    assert "language" not in slots_set(events)


def test_questions_are_not_read_as_facts():
    events, _ = run(ActionExtractFacts(), tracker("kan et universitet være partner?", intent="ask_partner_rules"))
    assert slots_set(events) == {}


def test_a_button_sets_its_fact():
    events, _ = run(ActionExtractFacts(), tracker('/inform{"cluster_programme": "former_nce"}', entities=[
        {"entity": "cluster_programme", "value": "former_nce"}]))
    assert slots_set(events) == {"cluster_programme": "former_nce", "stated_facts": True}


def test_a_correction_that_contradicts_an_older_fact_forgets_it_and_says_so():
    events, messages = run(ActionExtractFacts(), tracker("nei, vi er to bedrifter",
                                                         slots={"companies": 4.0, "smes": 3.0}))
    assert slots_set(events) == {"applicant": "company", "companies": 2, "smes": None, "stated_facts": True}
    assert responses(messages) == ["utter_forgot_fact"]


def test_a_message_stating_nothing_readable_says_so():
    events, _ = run(ActionExtractFacts(), tracker("asdf qwer zxcv"))
    assert slots_set(events) == {"stated_facts": False}


def test_a_budget_in_euro_is_converted_and_the_rate_stated():
    events, messages = run(ActionExtractFacts(), tracker("budget is 50 000 euro", slots={"language": "en"}))
    assert slots_set(events)["budget_nok"] == pytest.approx(50000 * 8.95)
    assert responses(messages) == ["utter_converted_eur"]


# --- validate_eligibility_form ------------------------------------------------------------------------

def test_required_slots_are_what_the_engine_still_needs():
    form = ValidateEligibilityForm()
    current = tracker(slots={"applicant": "company", "public_or_research_partners": True})
    assert asyncio.run(form.required_slots([], CollectingDispatcher(), current, DOMAIN)) == []
    current = tracker(slots={"applicant": "cluster_organisation", "skipped_facts": ["goal"]})
    assert asyncio.run(form.required_slots([], CollectingDispatcher(), current, DOMAIN)) == [
        "countries", "smes_per_country", "activities", "budget_nok"]


def test_a_bare_number_answers_the_question_asked():
    events, _ = run(ValidateEligibilityForm(), tracker("3", slots={"applicant": "company"}, requested="companies"))
    assert slots_set(events)["companies"] == 3
    assert slots_set(events)["requested_slot"] == "goal"


def test_yes_from_a_button_answers_a_yes_no_question():
    events, _ = run(ValidateEligibilityForm(), tracker("/affirm", intent="affirm", slots={"applicant": "company"},
                                                       requested="independent"))
    assert slots_set(events)["independent"] is True


def test_a_hesitant_guess_of_yes_is_not_taken_as_an_answer():
    current = tracker("ehh", intent="affirm", slots={"applicant": "company"}, requested="independent")
    current.latest_message["intent"]["confidence"] = 0.52
    events, messages = run(ValidateEligibilityForm(), current)
    assert "independent" not in slots_set(events) and responses(messages) == ["utter_problem_not_yes_no"]


def test_an_impossible_answer_is_refused_and_asked_again():
    events, messages = run(ValidateEligibilityForm(), tracker(
        "5", slots={"applicant": "company", "goal": "innovation", "cluster_programme": "nce",
                    "initiator_in_cluster": True, "companies": 3.0}, requested="smes"))
    assert "smes" not in slots_set(events)
    assert slots_set(events)["requested_slot"] == "smes"
    assert responses(messages) == ["utter_conflict_smes"]


def test_garbage_is_asked_again_and_the_second_failure_offers_to_skip():
    first, messages = run(ValidateEligibilityForm(), tracker("ehh", slots={"applicant": "company"},
                                                             requested="budget_nok"))
    assert responses(messages) == ["utter_problem_no_number"]
    assert slots_set(first)["failed_attempts"] == {"fact": "budget_nok", "count": 1}
    _, messages = run(ValidateEligibilityForm(), tracker("hmm?", slots={
        "applicant": "company", "failed_attempts": {"fact": "budget_nok", "count": 1}}, requested="budget_nok"))
    assert responses(messages) == ["utter_problem_no_number", "utter_offer_skip"]
    assert any("budsjett" in (message.get("text") or "") for message in messages)


def test_absurd_and_negative_amounts_are_refused():
    for text, problem in (("5 kr", "utter_problem_implausible"), ("-500 000", "utter_problem_negative")):
        events, messages = run(ValidateEligibilityForm(), tracker(text, slots={"applicant": "company"},
                                                                  requested="budget_nok"))
        assert "budget_nok" not in slots_set(events) and responses(messages) == [problem]


def test_not_sure_explains_why_the_question_matters():
    _, messages = run(ValidateEligibilityForm(), tracker("vet ikke", intent="skip_question",
                                                         slots={"applicant": "company"}, requested="independent"))
    assert responses(messages) == ["utter_offer_skip"]
    assert "felles eierskap" in messages[0]["text"]


def test_skip_leaves_the_fact_unknown_and_moves_on():
    events, messages = run(ValidateEligibilityForm(), tracker("hopp over", intent="skip_question",
                                                              slots={"applicant": "company"}, requested="goal"))
    assert slots_set(events)["skipped_facts"] == ["goal"]
    assert slots_set(events)["requested_slot"] == "cluster_programme"
    assert responses(messages) == ["utter_skipped"]


def test_a_question_mid_form_is_left_to_the_rules():
    events, messages = run(ValidateEligibilityForm(), tracker("hva er maks tilskudd?", intent="ask_max_grant",
                                                              slots={"applicant": "company"}, requested="goal"))
    assert [event for event in events if event["name"] != "requested_slot"] == [] and messages == []


def test_a_correction_mid_form_is_not_read_as_the_answer():
    message = {"text": "nei, vi er fire bedrifter", "intent": {"name": "inform"}, "entities": []}
    history = [{"event": "user", "text": message["text"], "parse_data": message},
               {"event": "action", "name": "action_extract_slots"},
               {"event": "slot", "name": "companies", "value": 4}]
    current = tracker("nei, vi er fire bedrifter", slots={"applicant": "company", "companies": 4.0},
                      requested="smes", events=history)
    events, _ = run(ValidateEligibilityForm(), current)
    assert "smes" not in slots_set(events)


# --- replies ------------------------------------------------------------------------------------------

def test_the_result_names_verdicts_sources_and_the_grant():
    _, messages = run(ActionShowResult(), tracker(slots={
        "applicant": "company", "goal": "innovation", "cluster_programme": "nce", "initiator_in_cluster": True,
        "companies": 3.0, "smes": 2.0, "foreign_companies": 0.0, "public_or_research_partners": False,
        "independent": True, "complementary": True, "budget_nok": 500000.0, "language": "en"}))
    text = "\n".join(message["text"] for message in messages)
    assert text.startswith("Best fit: Innovasjonsrammen (the Innovation Framework) (eligible). Up to NOK 250,000")
    assert "innovasjonsrammen.txt, «Hvilke klynger kan utnytte Innovasjonsrammen?»" in text
    assert "Next steps for Innovasjonsrammen" in text


def test_a_one_off_question_is_answered_from_the_catalogue():
    _, messages = run(ActionAnswerQuestion(), tracker("kan et universitet være partner?", intent="ask_partner_rules"))
    assert [message["text"].split(":")[0] for message in messages] == ["**Innovasjonsrammen**",
                                                                        "**BSR Innovation Express 2015**"]
    assert messages[0]["text"].startswith("**Innovasjonsrammen**: Nei.")


def test_handoff_gives_the_contact():
    _, messages = run(ActionAnswerQuestion(), tracker("who can I contact about innovation express?",
                                                      intent="human_handoff", slots={"language": "en"}))
    assert responses(messages) == ["utter_handoff"]
    assert "eipet@innovasjonnorge.no" in messages[-1]["text"]


def test_why_during_the_form_explains_the_question_and_after_it_gives_the_trace():
    _, messages = run(ActionExplain(), tracker("hvorfor?", intent="why", slots={"applicant": "company"},
                                               requested="smes"))
    assert messages[0]["text"].startswith("Jeg spør om antall SMB-er fordi")
    _, messages = run(ActionExplain(), tracker("why?", intent="why", slots={
        "applicant": "cluster_organisation", "smes_per_country": {"NO": 3}, "countries": ["NO"], "language": "en"}))
    assert messages[0]["text"].startswith("Reasoning for Innovasjonsrammen")
    assert "smes_per_country=NO: 3" in messages[1]["text"]
    _, messages = run(ActionExplain(), tracker("why?", intent="why", slots={"language": "en"}))
    assert messages[0]["text"].startswith("I have not assessed anything yet")


# --- the SME helper -----------------------------------------------------------------------------------

def sme_tracker(text, requested=None, intent="inform", **figures):
    slots = {f"sme_{name}": value for name, value in figures.items()}
    current = tracker(text, intent=intent, slots=slots)
    if requested:
        current.slots["requested_slot"] = requested
        current.active_loop = {"name": "sme_form"}
    return current


def test_the_sme_helper_asks_only_what_decides():
    form = ValidateSmeForm()
    ask = lambda **figures: asyncio.run(form.required_slots([], CollectingDispatcher(), sme_tracker("", **figures),
                                                            DOMAIN))
    assert ask() == ["sme_employees"]
    assert ask(employees=300.0) == []
    assert ask(employees=40.0) == ["sme_turnover_eur"]
    assert ask(employees=40.0, turnover_eur=5e6) == ["sme_owned"]
    assert ask(employees=40.0, turnover_eur=15e6) == ["sme_balance_sheet_eur", "sme_owned"]


def test_a_turnover_in_nok_is_converted_at_the_stated_rate():
    events, messages = run(ValidateSmeForm(), sme_tracker("45 mill kr", requested="sme_turnover_eur", employees=40.0))
    assert slots_set(events)["sme_turnover_eur"] == pytest.approx(45e6 / 8.95)
    assert responses(messages) == ["utter_converted_to_eur"]
    assert slots_set(events)["requested_slot"] == "sme_owned"


def test_a_bad_sme_answer_is_asked_again():
    events, messages = run(ValidateSmeForm(), sme_tracker("mange", requested="sme_employees"))
    assert slots_set(events) == {"sme_employees": None, "requested_slot": "sme_employees"}
    assert responses(messages) == ["utter_problem_no_number"]


def test_the_ownership_question_takes_its_threshold_from_the_sme_rules():
    _, messages = run(ActionAskSmeOwned(), tracker(""))
    assert messages[0]["response"] == "utter_ask_sme_owned" and messages[0]["limit"] == 25


def test_the_sme_result_explains_and_returns_to_an_unfinished_check():
    events, messages = run(ActionSmeResult(), tracker("nei", slots={
        "applicant": "company", "companies": 3.0, "sme_employees": 40.0, "sme_turnover_eur": 5e6,
        "sme_owned": False}))
    assert messages[0]["text"].startswith("**liten bedrift** – SMB: ja.")
    assert {"event": "followup", "name": "eligibility_form"} in [
        {key: event[key] for key in ("event", "name")} for event in events if event["event"] == "followup"]
    assert slots_set(events)["sme_employees"] is None
