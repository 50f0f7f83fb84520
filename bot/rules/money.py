"""Kroner and euro at Norges Bank's annual average rate of the year that matters (data/exchange_rates.yaml).

An enterprise's accounts are converted at the average of the year they cover; a budget at the average of the
latest year before the reference date. A year whose average is not in the data falls back on the nearest one
that is, and every rate carries its year and source, so that whoever states a converted figure says which
rate it used.
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from bot.resources import DataError, load_yaml


@dataclass(frozen=True)
class ExchangeRate:
    year: int
    nok_per_eur: float
    source: str

    def to_eur(self, amount_nok: float) -> float:
        return amount_nok / self.nok_per_eur

    def to_nok(self, amount_eur: float) -> float:
        return amount_eur * self.nok_per_eur


@lru_cache(maxsize=None)
def exchange_rates() -> tuple[ExchangeRate, ...]:
    """Every published annual average, oldest first."""
    raw = (load_yaml("exchange_rates.yaml") or {}).get("rates")
    if not isinstance(raw, dict) or not raw:
        raise DataError("exchange_rates.yaml: needs at least one rate under 'rates', keyed by its year")
    rates = []
    for year, entry in raw.items():
        where = f"exchange_rates.yaml: {year}"
        if not isinstance(year, int) or not isinstance(entry, dict):
            raise DataError(f"{where}: each rate is keyed by its year and holds nok_per_eur and source")
        value, source = entry.get("nok_per_eur"), entry.get("source")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise DataError(f"{where}: nok_per_eur must be a number above 0, not {value!r}")
        if not isinstance(source, str) or not source.strip():
            raise DataError(f"{where}: needs the source the figure was read from")
        rates.append(ExchangeRate(year=year, nok_per_eur=float(value), source=source.strip()))
    return tuple(sorted(rates, key=lambda rate: rate.year))


def rate_of_year(year: int) -> ExchangeRate:
    """The average of `year`, or when it is not published the latest one before it (the earliest published
    one for a year before them all)."""
    rates = exchange_rates()
    index = bisect.bisect_right([rate.year for rate in rates], year) - 1
    return rates[max(index, 0)]


def accounts_rate(day: dt.date, accounts_year: Optional[int] = None) -> ExchangeRate:
    """The rate for an enterprise's annual accounts: the average of the year they cover, by default the last
    full calendar year before `day` (Article 4(1) of the SME definition takes the latest closed accounts)."""
    return rate_of_year(accounts_year if accounts_year is not None else day.year - 1)


def budget_rate(day: dt.date) -> ExchangeRate:
    """The rate for a project budget given in euro: the latest published average before `day`'s year."""
    return rate_of_year(day.year - 1)
