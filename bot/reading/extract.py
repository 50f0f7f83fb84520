"""Reading facts out of what people type, in bokmål or English (vocabulary in data/vocabulary.yaml).

Two ways in. `answer_for(fact, text)` reads a reply to a question about one fact, where "3" or "ja" is
enough. `facts_in(text)` finds every fact a free sentence states, where numbers must say what they count
("tre bedrifter", "2 SMEs", "budsjettet er 500 000 kr"), so "Vi er tre bedrifter i en NCE-klynge, to er
SMB-er, budsjettet er 500 000 kr" gives companies, cluster programme, SMEs and budget at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping, Optional

from bot.reading.numbers import UNITS, ParseError, is_unsure, parse_amount, parse_count, parse_yes_no
from bot.reading.vocabulary import keyword_pattern, vocabulary
from bot.resources import fold
from bot.rules.facts import country_codes, country_names, facts
from bot.rules.money import nok_per_eur

ZERO_ALLOWED = {"smes", "foreign_companies", "smes_per_country"}


@dataclass(frozen=True)
class Answer:
    """What a reply said about the fact asked for: a value, 'not sure', or why it could not be read."""

    value: Any = None
    unsure: bool = False
    problem: Optional[str] = None  # a ParseError code, or "implausible", "not_understood"
    converted_from_eur: Optional[float] = None


@dataclass(frozen=True)
class Extraction:
    facts: Mapping[str, Any] = field(default_factory=dict)
    converted_from_eur: Optional[float] = None


@lru_cache(maxsize=None)
def _value_patterns(fact: str) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((value, keyword_pattern(tuple(words))) for value, words in vocabulary()["values"][fact].items())


@lru_cache(maxsize=None)
def _statement_patterns(fact: str) -> tuple[tuple[bool, re.Pattern], ...]:
    spec = vocabulary()["statements"][fact]
    return tuple((truth, keyword_pattern(tuple(spec[truth]))) for truth in (False, True))


# A number as free text states one: digits, or number words ("tre", "tjuefem", "two hundred"). The articles
# "en"/"ei"/"ett"/"a"/"an" are left out: in a sentence they are far more often articles than counts.
_NUMBER_WORDS = "|".join(sorted((word for word in UNITS if word not in ("en", "ei", "ett", "én", "a", "an")),
                                key=len, reverse=True))
_NUMBER = rf"(?:\d[\d .,]*\d|\d|(?:{_NUMBER_WORDS})[a-zæøå]*)"
_NUMBER_START = re.compile(rf"(?<![\w.,])(?={_NUMBER}(?![\w]))")
_SELF = r"(?:vi er|jeg er|vi representerer|jeg representerer|søker er|søkeren er|we are|we're|i am|i'm|" \
        r"i represent|we represent|the applicant is|applicant is|søker:|applicant:)"


@lru_cache(maxsize=None)
def _counted_pattern(fact: str) -> re.Pattern:
    nouns = keyword_pattern(tuple(vocabulary()["counted"][fact])).pattern
    # a number, at most two words (and "er"/"are" etc.), then the noun: "to er SMB-er", "3 norske bedrifter"
    return re.compile(rf"(?P<number>{_NUMBER})\s+(?:[\wæøå-]+\s+){{0,2}}?{nouns}")


def _numbers_before(pattern: re.Pattern, text: str):
    """Matches of `pattern` starting at each number in the text, overlapping ones included."""
    for start in _NUMBER_START.finditer(text):
        match = pattern.match(text, start.start())
        if match:
            yield match


def _first_value(fact: str, text: str) -> Optional[str]:
    found = [(match.start(), value) for value, pattern in _value_patterns(fact)
             for match in [pattern.search(text)] if match]
    return min(found)[1] if found else None


def _all_values(fact: str, text: str) -> tuple[str, ...]:
    found = sorted((match.start(), value) for value, pattern in _value_patterns(fact)
                   for match in [pattern.search(text)] if match)
    return tuple(dict.fromkeys(value for _, value in found))


def _statement(fact: str, text: str) -> Optional[bool]:
    for truth, pattern in _statement_patterns(fact):  # the negative phrasings are checked first
        if pattern.search(text):
            return truth
    return None


def _countries(text: str) -> tuple[str, ...]:
    """Countries by name (any case) or by ISO code written in capitals ("NO, SE"): in lower case a
    code is an ordinary word ("is", "no", "de")."""
    lowered = fold(text)
    found: list[tuple[int, str]] = []
    for name, code in country_names().items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w])", lowered):
            found.append((match.start(), code))
    for match in re.finditer(r"(?<![\w-])([A-Z]{2})(?![\w-])", " ".join(text.split())):
        if match.group(1) in country_codes():
            found.append((match.start(), match.group(1)))
    return tuple(dict.fromkeys(code for _, code in sorted(found)))


def _counts_per_country(text: str, countries: Optional[tuple]) -> Optional[dict]:
    """'3 i Norge og 4 i Sverige', 'Norway 3, Sweden 5', '3 fra hvert land' (with the countries known)."""
    pairs: dict[str, int] = {}
    names = "|".join(re.escape(name) for name in sorted(country_names(), key=len, reverse=True))
    by_number = re.compile(rf"(?P<n>{_NUMBER})\s+(?:[\wæøå-]+\s+){{0,3}}?(?P<c>{names})(?![\w])")
    by_name = re.compile(rf"(?P<c2>{names})\s*[:=-]?\s*(?P<n2>\d+)")
    for match in [*_numbers_before(by_number, text), *by_name.finditer(text)]:
        number, name = (match.group("n"), match.group("c")) if match.group("c") else (match.group("n2"),
                                                                                      match.group("c2"))
        try:
            pairs[country_names()[name]] = parse_count(number, allow_zero=True)
        except ParseError:
            continue
    if pairs:
        return pairs
    if countries and re.search(r"\b(hvert|hver|alle|each|every|all|begge|both)\b", text):
        try:
            count = parse_count(text, allow_zero=True)
        except ParseError:
            return None
        return {code: count for code in countries}
    return None


def _plausible(fact: str, value: float) -> bool:
    bounds = vocabulary()["plausible"].get(fact)
    return bounds is None or bounds["minimum"] <= value <= bounds["maximum"]


def _budget(text: str, day) -> tuple[Optional[float], Optional[float], Optional[str]]:
    """(NOK, the EUR figure it was converted from, problem)."""
    try:
        amount = parse_amount(text)
    except ParseError as error:
        return None, None, error.code
    value, from_eur = float(amount.value), None
    if amount.currency == "EUR":
        from_eur, value = value, value * nok_per_eur(day)
    if not _plausible("budget_nok", value):
        return None, None, "implausible"
    return value, from_eur, None


def answer_for(fact: str, text: str, known: Mapping[str, Any], day) -> Answer:
    """Read `text` as the answer to the question about `fact`."""
    lowered = fold(text)
    kind = facts()[fact].type
    if kind == "bool":
        try:
            value = parse_yes_no(lowered)
        except ParseError:
            value = _statement(fact, lowered) if fact in vocabulary()["statements"] else None
            return Answer(value=value) if value is not None else Answer(problem="not_yes_no")
        return Answer(value=value, unsure=value is None)
    if is_unsure(lowered):
        return Answer(unsure=True)
    if kind == "count":
        try:
            value = parse_count(lowered, allow_zero=fact in ZERO_ALLOWED)
        except ParseError as error:
            return Answer(problem=error.code)
        return Answer(value=value) if _plausible(fact, value) else Answer(problem="implausible")
    if kind == "amount":
        value, from_eur, problem = _budget(lowered, day)
        return Answer(value=value, problem=problem, converted_from_eur=from_eur)
    if kind == "enum":
        value = _first_value(fact, lowered)
        return Answer(value=value) if value else Answer(problem="not_understood")
    if kind == "enum_list":
        values = _all_values(fact, lowered)
        if not values and re.fullmatch(r"(ingen|none|nothing|ingenting)\W*", lowered):
            return Answer(value=[])
        return Answer(value=list(values)) if values else Answer(problem="not_understood")
    if kind == "countries":
        found = _countries(text)
        return Answer(value=list(found)) if found else Answer(problem="not_understood")
    if kind == "country_counts":
        pairs = _counts_per_country(lowered, known.get("countries"))
        if pairs is None:
            missing = [code for code in known.get("countries") or () if code not in (known.get(fact) or {})]
            try:
                count = parse_count(lowered, allow_zero=True)
            except ParseError as error:
                return Answer(problem=error.code)
            if len(missing) != 1:
                return Answer(problem="not_understood")
            pairs = {missing[0]: count}
        if not all(_plausible(fact, count) for count in pairs.values()):
            return Answer(problem="implausible")
        return Answer(value={**(known.get(fact) or {}), **pairs})
    raise AssertionError(f"no reader for facts of type {kind}")


def facts_in(text: str, known: Mapping[str, Any], day) -> Extraction:
    """Every fact the sentence states outright."""
    lowered = fold(text)
    found: dict[str, Any] = {}
    for fact in ("smes", "foreign_companies", "companies"):
        for match in _numbers_before(_counted_pattern(fact), lowered):
            # "2 SMB-bedrifter" counts SMEs, not companies: a span already read for SMEs is skipped
            if fact == "companies" and _counted_pattern("smes").search(match.group(0)):
                continue
            try:
                value = parse_count(match.group("number"), allow_zero=fact in ZERO_ALLOWED)
            except ParseError:
                continue
            if _plausible(fact, value):
                found.setdefault(fact, value)
                break
    converted = None
    budget_pattern = keyword_pattern(tuple(vocabulary()["budget_words"]))
    for clause in re.split(r"[;!?]|,(?!\d)|\bog\b(?= \D)|\band\b(?= \D)", lowered):
        if budget_pattern.search(clause) or re.search(r"\b(kr|nok|mnok|kroner|eur|euro)\b|€", clause):
            value, from_eur, problem = _budget(clause, day)
            if problem is None:
                found["budget_nok"], converted = value, from_eur
                break
    programme = _first_value("cluster_programme", lowered)
    if programme:
        found["cluster_programme"] = programme
    applicant_match = re.search(_SELF + r"\s+(?:en |et |ei |a |an |the |fra |from )?(.{0,60})", lowered)
    if applicant_match:
        applicant = _first_value("applicant", applicant_match.group(1))
        if applicant:
            found["applicant"] = applicant
    goal = _first_value("goal", lowered)
    if goal:
        found["goal"] = goal
    activities = _all_values("activities", lowered)
    if activities:
        found["activities"] = list(activities)
    countries = _countries(text)
    if countries:
        found["countries"] = list(countries)
    per_country = _counts_per_country(lowered, tuple(found.get("countries") or known.get("countries") or ()))
    if per_country and any(re.search(pattern, lowered) for pattern in (r"\bsmb", r"\bsme")):
        found["smes_per_country"] = {**(known.get("smes_per_country") or {}), **per_country}
        found.pop("smes", None)  # "3 SMEs in Norway" counts one country's SMEs, not all of them
    for fact in vocabulary()["statements"]:
        value = _statement(fact, lowered)
        if value is not None:
            found[fact] = value
    return Extraction(facts=found, converted_from_eur=converted)


def asks_to_skip(text: str) -> bool:
    return text.strip() == "/skip_question" or bool(
        keyword_pattern(tuple(vocabulary()["skip_words"])).search(fold(text)))


def enum_value(fact: str, raw: Any) -> Optional[str]:
    """A button's or entity's value for an enum fact: the code itself, or words for it."""
    value = str(raw).strip().lower()
    if value in facts()[fact].values:
        return value
    return _first_value(fact, value)
