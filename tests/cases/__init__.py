"""The test tables, shared by the engine tests and the conversation tests."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).resolve().parent


def load_cases(name: str) -> Any:
    with open(CASES_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def assessment_cases() -> list[dict]:
    return load_cases("assess")["cases"]
