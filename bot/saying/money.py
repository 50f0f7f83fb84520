"""A conversion between kroner and euro in words, with the rate and the year it is the average of."""
from __future__ import annotations

from bot.rules.money import ExchangeRate
from bot.saying.messages import message
from bot.saying.texts import format_eur, format_nok, format_number


def rate_text(rate: ExchangeRate, language: str) -> str:
    """"11.629 NOK per euro, Norges Bank's average for 2024", and when it stands in for another year, which and why."""
    if rate.stands_in_for is not None:
        return message("money.rate_standing_in", language, nok_per_eur=format_number(rate.nok_per_eur, language),
                       year=str(rate.year), wanted=str(rate.stands_in_for))
    return message("money.rate", language, nok_per_eur=format_number(rate.nok_per_eur, language), year=str(rate.year))


def why_standing_in(rate: ExchangeRate, language: str) -> str:
    """Why a rate stands in for another year's: that year's average is not in the data."""
    return message("money.not_in_data", language, wanted=str(rate.stands_in_for), year=str(rate.year))


def converted_to_eur(amount_nok: float, rate: ExchangeRate, language: str) -> str:
    return message("money.converted_to_eur", language, nok=format_nok(round(amount_nok), language),
                   eur=format_eur(round(rate.to_eur(amount_nok)), language), rate=rate_text(rate, language))


def converted_to_nok(amount_eur: float, rate: ExchangeRate, language: str) -> str:
    return message("money.converted_to_nok", language, eur=format_eur(round(amount_eur), language),
                   nok=format_nok(round(rate.to_nok(amount_eur)), language), rate=rate_text(rate, language))
