"""The test tables, shared by the engine tests and the conversation tests."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).resolve().parent
# The tables of cases worked by hand for bot/rules/: one shape (tests/unit/rules/test_case_tables.py).
HAND_WORKED = ("assess", "sme", "sme_questions")


def load_cases(name: str) -> Any:
    with open(CASES_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def hand_worked(name: str) -> list[dict]:
    """The cases of one of the HAND_WORKED tables."""
    assert name in HAND_WORKED, name
    return load_cases(name)["cases"]
