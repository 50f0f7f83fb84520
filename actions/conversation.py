"""Reading a conversation's state (slots, language, reference date) as the domain core's terms."""
from __future__ import annotations

import datetime as dt
import os
from typing import Any

from rasa_sdk import Tracker

from bot.resources import DEFAULT_LANGUAGE
from bot.rules.facts import facts
from bot.rules.profile import InvalidInput, Profile, make_profile

FORM = "eligibility_form"
FACTS = tuple(facts())
# A fixed reference date for demos and tests of a call round that has closed (e.g. 2015-06-01).
REFERENCE_DATE_VARIABLE = "KLYNGEBOT_DATE"


def reference_date() -> dt.date:
    configured = os.environ.get(REFERENCE_DATE_VARIABLE)
    return dt.date.fromisoformat(configured) if configured else dt.date.today()


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    """The latest message's intent and the NLU's confidence in it."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name"), intent.get("confidence") or 0.0


def language_of(tracker: Tracker) -> str:
    return tracker.get_slot("language") or DEFAULT_LANGUAGE


def _fact_value(name: str, value: Any) -> Any:
    """Slots store counts as floats and lists as lists; the profile wants its own types back."""
    kind = facts()[name].type
    if kind == "count" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def known_facts(tracker: Tracker) -> dict[str, Any]:
    return {name: _fact_value(name, tracker.get_slot(name)) for name in FACTS
            if tracker.get_slot(name) is not None}


def profile_of(tracker: Tracker) -> Profile:
    """The tracker's facts as a profile. Slots are validated when set; a fact that still does not fit
    (say, an old tracker from before a rule changed) is left out rather than failing the reply."""
    values = known_facts(tracker)
    while True:
        try:
            return make_profile(values, date=reference_date(), language=language_of(tracker))
        except InvalidInput as error:
            values.pop(error.field.split(".")[0], None)


def skipped_facts(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot("skipped_facts") or [])


def requested_fact(tracker: Tracker) -> str | None:
    if tracker.active_loop_name == FORM:
        requested = tracker.get_slot("requested_slot")
        return requested if requested in FACTS else None
    return None
