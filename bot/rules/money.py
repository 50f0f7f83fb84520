"""Converting between kroner and euro at the rate in force on a day (data/sme.yaml)."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from bot.resources import load_yaml
from bot.rules.timeline import Timeline


@lru_cache(maxsize=None)
def _rates() -> Timeline:
    return Timeline.from_mapping(load_yaml("sme.yaml")["exchange_rate"]["values"], "sme.yaml: exchange_rate")


def nok_per_eur(day: dt.date) -> float:
    return _rates().at(day)["nok_per_eur"]


def nok_to_eur(amount_nok: float, day: dt.date) -> float:
    return amount_nok / nok_per_eur(day)
