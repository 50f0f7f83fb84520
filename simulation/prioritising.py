"""Plays the prioritising chats written by someone who had not read the code (tests/cases/people/prioritising.yaml)
and says what went wrong in each: the runner for tests/system/test_prioritising.py.

Each case's turns are sent in order; then the proposals and their scores are read from the conversation's state,
and the bot's replies are looked at for what the case expects: that prioritising started, that a ranking was given
after the last turn asking for one, that a skipped score was said to be left open, that a question midway was
answered (with the call's own figure where it has one) and the interview went on."""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import yaml

from bot.rules.catalogue import catalogue
from bot.rules.prioritise import MAX_PROPOSALS, prioritised_calls
from bot.saying.messages import message_text
from bot.saying.texts import format_number
from simulation.people import PEOPLE, norm

CASES = PEOPLE / "prioritising.yaml"


def cases() -> list[dict]:
    return yaml.safe_load(CASES.read_text(encoding="utf-8"))


def marker(key: str, language: str) -> str:
    """The longest fixed stretch of a message's template: how the runner knows the bot said it."""
    literals = [literal for literal, *_ in string.Formatter().parse(message_text(key)(language))]
    return max(literals, key=len).strip(" *:")


def _said(replies: list[str], key: str) -> bool:
    return any(marker(key, language) in reply for reply in replies for language in ("nb", "en"))


def _figures_of_the_answer(kind: str, day) -> list[str]:
    """What an answer to a question of this kind must hold, from the call's data: the novelty weight, the most
    proposals to send, the ceiling of the grant. Questions with no one figure need only be answered."""
    call = prioritised_calls(catalogue())[0]
    figures = call.figures(day)
    return {"weights": [f"{round(call.assessment_criteria[1].weight * 100)}"],
            "how_many": [str(figures[MAX_PROPOSALS])],
            "max_grant": [norm(format_number(figures[call.ceiling], "en"))]}.get(kind, [])


@dataclass
class Played:
    case: Mapping[str, Any]
    replies: list[list[str]] = field(default_factory=list)  # per turn
    state: Mapping[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def play(case: Mapping[str, Any], say: Callable[[str], list[str]], state: Callable[[], Mapping[str, Any]],
         day) -> Played:
    """`say` sends a message and gives the bot's replies; `state` gives the conversation's state (Conversation's
    JSON) after the last turn."""
    played = Played(case)
    for text in case["turns"]:
        played.replies.append(say(text))
    played.state = state()
    expect, problems = case["expect"], played.problems
    every = [reply for replies in played.replies for reply in replies]
    if expect.get("started") and not _said(played.replies[0], "conversation.prioritise.start"):
        problems.append(f"did not start prioritising: {played.replies[0][:2]}")
    entered = {item["name"]: dict(item.get("scores") or {}) for item in played.state.get("proposals") or ()}
    current = played.state.get("proposal") or {}
    if current.get("name"):
        entered[current["name"]] = dict(current.get("scores") or {})
    for name, scores in (expect.get("proposals") or {}).items():
        if entered.get(name) != scores:
            problems.append(f"{name}: scores {entered.get(name)}, expected {scores}")
    if expect.get("ranked") and not any(_said([reply], "prioritise.title") for reply in played.replies[-1]):
        problems.append(f"no ranking after the last turn: {played.replies[-1][:2]}")
    if expect.get("skipped") and not _said(every, "conversation.prioritise.score_skipped"):
        problems.append("a skipped score was not said to be left open")
    kind = expect.get("answered_question")
    if kind:
        asked = next(index for index, text in enumerate(case["turns"]) if "?" in text and index > 0)
        answer = "\n".join(played.replies[asked])
        missing = [figure for figure in _figures_of_the_answer(kind, day) if figure not in norm(answer)]
        if not answer or _said(played.replies[asked], "conversation.not_understood") or missing:
            problems.append(f"question {case['turns'][asked]!r} not answered ({missing}): {answer[:200]}")
    return played
