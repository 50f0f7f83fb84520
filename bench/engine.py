"""How fast the eligibility engine is, alone and through its CLI."""
from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import time

from bot.rules.engine import assess
from bot.rules.profile import make_profile
from bot.saying.verdicts import explain
from simulation.profiles import make_profiles


def _profiles():
    """The simulated users' projects, each as it stands halfway through its check and at its end."""
    day = dt.date(2026, 11, 24)
    projects = [profile.facts for profile in make_profiles(120)]
    return [make_profile(dict(list(facts.items())[:len(facts) // 2]), date=day) for facts in projects] + \
        [make_profile(facts, date=day) for facts in projects]


def assessments_per_second(seconds: float = 2.0) -> tuple[float, float]:
    """(assess only, assess + explain as JSON-ready dict), over the table of cases, on one core."""
    profiles = _profiles()
    rates = []
    for work in (assess, lambda profile: explain(assess(profile))):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for profile in profiles:
                work(profile)
            count += len(profiles)
        rates.append(count / (time.perf_counter() - start))
    return rates[0], rates[1]


def cli_start_up(runs: int = 5) -> float:
    """Median seconds for `python -m bot assess` on a one-line profile, start to exit."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "assess", "--json", "-"], input='{"applicant": "company"}',
                       capture_output=True, text=True, check=True)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def run() -> list[str]:
    bare, explained = assessments_per_second()
    return [
        f"engine: {bare:,.0f} assessments/s on one core (target >= 20,000)",
        f"engine + explanation: {explained:,.0f} assessments/s",
        f"CLI start-up and one assessment: {cli_start_up() * 1000:.0f} ms (median of 5)",
    ]
