"""Scripted conversations played against a running bot, and what they are measured by: latency
percentiles and a process's CPU time from /proc (bench/dialogue.py, bench/scale.py)."""
from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Callable

Say = Callable[[str, str], list]  # (sender, message) -> the bot's replies as texts


def play(say: Say, script: dict, sender: str, think: tuple[float, float] | None = None) -> tuple[bool, list[float]]:
    """One conversation; (every expectation held, latency of each message in seconds)."""
    latencies, ok = [], True
    pauses = random.Random(sender)
    for user, *expected in script["turns"]:
        if think:
            time.sleep(pauses.uniform(*think))
        start = time.perf_counter()
        replies = say(sender, user)
        latencies.append(time.perf_counter() - start)
        whole = "\n".join(replies)
        ok = ok and bool(replies) and expected[0] in replies[-1] and all(text in whole for text in expected[1:])
    return ok, latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # user + system time
