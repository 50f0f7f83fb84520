"""The prioritising chats written by someone who had not read the code (tests/cases/people/prioritising.yaml),
through the real NLU and action server: at least the floor in tests/cases/people/floors.yaml pass, and a failure
lists each case that fails and why. Never train on them; when one fails, fix the class of misreading."""
import datetime as dt
import uuid

import pytest
import yaml

from simulation.people import PEOPLE
from simulation.prioritising import cases, play

pytestmark = pytest.mark.slow
FLOOR = yaml.safe_load((PEOPLE / "floors.yaml").read_text(encoding="utf-8"))["prioritising"]


def test_the_prioritising_chats_pass_at_least_their_floor(assistant):
    results = []
    for case in cases():
        sender = f"prioritising-{uuid.uuid4().hex}"
        results.append(play(case, lambda text, sender=sender: assistant.say(sender, text),
                            lambda sender=sender: assistant.slots(sender)["dialogue"], dt.date.today()))
    failed = [result for result in results if not result.passed]
    assert len(results) >= 40 and len(results) - len(failed) >= FLOOR, \
        f"{len(results) - len(failed)}/{len(results)} pass, the floor is {FLOOR}:\n" + \
        "\n".join(f"{result.case['id']}: {result.problems[:3]}" for result in failed)
