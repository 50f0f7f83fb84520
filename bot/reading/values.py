"""The values of one kind of fact, wherever they stand in a text: choices, countries, counts per country, yes/no
statements and budgets. Every reader takes folded text (bot.resources.fold) and returns what it found with the
span it found it in, so a caller can tell which part of a message said what."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from bot.reading.numbers import UNITS, ParseError, parse_amount, parse_count
from bot.reading.vocabulary import keyword_pattern, vocabulary
from bot.rules.facts import country_adjectives, country_codes, country_names, facts
from bot.rules.money import budget_rate

Span = tuple[int, int]


@dataclass(frozen=True)
class Found:
    value: object
    span: Span


@lru_cache(maxsize=None)
def _value_patterns(fact: str) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((value, keyword_pattern(tuple(words))) for value, words in vocabulary()["values"][fact].items())


def choices_in(fact: str, text: str) -> list[Found]:
    """Every value of an enum fact named in the text, in the order they stand, each once."""
    found: dict[str, Found] = {}
    for value, pattern in _value_patterns(fact):
        match = pattern.search(text)
        if match and value not in found:
            found[value] = Found(value, match.span())
    return sorted(found.values(), key=lambda item: item.span)


# A number as free text states one: digits, or number words ("tre", "tjuefem", "two hundred"). The articles
# "en"/"ei"/"ett"/"a"/"an" are left out: in a sentence they are far more often articles than counts.
_NUMBER_WORDS = "|".join(sorted((word for word in UNITS if word not in ("en", "ei", "ett", "én", "a", "an")),
                                key=len, reverse=True))
NUMBER = rf"(?:\d[\d .,]*\d|\d|(?:{_NUMBER_WORDS})[a-zæøå]*)"
_NUMBER_START = re.compile(rf"(?<![\w.,])(?={NUMBER}(?![\w]))")


def numbers_before(pattern: re.Pattern, text: str):
    """Matches of `pattern` starting at each number in the text, overlapping ones included."""
    for start in _NUMBER_START.finditer(text):
        match = pattern.match(text, start.start())
        if match:
            yield match


# Beside these an adjective names the country of a cluster: "en dansk klynge", "Swedish networks".
_CLUSTER_NOUNS = r"(?:\s+(?:og|and|,)\s+[\wæøå]+)*\s+(?:partner)?(?:klynge\w*|nettverk\w*|cluster\w*|network\w*|klyngeorgani\w*)"


def countries_in(text: str, original: str, adjectives_alone: bool = True) -> list[Found]:
    """Countries by name or adjective (any case) or by ISO code written in capitals in the original text
    ("NO, SE"): in lower case a code is an ordinary word ("is", "no", "de"). In free text
    (`adjectives_alone=False`) an adjective counts only beside a cluster or network: "norske bedrifter" says
    nothing about the countries of a project's clusters."""
    found: list[Found] = []
    adjectives = country_adjectives()
    for name, code in country_names().items():
        tail = _CLUSTER_NOUNS if name in adjectives and not adjectives_alone else ""
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?=(?![\w]){tail})", text):
            found.append(Found(code, match.span()))
    for match in re.finditer(r"(?<![\w-])([A-Z]{2})(?![\w-])", " ".join(original.split())):
        if match.group(1) in country_codes():
            found.append(Found(match.group(1), match.span()))
    first: dict[str, Found] = {}
    for item in sorted(found, key=lambda item: item.span):
        first.setdefault(item.value, item)
    return list(first.values())


_EACH = re.compile(r"\b(hvert|hver|per land|i hvert|fra hvert|each|every|per country|all of them|alle|begge|both)\b")


def counts_per_country(text: str, countries: tuple[str, ...]) -> tuple[dict[str, int], list[Span]]:
    """'3 i Norge og 4 i Sverige', 'Norway 3, Sweden 5', '3 fra hvert land' (with the countries known)."""
    pairs: dict[str, int] = {}
    spans: list[Span] = []
    names = "|".join(re.escape(name) for name in sorted(country_names(), key=len, reverse=True))
    by_number = re.compile(rf"(?P<n>{NUMBER})\s+(?:[\wæøå-]+\s+){{0,3}}?(?P<c>{names})(?![\w])")
    by_name = re.compile(rf"(?P<c>{names})\s*[:=-]?\s*(?P<n>\d+)")
    for match in [*numbers_before(by_number, text), *by_name.finditer(text)]:
        try:
            pairs.setdefault(country_names()[match.group("c")], parse_count(match.group("n"), allow_zero=True))
            spans.append(match.span())
        except ParseError:
            continue
    if pairs or not countries:
        return pairs, spans
    each = _EACH.search(text)
    if each:
        try:
            count = parse_count(text, allow_zero=True)
        except ParseError:
            return {}, []
        return {code: count for code in countries}, [(0, len(text))]
    return {}, []


# Words that turn a statement round when they stand just before it: "de er ikke uavhengige".
_NEGATORS = {"ikke", "ikkje", "not", "never", "aldri", "no", "ingen", "isn't", "aren't", "don't", "doesn't"}


@lru_cache(maxsize=None)
def _statement_patterns(fact: str) -> tuple[tuple[bool, re.Pattern], ...]:
    spec = vocabulary()["statements"][fact]
    return tuple((truth, keyword_pattern(tuple(spec[truth]))) for truth in (False, True))


def stated_truth(fact: str, text: str) -> Optional[Found]:
    """What the text says of a yes/no fact in its own words ("felles eier" is independent = no). The longest
    phrase wins ("no common owners" over "common owners"); a negation just before a phrase turns it round."""
    if fact not in vocabulary()["statements"]:
        return None
    matches = [(truth, match) for truth, pattern in _statement_patterns(fact) for match in pattern.finditer(text)]
    if not matches:
        return None
    truth, match = max(matches, key=lambda item: (item[1].end() - item[1].start(), -item[1].start()))
    before = text[:match.start()].split()[-2:]
    if any(word in _NEGATORS for word in before):
        truth = not truth
    return Found(truth, match.span())


@dataclass(frozen=True)
class Budget:
    nok: Optional[float] = None
    from_eur: Optional[float] = None
    problem: Optional[str] = None  # a ParseError code, or "implausible"


def budget_in(text: str, day: dt.date) -> Budget:
    """An amount in NOK; one given in euro is converted at the rate in force on the day."""
    try:
        amount = parse_amount(text)
    except ParseError as error:
        return Budget(problem=error.code)
    value, from_eur = float(amount.value), None
    if amount.currency == "EUR":
        from_eur, value = value, budget_rate(day).to_nok(value)
    if not facts()["budget_nok"].is_plausible(value):
        return Budget(problem="implausible")
    return Budget(nok=value, from_eur=from_eur)
