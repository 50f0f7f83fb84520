"""One simulated conversation with the real assistant, and what it must show: the verdict and maximum grant per call
equal the engine's for the project, no "not eligible" before the facts it rests on were said and none reversed later
without the user changing anything, a what-if's verdict the engine's for the facts it supposes, no fact changed by a
message that only asked or wondered, at most 15 questions, none of them more than three times after an answer, and
no internal name in anything the user sees."""
from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Protocol

from bot.dialogue.intents import intents
from bot.rules.catalogue import catalogue
from bot.rules.engine import assess
from bot.rules.facts import facts
from bot.rules.profile import make_profile
from deploy.local import Bot as LocalBot
from simulation.profiles import Profile, known_truth
from simulation.user import SimulatedUser, recognise

MOST_QUESTIONS = 15
MOST_ASKS = 3
MOST_TURNS = 45
MARKS = {"✅": "eligible", "❌": "not_eligible", "❔": "unknown", "➖": "set_aside"}
# Names of the code's own (facts, intents, rules, calls), where they cannot be ordinary words ("companies" is one),
# and template placeholders left unfilled.
INTERNAL = re.compile(r"\b(" + "|".join(sorted({name for name in {*facts(), *intents(), "nlu_fallback", "action_converse",
                                                                   *(call.id for call in catalogue().calls),
                                                                   *(rule.id for call in catalogue().calls
                                                                     for rule in call.rules)}
                                                 if "_" in name or name in ("smes", "asker")},
                                                key=len, reverse=True)) + r")\b|\{\w+\}")
_GRANT = re.compile(r"^(?:Inntil|Up to) ([^(]+?) for (?:budsjettet deres|your budget)|"
                    r"for (?:budsjettet deres inntil|your budget up to) ([^.]+)\.")


class Bot(Protocol):
    def say(self, sender: str, text: str) -> list[dict]: ...


class RestBot:
    """The assistant through Rasa's REST channel, as a web page or a test client talks to it."""

    def __init__(self, base_url: str):
        self.url = base_url.rstrip("/") + "/webhooks/rest/webhook"

    def slots(self, sender: str) -> dict:
        """The conversation's slots, from the tracker Rasa's HTTP API gives."""
        with urllib.request.urlopen(f"{self.url.split('/webhooks/')[0]}/conversations/{LocalBot.conversation(sender)}/tracker",
                                    timeout=60) as response:
            return json.loads(response.read())["slots"]

    def say(self, sender: str, text: str) -> list[dict]:
        request = urllib.request.Request(self.url, data=json.dumps({"sender": sender, "message": text}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"[]")


def parse_verdict(text: str) -> dict[str, dict[str, Any]]:
    """Per call id: the verdict its mark shows, and the maximum grant for the budget where a line gives one."""
    names = {call.name(language): call.id for call in catalogue().calls for language in ("nb", "en")}
    found: dict[str, dict[str, Any]] = {}
    current = None
    for line in text.splitlines():
        header = re.match(r"^(✅|❌|❔|➖) \*\*(.+?)\*\*", line)
        if header and header.group(2) in names:
            current = names[header.group(2)]
            found[current] = {"verdict": MARKS[header.group(1)], "grant": None}
            continue
        grant = _GRANT.search(line)
        if current and grant:
            found[current]["grant"] = int(re.sub(r"\D", "", grant.group(1) or grant.group(2)))
    return found


@dataclass
class Transcript:
    profile: Profile
    seed: int
    turns: list[tuple[str, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    asked: Counter = field(default_factory=Counter)
    verdict: Optional[dict] = None
    turns_to_verdict: Optional[int] = None  # the user's messages until the first verdict
    asked_again: int = 0  # questions about a fact the user had already stated

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def questions(self) -> int:
        return len(self.asked)

    @property
    def reasks(self) -> int:
        return sum(times - 1 for times in self.asked.values())

    def text(self) -> str:
        lines = [f"--- {self.profile.name} (seed {self.seed}): {self.profile.facts}"]
        for user, replies in self.turns:
            lines.append(f"USER: {user}")
            lines += [f"  BOT: {reply}".replace("\n", "\n       ") for reply in replies]
        lines += [f"PROBLEM: {problem}" for problem in self.problems]
        return "\n".join(lines)


def _expected(known: dict[str, Any], day: dt.date) -> dict[str, Any]:
    return {item.call.id: item for item in assess(make_profile(known, date=day)).calls}


def converse(bot: Bot, profile: Profile, seed: int, day: dt.date, sender: Optional[str] = None,
             slots: Optional[Callable[[str], Mapping[str, Any]]] = None) -> Transcript:
    """The user's whole check. With `slots` (the conversation's slots by sender), every message that only asked or
    wondered is also checked to have changed no fact."""
    user = SimulatedUser(profile, seed)
    transcript = Transcript(profile, seed)
    sender = sender or f"sim-{profile.name}-{seed}"
    pending = user.opening()
    changes_at_verdict = 0
    while pending and len(transcript.turns) < MOST_TURNS:
        said = pending.pop(0)
        aside = bool(user.asides) and user.asides[0] == said
        if aside:
            user.asides.pop(0)
        before = _facts(slots(sender)) if slots and aside else None
        replies = [reply.get("text") or "" for reply in bot.say(sender, said)]
        transcript.turns.append((said, replies))
        if before is not None:
            after = _facts(slots(sender))
            changed = sorted(fact for fact in {*before, *after} if before.get(fact) != after.get(fact))
            if changed:
                transcript.problems.append(f"{said!r} only asked or wondered, yet changed {changed}")
        asked = None
        for reply in replies:
            if INTERNAL.search(reply):
                transcript.problems.append(f"internal name in {reply!r}")
            recognised = recognise(reply)
            if recognised is None:
                continue
            asked = recognised
            kind, key, _ = recognised
            if kind == "verdict":
                verdict = parse_verdict(reply)
                _check_no_before_the_facts(transcript, verdict, user.conveyed, day)
                if transcript.verdict is not None and user.changes == changes_at_verdict:
                    _check_not_reversed(transcript, transcript.verdict, verdict)
                transcript.verdict, changes_at_verdict = verdict, user.changes
                transcript.turns_to_verdict = transcript.turns_to_verdict or len(transcript.turns)
            elif kind == "what_if":
                _check_what_if(transcript, parse_verdict(reply), user.supposing, day)
            elif not aside:  # shown again after a question or a what-if is no re-ask
                transcript.asked[f"{kind}:{key}"] += 1
                transcript.asked_again += kind == "fact" and key in user.conveyed
        if pending:  # the user goes on with what they meant to say (a correction after a verdict too)
            continue
        if asked is None:
            if transcript.verdict is None:
                transcript.problems.append(f"the bot neither asked nor gave a verdict after {said!r}")
            break
        if asked[0] == "verdict":
            pending = user.correction()  # a verdict on a slip is followed by the slip put right
            if not pending:
                break
            continue
        pending = user.reply_to(asked)
    _check_end(transcript, profile, day)
    return transcript


def _facts(slots: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in slots.items() if name in facts() and value is not None}


def _check_not_reversed(transcript: Transcript, before: dict, now: dict) -> None:
    for call_id, shown in now.items():
        if before.get(call_id, {}).get("verdict") == "not_eligible" and shown["verdict"] != "not_eligible":
            transcript.problems.append(f"{call_id}: 'not eligible' reversed without the user changing anything")


def _check_what_if(transcript: Transcript, verdict: dict, supposing: Optional[dict], day: dt.date) -> None:
    """A what-if's verdict per call is the engine's on what the user had said with the what-if's change."""
    if supposing is None:
        transcript.problems.append("a what-if's verdict the user did not ask for")
        return
    expected = _expected(supposing, day)
    for call_id, shown in verdict.items():
        if shown["verdict"] not in ("set_aside", expected[call_id].verdict):
            transcript.problems.append(f"{call_id}: the what-if shows {shown['verdict']}, the engine "
                                       f"{expected[call_id].verdict} for {supposing}")


def _check_no_before_the_facts(transcript: Transcript, verdict: dict, conveyed: dict, day: dt.date) -> None:
    """A "no" rests only on what the user said or confirmed: the engine on those facts says "no" too."""
    try:
        expected = _expected(conveyed, day)
    except ValueError:
        return  # a slip the user is about to correct (more SMEs than companies) is no basis to judge on
    for call_id, shown in verdict.items():
        if shown["verdict"] == "not_eligible" and expected[call_id].verdict != "not_eligible":
            transcript.problems.append(f"{call_id}: 'not eligible' before the facts it rests on were said")


def _check_end(transcript: Transcript, profile: Profile, day: dt.date) -> None:
    if transcript.verdict is None:
        transcript.problems.append("no verdict")
        return
    expected = _expected(known_truth(profile), day)
    shown = set(transcript.verdict)
    wanted = {call.id for call in catalogue().calls if call.status(day) != "closed"}
    if profile.express:
        wanted |= {call.id for call in catalogue().calls if call.status(day) == "closed"}
    if not wanted <= shown:
        transcript.problems.append(f"the verdict shows {sorted(shown)}, not {sorted(wanted)}")
    for call_id, verdict in transcript.verdict.items():
        item = expected[call_id]
        if verdict["verdict"] == "set_aside":  # "not checked: its applications come from a company"
            applicants = item.call.applicants
            if applicants is None or profile.asker in applicants:
                transcript.problems.append(f"{call_id}: set aside, though {profile.asker} is among its applicants")
            continue
        if verdict["verdict"] != item.verdict:
            transcript.problems.append(f"{call_id}: the bot says {verdict['verdict']}, the engine {item.verdict}")
        if item.verdict != "not_eligible" and verdict["grant"] != item.max_grant_nok:
            transcript.problems.append(f"{call_id}: the bot's grant {verdict['grant']}, the engine's "
                                       f"{item.max_grant_nok}")
    if transcript.questions > MOST_QUESTIONS:
        transcript.problems.append(f"{transcript.questions} questions")
    for question, times in transcript.asked.items():
        if times > MOST_ASKS:
            transcript.problems.append(f"{question} asked {times} times")
