"""The fixes deploy/rasa/rasa_server.py puts into Rasa give Rasa's own answers, faster."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActiveLoop, BotUttered, Event, SlotSet, UserUttered

from deploy.rasa import rasa_server

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


WRONG_VALUE_OF_TYPE = {"string": 3, "number": "three", "integer": 2.5, "boolean": "yes", "object": [1],
                       "array": {"a": 1}, "null": "not null"}


def responses_of_every_kind():
    """For each kind of event in Rasa's schema: a minimal event, one with each typed field set to a value of a
    type it does not allow, and one without each required field; with a valid slot event beside it."""
    item = RemoteAction.action_response_format_spec()["properties"]["events"]["items"]
    for alternative in item["oneOf"]:
        properties = {**item["properties"], **alternative.get("properties", {})}
        name = alternative["properties"]["event"]["const"]
        required = {key: {"name": "x", "value": 1, "entities": []}.get(key, name) for key in alternative.get("required", [])}
        minimal = {"event": name, **required}
        yield [minimal]
        for field, spec in properties.items():
            allowed = spec.get("type")
            allowed = [allowed] if isinstance(allowed, str) else allowed or []
            for kind in allowed:
                wrong = next(value for wrong_kind, value in WRONG_VALUE_OF_TYPE.items() if wrong_kind not in allowed
                             and not (wrong_kind == "integer" and "number" in allowed))
                yield [{"event": "slot", "name": "a", "value": 1}, {**minimal, field: wrong}]
        for field in required:
            yield [{key: value for key, value in minimal.items() if key != field}]


@pytest.mark.parametrize("events", list(responses_of_every_kind()))
def test_the_fast_check_gives_rasas_verdict_on_every_kind_of_event(events):
    result = {"events": events, "responses": []}
    try:
        passed = rasa_server.validate_action_result(RemoteAction("any", None), result)
    except jsonschema.ValidationError as error:
        passed = error.message
    assert passed is True if rasa_verdict(result) is None else passed.startswith(rasa_verdict(result))


def test_real_responses_of_the_action_pass():
    from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted
    events = [SlotSet("dialogue", "{}"), SlotSet("companies", 3), Restarted(), SessionStarted(), ActionExecuted("x"),
              BotUttered("Hei", {"buttons": [{"title": "Ja", "payload": "/affirm"}]}, {"card": {"a": 1}}),
              UserUttered("hei", {"intent": {"name": "greet", "confidence": 0.9}, "entities": []})]
    result = {"events": [event.as_dict() for event in events], "responses": [{"text": "Hei", "buttons": []}]}
    assert rasa_verdict(result) is None and rasa_server.validate_action_result(RemoteAction("any", None), result)


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
    from rasa.utils.endpoints import EndpointConfig
    from rasa_sdk import Tracker

    tracker = conversation(*[event for number in range(50) for event in (
        UserUttered(f"melding {number}", parse_data={"intent": {"name": "inform", "confidence": 0.9}},
                    input_channel="slack"), SlotSet("companies", number))])
    for endpoint in (None, EndpointConfig("http://actions", enable_selective_domain=True)):
        action = RemoteAction("action_converse", endpoint)
        full = RemoteAction._action_call_format(action, tracker, Domain.empty())
        slim = rasa_server.action_call_format(action, tracker, Domain.empty())
        assert {key: value for key, value in full.items() if key != "tracker"} == \
            {key: value for key, value in slim.items() if key != "tracker"}
        assert ("domain" in slim) == (endpoint is None)
    assert len(full["tracker"]["events"]) == 100 and len(slim["tracker"]["events"]) == 1
    as_rasa_sdk_sees_it = [Tracker.from_dict(request["tracker"]) for request in (full, slim)]
    for attribute in ("slots", "latest_message", "sender_id"):
        assert getattr(as_rasa_sdk_sees_it[0], attribute) == getattr(as_rasa_sdk_sees_it[1], attribute)
    assert [sdk.get_latest_input_channel() for sdk in as_rasa_sdk_sees_it] == ["slack", "slack"]
