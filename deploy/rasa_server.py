"""Rasa's own command line (`python -m deploy.rasa_server run ...` takes what `rasa` takes), with two fixes
for speed found by profiling the REST path under load (docs/performance.md) and one for a fault. Rasa's
version is pinned in constraints.txt; tests/test_rasa_server.py checks each fix against Rasa's own code.

Response validation: Rasa 3.6 checks every action server response with `jsonschema.validate`, which first
checks the constant response schema against JSON Schema's meta-schema. Profiling the REST path showed
that check as 20 of the 23 ms each custom action call costs, and it is a third to a half of a message's
CPU time. The schema is checked once here and each response goes through one prebuilt validator; the
verdict and the error are the ones Rasa gives.

Event classes: Rasa finds the class of each stored event by walking every subclass of Event, for every
event each time a tracker is loaded or an action's events are read: about a tenth of a message's CPU.
The class for each event name is looked up once.

Action server unreachable or failing: Rasa logs the error and the user hears nothing. Here the user is
told, once per message, that the bot has a technical fault and whom to contact (bot.saying.answers), and a
form whose validation could not run asks its question again, so the check goes on where it was once the
action server is back. (Rasa drops what the slot-extraction action says, so the apology comes from the
next action that fails in the turn: the form's validation or the answering action.)

`run` takes the HTTP API's token and the websites allowed by CORS from KLYNGEBOT_API_TOKEN and
KLYNGEBOT_ALLOWED_ORIGINS (deploy.rasa_config), and refuses to open the API beyond loopback without a token.
"""
from __future__ import annotations

import functools
import logging
import os
import sys

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.exceptions import RasaException
from rasa.shared.utils.common import all_subclasses

from bot.resources import DEFAULT_LANGUAGE
from bot.saying.answers import service_unavailable
from deploy.rasa_config import ConfigError, secured_run_arguments

logger = logging.getLogger("klyngebot.rasa")
_resolve_by_walking = Event.resolve_by_type
_run_remote_action = RemoteAction.run
SERVICE_UNAVAILABLE = "klyngebot_service_unavailable"  # marks the apology in the bot event's metadata


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
                      "from the Action endpoint is valid. For more information about the format visit "
                      f"{DOCS_BASE_URL}/custom-actions")
    raise error


@functools.lru_cache(maxsize=None)
def _event_class(type_name: str):
    return next((cls for cls in all_subclasses(Event) if cls.type_name == type_name), None)


def resolve_event_class(type_name: str, default=None):
    """Event.resolve_by_type, remembering each name's class; unknown names get Rasa's own answer."""
    return _event_class(type_name) or _resolve_by_walking(type_name, default)


def _apologised_since_latest_message(tracker) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and event.metadata.get(SERVICE_UNAVAILABLE):
            return True
    return False


async def run_or_apologise(remote_action: RemoteAction, output_channel, nlg, tracker, domain) -> list:
    """RemoteAction.run; when the action server can't run the action, the apology instead of silence."""
    try:
        return await _run_remote_action(remote_action, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise  # not a fault: the action declines, and Rasa picks another
    except RasaException as error:
        logger.error("custom action %s could not run, so the user is told and given a contact: %s",
                     remote_action.name(), error)
    events = []
    if not _apologised_since_latest_message(tracker):
        apology = service_unavailable(tracker.get_slot("language") or DEFAULT_LANGUAGE)
        events.append(BotUttered(apology, metadata={SERVICE_UNAVAILABLE: True}))
    requested = tracker.get_slot(REQUESTED_SLOT)
    if remote_action.name().startswith("validate_") and requested:
        # Rasa rejects a form turn that set no slot, and a fallback would follow the apology; setting the
        # requested slot to the value it has keeps the form, which asks its question again.
        events += [SlotSet(requested, tracker.get_slot(requested)), SlotSet(REQUESTED_SLOT, requested)]
    return events


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_class)
    RemoteAction.run = run_or_apologise


if __name__ == "__main__":
    try:
        sys.argv[1:] = secured_run_arguments(sys.argv[1:], os.environ)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    install()
    from rasa.__main__ import main

    main()
