"""Calls and rules named as staff read them, from the catalogue: the staff page and the command line's report."""
from __future__ import annotations

import datetime as dt

from bot.rules.catalogue import catalogue
from bot.saying.texts import render


def call_name(call_id: str, language: str) -> str:
    try:
        return catalogue().call(call_id).name(language)
    except KeyError:  # a call no longer in the catalogue: its records stay until purged
        return call_id


def rule_text(call_id: str, rule_id: str, language: str, day: dt.date) -> str:
    """The rule's requirement in words, with the figures in force on `day`; its id for a rule no longer there."""
    try:
        call = catalogue().call(call_id)
    except KeyError:
        return rule_id
    for rule in call.rules:
        if rule.id == rule_id:
            return render(rule.requirement(language), language, call.figures(day))
    return rule_id
