"""The user's answer read against the question it answers (bot.saying.answers is the bot answering theirs): "3",
"tre", "begge", "alle", "ingen", "halvparten", "to av dem", "alle unntatt én" to a count; "ja", "nope", "felles eier"
to a yes/no; an option's name, part of it, its number or a click to a choice. What cannot be read comes back with
the reason, so the bot can ask again the right way."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from bot.reading.counts import Portion, Quantity, counts_in
from bot.reading.numbers import ParseError, is_unsure, reply_yes_no
from bot.reading.tokens import tokens
from bot.reading.values import HOME_COUNTRY, budget_in, choices_in, countries_in, counts_per_country, stated_truth
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
    inferred: bool = False  # the value is the bot's completion ("Sverige og Danmark": and Norway, the asker's own)

    @property
    def answered(self) -> bool:
        return self.value is not None or self.portion is not None


def asks_to_skip(text: str) -> bool:
    return text.strip() == "/skip_question" or mentions(vocabulary()["skip_words"], fold(text))


def keeps_what_if(text: str) -> Optional[bool]:
    """"bare lurte, la det stå", "bruk det": whether a reply without a yes or a no keeps the what-if; None when it does
    not tell."""
    replies, folded = vocabulary()["what_if_replies"], fold(text)
    if mentions(replies["dont_keep"], folded):
        return False
    return True if mentions(replies["keep"], folded) else None


_INDEX = re.compile(r"(?<![\w.,\-−])(\d{1,2})(?![\w.,])")  # "-1" picks nothing
_ONLY_INDEXES = re.compile(r"^\W*\d{1,2}(?:\W+(?:og|and|or|eller)?\W*\d{1,2})*\W*$")
_YES_OR_NO_ALONE = re.compile(r"^(?:ja|jo|jepp|yes|yeah|yep|nei|no|nope)\W*$")
_NO_ALONE = re.compile(r"\W*(?:nei|no|nope|niks|nei nei|nope no|no no)\W*")


def _quantity_answer(fact: str, value: Quantity, known: Mapping[str, Any], total: Optional[int] = None) -> Answer:
    """A count said for `fact`, resolved against its total where it is a part of one ("alle" of 4 companies)."""
    spec = facts()[fact]
    also = {spec.of_total: total} if total is not None and spec.of_total else {}
    whole = total if total is not None else known.get(spec.of_total) if spec.of_total else None
    if isinstance(value, Portion):
        if whole is None:
            return Answer(portion=value, also=also)
        counted = value.of(whole)
        if counted is None:
            return Answer(problem="not_whole")
        value = counted
    if value == 0 and spec.plausible and spec.plausible[0] > 0:
        return Answer(problem="zero")
    if not spec.is_plausible(value):
        return Answer(problem="implausible")
    return Answer(value=value, also=also)


# "bare norske", "only large ones" as the whole answer: all of them are that kind, read as "alle norske", "all large
# ones" are (not "bare oss", just us, which counts the companies)
_ONLY = re.compile(r"^\W*(bare|kun|only|just)\s+(?!oss\b|us\b|meg\b|me\b|vi\b|we\b|én\b|en\b|one\b|\d)",
                   re.IGNORECASE)


def _all_of_them(match: re.Match) -> str:
    return "alle " if match.group(1).lower() in ("bare", "kun") else "all "


def _count(fact: str, text: str, cased: str, known: Mapping[str, Any], language: Optional[str]) -> Answer:
    """The reply to "how many …?": a count bound to this fact ("to av dem er SMB-er"), or the one quantity bound to
    nothing ("3", "tre tror jeg", "alle", "begge", "bare oss" for the companies); counts of other facts in it are
    theirs, not this answer ("Alle fire er SMB-er" answers no "how many are foreign?")."""
    counted = counts_in(_ONLY.sub(_all_of_them, text), language)
    bound = [count for count in counted.counts if count.fact == fact]
    if bound:
        return _quantity_answer(fact, bound[-1].value, known, bound[-1].total)
    if fact == "smes":
        per_country, _ = counts_per_country(text, cased, tuple(known.get("countries") or ()), language)
        if per_country:  # "tre fra Norge og fire fra Sverige": the SMEs are all of them
            return _quantity_answer(fact, sum(per_country.values()), known)
    values = {loose.value for loose in counted.loose}
    if len(values) > 1:
        return Answer(problem="several_numbers")
    if values:
        loose = counted.loose[0]
        return _quantity_answer(fact, loose.value, known, loose.total)
    if facts()[fact].is_plausible(0) and _NO_ALONE.fullmatch(text):
        return Answer(value=0)  # "How many are foreign?" - "nei" (and nothing else: "nei, vi er 4" corrects)
    if any(item.is_number for item in tokens(text, language)) and not counted.counts:
        return Answer(problem="implausible")  # "2015", "225k": a number, but no count of anything
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


_NONE_OF_THEM = re.compile(r"^\W*(?:ingen|none|ikke noen)(?: av dem| av disse| of them| of those)?\b")


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


def _yes_no(fact: str, text: str, cased: str) -> Answer:
    truth = stated_truth(fact, text, cased)
    if truth is not None:
        return Answer(value=truth.value)
    try:
        value = reply_yes_no(text)
    except ParseError as error:
        return Answer(problem=error.code)
    return Answer(value=value, unsure=value is None)


def _per_country(fact: str, text: str, cased: str, known: Mapping[str, Any], language: Optional[str]) -> Answer:
    countries = tuple(known.get("countries") or ())
    pairs, _ = counts_per_country(text, cased, countries, language)
    if not pairs:
        counted = known.get(fact) or {}
        missing = [code for code in countries if code not in counted]
        values = {loose.value for loose in counts_in(text, language).loose if isinstance(loose.value, int)}
        if len(values) != 1:
            return Answer(problem="several_numbers" if values else "no_number")
        # the question asks "from each country": a bare number is each one's count (or the one still missing)
        pairs = {code: values.pop() for code in (missing if len(missing) == 1 else countries)}
        if not pairs:
            return Answer(problem="not_understood")
    if not all(facts()[fact].is_plausible(count) for count in pairs.values()):
        return Answer(problem="implausible")
    return Answer(value={**(known.get(fact) or {}), **pairs})


def _countries(text: str, cased: str) -> Answer:
    """"Norge og Sverige", "SE, DK": every country the reply names; without Norway, Norway too (the asker's own
    cluster is Norwegian, as the programme's are), inferred, to be confirmed before a rule fails on it."""
    found = [item.value for item in countries_in(text, cased, anywhere=True)]
    if not found:
        return Answer(problem="not_understood")
    if HOME_COUNTRY not in found:
        return Answer(value=[HOME_COUNTRY, *found], inferred=True)
    return Answer(value=found)


def read_answer(fact: str, text: str, known: Mapping[str, Any], day: dt.date,
                options: Sequence[str] = (), language: Optional[str] = None) -> Answer:
    """Read `text` as the answer to the question about `fact` (`options`: the choices as they were shown numbered,
    so that "2" picks the second; empty when they were not)."""
    lowered, cased = fold(text), fold(text, lower=False)
    if asks_to_skip(text):
        return Answer(skip=True)
    kind = facts()[fact].type
    if kind == "bool":
        return _yes_no(fact, lowered, cased)
    if is_unsure(lowered):
        return Answer(unsure=True)
    if kind == "count":
        return _count(fact, lowered, cased, known, language)
    if kind == "amount":
        budget = budget_in(lowered, day)
        return Answer(value=budget.nok, problem=budget.problem, converted_from_eur=budget.from_eur)
    if kind == "enum":
        return _choice(fact, lowered, options)
    if kind == "enum_list":
        return _choices(fact, lowered, options)
    if kind == "countries":
        return _countries(lowered, cased)
    if kind == "country_counts":
        return _per_country(fact, lowered, cased, known, language)
    raise AssertionError(f"no reader for facts of type {kind}")



def says_it_is_wrong(text: str) -> bool:
    """"det stemmer ikke", "that's wrong", "du misforsto": the user says the bot misread them (vocabulary's
    `says_wrong`)."""
    return mentions(vocabulary()["says_wrong"], fold(text))
