"""The whole bot over REST: scripted conversations (tests/cases/conversations.yaml) through the real
servers, their success rate, message latency at several concurrency levels, and server memory."""
from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.engine import assessments_per_second
from tests.cases import load_cases
from tests.servers import running_bot

CONCURRENCY = (1, 10, 50)
CHECKS_AT_LEAST = 6  # per level: the three scripted checks twice, or one check per concurrent conversation


def _play(bot, script, sender) -> tuple[bool, list[float]]:
    """One conversation; (every expectation held, latency of each message in seconds)."""
    latencies, ok = [], True
    for user, *expected in script["turns"]:
        start = time.perf_counter()
        replies = bot.say(sender, user)
        latencies.append(time.perf_counter() - start)
        whole = "\n".join(replies)
        ok = ok and bool(replies) and expected[0] in replies[-1] and all(text in whole for text in expected[1:])
    return ok, latencies


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run() -> list[str]:
    scripts = [script for script in load_cases("conversations")["conversations"] if script["verdict"]]
    lines = []
    with tempfile.TemporaryDirectory() as directory, running_bot(Path(directory), "2015-06-01") as bot:
        for workers in CONCURRENCY:
            jobs = [(scripts[number % len(scripts)], f"bench-{workers}-{number}")
                    for number in range(max(workers, CHECKS_AT_LEAST))]
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(lambda job: _play(bot, *job), jobs))
            elapsed = time.perf_counter() - start
            latencies = [latency for _, timings in results for latency in timings]
            passed = sum(ok for ok, _ in results)
            lines.append(f"{workers} concurrent conversation(s): {passed}/{len(results)} scripted checks ended with "
                         f"the right verdict and grant; latency p50 {_percentile(latencies, 0.5) * 1000:.0f} ms, "
                         f"p95 {_percentile(latencies, 0.95) * 1000:.0f} ms, p99 {_percentile(latencies, 0.99) * 1000:.0f} ms; "
                         f"{len(latencies) / elapsed:.1f} messages/s")
            if workers == 1:
                full_check = statistics.mean(sum(timings) for _, timings in results)
                lines.append(f"a full scripted check takes {full_check:.2f} s of round trips on average")
        engine_rate, _ = assessments_per_second(seconds=1.0)
        lines.append(f"engine alone: {1000 / engine_rate:.3f} ms per assessment (the rest is Rasa, HTTP and NLU)")
        lines.append(f"resident memory after the load: Rasa {_resident_mb(bot.pids['rasa']):.0f} MB, "
                     f"action server {_resident_mb(bot.pids['actions']):.0f} MB")
    return lines
