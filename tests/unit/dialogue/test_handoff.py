"""A request for a person, turn by turn: the contact read however it is given, what the bot keeps said when asked,
and the project handed over in words."""
import pytest

from bot.dialogue.effects import RecordHandoff
from bot.resources import DEFAULT_LANGUAGE, RETENTION_VARIABLE
from bot.saying.messages import message
from tests.unit.dialogue.test_conversation import Chat


def handoffs(chat):
    return [effect for effect in chat.effects if isinstance(effect, RecordHandoff)]


@pytest.mark.parametrize("language, text, name, email", [
    ("nb", "Jeg heter Siri Dahl, e-post siri@dahl.no", "Siri Dahl", "siri@dahl.no"),
    ("nb", "Per Ås og e-posten min er per.as@firma.no", "Per Ås", "per.as@firma.no"),
    ("en", "Jane Roe <jane.roe@example.com>", "Jane Roe", "jane.roe@example.com"),
    ("en", "my name's not important, use ops@cluster.org", None, "ops@cluster.org"),
])
def test_name_and_address_in_one_message_answer_both_questions(language, text, name, email):
    chat = Chat(language=language)
    chat.say("snakke med et menneske" if language == "nb" else "talk to a human", "human_handoff")
    chat.say("ja" if language == "nb" else "yes", "affirm")
    chat.say(text)
    if name is None:  # the address is kept; the name is still asked for
        assert chat.state.handoff.get("email") == email and chat.asked == "name"
        return
    [handoff] = handoffs(chat)
    assert (handoff.name, handoff.email, handoff.consent) == (name, email, True)


def test_giving_the_contact_instead_of_yes_is_consent():
    chat = Chat()
    chat.say("kan noen ringe meg", "human_handoff")
    chat.say("Ola Nordmann, ola@nordmann.no")
    [handoff] = handoffs(chat)
    assert (handoff.name, handoff.email, handoff.consent) == ("Ola Nordmann", "ola@nordmann.no", True)


def test_what_is_kept_is_answered_mid_request_and_the_question_stands(monkeypatch):
    monkeypatch.setenv(RETENTION_VARIABLE, "30")
    chat = Chat(language="en")
    chat.say("can a person contact me", "human_handoff")
    chat.say("yes", "affirm")
    reply = chat.say("what will happen to my name?", "ask_privacy")
    assert reply.startswith(message("answer.privacy", "en", days=30)) and chat.asked == "name"
    assert chat.state.handoff.get("name") is None, "a question is not a name"


def test_the_project_goes_to_staff_in_words_not_fact_ids():
    chat = Chat()
    chat.say("kan vi søke? vi er en NCE-klynge med 4 bedrifter", "check_eligibility")
    chat.say("jeg vil heller snakke med en person", "human_handoff")
    chat.say("nei", "deny")
    [handoff] = handoffs(chat)
    assert "Innovasjonsrammen" in handoff.topic and message("verdict.unknown", DEFAULT_LANGUAGE) in handoff.topic
    assert "companies" not in handoff.topic and "cluster_programme" not in handoff.topic
    assert "NCE" in handoff.topic and "4" in handoff.topic
