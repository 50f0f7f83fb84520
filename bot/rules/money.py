"""Kroner and euro at Norges Bank's annual average rate of the year that matters (data/exchange_rates.yaml).

An enterprise's accounts are converted at the average of the year they cover; a budget at the average of the
latest year before the reference date. A year whose average is not in the data falls back on the nearest one
that is, never silently: that rate says which year it stands in for, and every rate carries its year and source,
so that whoever states a converted figure says which rate it used and why. A stand-in is known only within its
drift (data/exchange_rates.yaml), so a verdict near a limit waits for the right year's average (bot.rules.sme).
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Optional

from bot.resources import DataError, load_yaml


@dataclass(frozen=True)
class ExchangeRate:
    year: int
    nok_per_eur: float
    source: str
    stands_in_for: Optional[int] = None  # the year asked for, when its average is not in the data

    @property
    def drift(self) -> float:
        """How far, as a fraction, the average of the year it stands in for may lie from it: 0 for a year's own."""
        if self.stands_in_for is None:
            return 0.0
        return (1 + stand_in_drift_per_year()) ** abs(self.stands_in_for - self.year) - 1

    def drifted(self, direction: int) -> "ExchangeRate":
        """The rate at the low (-1) or high (+1) end of its drift; itself for 0 or a year's own average."""
        return replace(self, nok_per_eur=self.nok_per_eur * (1 + self.drift) ** direction)

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


@lru_cache(maxsize=None)
def stand_in_drift_per_year() -> float:
    """How far, as a fraction, one year's average may lie from the next's (data/exchange_rates.yaml)."""
    pct = (load_yaml("exchange_rates.yaml") or {}).get("stand_in_drift_pct_per_year")
    if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 0 < pct < 100:
        raise DataError("exchange_rates.yaml: stand_in_drift_pct_per_year must be a percentage above 0")
    return pct / 100


def rate_of_year(year: int) -> ExchangeRate:
    """The average of `year`, or when it is not in the data the latest one before it (the earliest one for a
    year before them all), marked as standing in for `year`."""
    rates = exchange_rates()
    index = bisect.bisect_right([rate.year for rate in rates], year) - 1
    rate = rates[max(index, 0)]
    return rate if rate.year == year else replace(rate, stands_in_for=year)


def accounts_rate(day: dt.date, accounts_year: Optional[int] = None) -> ExchangeRate:
    """The rate for an enterprise's annual accounts: the average of the year they cover, by default the last
    full calendar year before `day` (Article 4(1) of the SME definition takes the latest closed accounts)."""
    return rate_of_year(accounts_year if accounts_year is not None else day.year - 1)


def budget_rate(day: dt.date) -> ExchangeRate:
    """The rate for a project budget given in euro: the latest published average before `day`'s year."""
    return rate_of_year(day.year - 1)
