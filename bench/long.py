"""The cost of a long conversation: the latency of turn 5, 25 and 100 of one conversation, on SQLite and on
PostgreSQL, so that the tracker store's replay of the conversation's events shows if it grows with them.

Each conversation is a whole check followed by the one-off questions and what-ifs a user asks after a verdict,
round and round; a turn's latency is the median of the five turns around it over three conversations."""
from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import tempfile
from itertools import cycle, islice
from pathlib import Path

from bench.load import Timed
from deploy.local import running_bot
from deploy.processes import ROOT
from deploy.serve import ensure_database
from simulation.harness import RestBot

CHECK = ["kan vi søke?", "NCE", "tre", "to av dem", "ingen", "nei", "ja", "ja", "ja", "ja", "1,2 mill"]
AFTERWARDS = ["hva er maks tilskudd?", "hvorfor?", "kan et universitet være partner?",
              "hvor mange forslag kan klyngen sende?", "og med én SMB til?", "hva er fristen?",
              "what costs are eligible?", "how long can a project last?", "takk!", "hvem søker?"]
TURNS = (5, 25, 100)
AROUND = 2  # turns on each side of a measured turn
CONVERSATIONS = 3
POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/klyngebot_bench_long"


def _latencies(client: RestBot, sender: str) -> list[float]:
    messages = CHECK + list(islice(cycle(AFTERWARDS), max(TURNS) + AROUND - len(CHECK)))
    timed = Timed(client.say, None, sender)
    for text in messages:
        timed.say(sender, text)
    return timed.latencies


def _per_turn(client: RestBot, store: str) -> dict[int, float]:
    runs = [_latencies(client, f"long-{store}-{dt.datetime.now():%H%M%S%f}-{number}") for number in range(CONVERSATIONS)]
    return {turn: statistics.median(latency for latencies in runs for latency in latencies[turn - 1 - AROUND:turn + AROUND])
            for turn in TURNS}


def run() -> list[str]:
    subprocess.run([str(ROOT / "scripts" / "ensure-services"), "postgresql"], check=True)
    ensure_database(POSTGRESQL)
    measured = {}
    for store, url in (("SQLite", None), ("PostgreSQL", POSTGRESQL)):
        with tempfile.TemporaryDirectory() as directory, \
                running_bot(Path(directory), dt.date.today().isoformat(), database_url=url) as bot:
            measured[store] = _per_turn(RestBot(bot.base), store)
    return [f"{store}: " + ", ".join(f"turn {turn} {seconds * 1000:.0f} ms" for turn, seconds in per_turn.items())
            + f" (turn 100 / turn 5: {per_turn[100] / per_turn[5]:.2f})" for store, per_turn in measured.items()]
