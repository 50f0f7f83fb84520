"""Rasa's own command line (`python -m deploy.rasa.rasa_server run ...` takes what `rasa` takes), with fixes for
speed found by profiling the REST path under load (docs/performance.md) and one for a fault. Rasa's
version is pinned in constraints.txt; tests/integration/deploy/test_rasa_server.py checks each fix against Rasa's own code.

Response validation: Rasa 3.6 checks every action server response with `jsonschema.validate`, which first
checks the constant response schema against JSON Schema's meta-schema. Profiling the REST path showed
that check as 20 of the 23 ms each custom action call costs, and it is a third to a half of a message's
CPU time. The schema is checked once here. Each event is then checked against the one kind of event its name
says rather than against all 23 (the schema's oneOf), which was still a tenth of a message's CPU; a response
that fails is checked again as Rasa checks it, so the verdict and the error are the ones Rasa gives.

Event classes: Rasa finds the class of each stored event by walking every subclass of Event, for every
event each time a tracker is loaded or an action's events are read: about a tenth of a message's CPU.
The class for each event name is looked up once.

Action server unreachable or failing: Rasa logs the error and the user hears nothing. Here the user is
told, once per message, that the bot has a technical fault and whom to contact (bot.saying.answers); the
conversation's state is in its slots, so it goes on where it was once the action server is back.

The action's request: Rasa sends the whole tracker, every event of the conversation, with each call. The one
action needs the slots and the latest message, so it gets those (and that message's event) and nothing more.

A message not read at all: one too long to read (bot.dialogue.message.MAX_CHARS) or that the readers and the
database cannot take (half of a surrogate pair, a NUL) is answered with the polite re-ask before Rasa's NLU sees
it, and is neither stored nor logged (its length and channel are). Every channel's messages pass through
Agent.handle_message, so this is the one door for all of them.

Rasa's own commands: "/restart" and "/session_start" run Rasa's default actions, which say nothing, so a user who
types them (or a client that sends them) got no answer at all. They arrive as the bot's own "start over" and
"hello", which reset or greet in the user's language.

`run` takes the HTTP API's token and the websites allowed by CORS from KLYNGEBOT_API_TOKEN and
KLYNGEBOT_ALLOWED_ORIGINS (deploy.rasa_config), and refuses to open the API beyond loopback without a token.
"""
from __future__ import annotations

import functools
import logging
import os
import sys
from typing import Optional

import rasa
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from rasa.shared.exceptions import RasaException
from rasa.shared.utils.common import all_subclasses

from bot.dialogue.intents import GREET, START_OVER
from bot.dialogue.message import not_read
from bot.resources import DEFAULT_LANGUAGE
from bot.saying.answers import service_unavailable
from deploy.rasa_config import SettingError, secured_run_arguments

logger = logging.getLogger("klyngebot.rasa")
_resolve_by_walking = Event.resolve_by_type
_run_remote_action = RemoteAction.run
_handle_message = Agent.handle_message
# Rasa's default commands -> the bot's own intents that do what the user means by them, as button payloads.
RASA_COMMANDS = {"/restart": f"/{START_OVER}", "/session_start": f"/{GREET}"}
SERVICE_UNAVAILABLE = "klyngebot_service_unavailable"  # marks the apology in the bot event's metadata


def _validator(schema: dict):
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@functools.lru_cache(maxsize=None)
def _response_validator():
    return _validator(RemoteAction.action_response_format_spec())


@functools.lru_cache(maxsize=None)
def _validators_by_event() -> Optional[tuple]:
    """The response schema split in two: the response without its events' items, and for each event name the item
    schema with that name's alternative in place of the oneOf of all of them. As every alternative names its own
    event (const), an event is valid under the oneOf exactly when it is valid under its name's alternative; None
    when the schema is not of that shape."""
    schema = RemoteAction.action_response_format_spec()
    events = schema["properties"]["events"]
    item = events["items"]
    names = [alternative.get("properties", {}).get("event", {}).get("const") for alternative in item["oneOf"]]
    if None in names or len(set(names)) != len(names):
        return None
    response = {**schema, "properties": {**schema["properties"],
                                         "events": {key: value for key, value in events.items() if key != "items"}}}
    common = {key: value for key, value in item.items() if key != "oneOf"}
    return _validator(response), {name: _validator({**common, "allOf": [alternative]})
                                  for name, alternative in zip(names, item["oneOf"])}


def _passes(result) -> bool:
    """Whether the response is valid, checking each event against its own alternative only."""
    split = _validators_by_event()
    if split is None:
        return _response_validator().is_valid(result)
    response, by_event = split
    return response.is_valid(result) and all(
        isinstance(event, dict) and isinstance(event.get("event"), str) and event["event"] in by_event
        and by_event[event["event"]].is_valid(event) for event in result.get("events", []))


def validate_action_result(remote_action: RemoteAction, result: dict) -> bool:
    """RemoteAction._validate_action_result without re-checking the schema on every call, and with each event
    checked against its own kind of event rather than against all of them; a response that fails is checked
    again as Rasa checks it, for Rasa's error."""
    if _passes(result):
        return True
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
    if _apologised_since_latest_message(tracker):
        return []
    apology = service_unavailable(tracker.get_slot("language") or DEFAULT_LANGUAGE)
    return [BotUttered(apology, metadata={SERVICE_UNAVAILABLE: True})]


def action_call_format(remote_action: RemoteAction, tracker, domain) -> dict:
    """RemoteAction._action_call_format with only the latest user message among the tracker's events. The one
    action reads the slots and that message, never the history; Rasa serialises and sends the whole conversation
    with every call, so each message cost more the longer the conversation was."""
    state = tracker.current_state(EventVerbosity.NONE)
    latest = tracker.get_last_event_for(UserUttered)
    state["events"] = [latest.as_dict()] if latest is not None else []
    result = {"next_action": remote_action.name(), "sender_id": tracker.sender_id, "tracker": state,
              "version": rasa.__version__}
    if (not remote_action._is_selective_domain_enabled()
            or domain.does_custom_action_explicitly_need_domain(remote_action.name())):
        result["domain"] = domain.as_dict()
    return result


async def handle_message(agent: Agent, message: UserMessage):
    """Agent.handle_message, after the door: a message not read is answered here, a Rasa command translated."""
    text = message.text or ""
    reply = not_read(text, (message.metadata or {}).get("language"))
    if reply is None:
        message.text = RASA_COMMANDS.get(text.strip(), text)
        return await _handle_message(agent, message)
    logger.warning("a message of %d characters on %s was not read (too long or undecodable); the user was asked "
                   "again", len(text), message.input_channel)
    await message.output_channel.send_response(message.sender_id, {"text": reply})
    return None


def install() -> None:
    Agent.handle_message = handle_message
    RemoteAction._validate_action_result = validate_action_result
    RemoteAction._action_call_format = action_call_format
    Event.resolve_by_type = staticmethod(resolve_event_class)
    RemoteAction.run = run_or_apologise


if __name__ == "__main__":
    try:
        sys.argv[1:] = secured_run_arguments(sys.argv[1:], os.environ)
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    install()
    from rasa.__main__ import main

    main()
