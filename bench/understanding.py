"""How well the bot understands people, per corpus and by who wrote it (issue 20): the team's simulated users, the
people's conversations and questions (tests/cases/people/, written by people who had not read the reader), and the
acceptance set written outside the team (../shared/acceptance/, where it is on this machine).

For conversations: how many pass, the user's messages until the first verdict, questions about a fact the bot
already had, and "not eligible" shown and then reversed without the user changing anything. For questions: how many
are answered with their facts, of "the texts don't say" answers how many were right (precision) and how many of the
questions the texts do not answer got one (recall), and how many got an answer to another question."""
from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from deploy.local import running_bot
from simulation.harness import RestBot, converse
from simulation.people import People, conversations, questions, says_texts_are_silent, summary
from simulation.profiles import make_profiles

CORPUS = 360
ACCEPTANCE = Path(__file__).resolve().parents[2] / "shared" / "acceptance"


def _turns(counts: list[int]) -> str:
    return f"median {statistics.median(counts):g}, at most {max(counts)}" if counts else "none reached"


def _simulated(client: RestBot, day: dt.date) -> list[str]:
    transcripts = [converse(client, user, seed, day, sender=f"understanding-{seed}", slots=client.slots)
                   for seed, user in enumerate(make_profiles(CORPUS))]
    turns = [transcript.turns_to_verdict for transcript in transcripts if transcript.turns_to_verdict]
    reversed_ = sum(any("reversed" in problem for problem in transcript.problems) for transcript in transcripts)
    return [f"simulated users (the team's): {sum(t.passed for t in transcripts)}/{len(transcripts)} pass; messages "
            f"to the first verdict {_turns(turns)}; facts asked again "
            f"{sum(t.asked_again for t in transcripts)}; 'not eligible' reversed unasked {reversed_}"]


def _people(bot) -> list[str]:
    people = People(bot.say, bot.slots)
    figures = summary([people.play(case) for case in conversations()])
    passed, total = figures["passed"]
    lines = [f"people's conversations (not the team's): {passed}/{total} pass; messages to the first verdict "
             f"{_turns(figures['turns_to_verdict'])}; facts asked again {figures['asked_again']}; "
             f"'not eligible' reversed unasked {figures['reversed']}",
             "by class: " + ", ".join(f"{name} {good}/{count}" for name, (good, count)
                                      in sorted(figures["classes"].items()))]
    asked = [(case, *people.ask(case)) for case in questions()]
    silent_cases = [case for case, *_ in asked if not case.get("answered", True)]
    said_silent = [(case, reply) for case, _, reply, _ in asked if says_texts_are_silent(reply)]
    right_silent = sum(not case.get("answered", True) for case, _ in said_silent)
    # an answer that is neither right nor "the texts don't say": it answers another question (to drive to zero)
    other = sum(not good and not says_texts_are_silent(reply) for _, good, reply, _ in asked)
    lines.append(f"people's questions: {sum(good for _, good, _, _ in asked)}/{len(asked)} answered with their "
                 f"facts; 'the texts don't say' precision {right_silent}/{len(said_silent)}, recall "
                 f"{right_silent}/{len(silent_cases)}; answers to another question {other}")
    return lines


def _acceptance(base: str) -> list[str]:
    if not (ACCEPTANCE / "run").exists():
        return [f"acceptance set: not on this machine ({ACCEPTANCE})"]
    with tempfile.TemporaryDirectory() as directory:
        results = Path(directory) / "results.json"
        subprocess.run([sys.executable, str(ACCEPTANCE / "run"), "all", "--url", base, "--json", str(results)],
                       capture_output=True, text=True, timeout=3600)
        if not results.exists():
            return ["acceptance set: the runner wrote no results"]
        by_part: dict[str, list[bool]] = {}
        for result in json.loads(results.read_text(encoding="utf-8")):
            by_part.setdefault(result["part"], []).append(bool(result["pass"]))
    return ["acceptance set (outside the team): " + ", ".join(f"{part} {sum(passes)}/{len(passes)}"
                                                             for part, passes in sorted(by_part.items()))]


def run() -> list[str]:
    day = dt.date.today()
    with tempfile.TemporaryDirectory() as directory, \
            running_bot(Path(directory) / "klyngebot", day.isoformat()) as bot:
        client = RestBot(bot.base)
        return [*_simulated(client, day), *_people(bot), *_acceptance(bot.base)]
