"""The one custom action against real rasa-sdk trackers and dispatchers, without any server: the tracker becomes
the dialogue's state and message, and the outcome becomes utterances, slot events and records."""
import asyncio
import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import records
from actions.conversation import DOWNLOADS_TO, utter
from actions.converse import ActionConverse
from bot.dialogue.message import Download, Reply
from bot.dialogue.respond import Outcome
from bot.dialogue.state import Conversation
from bot.rules.facts import facts
from bot.saying.messages import message
from channels.webchat import WebChatInput
from deploy.local import free_port
from records.checks import checks
from records.handoffs import handoffs
from records.store import connect
from records.unanswered import unanswered
from tests.loopback import SmtpStandIn


def tracker(text, intent="inform", confidence=0.99, slots=None, metadata=None, entities=()):
    values = {name: None for name in facts()}
    values.update({"language": "nb", "dialogue": None})
    values.update(slots or {})
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": list(entities),
               "metadata": metadata or {}}
    events = [{"event": "action", "name": "action_listen"},
              {"event": "user", "text": text, "parse_data": message, "input_channel": "rest"}]
    return Tracker("tester", values, message, events, False, None, {}, "action_listen")


def run(current):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionConverse().run(dispatcher, current, {}))
    return events, dispatcher.messages


def slots_set(events):
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'records.db'}")
    monkeypatch.setattr(records, "_database", {})
    for setting in ("STAFF_EMAIL", "SLACK_BOT_TOKEN", "SLACK_STAFF_CHANNEL", "STAFF_TOKEN", "STAFF_REPLY_DAYS"):
        monkeypatch.delenv(setting, raising=False)  # what staff are told by is each test's own
    yield f"sqlite:///{tmp_path / 'records.db'}"


def test_one_message_one_call_reads_facts_asks_the_next_question_and_sets_only_what_changed():
    events, messages = run(tracker("Vi er tre bedrifter i en NCE-klynge, to er SMB-er, budsjettet er 500 000 kr"))
    slots = slots_set(events)
    assert {name: slots[name] for name in ("companies", "smes", "cluster_programme", "budget_nok")} == {
        "companies": 3, "smes": 2, "cluster_programme": "nce", "budget_nok": 500000.0}
    assert "foreign_companies" not in slots  # unchanged facts are not sent back
    assert slots["dialogue"]["asked"] == {"kind": "fact", "key": "foreign_companies", "options": []}
    assert [message["text"].split(" – ")[0] for message in messages] == ["Notert",
                                                                           "Hvor mange av bedriftene er utenlandske?"]


def test_the_state_carries_over_between_turns_through_the_slots():
    events, _ = run(tracker("kan vi søke?", "check_eligibility"))
    slots = slots_set(events)
    events, messages = run(tracker("NCE", slots=slots))
    assert slots_set(events)["cluster_programme"] == "nce"
    assert messages[-1]["text"].startswith("Hvor mange bedrifter deltar")


def test_buttons_become_rasa_buttons_and_the_verdict_carries_its_card():
    slots = {"cluster_programme": "nce", "companies": 3, "smes": 2, "foreign_companies": 0,
             "public_or_research_partners": False, "independent": True, "complementary": True,
             "initiator_in_cluster": True, "early_phase": True, "language": "en"}
    _, messages = run(tracker("the budget is NOK 500,000", slots=slots))
    verdict = messages[-1]
    assert verdict["text"].startswith("**Result for the project**")
    assert [button["payload"] for button in verdict["buttons"]] == ["/why", "/check_eligibility", "/human_handoff"]
    assert verdict["card"]["sections"][0]["heading"] == "Innovasjonsrammen (the Innovation Framework)"


def test_a_verdict_is_recorded_for_staff(database):
    slots = {"cluster_programme": "none", "language": "en"}
    run(tracker("the budget is NOK 500,000", slots=slots))
    with connect(database).connect() as connection:
        row = connection.execute(select(checks)).one()
    assert row.verdicts["innovasjonsrammen"] == "not_eligible" and row.channel == "rest"


def test_the_page_language_from_the_channel_sets_the_reply_language():
    events, messages = run(tracker("/greet", "greet", 1.0, metadata={"language": "en"}))
    assert slots_set(events)["language"] == "en" and messages[0]["text"].startswith("Hi! I am Klyngebot")


def test_restart_resets_the_tracker_and_keeps_the_language():
    events, messages = run(tracker("start over", "start_over", slots={"companies": 3, "language": "en"}))
    assert events[0]["event"] == "restart"
    assert slots_set(events)["language"] == "en"
    assert messages[0]["text"].startswith("Starting over")


def test_a_database_that_is_down_costs_the_record_not_the_reply(monkeypatch, caplog):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none")
    _, messages = run(tracker("the budget is NOK 500,000", slots={"cluster_programme": "none", "language": "en"}))
    assert messages[-1]["text"].startswith("**Result for the project**")
    assert "could not keep or delete a record (RecordCheck)" in caplog.text


def test_what_the_bot_could_not_place_is_kept_for_staff_under_the_senders_hash(database):
    run(tracker("asdf qwer zxcv", "nlu_fallback", 0.3))
    with connect(database).connect() as connection:
        row = connection.execute(select(unanswered)).one()
    assert row.text == "asdf qwer zxcv" and row.user_hash and row.user_hash != "tester"


def ask_for_a_person(*answers, known=None):
    """A request for a person in English, after the project facts `known` (slots), answered with `answers`."""
    slots, messages = dict(known or {}), []
    for text, intent in (("I want to talk to someone", "human_handoff"), ("yes", "affirm"), *answers):
        events, messages = run(tracker(text, intent, slots={**slots, "language": "en"}))
        slots.update(slots_set(events))
    return [message["text"] for message in messages]


def test_a_request_for_a_person_is_kept_with_the_contact_only_after_consent(database):
    told = ask_for_a_person(("Kari Nordmann", "inform"), ("kari@example.no", "inform"))
    with connect(database).connect() as connection:
        row = connection.execute(select(handoffs)).one()
    assert (row.name, row.email, row.consent) == ("Kari Nordmann", "kari@example.no", True)
    # nothing configured to tell staff with: nothing is promised
    assert told == ["Thank you, Kari Nordmann.", message("conversation.handoff.nobody_to_tell", "en")]


def test_a_request_for_a_person_is_e_mailed_to_staff_and_the_user_told_so(database, monkeypatch):
    smtp = SmtpStandIn()
    for name, value in {"STAFF_EMAIL": "post@klynge.no", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port),
                        "SMTP_STARTTLS": "false", "STAFF_REPLY_DAYS": "2"}.items():
        monkeypatch.setenv(name, value)
    told = ask_for_a_person(("Kari Nordmann, kari@example.no", "inform"),
                            known={"cluster_programme": "nce", "companies": 4, "smes": 1})
    smtp.shutdown()
    assert told == ["Thank you, Kari Nordmann.",
                    message("conversation.handoff.passed_on.email", "en", email="kari@example.no") + " " +
                    message("conversation.handoff.reply_within", "en", days=2)]
    [(sender, recipients, mail)] = smtp.mails
    assert recipients == ["post@klynge.no"] and mail["Reply-To"] == "kari@example.no"
    assert "Kari Nordmann" in mail["Subject"] and "kari@example.no" in mail.get_content()
    # the project in words, in the staff's language: each call's verdict, no internal names
    body = mail.get_content()
    assert "Innovasjonsrammen: " + message("verdict.not_eligible", "nb") in body  # 1 SME of 4 is under half
    assert "NCE" in body and not re.search(r"\b[a-z]+_[a-z_]+\b", body), body


def test_a_request_staff_cannot_be_told_of_promises_nothing(database, monkeypatch):
    for name, value in {"STAFF_EMAIL": "post@klynge.no", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(free_port()),
                        "SMTP_STARTTLS": "false"}.items():
        monkeypatch.setenv(name, value)
    told = ask_for_a_person(("Kari Nordmann, kari@example.no", "inform"))
    assert told == ["Thank you, Kari Nordmann.", message("conversation.handoff.not_passed_on", "en")]


def test_delete_my_data_deletes_the_records_and_marks_the_conversation_for_the_tracker_store(database):
    run(tracker("the budget is NOK 500,000", slots={"cluster_programme": "none", "language": "en"}))
    events, messages = run(tracker("delete my data", "forget_me", slots={"language": "en"}))
    assert {"event": "slot", "timestamp": None, "name": "forget_me", "value": True} in events
    assert messages[0]["text"].startswith("Your conversation and what I stored about you are deleted")
    with connect(database).connect() as connection:
        assert connection.execute(select(checks)).all() == []


def uttered(channel, outcome):
    dispatcher = CollectingDispatcher()
    utter(dispatcher, outcome, channel)
    return dispatcher.messages


def test_a_file_to_download_goes_to_the_chat_page_only_and_as_the_widget_reads_it():
    assert DOWNLOADS_TO == (WebChatInput.name(),)
    outcome = Outcome(state=Conversation(), replies=(Reply("the ranking"), Reply("Download it", download=Download(
        "prioritisation.csv", "text/csv", "name,score\r\nHavdrone,5.15\r\n"))), effects=())
    for channel in ("slack", "botframework", "rest", None):  # custom JSON would be junk there
        assert [message["text"] for message in uttered(channel, outcome)] == ["the ranking"], channel
    shown, offered = uttered("webchat", outcome)
    assert shown["text"] == "the ranking" and offered["custom"] == {"download": {
        "label": "Download it", "file_name": "prioritisation.csv", "media_type": "text/csv",
        "content": "name,score\r\nHavdrone,5.15\r\n"}}
