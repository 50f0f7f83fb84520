"""Facts a free sentence states about the project, in bokmål or English (vocabulary in data/vocabulary.yaml).

In free text a number must say what it counts ("tre bedrifter", "2 SMEs", "budsjettet er 500 000 kr"), so "Vi er tre
bedrifter i en NCE-klynge, to er SMB-er, budsjettet er 500 000 kr" gives companies, cluster programme, SMEs and
budget at once. Quantities said in words count too ("alle er SMB-er", "both are SMEs", "ingen utenlandske"), as do
what-ifs on a known count ("én SMB til", "one more company"). Who is asking ("vi er en klyngeorganisasjon") is kept
apart from who will submit the application ("klyngeorganisasjonen skal søke"): only the second can fail a rule.

What the bot works out rather than reads is marked as inferred: a passing mention of a partner country ("a Danish
cluster") gives the countries as Norway and Denmark, inferred, to be confirmed before any rule fails on them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping, Optional

from bot.reading.numbers import ParseError, parse_count
from bot.reading.values import (NUMBER, Span, budget_in, choices_in, countries_in, counts_per_country,
                                numbers_before, stated_truth)
from bot.reading.vocabulary import keyword_pattern, vocabulary
from bot.resources import fold
from bot.rules.facts import country_adjectives, facts

NORWAY = "NO"
COUNTED = ("smes", "foreign_companies", "companies")  # the more specific noun first: "2 SMB-bedrifter" are SMEs
ZERO_ALLOWED = {"smes", "foreign_companies", "smes_per_country"}


@dataclass(frozen=True)
class Portion:
    """A count given as a part of its total, before or without a number: all, half, all but n."""
    kind: str  # "all", "half" or "all_but"
    n: int = 0

    def of(self, total: int) -> Optional[int]:
        """The count for this total; None where it is not a whole number of companies (half of three)."""
        if self.kind == "all":
            return total
        if self.kind == "half":
            return total // 2 if total % 2 == 0 else None
        return total - self.n if total >= self.n else None


@dataclass(frozen=True)
class Statement:
    facts: Mapping[str, Any] = field(default_factory=dict)
    inferred: frozenset[str] = frozenset()
    portions: Mapping[str, Portion] = field(default_factory=dict)  # waiting for their total to be known
    deltas: Mapping[str, int] = field(default_factory=dict)  # "one more SME": added to a known count
    spans: tuple[Span, ...] = ()
    converted_from_eur: Optional[float] = None

    def __bool__(self) -> bool:
        return bool(self.facts or self.portions or self.deltas)


# --- quantities in words -----------------------------------------------------------------------------------

_ALL_BUT = (r"(?:alle|all)(?:\s+(?:of them|of us|av dem|av oss|sammen))?\s+"
            r"(?:unntatt|utenom|bortsett fra|except|but|apart from)\s+(?P<n>\w+)")
_ALL = r"alle(?: sammen| av (?:dem|oss))?|samtlige|all(?: of (?:them|us))?|every(?: one|one| single one)?"
_HALF = r"halvparten(?: av (?:dem|oss))?|half(?: of (?:them|us))?"
_BOTH = r"begge(?: to)?|both(?: of (?:them|us))?"
_NONE = r"ingen(?: av (?:dem|oss))?|none(?: of (?:them|us))?|not one|no one|ikke (?:en eneste|noen)"
QUANTITY = re.compile(rf"(?<![\w-])(?:(?P<all_but>{_ALL_BUT})|(?P<half>{_HALF})|(?P<both>{_BOTH})|(?P<none>{_NONE})"
                      rf"|(?P<all>{_ALL}))(?![\w-])")


def quantity(match: re.Match) -> Optional[int | Portion]:
    """A number (both = 2, none = 0) or a portion of a total (all, half, all but n) from a QUANTITY match."""
    if match.group("both"):
        return 2
    if match.group("none"):
        return 0
    if match.group("half"):
        return Portion("half")
    if match.group("all_but"):
        try:
            return Portion("all_but", parse_count(match.group("n").replace("én", "en"), allow_zero=True) or 1)
        except ParseError:
            return None
    return Portion("all")


@lru_cache(maxsize=None)
def _noun(fact: str) -> str:
    return keyword_pattern(tuple(vocabulary()["counted"][fact])).pattern


@lru_cache(maxsize=None)
def _counted_pattern(fact: str) -> re.Pattern:
    # a number, at most three words (and "er"/"are" etc.), then the noun: "to av dem er SMB-er", "3 norske bedrifter"
    return re.compile(rf"(?P<number>{NUMBER})\s+(?:[\wæøå-]+\s+){{0,3}}?{_noun(fact)}")


@lru_cache(maxsize=None)
def _quantified_pattern(fact: str) -> re.Pattern:
    # "alle er SMB-er", "both of them are SMEs", "ingen utenlandske", "halvparten er små og mellomstore"
    return re.compile(rf"{QUANTITY.pattern}\s+(?:[\wæøå-]+\s+){{0,2}}?{_noun(fact)}")


# "alle er norske" answers how many are foreign (none) and "alle er store" how many are SMEs (none).
_ALL_OTHER_KIND = {
    "foreign_companies": re.compile(r"\b(?:alle|all|bare|kun|only)\b(?:\s+\w+){0,3}?\s+(?:norsk\w*|norwegian)\b"),
    "smes": re.compile(r"\b(?:alle|all)\b(?:\s+\w+){0,3}?\s+(?:stor\w*|large|big)\b"),
}
_ONE_FOREIGN = re.compile(r"(?<![\w-])(?:en|ei|ett|én|a|an|one)\s+(?:utenlandsk\w*|foreign)\s+"
                          r"(?:bedrift\w*|selskap\w*|partner\w*|firma\w*|compan\w*|firm\w*)")
_MORE = re.compile(rf"(?<![\w-])(?:(?P<n>{NUMBER}|en|ei|ett|a|an|one)\s+(?:more|extra|additional|ekstra)\s+"
                   rf"(?P<noun>[\wæøå-]+(?:\s+[\wæøå-]+)?)|(?P<n2>{NUMBER}|en|ei|ett|én)\s+(?:ekstra\s+)?"
                   rf"(?P<noun2>[\wæøå-]+(?:\s+[\wæøå-]+)?)\s+til\b|another\s+(?P<noun3>[\wæøå-]+(?:\s+[\wæøå-]+)?))")


def _count_of(word: str) -> Optional[int]:
    try:
        return parse_count({"en": "1", "ei": "1", "ett": "1", "a": "1", "an": "1", "én": "1"}.get(word, word),
                           allow_zero=True)
    except ParseError:
        return None


def _deltas(text: str) -> tuple[dict[str, int], list[Span]]:
    """What-ifs on a count: "én SMB til", "one more company", "another SME"."""
    found: dict[str, int] = {}
    spans: list[Span] = []
    for match in _MORE.finditer(text):
        number = match.group("n") or match.group("n2") or "1"
        noun = match.group("noun") or match.group("noun2") or match.group("noun3")
        count = _count_of(number)
        for fact in COUNTED:
            if count and re.match(_noun(fact), noun) and fact not in found:
                found[fact] = count
                spans.append(match.span())
                break
    return found, spans


def _counts(text: str, taken: list[Span]) -> tuple[dict[str, Any], dict[str, Portion], list[Span]]:
    found: dict[str, Any] = {}
    portions: dict[str, Portion] = {}
    spans: list[Span] = []

    def free(span: Span) -> bool:
        return not any(start < span[1] and span[0] < end for start, end in taken + spans)

    # "every one is an SME" says all of them: its "one" is no count
    all_of_them = [match.span() for match in QUANTITY.finditer(text) if match.group("all")]

    for fact in COUNTED:
        for match in numbers_before(_counted_pattern(fact), text):
            if not free(match.span()) or any(start <= match.start("number") < end for start, end in all_of_them):
                continue
            # "2 SMB-bedrifter" counts SMEs, not companies: a span already read for SMEs is skipped above
            try:
                value = parse_count(match.group("number"), allow_zero=fact in ZERO_ALLOWED)
            except ParseError:
                continue
            if facts()[fact].is_plausible(value):
                found[fact] = value
                spans.append(match.span())
                break
        if fact in found:
            continue
        match = _quantified_pattern(fact).search(text)
        if match and free(match.span()):
            amount = quantity(match)
            if isinstance(amount, Portion):
                portions[fact] = amount
            elif amount is not None:
                found[fact] = amount
            spans.append(match.span())
            continue
        other = _ALL_OTHER_KIND.get(fact)
        match = other.search(text) if other else None
        if match and free(match.span()):
            found[fact] = 0
            spans.append(match.span())
    match = _ONE_FOREIGN.search(text)
    if "foreign_companies" not in found and match and free(match.span()):
        found["foreign_companies"] = 1
        spans.append(match.span())
    # "3 av 4 er SMB-er": the total is stated too
    of_total = re.search(rf"(?P<part>{NUMBER})\s+(?:av|of|out of)\s+(?P<total>{NUMBER})\b", text)
    if of_total and "companies" not in found and ("smes" in found or "foreign_companies" in found):
        total = _count_of(of_total.group("total"))
        if total:
            found["companies"] = total
    return found, portions, spans


# --- who is asking, and who will apply ---------------------------------------------------------------------

_SELF = (r"(?:vi er|jeg er|vi representerer|jeg representerer|jeg jobber (?:i|for|på)|vi jobber (?:i|for)|"
         r"we are|we're|i am|i'm|i work (?:at|for|in)|i represent|we represent|on behalf of|på vegne av)")
_APPLICANT = (r"(?:søker er|søkeren er|søker blir|søkeren blir|søker:|the applicant is|the applicant will be|"
              r"applicant:)\s+(?P<after>.{0,60})|(?P<before>[\wæøå -]{0,40}?)\s+(?:skal|vil|kommer til å)\s+"
              r"(?:søke|sende (?:inn )?søknaden|stå som søker)|(?P<before2>[\wæøå -]{0,40}?)\s+will\s+"
              r"(?:apply|submit the application|be the applicant)")
_ASKER_OF_APPLICANT = {"company": "company", "cluster_organisation": "cluster_organisation",
                       "business_network": "business_network", "research_institution": "other",
                       "public_body": "other"}


def _roles(text: str) -> tuple[dict[str, str], list[Span]]:
    found: dict[str, str] = {}
    spans: list[Span] = []
    applicant = re.search(_APPLICANT, text)
    if applicant:
        words = applicant.group("after") or applicant.group("before") or applicant.group("before2") or ""
        named = choices_in("applicant", words)
        if named:
            found["applicant"] = named[-1].value if applicant.group("after") is None else named[0].value
            spans.append(applicant.span())
    self_reference = re.search(_SELF + r"\s+(?:en |et |ei |a |an |the |fra |from |i |in )?(?P<who>.{0,60})", text)
    if self_reference:
        named = choices_in("applicant", self_reference.group("who"))
        if named:
            found["asker"] = _ASKER_OF_APPLICANT[named[0].value]
    return found, spans


# --- the whole sentence ------------------------------------------------------------------------------------

_BUDGET_CLAUSES = re.compile(r"[;!?]|,(?!\d)|\bog\b(?= \D)|\band\b(?= \D)")
_CURRENCY = re.compile(r"\b(kr|nok|mnok|kroner|eur|euro)\b|€")


def _budget(text: str, day: dt.date) -> tuple[Optional[float], Optional[float], list[Span]]:
    budget_words = keyword_pattern(tuple(vocabulary()["budget_words"]))
    enterprise_figures = keyword_pattern(tuple(vocabulary()["enterprise_figure_words"]))
    position = 0
    for clause in _BUDGET_CLAUSES.split(text):
        start = text.find(clause, position)
        position = start + len(clause)
        if enterprise_figures.search(clause) and not budget_words.search(clause):
            continue
        if budget_words.search(clause) or _CURRENCY.search(clause):
            found = budget_in(clause, day)
            if found.problem is None:
                return found.nok, found.from_eur, [(start, start + len(clause))]
    return None, None, []


def _countries(text: str, original: str) -> tuple[Optional[list[str]], bool, list[Span]]:
    """The countries the sentence names, and whether the list is the bot's own completion: partner countries
    mentioned in passing ("a Danish cluster") stand beside Norway."""
    named = countries_in(text, original, adjectives_alone=False)
    if not named:
        return None, False, []
    codes = [item.value for item in named]
    spans = [item.span for item in named]
    if NORWAY not in codes and all(text[start:end] in country_adjectives() for start, end in spans):
        # partner countries named in passing ("with a Danish cluster"): the asker's own cluster is Norwegian,
        # as every cluster of the programme is; the list is the bot's completion, to be confirmed before a "no"
        return [NORWAY, *codes], True, spans
    return codes, False, spans


def facts_in(text: str, known: Mapping[str, Any], day: dt.date) -> Statement:
    """Every fact the sentence states outright, with the spans of the text that state them."""
    lowered = fold(text)
    found: dict[str, Any] = {}
    spans: list[Span] = []
    inferred: set[str] = set()

    deltas, delta_spans = _deltas(lowered)
    spans += delta_spans
    counted, portions, count_spans = _counts(lowered, spans)
    found.update(counted)
    spans += count_spans
    budget, converted, budget_spans = _budget(lowered, day)
    if budget is not None:
        found["budget_nok"] = budget
        spans += budget_spans
    programme = choices_in("cluster_programme", lowered)
    if programme:
        found["cluster_programme"] = programme[0].value
        spans.append(programme[0].span)
    roles, role_spans = _roles(lowered)
    found.update(roles)
    spans += role_spans
    activities = choices_in("activities", lowered)
    if activities:
        found["activities"] = [item.value for item in activities]
        spans += [item.span for item in activities]
    countries, completed, country_spans = _countries(lowered, text)
    if countries:
        found["countries"] = countries
        spans += country_spans
        if completed:
            inferred.add("countries")
    if re.search(r"\b(smb|sme)", lowered):
        per_country, per_country_spans = counts_per_country(lowered, tuple(countries or known.get("countries") or ()))
        if per_country:
            found["smes_per_country"] = {**(known.get("smes_per_country") or {}), **per_country}
            found.pop("smes", None)  # "3 SMEs in Norway" counts one country's SMEs, not all of them
            spans += per_country_spans
    for fact in vocabulary()["statements"]:
        truth = stated_truth(fact, lowered)
        if truth is not None:
            found[fact] = truth.value
            spans.append(truth.span)
    return Statement(facts=found, inferred=frozenset(inferred), portions=portions, deltas=deltas,
                     spans=tuple(spans), converted_from_eur=converted)


def apply_portions(values: dict[str, Any], portions: Mapping[str, Portion]) -> dict[str, Portion]:
    """Turn "all"/"half"/"all but one" into counts where the total is known now; returns those still waiting."""
    waiting = {}
    for fact, portion in portions.items():
        total = values.get(facts()[fact].of_total or "companies")
        count = portion.of(total) if total is not None else None
        if count is None:
            waiting[fact] = portion
        else:
            values[fact] = count
    return waiting
