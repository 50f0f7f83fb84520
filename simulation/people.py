"""Plays the conversations and questions written by people who had not read the reader (tests/cases/people/)
against the real assistant, and says what went wrong in each: the one runner for the test suite and `make bench`.

A conversation's `say` messages are sent in order, each with its `then` checks right after it; the user then answers
the bot's last question with the first `answers` entry one of whose keywords it contains (else the `default`) until
the bot asks nothing more. The facts are read from the conversation's slots, the verdicts from the bot's verdict
messages, what-ifs from its labelled what-if replies. Besides what each case expects, every conversation is held to
two promises: no "not eligible" shown and later reversed without the user changing anything, and no internal name.
"""
from __future__ import annotations

import re
import string
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import yaml

from bot.rules.catalogue import catalogue
from bot.saying.messages import message_text
from simulation.harness import INTERNAL, parse_verdict
from simulation.user import recognise

PEOPLE = Path(__file__).resolve().parent.parent / "tests" / "cases" / "people"
VERDICTS = {"eligible": "eligible", "not_eligible": "not_eligible", "undecided": "unknown"}
MOST_TURNS = 30
YES_NO = {"yes": ("ja", "yes"), "no": ("nei", "no")}


def conversations() -> list[dict]:
    found = []
    for path in sorted(PEOPLE.glob("conversations_*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            found.append({**case, "class": path.stem.removeprefix("conversations_")})
    return found


def questions() -> list[dict]:
    return yaml.safe_load((PEOPLE / "questions.yaml").read_text(encoding="utf-8"))


def norm(text: str) -> str:
    """As the people's alternatives are compared: lower case, no spaces, no thousands separators."""
    text = text.lower().replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"(?<=\d)[ .,'](?=\d{3}\b)", "", text)
    return re.sub(r"\s+", "", text)


def has_all(text: str, groups) -> list:
    """The groups of which no alternative is in the text."""
    seen = norm(text)
    return [group for group in groups or () if not any(norm(str(alternative)) in seen for alternative in group)]


def _template_marker(key: str) -> dict[str, str]:
    """The longest fixed stretch of a message's template in each language: how a runner recognises that message."""
    found = {}
    for language in ("nb", "en"):
        template = message_text(key)(language)
        literals = [literal for literal, *_ in string.Formatter().parse(template)]
        found[language] = max(literals, key=len).strip(" *:")
    return found


@lru_cache(maxsize=None)
def markers() -> dict[str, tuple[str, ...]]:
    """The bot's own words for a verdict, a what-if and "the texts don't say", from the message store."""
    return {"verdict": tuple(_template_marker("conversation.verdict.title").values()),
            "what_if": tuple(_template_marker("conversation.what_if.intro").values()),
            "silent": tuple(_template_marker("answer.not_in_text").values())}


def is_verdict(text: str) -> bool:
    return any(marker in text for marker in markers()["verdict"])


def is_what_if(text: str) -> bool:
    return any(marker in text for marker in markers()["what_if"])


def last_question(replies: list[str]) -> str:
    """What the bot asks last: its last question, or its last message where that asks without a question mark
    ("Budsjettet i kroner, for eksempel «800 000»:"); nothing after a verdict."""
    texts = [reply for reply in replies if reply.strip()]
    if not texts or is_verdict(texts[-1]):
        return ""
    asked = re.findall(r"[^.!?\n]*\?", texts[-1])
    return (asked[-1] if asked else texts[-1]).lower()


def first_word(text: str) -> str:
    """The reply's first word, after a leading call name ("**Innovasjonsrammen**: Nei.")."""
    text = re.sub(r"^\s*\*\*[^*]+\*\*\s*:?\s*", "", text.strip())
    match = re.match(r"\W*([\wæøå]+)", text.lower())
    return match.group(1) if match else ""


@dataclass
class Played:
    case: dict
    turns: list[tuple[str, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    verdicts: list[dict] = field(default_factory=list)  # each verdict shown, parsed
    reversed: int = 0  # "not eligible" shown and reversed without the user changing anything
    told_since_verdict: bool = False  # a scripted message (a statement, a correction) since the last verdict
    asked_again: int = 0  # questions about a fact the bot already had
    known: Mapping[str, Any] = field(default_factory=dict)  # the facts the bot had after the last turn

    @property
    def turns_to_verdict(self) -> Optional[int]:
        return next((number for number, (_, replies) in enumerate(self.turns, 1) if any(map(is_verdict, replies))),
                    None)

    @property
    def passed(self) -> bool:
        return not self.problems

    def text(self) -> str:
        lines = [f"--- {self.case['id']} ({self.case.get('who', '')})"]
        for user, replies in self.turns:
            lines.append(f"USER: {user}")
            lines += [f"  BOT: {reply}".replace("\n", "\n       ") for reply in replies]
        lines += [f"PROBLEM: {problem}" for problem in self.problems]
        return "\n".join(lines)


class People:
    """A client that plays the people's cases: `say(sender, text)` gives the replies' texts (buttons appended),
    `slots(sender)` the conversation's slots, `parse(text)` the NLU's reading (Rasa's /model/parse) for a `then`
    that names the `intent` a message must be read as (staff's reviews, records/review.py)."""

    def __init__(self, say: Callable[[str, str], list[str]], slots: Callable[[str], Mapping[str, Any]],
                 parse: Optional[Callable[[str], Mapping[str, Any]]] = None):
        self.say, self.slots, self.parse = say, slots, parse

    def play(self, case: dict) -> Played:
        played = Played(case)
        sender = f"people-{case['id']}-{uuid.uuid4().hex[:8]}"
        for item in case.get("say") or ():
            text = item["text"] if isinstance(item, Mapping) else str(item)
            replies = self._send(played, sender, text, scripted=True)
            if isinstance(item, Mapping) and item.get("then"):
                self._check(played, item["then"], "\n".join(replies), sender, f"after {text!r}", said=text)
        question = last_question(played.turns[-1][1]) if played.turns else ""
        for _ in range(MOST_TURNS):
            if not question or (len(played.turns) > 2 and played.turns[-1][1] == played.turns[-2][1]):
                break  # nothing asked, or the same reply twice: the bot waits for something the case does not say
            reply = next((answer for keys, answer in case.get("answers") or ()
                          if any(str(key).lower() in question for key in keys)), case.get("default", "vet ikke"))
            replies = self._send(played, sender, str(reply))
            question = last_question(replies)
        everything = "\n".join(reply for _, replies in played.turns for reply in replies)
        self._check(played, case.get("expect") or {}, everything, sender, "at the end", final=True)
        self._never_not_eligible(played, case.get("expect") or {})
        leaked = sorted(set(INTERNAL.findall(everything)))
        if leaked:
            played.problems.append(f"internal names shown: {leaked}")
        return played

    def _send(self, played: Played, sender: str, text: str, scripted: bool = False) -> list[str]:
        played.told_since_verdict = played.told_since_verdict or (scripted and bool(played.verdicts))
        replies = self.say(sender, text)
        played.turns.append((text, replies))
        for reply in replies:
            if is_verdict(reply):
                self._verdict(played, parse_verdict(reply))
            asked = recognise(reply)
            played.asked_again += bool(asked) and asked[0] == "fact" and played.known.get(asked[1]) is not None
        played.known = self.slots(sender)
        return replies

    def _verdict(self, played: Played, shown: dict) -> None:
        """A "not eligible" that a later verdict reverses is a misreading unless the user changed something between:
        only the case's scripted messages change things; answering the bot's questions does not."""
        if played.verdicts and not played.told_since_verdict:
            before = played.verdicts[-1]
            played.reversed += sum(before.get(call, {}).get("verdict") == "not_eligible"
                                   and result["verdict"] != "not_eligible" for call, result in shown.items())
        played.verdicts.append(shown)
        played.told_since_verdict = False

    def _never_not_eligible(self, played: Played, expect: Mapping) -> None:
        for call in expect.get("never_not_eligible") or ():
            if any(verdict.get(call, {}).get("verdict") == "not_eligible" for verdict in played.verdicts):
                played.problems.append(f"{call}: 'not eligible' was shown")

    def _check(self, played: Played, expect: Mapping, reply: str, sender: str, where: str, final: bool = False,
               said: Optional[str] = None) -> None:
        problems = played.problems
        if expect.get("intent"):
            if self.parse is None or said is None:
                problems.append(f"{where}: no NLU to read the intent with")
            else:
                intent = (self.parse(said).get("intent") or {}).get("name")
                if intent != expect["intent"]:
                    problems.append(f"{where}: read as {intent!r}, not {expect['intent']!r}")
        slots = self.slots(sender) if expect.get("facts") or expect.get("unset") else {}
        for fact, value in (expect.get("facts") or {}).items():
            if not _same(slots.get(fact), value):
                problems.append(f"{where}: {fact} is {slots.get(fact)!r}, not {value!r}")
        for fact in expect.get("unset") or ():
            if slots.get(fact) is not None:
                problems.append(f"{where}: {fact} is {slots.get(fact)!r}, but nothing said it")
        verdict = played.verdicts[-1] if final and played.verdicts else (
            parse_verdict(reply) if is_verdict(reply) else {})
        for call, wanted in (expect.get("verdict") or {}).items():
            shown = verdict.get(call, {}).get("verdict")
            if shown != VERDICTS[wanted]:
                problems.append(f"{where}: {call} shown as {shown}, not {wanted}")
        for call, grant in (expect.get("grant") or {}).items():
            shown = verdict.get(call, {}).get("grant")
            if shown != grant:
                problems.append(f"{where}: {call}'s grant shown as {shown}, not {grant}")
        for call, wanted in (expect.get("hypothetical") or {}).items():
            supposed = next((parse_verdict(part) for part in reply.split("\n\n") if is_what_if(part)), None) \
                if is_what_if(reply) else None
            shown = (supposed or {}).get(call, {}).get("verdict")
            if shown != VERDICTS[wanted]:
                problems.append(f"{where}: the what-if shows {call} as {shown}, not {wanted}")
        if expect.get("no_verdict") and is_verdict(reply):
            problems.append(f"{where}: a verdict was shown")
        for group in has_all(reply, expect.get("says")):
            problems.append(f"{where}: says none of {group}")
        for text in expect.get("never") or ():
            if norm(str(text)) in norm(reply):
                problems.append(f"{where}: says {text!r}")
        if expect.get("first_word") and first_word(reply) not in YES_NO[str(expect["first_word"]).lower()]:
            problems.append(f"{where}: begins with {first_word(reply)!r}, not {expect['first_word']!r}")
        if expect.get("max_lines") and len(reply.splitlines()) > expect["max_lines"] and not final:
            problems.append(f"{where}: {len(reply.splitlines())} lines, more than {expect['max_lines']}")

    # --- one-off questions ------------------------------------------------------------------------------------
    def ask(self, case: dict) -> tuple[bool, str, list[str]]:
        """A question as the first message of a fresh conversation: (whether it was answered right, the answer,
        what was wrong)."""
        reply = "\n".join(self.say(f"people-q-{case['id']}-{uuid.uuid4().hex[:8]}", case["q"]))
        problems = [f"says none of {group}" for group in has_all(reply, case.get("all"))]
        problems += [f"says {text!r}" for text in case.get("none") or () if norm(str(text)) in norm(reply)]
        if case.get("first_word") and first_word(reply) not in YES_NO[str(case["first_word"]).lower()]:
            problems.append(f"begins with {first_word(reply)!r}")
        silent = says_texts_are_silent(reply)
        if not case.get("answered", True):
            if not silent:
                problems.append("does not say that the texts are silent")
            if case.get("ask") and not any(norm(str(whom)) in norm(reply) for whom in case["ask"]):
                problems.append("names none of whom to ask")
        return not problems, reply, problems


def says_texts_are_silent(reply: str) -> bool:
    return any(marker.lower() in reply.lower() for marker in markers()["silent"])


def _same(shown: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool) or isinstance(shown, bool):
        return shown is wanted
    if isinstance(wanted, (int, float)) and isinstance(shown, (int, float)):
        return float(shown) == float(wanted)
    if isinstance(wanted, list) and isinstance(shown, list):
        return sorted(map(str, shown)) == sorted(map(str, wanted))
    if isinstance(wanted, Mapping) and isinstance(shown, Mapping):
        return {str(k): v for k, v in shown.items()} == {str(k): v for k, v in wanted.items()}
    return shown == wanted


def call_ids() -> set[str]:
    return {call.id for call in catalogue().calls}


def summary(played: list[Played]) -> dict[str, Any]:
    """Per class: passed; over all: passed, the user's messages until the first verdict (of those that reached one),
    questions about a fact the bot already had, and verdicts reversed without a change by the user."""
    by_class: dict[str, list[Played]] = {}
    for result in played:
        by_class.setdefault(result.case.get("class", ""), []).append(result)
    return {"classes": {name: (sum(result.passed for result in results), len(results))
                        for name, results in by_class.items()},
            "passed": (sum(result.passed for result in played), len(played)),
            "turns_to_verdict": [result.turns_to_verdict for result in played if result.turns_to_verdict],
            "asked_again": sum(result.asked_again for result in played),
            "reversed": sum(result.reversed for result in played)}
