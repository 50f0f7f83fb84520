"""The intents the NLU tells apart (data/intents.yaml): their names as constants, and what each is."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Optional

from bot.resources import DataError, load_yaml

KINDS = ("answer", "statement", "command", "question", "small_talk")
FALLBACK = "nlu_fallback"  # Rasa's own, when no intent is likely enough

GREET, GOODBYE, THANK, BOT_CHALLENGE, OUT_OF_SCOPE = "greet", "goodbye", "thank", "bot_challenge", "out_of_scope"
AFFIRM, DENY, SKIP, INFORM = "affirm", "deny", "skip_question", "inform"
WHY, START_OVER, FORGET_ME, HANDOFF = "why", "start_over", "forget_me", "human_handoff"
CHECK, CHECK_SME, PRIORITISE = "check_eligibility", "check_sme", "prioritise"


@dataclass(frozen=True)
class Intent:
    name: str
    kind: str
    topic: Optional[str] = None
    refine: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@lru_cache(maxsize=None)
def intents() -> Mapping[str, Intent]:
    found = {}
    for name, spec in load_yaml("intents.yaml")["intents"].items():
        if spec.get("kind") not in KINDS:
            raise DataError(f"intents.yaml: {name}: kind must be one of {', '.join(KINDS)}")
        if (spec["kind"] == "question") != ("topic" in spec):
            raise DataError(f"intents.yaml: {name}: a question, and only a question, has a topic")
        found[name] = Intent(name=name, kind=spec["kind"], topic=spec.get("topic"),
                             refine={topic: tuple(words) for topic, words in (spec.get("refine") or {}).items()})
    for constant in (GREET, GOODBYE, THANK, BOT_CHALLENGE, OUT_OF_SCOPE, AFFIRM, DENY, SKIP, INFORM, WHY, START_OVER,
                     FORGET_ME, HANDOFF, CHECK, CHECK_SME, PRIORITISE):
        if constant not in found:
            raise DataError(f"intents.yaml: the conversation needs the intent {constant!r}")
    return found


def kind_of(intent: Optional[str]) -> Optional[str]:
    known = intents().get(intent or "")
    return known.kind if known else None
