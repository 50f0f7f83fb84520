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
from typing import Generic, Optional, TypeVar

from bot.reading.numbers import ParseError, parse_amount
from bot.reading.tokens import Span, Token, is_scaled, is_year, tokens
from bot.reading.vocabulary import keyword_pattern, vocabulary
from bot.rules.facts import BUDGET, country_adjectives, country_codes, country_names, facts
from bot.rules.money import budget_rate

HOME_COUNTRY = "NO"  # the country of the clusters the bot serves: a project's own, unless the user says otherwise

# A number as a pattern sees one: digits (with thousands groups) or a number word. Bounded at every start, so a search
# over "1 1 1 …" does not backtrack over the whole text.
NUMBER = (r"(?:\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|(?:null|ingen|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|"
          r"elleve|tolv|tjue|tretti|førti|femti|hundre|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
          r"twelve|twenty|thirty|forty|fifty|hundred)[a-zæøå]*)")


Value = TypeVar("Value")  # what is found: a choice or a country code (str), or the truth of a statement (bool)


@dataclass(frozen=True)
class Found(Generic[Value]):
    value: Value
    span: Span


@lru_cache(maxsize=None)
def _value_patterns(fact: str) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((value, keyword_pattern(tuple(words))) for value, words in vocabulary()["values"][fact].items())


def choices_in(fact: str, text: str) -> list[Found[str]]:
    """Every value of an enum fact named in the text, in the order they stand, each once."""
    found: dict[str, Found[str]] = {}
    for value, pattern in _value_patterns(fact):
        match = pattern.search(text)
        if match and value not in found:
            found[value] = Found(value, match.span())
    # at the same place the longer name wins: "business network" is a network, not a "business"
    ordered = sorted(found.values(), key=lambda item: (item.span[0], item.span[0] - item.span[1]))
    return [item for item in ordered if not any(other.span[0] <= item.span[0] and item.span[1] <= other.span[1]
                                                and other is not item and other.span != item.span for other in ordered)]


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


# "a Finnish partner" is a company from abroad, no partner cluster (that is "a Finnish partner cluster")
_PARTNER_ALONE = re.compile(r"partner(?:e|en|ne|s|ene)?")
_SME_OR_COMPANY = re.compile(r"(?:smb|sme|bedrift|selskap|compan|firm|business)")


def _clusterish(items: tuple[Token, ...], start: int, end: int) -> bool:
    return any(_CLUSTERISH.fullmatch(items[index].text) for index in range(max(0, start), min(len(items), end)))


def _in_cluster_context(items: tuple[Token, ...], mention: _Mention, sentence: str) -> bool:
    """Whether a country named here is one of a cluster or network taking part: "en dansk klynge", "Swedish
    networks", "a cluster in Denmark", "partners from Finland", "sammen med Sverige og Danmark" (in a sentence about
    cooperation), "landene er Norge og Sverige". "A market study in Denmark" names a place, no participant."""
    index = mention.index
    if mention.adjective:  # "en dansk klynge", "Danish and Swedish clusters", "en norsk Arena-klynge"
        position = index + 1
        while position < len(items) and position - index <= 4 and items[position].kind == "word":
            if _CLUSTERISH.fullmatch(items[position].text) and not _PARTNER_ALONE.fullmatch(items[position].text):
                return True
            if _SME_OR_COMPANY.match(items[position].text) and not (
                    position + 1 < len(items) and _CLUSTERISH.fullmatch(items[position + 1].text)):
                return False  # "norske SMB-er", "Danish companies": companies of a country; "business network" is one
            position += 1
        return False
    before = items[index - 1].text if index else ""
    if before in ("the", "det") and index > 1:  # "a cluster in the UK"
        index, before = index - 1, items[index - 2].text
    if before in _AT and _clusterish(items, index - 4, index - 1):
        return True
    if before == "," and index > 2 and items[index - 3].text in _AT and _clusterish(items, index - 7, index - 3):
        return True  # "a cluster in Reykjavik, Iceland"
    if before in _WITH and _COOPERATION.search(sentence):
        return True
    return bool(_COUNTRY_LIST.search(" ".join(item.text for item in items[max(0, index - 4):index])))


_LIST_WORDS = frozenset({"og", "and", ",", "samt", "plus", "pluss", "&", "en", "et", "ei", "a", "an", "one", "i", "in",
                         "fra", "from", "another", "the", "one in"})


def countries_in(text: str, cased: str, anywhere: bool = False) -> list[Found[str]]:
    """The participating countries a sentence names, in order, each once. `anywhere`: every country named counts
    (the reply to "which countries?"); otherwise only those of clusters and networks taking part, and the ones
    listed with them ("en klynge i Danmark og en i Sverige"). A country said to leave or not to be one ("Finland
    pulled out", "ikke Finland") is found with the value False: see country_claims."""
    return [found for found, stays in country_claims(text, cased, anywhere) if stays]


@lru_cache(maxsize=None)
def _leaving() -> re.Pattern:
    return keyword_pattern(tuple(vocabulary()["leaving_words"]))


def country_claims(text: str, cased: str, anywhere: bool = False) -> list[tuple[Found[str], bool]]:
    """Every participating country the sentence names (as countries_in), each with whether it stays: not when the part
    of the sentence it stands in says it leaves ("Finland pulled out last week") or a negation stands just before it
    ("I meant Iceland, not Denmark")."""
    items = tokens(text)
    mentions = _mentions(items, cased)
    taken: dict[str, tuple[Found[str], bool]] = {}
    last_taken = -10
    starts, ends = _parts(items)
    leaving = [match.span() for match in _leaving().finditer(text)]
    for mention in mentions:
        listed = last_taken >= 0 and mention.index - last_taken <= 4 and \
            all(items[index].text in _LIST_WORDS for index in range(last_taken + 1, mention.index))
        negated = any(items[index].text in ("ikke", "not", "no") and cased[items[index].start:items[index].end] != "NO"
                      for index in range(max(0, mention.index - 2), mention.index))  # "NO" is Norway
        item = items[mention.index]
        start, end = starts[mention.index], ends[mention.index]
        part = (items[start].start, items[end - 1].end if end > start else item.end)
        following = bisect.bisect_left(leaving, (part[0], 0))  # the matches do not overlap: the first one after the
        leaves = following < len(leaving) and leaving[following][1] <= part[1]  # part's start ends first
        # "glem den finske partneren", "the Finnish partner pulled out": whoever from there leaves, that country goes
        if (anywhere and not mention.adjective) or listed or negated or leaves or \
                _in_cluster_context(items, mention, text):
            taken.setdefault(mention.code, (Found(mention.code, (item.start, item.end)), not (negated or leaves)))
            last_taken = mention.index
    return list(taken.values())


_OWN_COUNTRY = re.compile(r"\b(?:vi er|we are|we're|jeg er|i am|i'm|jeg leder|i run|i lead|i manage|vi representerer|"
                          r"we represent)\s+(?:en |et |ei |a |an )?(?P<adjective>[\wæøå-]+)|\b(?:my|our|mitt|vårt|min|vår)\s+"
                          r"(?:company|firm|selskap|bedrift|cluster|klynge|network|nettverk)\b[^.]{0,60}?\b(?:is|er)\s+"
                          r"(?P<predicate>[\wæøå-]+)")


def own_country(text: str, cased: str) -> Optional[str]:
    """The asker's own country where the sentence says it ("Jeg leder en svensk klynge", "We're a Finnish business
    network", "my company, Värmland Vågteknik AB, is Swedish"): a foreign asker's project is not completed with
    Norway."""
    for match in _OWN_COUNTRY.finditer(text):
        code = country_adjectives().get(match.group("adjective") or match.group("predicate") or "")
        if code and code != HOME_COUNTRY:
            return code
    return None




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


@lru_cache(maxsize=None)
def _company_noun() -> re.Pattern:
    return keyword_pattern(tuple(vocabulary()["counted"]["companies"]["nouns"]))


def counts_per_country(text: str, cased: str, countries: tuple[str, ...],
                       language: Optional[str] = None) -> tuple[dict[str, int], list[Span]]:
    """'tre SMB-er fra Norge og fire fra Sverige', 'fire norske SMB-er og to finske', 'Norway 4, Finland 2',
    '3 from each of Norway, Denmark and Sweden', 'tre fra hvert land' (the countries known or named)."""
    items = tokens(text, language)
    by_index = {mention.index: mention for mention in _mentions(items, cased)}
    pairs: dict[str, int] = {}
    spans: list[Span] = []

    def sme_noun_at(index: int) -> int:
        """The index after an SME noun at `index` (or `index` itself where there is none)."""
        if index < len(items) and _sme_noun().match(text, items[index].start):
            return index + 1
        return index

    each_said = False
    by_adjective: dict[str, tuple[int, Span]] = {}  # "5 norske og 4 svenske": counted only as a list, or with a noun
    for index in range(len(items)):
        count = _count_at(items, index)
        if count is None:
            continue
        position = sme_noun_at(index + 1)
        if position < len(items) and items[position].text in ("bare", "kun", "only", "just"):
            position += 1
        mention = by_index.get(position)
        if mention is not None and mention.adjective:  # "fire norske SMB-er", "to finske"
            after = sme_noun_at(position + 1)
            if after == position + 1 and after < len(items) and _company_noun().match(text, items[after].start):
                continue  # "to norske SMB-er og én svensk bedrift": a company, of a size not said
            span = (items[index].start, items[after - 1].end)
            if after > position + 1 or pairs:
                pairs.setdefault(mention.code, count)
                spans.append(span)
            else:
                by_adjective.setdefault(mention.code, (count, span))
            continue
        if position < len(items) and items[position].text in _AT | {"hvert", "hver", "each", "every"}:
            at = position + (items[position].text in _AT)
            if at < len(items) and items[at].text in _EACH:
                each = _each(items, at, by_index, countries)
                if each:
                    codes, end = each
                    each_said = True
                    for code in codes:
                        pairs.setdefault(code, count)
                    spans.append((items[index].start, items[end - 1].end))
                continue
            mention = by_index.get(at)
            if mention is not None:
                pairs.setdefault(mention.code, count)
                spans.append((items[index].start, items[at].end))
                continue
        # "Norway 4", "Norge: 3", "Norge har fem SMB-er", "Fra Norge er det tre SMB-er"
        before = next((by_index[index - gap] for gap in (1, 2, 3, 4) if index - gap in by_index and all(
            items[between].text in (":", "=", "-", "har", "has", "with", "med", "hadde", "had", "er", "det", "is",
                                    "are", "there", "kommer", "come", "comes", "blir") for between in
            range(index - gap + 1, index)) and (gap <= 2 or position > index + 1)), None)
        if before is not None and not before.adjective:
            pairs.setdefault(before.code, count)
            spans.append((items[before.index].start, items[index].end))
    if len(by_adjective) >= 2 or (by_adjective and pairs):
        for code, (count, span) in by_adjective.items():
            pairs.setdefault(code, count)
            spans.append(span)
    if not each_said and set(pairs) <= {HOME_COUNTRY} and len(pairs) < 2:
        return {}, []  # "to norske SMB-er" counts the SMEs of a Norwegian project, not SMEs per country
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


def _negated(items: tuple[Token, ...], start: int, end: int, negators: frozenset[str] = _NEGATORS) -> bool:
    """Whether a negating word in tokens [start, end) turns round what follows: "ingen utenlandske og ingen offentlige
    partnere" negates both, as does "ikke universitet og kommune"; "ikke uten felles eiere" and "det er ikke sånn at
    vi ikke har felles eiere" are double negations."""
    found = []
    for index in range(start, end):
        word = items[index].text
        if word not in negators:
            continue
        if word == "no" and (index + 1 >= len(items) or items[index + 1].text in _INTERJECTION_BEFORE
                             or items[index + 1].kind == "mark"):
            continue  # "No, we are independent", "no they aren't": an answer, not a negation of what follows
        found.append(index)
    if len(found) == 2 and (items[found[1]].text in _WITHOUT or any(
            items[index].text in _SUBORDINATORS for index in range(found[0] + 1, found[1]))):
        return False
    return bool(found)


_SUBORDINATORS = frozenset({"at", "that", "om", "whether"})
# A programme the cluster has lost is no programme it is in ("lost its Arena funding", "mistet Arena-statusen").
PROGRAMME_NEGATORS = _NEGATORS | frozenset({"lost", "mistet", "lose", "ended", "sluttet", "formerly"})


def _item_after_comma(items: tuple[Token, ...], comma: int, step: int) -> bool:
    """Whether the comma at `comma` separates items of a list ("offentlige aktører, forskningsinstitutter eller
    klyngeorganisasjoner"): the stretch beside it, on the side `step` looks, is a few words without a verb of its own."""
    if comma + 1 < len(items) and items[comma + 1].text in _CLAUSE_AFTER_COMMA:
        return False  # "ingen utenlandske, og universitetet er med": a new clause, not the list's next item
    position, words = comma + step, 0
    while 0 <= position < len(items) and not _ends_part(items, position) and words <= 4:
        if items[position].text in _VERBS:
            return _list_goes_on(items, comma)  # "we don't have any university, research institute or …"
        position += step
        words += 1
    return 0 < words <= 4 or _list_goes_on(items, comma)


_LIST_JOINS = frozenset({"og", "and", "eller", "or", "samt", "nor", "verken"})


def _list_goes_on(items: tuple[Token, ...], comma: int) -> bool:
    """Whether the words after the comma are a list's next item: a few words without a verb, then "eller", "or"…"""
    for position in range(comma + 1, min(comma + 6, len(items))):
        if items[position].text in _LIST_JOINS:
            return position > comma + 1
        if items[position].text in _VERBS or _ends_part(items, position):
            return False
    return False


def _ends_part(items: tuple[Token, ...], index: int) -> bool:
    """Whether the token at `index` ends a part of the sentence; a hyphen joined to a word does not ("FoU- eller
    klyngeorganisasjonspartnere")."""
    item = items[index]
    if item.text != "-":
        return item.text in _PART_ENDS
    joined = (index and items[index - 1].end == item.start) or \
        (index + 1 < len(items) and items[index + 1].start == item.end)
    return not joined


def _part_start(items: tuple[Token, ...], index: int, lists: bool = False) -> int:
    """The first token of the part of the sentence the token at `index` stands in; with `lists`, a list's commas
    do not end it ("Ingen offentlige aktører, forskningsinstitutter eller klyngeorganisasjoner er partnere")."""
    position = index
    while position > 0:
        before = items[position - 1].text
        if lists and before == "," and _item_after_comma(items, position - 1, -1):
            position -= 1
            continue
        if _ends_part(items, position - 1):
            break
        if before in _CLAUSE_AFTER_COMMA and items[position].text in _VERBS:
            break  # "ingen felles eiere og kan helt ulike ting": a new clause, out of the negation's reach
        position -= 1
    return position


def _parts(items: tuple[Token, ...]) -> tuple[list[int], list[int]]:
    """_part_start and _part_end of every token at once, in one pass each way: a sentence of many countries is read
    in time linear in its length."""
    starts, start = [], 0
    for position in range(len(items)):
        if position and (_ends_part(items, position - 1) or (items[position - 1].text in _CLAUSE_AFTER_COMMA
                                                             and items[position].text in _VERBS)):
            start = position
        starts.append(start)
    ends, end = [0] * len(items), len(items)
    for position in reversed(range(len(items))):
        if _ends_part(items, position):
            end = position
        ends[position] = end
    return starts, ends


def _part_end(items: tuple[Token, ...], index: int, lists: bool = False) -> int:
    """The index after the last token of the part the token at `index` stands in (with `lists`, lists kept whole)."""
    position = index
    while position < len(items):
        word = items[position].text
        if lists and word == "," and _item_after_comma(items, position, 1):
            position += 1
            continue
        if _ends_part(items, position):
            break
        position += 1
    return position


_CLAUSE_AFTER_COMMA = frozenset({"og", "and", "men", "but", "så", "so"})
_VERBS = frozenset({"er", "is", "are", "har", "has", "have", "var", "was", "were", "blir", "will", "skal", "vil",
                    "kan", "can", "deltar", "join", "joins", "takes", "take"})


def _token_at(items: tuple[Token, ...], offset: int) -> int:
    """The index of the token a character offset falls in (or the next one)."""
    return bisect.bisect_right([item.end for item in items], offset)


@lru_cache(maxsize=None)
def _statement_patterns(fact: str) -> tuple[tuple[bool, re.Pattern], ...]:
    spec = vocabulary()["statements"][fact]
    return tuple((truth, keyword_pattern(tuple(spec[truth]))) for truth in (False, True) if spec.get(truth))


_SAID_YES = frozenset({"ja", "yes", "true", "sant", "yep", "jepp", "y"})
_SAID_NO = frozenset({"nei", "no", "false", "usant", "nope", "n"})


def stated_truth(fact: str, text: str, cased: Optional[str] = None) -> Optional[Found[bool]]:
    """What the text says of a yes/no fact in its own words ("felles eier" is independent = no), the right way round:
    a negation in the same part of the sentence turns a phrase round ("None of us have shared owners": independent),
    and "early stage = yes" or "uavhengige: nei" says it outright. Where the text says both, the last word wins."""
    if fact not in vocabulary()["statements"]:
        return None
    items = tokens(text)
    said: list[Found[bool]] = []
    for truth, pattern in _statement_patterns(fact):
        for match in pattern.finditer(text):
            first, last = _token_at(items, match.start()), _token_at(items, match.end() - 1)
            value = truth if not _negated(items, _part_start(items, first), first) else not truth
            answer = _answer_after(items, last + 1)
            if answer is not None:
                value = value if answer else not value
            said.append(Found(value, match.span()))
    said += _any_organisation(_organisations_said(fact, text, items, cased if cased is not None else text), text)
    said += _said_in_turn(fact, text)
    return max(said, key=lambda found: found.span[0]) if said else None


@lru_cache(maxsize=None)
def _in_turn_pattern(fact: str) -> Optional[re.Pattern]:
    """Two clauses, each a subject and one of the fact's `in_turn` verbs, one after the other."""
    spec = vocabulary()["statements"][fact]
    if not spec.get("in_turn"):
        return None
    verb = "|".join(re.escape(word) for word in sorted(spec["in_turn"], key=len, reverse=True))
    other = "|".join(re.escape(word) for word in spec.get("not_after", ()))
    clause = rf"(?P<who{{n}}>[\wæøå-]+) (?P<verb{{n}}>{verb}) (?!(?:{other})\b)"
    return re.compile(r"(?<![\w-])" + clause.format(n=1) + r"[^,;.:!?]+?(?:,|;| og | and | mens | while | whereas )\s*"
                      r"(?:[\wæøå-]+ ){0,2}" + clause.format(n=2) + r"\w")  # "de to andre står for salget"


def _said_in_turn(fact: str, text: str) -> list[Found]:
    """"Vi kan tre, de kan sensorer", "we bring the chemistry, Restverdi brings the logistics": each partner named
    with what it brings, in the same words, is the fact said (complementary competence)."""
    pattern = _in_turn_pattern(fact)
    if pattern is None:
        return []
    found = []
    for match in pattern.finditer(text):
        if match.group("who1") != match.group("who2") and match.group("verb1")[:3] == match.group("verb2")[:3]:
            found.append(Found(True, match.span()))
    return found


def _any_organisation(found: list[Found[bool]], text: str) -> list[Found[bool]]:
    """"NTNU er med, men ingen kommune": is any partner such an organisation is yes when one of them is, whatever is
    said of the others; what is said last of each one is what holds for it."""
    last = {text[found_.span[0]:found_.span[1]]: found_ for found_ in sorted(found, key=lambda item: item.span)}
    partners = [item for item in last.values() if item.value]
    return partners[-1:] if partners else found


def stated_truth_at(text: str, span: Span, negators: frozenset[str] = _NEGATORS) -> Optional[bool]:
    """Whether what stands at `span` is said, or denied by a negation before it in its part of the sentence
    ("ikke med i Arena"): False where it is denied, True otherwise."""
    items = tokens(text)
    first = _token_at(items, span[0])
    return not _negated(items, _part_start(items, first, lists=True), first, negators)


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


_PARTNER_WORDS = re.compile(r"(?:[\w-]*partner\w*|deltar|deltaker\w*|participat\w*|involved|involvert|join\w*|"
                            r"consortium|konsortiet|board|laget)")  # "on board", "med på laget"
# Before an organisation, words that make it one of the participants: "vi er to SMB-er og SINTEF", "sammen med NTNU",
# "vi har med et universitet". A bare "with" is not enough: "we work a lot with NTNU" says nothing of the project.
_ALONGSIDE = frozenset({"og", "and", "inkludert", "including", "pluss", "plus", "samt", "+"})
_ALONGSIDE_TWO = frozenset({("sammen", "med"), ("together", "with"), ("along", "with"), ("har", "med"),
                            ("ha", "med"), ("tar", "med"), ("ta", "med"), ("får", "med"), ("få", "med"),
                            ("teamed", "up"), ("teaming", "up")})
_TAKEN_OUT = frozenset({"ut", "out", "fjerner", "fjernet", "remove", "removed", "dropped", "drop"})


@lru_cache(maxsize=None)
def _organisation_kind_patterns() -> tuple[tuple[str, re.Pattern, Optional[re.Pattern]], ...]:
    found = []
    for kind in vocabulary()["organisations"]["kinds"].values():
        acronyms = kind.get("acronyms", [])
        found.append((kind["partner_type"], keyword_pattern(tuple(kind["words"] + kind.get("names", []))),
                      re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, acronyms)) + r")(?![\w-])")
                      if acronyms else None))
    return tuple(found)


def organisation_partner_types(text: str, cased: str) -> tuple[str, ...]:
    """The kinds of partner the organisations a text names are ("Kan NTNU være partner?": a university; "et kommunalt
    foretak": a public enterprise), as bot.rules.catalogue.PARTNER_TYPES names them."""
    return tuple(dict.fromkeys(kind for kind, words, acronyms in _organisation_kind_patterns()
                               if words.search(text) or (acronyms is not None and acronyms.search(cased))))


def organisation_spans(text: str, cased: str) -> list[Span]:
    """Where the text names an organisation that is not a private company: a university, research institute or public
    body, by kind ("et universitet", "kommunalt foretak") or by name ("NTNU", "SINTEF"; an acronym that is also a word,
    "BI", "KF", only as written in capitals in `cased`)."""
    words, acronyms = _organisation_patterns()
    return sorted({match.span() for match in words.finditer(text)} | {match.span() for match in acronyms.finditer(cased)})


def _organisations_said(fact: str, text: str, items: tuple[Token, ...], cased: str) -> list[Found[bool]]:
    """For "is any partner public or a research institution?": an organisation named as a partner ("med et
    universitet", "NTNU er partner", "vi er to SMB-er og SINTEF"), or denied ("NTNU er ikke lenger partner",
    "vi har ikke med noe universitet", "No universities or public bodies are partners")."""
    if fact != vocabulary()["organisations"]["fact"]:
        return []
    found = []
    for start, end in organisation_spans(text, cased):
        first, last = _token_at(items, start), _token_at(items, end - 1)
        part, part_end = _part_start(items, first, lists=True), _part_end(items, last, lists=True)
        words = [item.text for item in items]
        before = set(words[max(part, first - 3):first])
        pairs = {tuple(words[index:index + 2]) for index in range(max(part, first - 4), first - 1)} | \
            {(words[index], words[index + 2]) for index in range(max(part, first - 5), first - 2)}  # "har ikke med"
        partner_at = next((index for index in range(part, part_end) if _PARTNER_WORDS.fullmatch(words[index])
                           or (words[index] == "med" and (index + 1 == len(words) or items[index + 1].kind == "mark"
                                                          or words[index + 1] in ("i", "in", "som", "as")))), None)
        if partner_at is None and not before & _ALONGSIDE and not pairs & _ALONGSIDE_TWO:
            continue  # "a spin-off from NTNU", "we work a lot with NTNU": named, but not as a partner
        # "the cluster organisation isn't in it", "NTNU er ikke lenger partner": a negation after it in its part too
        claim_end = max(partner_at + 1, first) if partner_at is not None else part_end
        taken_out = any(word in _TAKEN_OUT for word in words[part:part_end])  # "vi tar NTNU ut av partnerskapet"
        negated = _negated(items, part, first) or _negated(items, last + 1, claim_end)
        found.append(Found(not negated and not taken_out, (start, end)))
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
    if not facts()[BUDGET].is_plausible(value):
        return Budget(problem="implausible")
    return Budget(nok=value, from_eur=from_eur)

