"""An SME classification in words, each reason with its Article; and the goal-driven questions."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from bot.rules.sme import Interval, SmeResult
from bot.rules.sme_definition import ownership_limit
from bot.saying.messages import message
from bot.saying.money import rate_text
from bot.saying.texts import format_eur, format_number, format_percent

# How each kind of value a reason carries is written out.
_EUR = {"turnover_eur", "balance_sheet_eur", "investment_eur", "budget_eur", "turnover_limit", "balance_limit",
        "budget_limit", "investment_limit"}
_COUNT = {"employees", "employees_limit", "inhabitants", "inhabitants_limit"}
_PERCENT = {"pct", "limit", "drift"}
_CATEGORY = {"category", "status", "current", "previous", "lowest", "highest"}
_YEAR = {"year", "stand_in"}


def _amount(key: str, value: float, language: str) -> str:
    return format_eur(round(value), language) if key in _EUR else format_number(round(value, 2), language)


def _written(key: str, value: Any, values: Mapping[str, Any], language: str) -> Any:
    if key in _CATEGORY:
        return message(f"sme.category.{value}", language)
    if key == "kind":
        return message(f"sme.choice.holder_kind.{value}", language)
    if key == "rate":
        return rate_text(value, language)
    if key in _YEAR:
        return str(value)
    if key == "pct" and value is None:  # a share the user said is at least the partner threshold
        return message("sme.share_or_more", language, limit=format_percent(values["limit"] / 100, language))
    if value is None:
        return message("sme.unknown", language)
    if isinstance(value, Interval):
        if value.exact is not None:
            return _amount(key, value.exact, language)
        if value.high == float("inf"):
            return message("sme.at_least", language, low=_amount(key, value.low, language))
        return message("sme.between", language, low=_amount(key, value.low, language),
                       high=_amount(key, value.high, language))
    if key in _PERCENT:
        return format_percent(value / 100, language)
    if key in _EUR or key in _COUNT:
        return _amount(key, value, language)
    return value

# Reasons said differently from the owned enterprise's side and from its owner's
DIRECTED_REASONS = ("below_partner", "partner", "linked", "figures_needed")


def sme_reason_texts(result: SmeResult, language: str) -> list[str]:
    """Each reason as a sentence, its Article after it: "… is a partner enterprise … (Art. 3(2), 6(2))"."""
    texts = []
    for reason in result.reasons:
        values = {key: _written(key, value, reason.values, language) for key, value in reason.values.items()}
        directed = "direction" in reason.values and reason.code in DIRECTED_REASONS
        path = f"sme.reason.{reason.code}.{reason.values['direction']}" if directed else f"sme.reason.{reason.code}"
        text = message(path, language, **values)
        text = text[:1].upper() + text[1:]  # a figure written as "at least …" may open the sentence
        if "article" in reason.values:
            text += f" ({message('sme.article', language, article=reason.values['article'])})"
        texts.append(text)
    return texts


def sme_headline(result: SmeResult, language: str) -> str:
    if result.category is not None and result.sme is not None:
        return message("sme.verdict", language, category=message(f"sme.category.{result.category}", language),
                       sme=message("sme.yes" if result.sme else "sme.no", language))
    return message("sme.verdict_not_sme" if result.sme is False else "sme.verdict_undecided", language)


def sme_verdict(result: SmeResult, language: str) -> str:
    """The category and whether it is an SME, then each reason on its own line."""
    return "\n".join([sme_headline(result, language), *(f"• {reason}" for reason in sme_reason_texts(result, language))])


def sme_question(fact: str, language: str, day: dt.date) -> str:
    """The question for one fact sme_step asks, with its choices' words where it has them."""
    limit = format_percent(ownership_limit(day) / 100, language)
    return message(f"sme.ask.{fact}", language, limit=limit)


def sme_choice(fact: str, value: str, language: str) -> str:
    return message(f"sme.choice.{fact}.{value}", language)
