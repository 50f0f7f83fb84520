"""The fixes deploy/rasa_server.py puts into Rasa give Rasa's own answers, faster."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActiveLoop, BotUttered, Event, SlotSet, UserUttered

from deploy import rasa_server

VALID_RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "budget_nok", "value": 400000, "timestamp": None},
                {"event": "active_loop", "name": "eligibility_form"}],
     "responses": [{"text": "Hei", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]},
]
INVALID_RESPONSES = [
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},  # a slot event without its name
    {"events": "not a list"},
    {"responses": ["not an object"]},
    [],
]


def rasa_verdict(result):
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        return None
    except jsonschema.ValidationError as error:
        return error.message


@pytest.mark.parametrize("result", VALID_RESPONSES)
def test_a_valid_action_response_passes(result):
    assert rasa_verdict(result) is None
    assert rasa_server.validate_action_result(RemoteAction("any", None), result) is True


@pytest.mark.parametrize("result", INVALID_RESPONSES)
def test_an_invalid_action_response_fails_with_rasas_error(result):
    expected = rasa_verdict(result)
    assert expected is not None
    with pytest.raises(jsonschema.ValidationError) as raised:
        rasa_server.validate_action_result(RemoteAction("any", None), result)
    assert raised.value.message.startswith(expected + ". Failed to validate Action server response")
    assert raised.value.message.endswith("/custom-actions")


@pytest.mark.parametrize("name, expected", [("slot", SlotSet), ("user", UserUttered), ("bot", BotUttered),
                                            ("active_loop", ActiveLoop)])
def test_each_event_name_finds_rasas_class(name, expected):
    assert rasa_server.resolve_event_class(name) is expected
    assert rasa_server.resolve_event_class(name) is Event.resolve_by_type(name)


def test_unknown_event_names_get_rasas_answer():
    assert rasa_server.resolve_event_class("topic") is None
    assert rasa_server.resolve_event_class("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        rasa_server.resolve_event_class("no_such_event")


def run_without_action_server(action_name: str, tracker):
    import asyncio

    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    from deploy.local import free_port

    nowhere = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens there
    return asyncio.run(rasa_server.run_or_apologise(RemoteAction(action_name, nowhere), CollectingOutputChannel(),
                                                    TemplatedNaturalLanguageGenerator({}), tracker, Domain.empty()))


def conversation(*events):
    from rasa.shared.core.slots import AnySlot
    from rasa.shared.core.trackers import DialogueStateTracker

    slots = [AnySlot(name, mappings=[{"type": "custom"}]) for name in ("language", "requested_slot", "companies")]
    return DialogueStateTracker.from_events("someone", list(events), slots=slots)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_an_unreachable_action_server_gets_the_apology_once_per_message(language):
    from bot.saying.answers import service_unavailable

    tracker = conversation(UserUttered("hei"), SlotSet("language", language))
    first = run_without_action_server("action_converse", tracker)
    assert [event.text for event in first] == [service_unavailable(language)]
    tracker.update_with_events(first, None)
    assert run_without_action_server("action_converse", tracker) == []
    tracker.update(UserUttered("hallo?"))
    assert len(run_without_action_server("action_converse", tracker)) == 1


def test_the_action_gets_the_slots_and_the_latest_message_not_the_whole_conversation():
    from rasa.shared.core.domain import Domain
    from rasa_sdk import Tracker

    tracker = conversation(*[event for number in range(50) for event in (
        UserUttered(f"melding {number}", parse_data={"intent": {"name": "inform", "confidence": 0.9}},
                    input_channel="slack"), SlotSet("companies", number))])
    full = RemoteAction._action_call_format(RemoteAction("action_converse", None), tracker, Domain.empty())
    slim = rasa_server.action_call_format(RemoteAction("action_converse", None), tracker, Domain.empty())
    assert len(full["tracker"]["events"]) == 100 and len(slim["tracker"]["events"]) == 1
    as_rasa_sdk_sees_it = [Tracker.from_dict(request["tracker"]) for request in (full, slim)]
    for attribute in ("slots", "latest_message", "sender_id"):
        assert getattr(as_rasa_sdk_sees_it[0], attribute) == getattr(as_rasa_sdk_sees_it[1], attribute)
    assert [sdk.get_latest_input_channel() for sdk in as_rasa_sdk_sees_it] == ["slack", "slack"]
