"""The values of one kind of fact, wherever they stand in a sentence: choices, participating countries, SMEs per
country, yes/no statements and budgets. Every reader takes folded text (bot.resources.fold) and returns what it found
with the span it found it in, so a caller can tell which part of a message said what. Each walks the sentence's
tokens once or runs a bounded pattern at each of them, so its time grows with the length of the text, not faster.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from bot.reading.numbers import ParseError, parse_amount
from bot.reading.tokens import Token, is_scaled, is_year, tokens
from bot.reading.vocabulary import keyword_pattern, vocabulary
from bot.rules.facts import country_adjectives, country_codes, country_names, facts
from bot.rules.money import budget_rate

Span = tuple[int, int]
HOME_COUNTRY = "NO"  # the country of the clusters the bot serves: a project's own, unless the user says otherwise

# A number as a pattern sees one: digits (with thousands groups) or a number word. Bounded at every start, so a search
# over "1 1 1 …" does not backtrack over the whole text.
NUMBER = (r"(?:\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|(?:null|ingen|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|"
          r"elleve|tolv|tjue|tretti|førti|femti|hundre|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
          r"twelve|twenty|thirty|forty|fifty|hundred)[a-zæøå]*)")


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


# --- countries ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Mention:
    code: str
    index: int  # the token
    adjective: bool


def _mentions(items: tuple[Token, ...], cased: str) -> list[_Mention]:
    """Every country named in the tokens: names and adjectives in any case; ISO codes only as written in capitals
    (`cased`: the text folded but for its case, "NO, SE"), since in lower case they are ordinary words ("is", "no")."""
    names, adjectives = country_names(), country_adjectives()
    capitals = {match.group(0) for match in re.finditer(r"(?<![\w-])[A-Z]{2}(?![\w-])", cased)} & country_codes()
    found = []
    for index, item in enumerate(items):
        word = item.text
        two = f"{word} {items[index + 1].text}" if index + 1 < len(items) else ""
        if two in names:
            found.append(_Mention(names[two], index, False))
        elif word in names:
            found.append(_Mention(names[word], index, word in adjectives))
        elif len(word) == 2 and cased[item.start:item.end] in capitals:
            found.append(_Mention(word.upper(), index, False))
    return found


_CLUSTERISH = re.compile(r"[\w-]*(?:klynge|nettverk|cluster|network|partner|organisasjon|organisation|organization)[\w-]*")
_AT = frozenset({"i", "in", "fra", "from", "based", "basert", "located", "lokalisert"})
_WITH = frozenset({"med", "with"})
_COOPERATION = re.compile(r"\b(?:samarbeid\w*|cooperat\w*|co-operat\w*|collaborat\w*|partner\w*|klynge\w*|nettverk\w*|"
                          r"cluster\w*|network\w*)")
_COUNTRY_LIST = re.compile(r"\b(?:land|landene|countries|country|deltakerland\w*|participating countries)\b")


def _clusterish(items: tuple[Token, ...], start: int, end: int) -> bool:
    return any(_CLUSTERISH.fullmatch(items[index].text) for index in range(max(0, start), min(len(items), end)))


def _in_cluster_context(items: tuple[Token, ...], mention: _Mention, sentence: str) -> bool:
    """Whether a country named here is one of a cluster or network taking part: "en dansk klynge", "Swedish
    networks", "a cluster in Denmark", "partners from Finland", "sammen med Sverige og Danmark" (in a sentence about
    cooperation), "landene er Norge og Sverige". "A market study in Denmark" names a place, no participant."""
    index = mention.index
    if mention.adjective:
        return _clusterish(items, index + 1, index + 4)
    before = items[index - 1].text if index else ""
    if before in _AT and _clusterish(items, index - 4, index - 1):
        return True
    if before in _WITH and _COOPERATION.search(sentence):
        return True
    return bool(_COUNTRY_LIST.search(" ".join(item.text for item in items[max(0, index - 4):index])))


_LIST_WORDS = frozenset({"og", "and", ",", "samt", "plus", "pluss", "&", "en", "et", "ei", "a", "an", "one", "i", "in",
                         "fra", "from", "another", "en annen", "one in"})


def countries_in(text: str, cased: str, anywhere: bool = False) -> list[Found]:
    """The participating countries a sentence names, in order, each once. `anywhere`: every country named counts
    (the reply to "which countries?"); otherwise only those of clusters and networks taking part, and the ones
    listed with them ("en klynge i Danmark og en i Sverige")."""
    items = tokens(text)
    mentions = _mentions(items, cased)
    taken: dict[str, Found] = {}
    last_taken = -10
    for mention in mentions:
        listed = last_taken >= 0 and mention.index - last_taken <= 4 and \
            all(items[index].text in _LIST_WORDS for index in range(last_taken + 1, mention.index))
        if anywhere or listed or _in_cluster_context(items, mention, text):
            item = items[mention.index]
            taken.setdefault(mention.code, Found(mention.code, (item.start, item.end)))
            last_taken = mention.index
    return list(taken.values())


# --- SMEs per country ----------------------------------------------------------------------------------------------

_EACH = frozenset({"hvert", "hver", "each", "every", "begge", "both"})


def _count_at(items: tuple[Token, ...], index: int) -> Optional[int]:
    if index < 0 or index >= len(items):
        return None
    item = items[index]
    if not item.is_number or item.value is None or item.value.denominator != 1 or is_scaled(items, index) \
            or is_year(item):
        return None
    return int(item.value)


@lru_cache(maxsize=None)
def _sme_noun() -> re.Pattern:
    return keyword_pattern(tuple(vocabulary()["counted"]["smes"]["nouns"]))


def counts_per_country(text: str, cased: str, countries: tuple[str, ...]) -> tuple[dict[str, int], list[Span]]:
    """'tre SMB-er fra Norge og fire fra Sverige', 'fire norske SMB-er og to finske', 'Norway 4, Finland 2',
    '3 from each of Norway, Denmark and Sweden', 'tre fra hvert land' (the countries known or named)."""
    items = tokens(text)
    by_index = {mention.index: mention for mention in _mentions(items, cased)}
    pairs: dict[str, int] = {}
    spans: list[Span] = []

    def sme_noun_at(index: int) -> int:
        """The index after an SME noun at `index` (or `index` itself where there is none)."""
        if index < len(items) and _sme_noun().match(text, items[index].start):
            return index + 1
        return index

    for index in range(len(items)):
        count = _count_at(items, index)
        if count is None:
            continue
        position = sme_noun_at(index + 1)
        if position < len(items) and items[position].text in ("bare", "kun", "only", "just"):
            position += 1
        mention = by_index.get(position)
        if mention is not None and mention.adjective:  # "fire norske SMB-er", "to finske"
            pairs.setdefault(mention.code, count)
            spans.append((items[index].start, items[sme_noun_at(position + 1) - 1].end))
            continue
        if position < len(items) and items[position].text in _AT | {"hvert", "hver", "each", "every"}:
            at = position + (items[position].text in _AT)
            if at < len(items) and items[at].text in _EACH:
                each = _each(items, at, by_index, countries)
                if each:
                    codes, end = each
                    for code in codes:
                        pairs.setdefault(code, count)
                    spans.append((items[index].start, items[end - 1].end))
                continue
            mention = by_index.get(at)
            if mention is not None:
                pairs.setdefault(mention.code, count)
                spans.append((items[index].start, items[at].end))
                continue
        # "Norway 4", "Norge: 3"
        before = by_index.get(index - 1) or (by_index.get(index - 2) if index > 1 and items[index - 1].text in
                                              (":", "=", "-") else None)
        if before is not None and not before.adjective:
            pairs.setdefault(before.code, count)
            spans.append((items[before.index].start, items[index].end))
    return pairs, spans


def _each(items, at: int, by_index, countries: tuple[str, ...]) -> Optional[tuple[tuple[str, ...], int]]:
    """'hvert land', 'each of Norway, Denmark and Sweden', 'hvert av de tre landene': the countries meant, and the
    index after the words."""
    position = at + 1
    named: list[str] = []
    while position < len(items) and position - at < 12:
        mention = by_index.get(position)
        if mention is not None:
            named.append(mention.code)
        elif items[position].text not in _LIST_WORDS | {"of", "av", "the", "de", "land", "landene", "country",
                                                         "countries", "participating", "deltakerland", ":"} \
                and not items[position].is_number:
            break
        position += 1
    codes = tuple(dict.fromkeys(named)) or countries
    return (codes, position) if codes else None


# --- yes and no said in words ------------------------------------------------------------------------------------

# Words that turn what follows them round, in the same part of a sentence: "ingen av oss har felles eiere",
# "vi har ikke med noe universitet", "NTNU er ikke lenger partner". The Norwegian "nei" answers; it negates nothing.
_NEGATORS = frozenset({"ikke", "ikkje", "ingen", "ingenting", "aldri", "uten", "verken", "hverken", "not", "never",
                       "none", "neither", "nor", "without", "nobody", "no", "isn't", "aren't", "don't", "doesn't",
                       "haven't", "hasn't", "won't", "wasn't", "weren't", "didn't", "can't", "cannot", "lack", "lacks"})
_INTERJECTION_BEFORE = frozenset({"we", "they", "it", "the", "that", "i", "you", "there", "this", "one"})
_PART_ENDS = frozenset({",", ";", ":", "(", ")", ".", "men", "but", "mens", "while", "whereas", "although", "selv om",
                        "though", "-"})


_WITHOUT = frozenset({"uten", "without"})


def _negated(items: tuple[Token, ...], start: int, end: int) -> bool:
    """Whether a negating word in tokens [start, end) turns round what follows: "ingen utenlandske og ingen offentlige
    partnere" negates both, as does "ikke universitet og kommune"; "ikke uten felles eiere" is a double negation."""
    found = []
    for index in range(start, end):
        word = items[index].text
        if word not in _NEGATORS:
            continue
        if word == "no" and (index + 1 >= len(items) or items[index + 1].text in _INTERJECTION_BEFORE
                             or items[index + 1].kind == "mark"):
            continue  # "No, we are independent", "no they aren't": an answer, not a negation of what follows
        found.append(word)
    if len(found) >= 2 and found[-1] in _WITHOUT:
        return False
    return bool(found)


def _part_start(items: tuple[Token, ...], index: int) -> int:
    """The first token of the part of the sentence the token at `index` stands in."""
    position = index
    while position > 0 and items[position - 1].text not in _PART_ENDS:
        position -= 1
    return position


def _token_at(items: tuple[Token, ...], offset: int) -> int:
    """The index of the token a character offset falls in (or the next one)."""
    return bisect.bisect_right([item.end for item in items], offset)


@lru_cache(maxsize=None)
def _statement_patterns(fact: str) -> tuple[tuple[bool, re.Pattern], ...]:
    spec = vocabulary()["statements"][fact]
    return tuple((truth, keyword_pattern(tuple(spec[truth]))) for truth in (False, True) if spec.get(truth))


_SAID_YES = frozenset({"ja", "yes", "true", "sant", "yep", "jepp", "y"})
_SAID_NO = frozenset({"nei", "no", "false", "usant", "nope", "n"})


def stated_truth(fact: str, text: str, cased: Optional[str] = None) -> Optional[Found]:
    """What the text says of a yes/no fact in its own words ("felles eier" is independent = no), the right way round:
    a negation in the same part of the sentence turns a phrase round ("None of us have shared owners": independent),
    and "early stage = yes" or "uavhengige: nei" says it outright. Where the text says both, the last word wins."""
    if fact not in vocabulary()["statements"]:
        return None
    items = tokens(text)
    said: list[Found] = []
    for truth, pattern in _statement_patterns(fact):
        for match in pattern.finditer(text):
            first, last = _token_at(items, match.start()), _token_at(items, match.end() - 1)
            value = truth if not _negated(items, _part_start(items, first), first) else not truth
            answer = _answer_after(items, last + 1)
            if answer is not None:
                value = value if answer else not value
            said.append(Found(value, match.span()))
    said += _organisations_said(fact, text, items, cased if cased is not None else text)
    return max(said, key=lambda found: found.span[0]) if said else None


def _answer_after(items: tuple[Token, ...], index: int) -> Optional[bool]:
    """'early stage = yes', 'uavhengige: nei', 'tidlig fase - ja': a label and its answer."""
    if index < len(items) and items[index].text in ("=", ":", "-", "?"):
        index += 1
    if index < len(items) and (index + 1 == len(items) or items[index + 1].kind == "mark"):
        word = items[index].text
        if word in _SAID_YES:
            return True
        if word in _SAID_NO:
            return False
    return None


# --- partners that are no private company ------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _organisation_patterns() -> tuple[re.Pattern, re.Pattern]:
    """(kinds and names in any case, acronyms as written)."""
    spec = vocabulary()["organisations"]
    words = tuple(word for kind in spec["kinds"].values() for word in kind["words"] + kind.get("names", []))
    acronyms = tuple(acronym for kind in spec["kinds"].values() for acronym in kind.get("acronyms", []))
    return keyword_pattern(words), re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, acronyms)) + r")(?![\w-])")


_PARTNER_WORDS = re.compile(r"(?:partner\w*|deltar|deltaker\w*|participat\w*|involved|involvert|samarbeid\w*|"
                            r"collaborat\w*|cooperat\w*|joins?|joined|takes?|consortium|konsortiet)")
_ALONGSIDE = frozenset({"med", "with", "og", "and", "inkludert", "including", "pluss", "plus", "samt", "+"})


def organisation_spans(text: str, cased: str) -> list[Span]:
    """Where the text names an organisation that is not a private company: a university, research institute or public
    body, by kind ("et universitet", "kommunalt foretak") or by name ("NTNU", "SINTEF"; an acronym that is also a word,
    "BI", "KF", only as written in capitals in `cased`)."""
    words, acronyms = _organisation_patterns()
    return sorted({match.span() for match in words.finditer(text)} | {match.span() for match in acronyms.finditer(cased)})


def _organisations_said(fact: str, text: str, items: tuple[Token, ...], cased: str) -> list[Found]:
    """For "is any partner public or a research institution?": an organisation named as a partner ("med et
    universitet", "NTNU er partner", "vi er to SMB-er og SINTEF"), or denied ("NTNU er ikke lenger partner",
    "vi har ikke med noe universitet", "No universities or public bodies are partners")."""
    if fact != vocabulary()["organisations"]["fact"]:
        return []
    found = []
    for start, end in organisation_spans(text, cased):
        first, last = _token_at(items, start), _token_at(items, end - 1)
        part = _part_start(items, first)
        before = {items[index].text for index in range(max(part, first - 3), first)}
        following = range(last + 1, min(len(items), last + 6))
        partner_after = next((index for index in following if items[index].text in _PART_ENDS
                              or _PARTNER_WORDS.fullmatch(items[index].text)), None)
        named_as_partner = bool(before & _ALONGSIDE) or any(
            _PARTNER_WORDS.fullmatch(items[index].text) for index in range(part, first)) or (
            partner_after is not None and _PARTNER_WORDS.fullmatch(items[partner_after].text))
        if not named_as_partner:
            continue  # "a spin-off from NTNU": named, but not as a partner
        end_of_claim = partner_after + 1 if partner_after is not None else last + 1
        negated = _negated(items, part, first) != _negated(items, last + 1, end_of_claim)
        found.append(Found(not negated, (start, end)))
    return found


# --- budgets -------------------------------------------------------------------------------------------------------

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

