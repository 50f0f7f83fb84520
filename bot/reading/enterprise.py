"""An enterprise's figures as people give them in a question: "Are we an SME? 120 employees, EUR 60 M turnover, EUR 40 M
balance sheet", "er en bedrift med 300 ansatte en SMB?". Amounts in kroner (or with no currency) are converted to euro
at Norges Bank's average for the accounts' year (bot.rules.money)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Mapping, Optional

from bot.reading.numbers import ParseError, parse_amount, parse_number
from bot.reading.values import NUMBER
from bot.resources import fold
from bot.rules.money import ExchangeRate, accounts_rate

_AMOUNT = r"(?:€\s*|eur\s*|euro\s*|nok\s*|kr\.?\s*)?\d[\d .,]*(?:\s*(?:mill\w*|m|mrd|k|tusen|thousand|million\w*|bn))?" \
          r"(?:\s*(?:€|eur|euro|nok|kr|kroner))?"
_EMPLOYEES = re.compile(rf"(?P<n>{NUMBER})\s+(?:ansatte|årsverk|employees|staff|people|ftes?|heltidsstillinger)\b")
_FIGURE = {
    "turnover_eur": re.compile(rf"(?:(?P<a>{_AMOUNT})\s+(?:i\s+|in\s+|of\s+)?(?:årlig\s+|annual\s+)?(?:omsetning|turnover|"
                               rf"revenue|sales)|(?:omsetning|turnover|revenue|sales)\s*(?:på|of|er|is|:)?\s*(?P<b>{_AMOUNT}))"),
    "balance_sheet_eur": re.compile(rf"(?:(?P<a>{_AMOUNT})\s+(?:i\s+|in\s+)?(?:balanse\w*|balance[ -]sheet(?: total)?|"
                                    rf"total assets)|(?:balanse\w*|balance[ -]sheet(?: total)?|total assets)\s*"
                                    rf"(?:på|of|er|is|:)?\s*(?P<b>{_AMOUNT}))"),
}


@dataclass(frozen=True)
class StatedFigures:
    values: Mapping[str, float] = field(default_factory=dict)  # employees, turnover_eur, balance_sheet_eur
    kroner: Mapping[str, float] = field(default_factory=dict)  # the figures given in kroner, as given, in the order read
    rate: Optional[ExchangeRate] = None  # the rate they were converted at

    def __bool__(self) -> bool:
        return bool(self.values)


def euro(text: str, day: dt.date) -> tuple[float, Optional[float], ExchangeRate]:
    """An amount in euro, and the kroner it was converted from (None when it was given in euro)."""
    rate = accounts_rate(day)
    amount = parse_amount(text)
    if amount.currency == "EUR":
        return float(amount.value), None, rate
    return rate.to_eur(float(amount.value)), float(amount.value), rate


def figures_in(text: str, day: dt.date) -> StatedFigures:
    lowered = fold(text)
    values: dict[str, float] = {}
    kroner: dict[str, float] = {}
    rate = None
    employees = _EMPLOYEES.search(lowered)
    if employees:
        try:
            values["employees"] = float(parse_number(employees.group("n")))
        except ParseError:
            pass
    for fact, pattern in _FIGURE.items():
        match = pattern.search(lowered)
        if not match:
            continue
        try:
            value, from_nok, rate = euro(match.group("a") or match.group("b"), day)
        except ParseError:
            continue
        values[fact] = value
        if from_nok is not None:
            kroner[fact] = from_nok
    return StatedFigures(values=values, kroner=kroner, rate=rate if kroner else None)
