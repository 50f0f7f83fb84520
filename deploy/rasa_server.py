"""Rasa's own command line (`python -m deploy.rasa_server run ...` takes what `rasa` takes), with two fixes
for speed found by profiling the REST path under load (numbers in docs/benchmarks.md). Rasa's version is
pinned in constraints.txt; tests/test_rasa_server.py checks that both still give Rasa's own answers.

Response validation: Rasa 3.6 checks every action server response with `jsonschema.validate`, which first
checks the constant response schema against JSON Schema's meta-schema. Profiling the REST path showed
that check as 20 of the 23 ms each custom action call costs, and it is a third to a half of a message's
CPU time. The schema is checked once here and each response goes through one prebuilt validator; the
verdict and the error are the ones Rasa gives.

Event classes: Rasa finds the class of each stored event by walking every subclass of Event, for every
event each time a tracker is loaded or an action's events are read: about a tenth of a message's CPU.
The class for each event name is looked up once.
"""
from __future__ import annotations

import functools

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_resolve_by_walking = Event.resolve_by_type


@functools.lru_cache(maxsize=None)
def _response_validator():
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(remote_action: RemoteAction, result: dict) -> bool:
    """RemoteAction._validate_action_result without re-checking the schema on every call."""
    error = best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (". Failed to validate Action server response from API, make sure your response "
                      "from the Action endpoint is valid.")
    raise error


@functools.lru_cache(maxsize=None)
def _event_class(type_name: str):
    return next((cls for cls in all_subclasses(Event) if cls.type_name == type_name), None)


def resolve_event_class(type_name: str, default=None):
    """Event.resolve_by_type, remembering each name's class; unknown names get Rasa's own answer."""
    return _event_class(type_name) or _resolve_by_walking(type_name, default)


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_class)


if __name__ == "__main__":
    install()
    from rasa.__main__ import main

    main()
