"""Reading a reply against the question it answers: "3", "tre", "begge", "alle", "ingen", "halvparten", "to av dem",
"alle unntatt én" to a count; "ja", "nope", "felles eier" to a yes/no; an option's name, part of it, its number or a
click to a choice. What cannot be read comes back with the reason, so the bot can ask again the right way."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from bot.reading.numbers import ParseError, is_unsure, parse_count, parse_yes_no
from bot.reading.statements import ZERO_ALLOWED, _ALL_OTHER_KIND, QUANTITY, Portion, quantity
from bot.reading.values import NUMBER, budget_in, choices_in, countries_in, counts_per_country, stated_truth
from bot.reading.vocabulary import mentions, vocabulary
from bot.resources import fold
from bot.rules.facts import facts


@dataclass(frozen=True)
class Answer:
    """What a reply said about the fact asked for."""
    value: Any = None
    portion: Optional[Portion] = None  # "alle"/"halvparten" while the total is not known
    unsure: bool = False  # "vet ikke"
    skip: bool = False  # "hopp over"
    problem: Optional[str] = None  # a ParseError code, or implausible, not_understood, which_one
    converted_from_eur: Optional[float] = None
    also: Mapping[str, Any] = field(default_factory=dict)  # "3 av 4": the total given beside the answer

    @property
    def answered(self) -> bool:
        return self.value is not None or self.portion is not None


def asks_to_skip(text: str) -> bool:
    return text.strip() == "/skip_question" or mentions(vocabulary()["skip_words"], fold(text))


_INDEX = re.compile(r"(?<![\w.,\-−])(\d{1,2})(?![\w.,])")  # "-1" picks nothing
_ONLY_INDEXES = re.compile(r"^\W*\d{1,2}(?:\W+(?:og|and|or|eller)?\W*\d{1,2})*\W*$")
_YES_OR_NO_ALONE = re.compile(r"^(?:ja|jo|jepp|yes|yeah|yep|nei|no|nope)\W*$")
_OF_TOTAL = re.compile(rf"^\W*(?P<part>{NUMBER})\s+(?:av|of|out of)\s+(?P<total>{NUMBER})\b")


def _count(fact: str, text: str, known: Mapping[str, Any]) -> Answer:
    spec = facts()[fact]
    allow_zero = fact in ZERO_ALLOWED
    total = known.get(spec.of_total) if spec.of_total else None
    of_total = _OF_TOTAL.search(text)
    if of_total and spec.of_total:
        try:
            part, whole = parse_count(of_total.group("part"), allow_zero), parse_count(of_total.group("total"))
        except ParseError as error:
            return Answer(problem=error.code)
        return Answer(value=part, also={spec.of_total: whole})
    other_kind = _ALL_OTHER_KIND.get(fact)
    if other_kind and other_kind.search(text):
        return Answer(value=0)  # "How many are foreign?" - "alle er norske"
    said = QUANTITY.search(text)
    if said and (said.group("all_but") or said.group("half")):  # before "én" or "half" is read as a number
        portion = quantity(said)
        if total is None:
            return Answer(portion=portion)
        count = portion.of(total)
        return Answer(value=count) if count is not None else Answer(problem="not_whole")
    # "every one" is all of them, not 1: the number words inside "all" are no number said
    rest = f"{text[:said.start()]} {text[said.end():]}" if said and said.group("all") else text
    try:
        value = parse_count(rest, allow_zero=allow_zero)
    except ParseError as error:
        if error.code != "no_number":
            return Answer(problem=error.code)
    else:  # a number said is the answer, whatever words stand round it ("two in all", "alle 3")
        return Answer(value=value) if spec.is_plausible(value) else Answer(problem="implausible")
    if said and (spec.of_total or said.group("both")):
        amount = quantity(said)
        if isinstance(amount, Portion):
            if total is None:
                return Answer(portion=amount)
            count = amount.of(total)
            return Answer(value=count) if count is not None else Answer(problem="not_whole")
        if amount is not None and (amount or allow_zero):
            return Answer(value=amount)
    if allow_zero and re.fullmatch(r"\W*(?:nei|no|nope|niks|nei nei|nope no|no no)\W*", text):
        return Answer(value=0)  # "How many are foreign?" - "nei" (and nothing else: "nei, vi er 4" corrects)
    return Answer(problem="no_number")


def _by_index(text: str, options: Sequence[str]) -> list[str]:
    """Options picked by their number in the numbered list shown ("2", "1 og 3"); a number in a sentence is not one."""
    if not _ONLY_INDEXES.match(text):
        return []
    picked = []
    for match in _INDEX.finditer(text):
        number = int(match.group(1))
        if 1 <= number <= len(options):
            picked.append(options[number - 1])
    return picked


_NONE_OF_THEM = re.compile(r"^\W*(?:ingen|none|ingen av dem|ingen av disse|none of them|none of those|ikke noen)\W*$")


def _choice(fact: str, text: str, options: Sequence[str]) -> Answer:
    named = choices_in(fact, text)
    if named:
        return Answer(value=named[0].value)
    if "none" in facts()[fact].values and _NONE_OF_THEM.match(text):
        return Answer(value="none")
    picked = _by_index(text, options)
    if len(picked) == 1:
        return Answer(value=picked[0])
    if _YES_OR_NO_ALONE.match(text):
        return Answer(problem="which_one")
    return Answer(problem="not_understood")


def _choices(fact: str, text: str, options: Sequence[str]) -> Answer:
    named = [item.value for item in choices_in(fact, text)]
    picked = list(dict.fromkeys(named + _by_index(text, options)))
    if picked:
        return Answer(value=picked)
    if re.fullmatch(r"\W*(ingen|none|nothing|ingenting|ingen av dem|none of them)\W*", text):
        return Answer(value=[])
    if options and re.fullmatch(r"\W*(alle|all|alle sammen|all of them|everything|alt)\W*", text):
        return Answer(value=list(options))
    if _YES_OR_NO_ALONE.match(text):
        return Answer(problem="which_one")
    return Answer(problem="not_understood")


def _yes_no(fact: str, text: str) -> Answer:
    truth = stated_truth(fact, text)
    if truth is not None:
        return Answer(value=truth.value)
    try:
        value = parse_yes_no(text)
    except ParseError as error:
        return Answer(problem=error.code)
    return Answer(value=value, unsure=value is None)


def _per_country(fact: str, text: str, known: Mapping[str, Any]) -> Answer:
    countries = tuple(known.get("countries") or ())
    pairs, _ = counts_per_country(text, countries)
    if not pairs:
        counted = known.get(fact) or {}
        missing = [code for code in countries if code not in counted]
        try:
            count = parse_count(text, allow_zero=True)
        except ParseError as error:
            return Answer(problem=error.code)
        # the question asks "from each country": a bare number is each one's count (or the one still missing)
        pairs = {code: count for code in (missing if len(missing) == 1 else countries)}
        if not pairs:
            return Answer(problem="not_understood")
    if not all(facts()[fact].is_plausible(count) for count in pairs.values()):
        return Answer(problem="implausible")
    return Answer(value={**(known.get(fact) or {}), **pairs})


def read_answer(fact: str, text: str, known: Mapping[str, Any], day: dt.date,
                options: Sequence[str] = ()) -> Answer:
    """Read `text` as the answer to the question about `fact` (`options`: the choices as they were shown numbered,
    so that "2" picks the second; empty when they were not)."""
    lowered = fold(text)
    if asks_to_skip(text):
        return Answer(skip=True)
    kind = facts()[fact].type
    if kind == "bool":
        return _yes_no(fact, lowered)
    if is_unsure(lowered):
        return Answer(unsure=True)
    if kind == "count":
        return _count(fact, lowered, known)
    if kind == "amount":
        budget = budget_in(lowered, day)
        return Answer(value=budget.nok, problem=budget.problem, converted_from_eur=budget.from_eur)
    if kind == "enum":
        return _choice(fact, lowered, options)
    if kind == "enum_list":
        return _choices(fact, lowered, options)
    if kind == "countries":
        found = countries_in(lowered, text)
        return Answer(value=[item.value for item in found]) if found else Answer(problem="not_understood")
    if kind == "country_counts":
        return _per_country(fact, lowered, known)
    raise AssertionError(f"no reader for facts of type {kind}")


def enum_value(fact: str, raw: Any) -> Optional[str]:
    """A button's or entity's value for an enum fact: the code itself, or words for it."""
    value = fold(str(raw))
    if value in facts()[fact].values:
        return value
    named = choices_in(fact, value)
    return named[0].value if named else None
