"""Conversations played against a running bot, and what they are measured by: latency percentiles, messages per
second, and a process's CPU time from /proc (bench/dialogue.py, bench/scale.py, bench/long.py).

The load on this project is the simulated users of simulation/: each describes its own project in its own words,
answers the questions the bot asks and checks the verdict against the engine, so a fast answer that is wrong counts
as a failed conversation, not as a fast one."""
from __future__ import annotations

import datetime as dt
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from simulation.harness import converse
from simulation.profiles import Profile

Send = Callable[[str, str], list]  # (sender, message) -> the REST channel's replies
Think = Optional[tuple[float, float]]  # a user's pause before each message, drawn evenly from this range
Conversation = Callable[[], tuple[bool, list[float]]]  # plays one conversation: (it ended right, its latencies)


class Timed:
    """A bot whose every answer is timed; a user at human pace reads and types before each message."""

    def __init__(self, send: Send, think: Think, seed: str):
        self.send, self.think, self.pauses = send, think, random.Random(seed)
        self.latencies: list[float] = []

    def say(self, sender: str, text: str) -> list:
        if self.think:
            time.sleep(self.pauses.uniform(*self.think))
        start = time.perf_counter()
        replies = self.send(sender, text)
        self.latencies.append(time.perf_counter() - start)
        return replies


def simulated(send: Send, user: Profile, seed: int, sender: str, day: dt.date, think: Think = None) -> Conversation:
    """One simulated user's whole check; it ends right when its verdict and grant are the engine's."""
    def play() -> tuple[bool, list[float]]:
        timed = Timed(send, think, sender)
        return converse(timed, user, seed, day, sender).passed, timed.latencies
    return play


def scripted(send: Send, messages: Sequence[str], sender: str, think: Think = None) -> Conversation:
    """A fixed list of messages; it ends right when every message got an answer."""
    def play() -> tuple[bool, list[float]]:
        timed = Timed(send, think, sender)
        return all(timed.say(sender, text) for text in messages), timed.latencies
    return play


@dataclass(frozen=True)
class Level:
    """One load level's outcome."""
    right: int
    conversations: int
    latencies: tuple[float, ...]
    seconds: float
    cpu_seconds: float  # of the measured processes, over the level

    def p(self, share: float) -> float:
        return percentile(self.latencies, share)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def cpu_per_message(self) -> float:
        return self.cpu_seconds / len(self.latencies)

    def described(self) -> str:
        return (f"p50 {self.p(0.5) * 1000:.0f} ms, p95 {self.p(0.95) * 1000:.0f} ms, p99 {self.p(0.99) * 1000:.0f} ms, "
                f"{self.rate:.1f} msg/s, CPU {self.cpu_per_message * 1000:.1f} ms/msg, "
                f"{self.right}/{self.conversations} right")


def run_level(conversations: Sequence[Conversation], workers: int, pids: Sequence[int]) -> Level:
    """Plays the conversations `workers` at a time; CPU is what the processes `pids` spent meanwhile."""
    start, cpu = time.perf_counter(), sum(map(cpu_seconds, pids))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda play: play(), conversations))
    seconds, cpu = time.perf_counter() - start, sum(map(cpu_seconds, pids)) - cpu
    return Level(right=sum(ok for ok, _ in results), conversations=len(results),
                 latencies=tuple(latency for _, timings in results for latency in timings), seconds=seconds,
                 cpu_seconds=cpu)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command's name (which may hold spaces): state, ppid, ..."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _descendants(pid: int) -> list[int]:
    """The process's children, theirs, and so on, as they run now: the action server's workers."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(_stat(int(entry.name))[1])
            except (OSError, IndexError, ValueError):  # a process that ended meanwhile
                continue
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found, frontier = found + children, children
    return found


def cpu_seconds(pid: int) -> float:
    """User and system time of the process and of every process under it (worker processes)."""
    total = 0
    for process in (pid, *_descendants(pid)):
        try:
            fields = _stat(process)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")
