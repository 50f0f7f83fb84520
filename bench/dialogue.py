"""The whole bot over REST: scripted conversations (tests/cases/conversations.yaml) through the real
servers, their success rate, message latency at several concurrency levels, and server memory.

Two kinds of load. Flat out: each conversation sends its next message the moment the reply arrives, which
measures what one Rasa process can take (its saturation) and how latency grows past it. At human pace:
each user reads and types for THINK_SECONDS between messages, which is what concurrent conversations on a
cluster's website are.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.engine import assessments_per_second
from bench.load import cpu_seconds, percentile, play, resident_mb
from tests.cases import load_cases
from tests.servers import running_bot

CONCURRENCY = (1, 10, 50)
HUMAN_PACE_CONCURRENCY = (10, 50)
THINK_SECONDS = (2.0, 6.0)  # a user's pause before each message, drawn evenly from this range
CHECKS_AT_LEAST = 6  # per level: the three scripted checks twice, or one check per concurrent conversation


def _load(bot, scripts, workers: int, think=None) -> tuple[list[tuple[bool, list[float]]], float, str]:
    """Runs the conversations of one load level: (their results, seconds taken, the level's report line)."""
    jobs = [(scripts[number % len(scripts)], f"bench-{'paced' if think else 'flat'}-{workers}-{number}")
            for number in range(max(workers, CHECKS_AT_LEAST))]
    start, rasa_cpu = time.perf_counter(), cpu_seconds(bot.pids["rasa"])
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda job: play(bot.say, *job, think=think), jobs))
    elapsed, rasa_cpu = time.perf_counter() - start, cpu_seconds(bot.pids["rasa"]) - rasa_cpu
    latencies = [latency for _, timings in results for latency in timings]
    passed = sum(ok for ok, _ in results)
    pace = f"at human pace ({THINK_SECONDS[0]:g}-{THINK_SECONDS[1]:g} s between messages)" if think else "flat out"
    return results, elapsed, (
        f"{workers} concurrent conversation(s) {pace}: {passed}/{len(results)} scripted checks ended with the right "
        f"verdict and grant; latency p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, p99 {percentile(latencies, 0.99) * 1000:.0f} ms; "
        f"{len(latencies) / elapsed:.1f} messages/s; Rasa's CPU {rasa_cpu / len(latencies) * 1000:.1f} ms per message")


def run() -> list[str]:
    scripts = [script for script in load_cases("conversations")["conversations"] if script["verdict"]]
    lines = []
    with tempfile.TemporaryDirectory() as directory, running_bot(Path(directory), "2015-06-01") as bot:
        for workers in HUMAN_PACE_CONCURRENCY:
            lines.append(_load(bot, scripts, workers, think=THINK_SECONDS)[2])
        for workers in CONCURRENCY:
            results, elapsed, line = _load(bot, scripts, workers)
            lines.append(line)
            if workers == 1:
                full_check = statistics.mean(sum(timings) for _, timings in results)
                lines.append(f"a full scripted check takes {full_check:.2f} s of round trips on average")
        engine_rate, _ = assessments_per_second(seconds=1.0)
        lines.append(f"engine alone: {1000 / engine_rate:.3f} ms per assessment (the rest is Rasa, HTTP and NLU)")
        lines.append(f"resident memory after the load: Rasa {resident_mb(bot.pids['rasa']):.0f} MB, "
                     f"action server {resident_mb(bot.pids['actions']):.0f} MB")
    return lines
