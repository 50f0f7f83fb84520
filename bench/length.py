"""Time per message against its length: a project told at 100 to 2,000 characters (the longest message read,
bot.dialogue.message.MAX_CHARS), and one twice as long, which is refused at the door. Each length is sent as the first
message of fresh conversations, so only the length differs; the action server's CPU per message is the readers' cost
alone (Rasa's NLU is the rest)."""
from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from bench.load import cpu_seconds
from bot.dialogue.message import MAX_CHARS
from deploy.local import running_bot
from simulation.harness import RestBot

# A project as people tell it when they tell all of it: counts, money, countries, a negation, a what-if.
STORY = ("Vi er en NCE-klynge med 6 bedrifter, 4 av dem SMB-er, og ingen utenlandske. Budsjettet er 1,2 mill kr, "
         "og vi vil samarbeide med NTNU. Hva om vi tar med to bedrifter fra Sverige? ")
LENGTHS = (100, 250, 500, 1000, MAX_CHARS, 2 * MAX_CHARS)
SAMPLES = 10


def _text(length: int) -> str:
    return (STORY * (length // len(STORY) + 1))[:length].strip()


def run() -> list[str]:
    lines = []
    with tempfile.TemporaryDirectory() as directory, \
            running_bot(Path(directory), dt.date.today().isoformat()) as bot:
        client, actions = RestBot(bot.base), bot.pids["actions"]
        client.say("length-warm-up", _text(100))
        for length in LENGTHS:
            latencies, cpu = [], cpu_seconds(actions)
            for number in range(SAMPLES):
                start = time.perf_counter()
                client.say(f"length-{length}-{number}-{time.time_ns()}", _text(length))
                latencies.append(time.perf_counter() - start)
            cpu = (cpu_seconds(actions) - cpu) / SAMPLES
            refused = " (refused at the door)" if length > MAX_CHARS else ""
            lines.append(f"{length:,} characters{refused}: median {statistics.median(latencies) * 1000:.0f} ms, "
                         f"slowest {max(latencies) * 1000:.0f} ms, action server CPU {cpu * 1000:.0f} ms per message")
    return lines
