"""How fast the SME rules are: whole classifications, and the goal-driven step a conversation calls per answer."""
from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

import yaml

from bot.cli.input import classify_sme_json
from bot.rules.sme_questions import sme_questions_asked, sme_step

DAY = dt.date(2026, 11, 24)
TABLES = Path(__file__).resolve().parent.parent / "tests" / "cases"


def load_cases(name: str):
    """The hand-worked tables are the tests' data; the benchmark reads them, it does not import the tests."""
    return yaml.safe_load((TABLES / f"{name}.yaml").read_text(encoding="utf-8"))


def classifications_per_second(seconds: float = 2.0) -> float:
    """Over the table of hand-worked cases (tests/cases/sme.yaml), JSON input validated each time, one core."""
    inputs = [row["input"] for row in load_cases("sme")["cases"]]
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for data in inputs:
            classify_sme_json(data, DAY)
        count += len(inputs)
    return count / (time.perf_counter() - start)


def step_times() -> tuple[float, float]:
    """(median, slowest) milliseconds of one sme_step, over every stage of the question table and of a whole
    conversation in which an enterprise's holder turns out to be a venture capital company."""
    stages = [row["known"] for row in load_cases("sme_questions")["cases"]]
    truth = {"employees": 40, "turnover_eur": 15e6, "balance_sheet_eur": 12e6, "holding": True,
             "holding_direction": "owned", "holder_kind": "venture_capital", "holding_pct": 40,
             "holder_controls": True, "holder_in_management": True, "other_employees": 30,
             "other_turnover_eur": 4e6, "other_balance_sheet_eur": 3e6}
    known: dict = {}
    for _ in sme_questions_asked():
        stages.append(dict(known))
        step = sme_step(known, DAY)
        if step.result is not None:
            break
        known[step.needed[0]] = truth[step.needed[0]]
    timings = []
    for stage in stages:
        start = time.perf_counter()
        sme_step(stage, DAY)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), max(timings)


def run() -> list[str]:
    median, slowest = step_times()
    return [
        f"SME classification: {classifications_per_second():,.0f}/s on one core (hand-worked table, JSON input)",
        f"goal-driven step (next question or verdict): median {median:.1f} ms, slowest {slowest:.1f} ms",
    ]
