"""The way numbers, money, shares and dates are written in each language."""
from __future__ import annotations

import datetime as dt
import string
from typing import Any, Callable, Mapping

from bot.resources import LANGUAGES

_MONTHS = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def format_number(value: float, language: str) -> str:
    """Whole numbers with thousands grouped: 300 000 in bokmål, 300,000 in English."""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{int(value):,}"
    if language == "en":
        return text
    return text.replace(",", "\u00a0").replace(".", ",")


def format_nok(value: float, language: str) -> str:
    amount = format_number(value, language)
    return f"NOK {amount}" if language == "en" else f"{amount} kr"


def format_eur(value: float, language: str) -> str:
    amount = format_number(value, language)
    return f"EUR {amount}" if language == "en" else f"{amount} euro"


def format_percent(share: float, language: str) -> str:
    percent = format_number(round(share * 100, 2), language)
    return f"{percent}%" if language == "en" else f"{percent}\u00a0%"


def format_date(day: dt.date, language: str) -> str:
    month = _MONTHS[language][day.month - 1]
    return f"{day.day} {month} {day.year}" if language == "en" else f"{day.day}. {month} {day.year}"


# a template's value is whatever the figures hold; each spec names the kind it must be
_SPECS: Mapping[str, Callable[[Any, str], str]] = {
    "nok": format_nok, "eur": format_eur, "percent": format_percent, "date": format_date, "number": format_number}


class _Formatter(string.Formatter):
    def __init__(self, language: str):
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in _SPECS:
            return _SPECS[format_spec](value, self.language)
        if not format_spec and isinstance(value, int) and not isinstance(value, bool):
            return format_number(value, self.language)
        return super().format_field(value, format_spec)


_FORMATTERS = {lang: _Formatter(lang) for lang in LANGUAGES}


def render(template: str, language: str, values: Mapping[str, Any]) -> str:
    """Fill a catalogue template such as 'Up to {ceiling_nok:nok}' in the given language."""
    return _FORMATTERS[language].vformat(template, (), values)
