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
