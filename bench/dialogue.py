"""The whole bot over REST beside the bot `rasa init` makes, in the same run on the same machine (issue 14).

Two kinds of load. Flat out: each conversation sends its next message the moment the reply arrives, which measures
what one Rasa process can take and how latency grows past it. At human pace: each user reads and types for
THINK_SECONDS before each message, which is what concurrent conversations on a cluster's website are. This
project's conversations are simulated users doing a whole check (simulation/); the starter bot's are its own twelve
messages (bench/starter.py). CPU per message comes from each process's own accounting in /proc.
The whole corpus of simulated users, one after another, is in bench/understanding.py."""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from bench.load import Level, run_level, resident_mb, scripted, simulated
from bench.starter import SCRIPT, running_starter_bot
from deploy.local import running_bot
from simulation.harness import RestBot
from simulation.profiles import make_profiles

CONCURRENCY = (1, 10, 50)
HUMAN_PACE_CONCURRENCY = (10, 50)
THINK_SECONDS = (2.0, 6.0)
CONVERSATIONS_AT_LEAST = 6  # per level, so that one conversation is not the whole sample


def _compare(label: str, ours: Level, starter: Level) -> str:
    return (f"{label}: this project {ours.described()} | `rasa init` bot {starter.described()} | "
            f"p95 ratio {ours.p(0.95) / starter.p(0.95):.2f}, p50 ratio {ours.p(0.5) / starter.p(0.5):.2f}")


def run() -> list[str]:
    day = dt.date.today()
    users = make_profiles(max(CONCURRENCY + HUMAN_PACE_CONCURRENCY))
    lines = []
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "starter").mkdir()
        start = time.perf_counter()
        with running_bot(Path(directory) / "klyngebot", day.isoformat()) as bot:
            startup = time.perf_counter() - start
            with running_starter_bot(Path(directory) / "starter") as starter:
                lines.append(f"start-up with a trained model, until the first answer: this project {startup:.0f} s "
                             f"(Rasa and the action server), `rasa init` bot {starter.startup_seconds:.0f} s; "
                             f"training the `rasa init` bot took {starter.training_seconds:.0f} s")
                client = RestBot(bot.base)
                ours_pids, starter_pids = [bot.pids["rasa"]], [starter.pid]
                for pace, levels, think in (("flat out", CONCURRENCY, None),
                                            ("at human pace", HUMAN_PACE_CONCURRENCY, THINK_SECONDS)):
                    for workers in levels:
                        count = max(workers, CONVERSATIONS_AT_LEAST)
                        tag = f"{'paced' if think else 'flat'}-{workers}"
                        ours = run_level([simulated(client.say, users[(workers + number) % len(users)], number,
                                                    f"bench-{tag}-{number}", day, think) for number in range(count)],
                                         workers, ours_pids)
                        theirs = run_level([scripted(starter.client.say, SCRIPT, f"bench-{tag}-{number}", think)
                                            for number in range(count)], workers, starter_pids)
                        lines.append(_compare(f"{workers} conversation(s) {pace}", ours, theirs))
                        if workers == 10 and not think:
                            actions = run_level([simulated(client.say, users[number], number, f"bench-cpu-{number}",
                                                           day)
                                                 for number in range(count)], workers, [bot.pids["actions"]])
                            lines.append(f"the action server's CPU at 10 conversations flat out: "
                                         f"{actions.cpu_per_message * 1000:.1f} ms per message")
                lines.append(f"resident memory after the load: this project's Rasa {resident_mb(bot.pids['rasa']):.0f} MB"
                             f", its action server {resident_mb(bot.pids['actions']):.0f} MB; `rasa init` bot's Rasa "
                             f"{resident_mb(starter.pid):.0f} MB")
    return lines
