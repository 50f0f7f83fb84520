"""A request for a person: the calls' contacts at once, and, with the user's consent, a name and an e-mail address
for someone to get back to them (kept for staff, and posted to their Slack channel where one is set up)."""
from __future__ import annotations

import re
from typing import Optional

from bot.dialogue.effects import RecordHandoff
from bot.dialogue.interview import Interview, Reading, Turn
from bot.dialogue.message import Reply
from bot.dialogue.state import Asked
from bot.reading.numbers import ParseError, parse_yes_no
from bot.rules.catalogue import catalogue
from bot.saying.answers import call_contact


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_INTRO = re.compile(r"^(?:jeg heter|mitt navn er|navnet mitt er|navnet er|my name is|i am|i'm|it's|this is)\s+",
                         re.I)
STEPS = ("consent", "name", "email")


class Handoff(Interview):
    task = "handoff"
    kinds = ("handoff",)

    def start(self, turn: Turn) -> None:
        turn.replies.append(Reply("\n".join(call_contact(call, turn.language) for call in catalogue().calls)))
        turn.state = turn.state.with_(handoff={})
        super().start(turn)

    def next_question(self, turn: Turn) -> Optional[Asked]:
        given = turn.state.handoff
        if given.get("consent") is False:
            return None
        for step in STEPS:
            if step not in given:
                return Asked("handoff", step)
        return None

    def ask(self, turn: Turn, asked: Asked, times: int) -> None:
        buttons = (turn.button("yes", "/affirm"), turn.button("no", "/deny")) if asked.key == "consent" else ()
        turn.say(f"handoff.ask_{asked.key}" if times == 0 else f"handoff.again_{asked.key}", buttons=buttons)

    def read(self, turn: Turn, asked: Asked) -> Reading:
        text = turn.message.text.strip()
        if asked.key == "consent":
            if turn.message.is_payload and turn.message.intent in ("affirm", "deny"):
                return Reading(values={"consent": turn.message.intent == "affirm"})
            try:
                answer = parse_yes_no(text)
            except ParseError:
                return Reading(problem="not_yes_no")
            return Reading(values={"consent": answer}) if answer is not None else Reading(problem="not_yes_no")
        if asked.key == "email":
            found = EMAIL.search(text)
            return Reading(values={"email": found.group(0)}) if found else Reading(problem="not_an_email")
        name = _NAME_INTRO.sub("", text).strip(" .!")
        if 1 < len(name) <= 80 and not turn.message.is_payload and "?" not in name and not EMAIL.search(name):
            return Reading(values={"name": name})
        return Reading(problem="not_understood")

    def take(self, turn: Turn, asked: Asked, reading: Reading) -> None:
        turn.state = turn.state.with_(handoff={**turn.state.handoff, **reading.values})

    def leave_open(self, turn: Turn, asked: Asked) -> None:
        turn.state = turn.state.with_(handoff={**turn.state.handoff, "consent": False})

    def finish(self, turn: Turn) -> None:
        given = turn.state.handoff
        topic = ", ".join(sorted(turn.state.facts)) or "-"
        if given.get("consent") is False:  # still counted, so staff see that someone wanted a person
            turn.effects.append(RecordHandoff(name=None, email=None, topic=topic, consent=False))
            turn.say("handoff.declined")
        else:
            turn.effects.append(RecordHandoff(name=given["name"], email=given["email"], topic=topic, consent=True))
            turn.say("handoff.recorded", name=given["name"], email=given["email"])
        turn.state = turn.state.with_(handoff={})

    def why(self, turn: Turn, asked: Asked) -> str:
        return turn.text("handoff.why")

    def topic_of(self, turn: Turn, asked: Asked) -> str:
        return turn.text(f"handoff.topic_{asked.key}")


HANDOFF = Handoff()
