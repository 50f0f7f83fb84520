"""A request for a person: the calls' contacts at once, and, with the user's consent, a name and an e-mail address
for someone to get back to them, with the project in words (the calls, their verdicts, what is still open) so that
whoever takes it need not ask again. Whether and how staff are told (e-mail, Slack, their page) is known only when
the request is carried out (records/handoffs.py), so the words that say what happens next come from there; here the
request is only thanked for."""
from __future__ import annotations

import re
from typing import Optional

from bot.dialogue.effects import RecordHandoff
from bot.dialogue.interview import Interview, Reading, Turn
from bot.dialogue.message import Reply
from bot.dialogue.check import profile_of
from bot.dialogue.state import Asked
from bot.reading.numbers import ParseError, parse_yes_no
from bot.resources import DEFAULT_LANGUAGE
from bot.rules.catalogue import catalogue
from bot.rules.engine import assess
from bot.saying.answers import call_contact
from bot.saying.conversation import project_in_words


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_INTRO = re.compile(r"^(?:jeg heter|mitt navn er|navnet mitt er|navnet er|my name is|i am|i'm|it's|this is)\s+",
                         re.I)
# The words that lead up to an e-mail address after a name: "Siri Dahl, og e-posten min er siri@dahl.no".
_EMAIL_LEAD = frozenset({"og", "and", "min", "mi", "my", "e-post", "epost", "e-posten", "eposten", "e-postadresse",
                         "e-postadressen", "epostadresse", "email", "e-mail", "mail", "adresse", "adressen",
                         "address", "er", "is", "at", "på", "til", "to"})
STEPS = ("consent", "name", "email")
MOST_NAME_WORDS = 4  # "Kari Anne Nordmann Berg"


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
            contact = _contact(text)
            if contact.get("email"):  # "ja, Siri Dahl, siri@dahl.no": giving them is consent
                return Reading(values={"consent": True, **contact})
            try:
                answer = parse_yes_no(text)
            except ParseError:
                return Reading(problem="not_yes_no")
            return Reading(values={"consent": answer}) if answer is not None else Reading(problem="not_yes_no")
        contact = _contact(text) if not turn.message.is_payload else {}
        if asked.key in contact or (asked.key == "name" and contact):  # an address given first is kept too
            return Reading(values=contact)
        return Reading(problem="not_an_email" if asked.key == "email" else "not_understood")

    def take(self, turn: Turn, asked: Asked, reading: Reading) -> None:
        turn.state = turn.state.with_(handoff={**turn.state.handoff, **reading.values})

    def leave_open(self, turn: Turn, asked: Asked) -> None:
        turn.state = turn.state.with_(handoff={**turn.state.handoff, "consent": False})

    def finish(self, turn: Turn) -> None:
        given = turn.state.handoff
        # in the staff's language: they read it, on their page, in their e-mail and in Slack
        profile = profile_of(turn.state.facts, turn.state.inferred, turn.day, DEFAULT_LANGUAGE)
        topic = project_in_words(assess(profile), DEFAULT_LANGUAGE)
        if given.get("consent") is False:  # still counted, so staff see that someone wanted a person
            turn.effects.append(RecordHandoff(name=None, email=None, topic=topic, consent=False))
            turn.say("handoff.declined")
        else:
            turn.effects.append(RecordHandoff(name=given["name"], email=given["email"], topic=topic, consent=True))
            turn.say("handoff.recorded", name=given["name"])
        turn.state = turn.state.with_(handoff={})

    def why(self, turn: Turn, asked: Asked) -> str:
        return turn.text("handoff.why")

    def topic_of(self, turn: Turn, asked: Asked) -> str:
        return turn.text(f"handoff.topic_{asked.key}")


def _contact(text: str) -> dict[str, str]:
    """The name and the e-mail address a message gives, either or both: "Siri Dahl, e-post siri@dahl.no"."""
    found, contact = EMAIL.search(text), {}
    if found:
        contact["email"] = found.group(0)
        words = re.sub(r"[,;:()<>]", " ", text[:found.start()]).split()
        while words and words[-1].lower() in _EMAIL_LEAD:
            words.pop()
        text = " ".join(words) + " " + text[found.end():]
    text = re.sub(r"^(?:ja|yes|jo|ok)\b[\s,.!]*", "", text.strip(), flags=re.I)
    name = _NAME_INTRO.sub("", text.strip(" -–()<>")).strip(" .,!;:-–()<>")
    # a name is a few words without digits or a question; more words are a sentence about something else
    if 1 < len(name) <= 80 and len(name.split()) <= MOST_NAME_WORDS and "?" not in name and \
            not any(character.isdigit() for character in name):
        contact["name"] = name
    return contact


HANDOFF = Handoff()
