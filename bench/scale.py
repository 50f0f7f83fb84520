"""One address, several processes: the flat-out load of bench/dialogue.py (simulated users doing whole checks, each
sending its next message the moment the reply arrives) over REST through nginx with TLS, as
`make serve` runs it (PostgreSQL tracker store, Redis lock store), with one and with two Rasa processes,
side by side. Rasa's CPU per message is summed over its processes.

Then how many conversations at human pace (a message every 10–20 s each, as people read and type) each set-up holds
with p95 under 300 ms and no error: the number of conversations doubles until one of the two fails, and the largest
that passed is the answer. Each level runs for a window of WINDOW_SECONDS with every conversation already under way
(each starts at a random point of its first pause), saying a check and then the questions asked after a verdict."""
from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle
from pathlib import Path

from bench.load import Level, percentile, run_level, simulated
from bench.long import AFTERWARDS, CHECK
from deploy.processes import ROOT
from deploy.rasa_config import ACTIONS_TOKEN, API_TOKEN, REST_TOKEN
from deploy.serve import ensure_database, running_stack
from simulation.profiles import make_profiles

PROCESSES = (1, 2)
CONCURRENCY = (10, 50)
DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/klyngebot_bench"
REDIS_URL = "redis://127.0.0.1:6379/6"
PACE_SECONDS = (10.0, 20.0)
WINDOW_SECONDS = 60.0
HUMAN_PACE_START, HUMAN_PACE_MOST = 25, 1600
P95_WITHIN = 0.300


def _flat_out(stack, workers: int, run: str) -> Level:
    """One load level: `workers` simulated users at once, none pausing between messages."""
    day = dt.date.today()
    users = make_profiles(workers)
    return run_level([simulated(stack.send, user, number, f"scale-{run}-{workers}-{number}", day)
                      for number, user in enumerate(users)], workers,
                     [stack.processes.processes[name].pid for name in stack.rasa_ports])


def _human_pace(stack, conversations: int, run: str) -> tuple[float, int, int]:
    """`conversations` people at human pace for the window: (p95 latency, messages answered, errors)."""
    end = time.monotonic() + WINDOW_SECONDS

    def person(number: int) -> tuple[list[float], int]:
        pauses, sender, latencies, errors = random.Random(number), f"pace-{run}-{conversations}-{number}", [], 0
        time.sleep(pauses.uniform(0, PACE_SECONDS[1]))
        for text in cycle(CHECK + AFTERWARDS):
            if time.monotonic() >= end:
                break
            start = time.perf_counter()
            try:
                errors += not stack.send(sender, text)
            except OSError:  # refused, reset or timed out: an error the person sees
                errors += 1
            latencies.append(time.perf_counter() - start)
            time.sleep(pauses.uniform(*PACE_SECONDS))
        return latencies, errors

    with ThreadPoolExecutor(max_workers=conversations) as pool:
        results = list(pool.map(person, range(conversations)))
    latencies = [latency for timings, _ in results for latency in timings]
    return percentile(latencies, 0.95), len(latencies), sum(errors for _, errors in results)


def _human_pace_capacity(stack, run: str) -> str:
    held, conversations, failed = None, HUMAN_PACE_START, ""
    while conversations <= HUMAN_PACE_MOST:
        p95, messages, errors = _human_pace(stack, conversations, run)
        measured = f"{conversations} conversations: p95 {p95 * 1000:.0f} ms over {messages} messages, {errors} errors"
        if p95 >= P95_WITHIN or errors:
            failed = f"; {measured}"
            break
        held, conversations = measured, conversations * 2
    return f"holds {held or 'none'}{failed or ' (the most tried)'}"


def run() -> list[str]:
    subprocess.run([str(ROOT / "scripts" / "ensure-services"), "nginx", "postgresql", "redis"], check=True)
    ensure_database(DATABASE_URL)
    run_id = os.urandom(4).hex()  # a new conversation id each run, in the kept database
    environment = {**os.environ, **{name: os.urandom(24).hex() for name in (API_TOKEN, REST_TOKEN, ACTIONS_TOKEN)},
                   "KLYNGEBOT_HASH_KEY": os.urandom(32).hex(), "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL}
    measured = {}
    for processes in PROCESSES:
        with tempfile.TemporaryDirectory() as directory, \
                running_stack(Path(directory), environment, rasa_processes=processes) as stack:
            for workers in CONCURRENCY:
                measured[processes, workers] = _flat_out(stack, workers, f"{run_id}-{processes}")
            measured[processes, "paced"] = _human_pace_capacity(stack, f"{run_id}-{processes}")
    def named(processes: int) -> str:
        return f"{processes} Rasa process{'es' if processes > 1 else ''}"
    flat_out = [f"{workers} simulated users at once, flat out through nginx: "
                + "; ".join(f"{named(processes)}: {measured[processes, workers].described()}" for processes in PROCESSES)
                for workers in CONCURRENCY]
    paced = (f"at human pace (a message every {PACE_SECONDS[0]:.0f}–{PACE_SECONDS[1]:.0f} s), with p95 under "
             f"{P95_WITHIN * 1000:.0f} ms and no error: "
             + "; ".join(f"{named(processes)} {measured[processes, 'paced']}" for processes in PROCESSES))
    return [*flat_out, paced, f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end "
                              "(other work on the machine slows every figure)"]
