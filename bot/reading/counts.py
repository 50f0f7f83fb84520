"""Counts in a sentence, each bound to what it counts.

A number counts the noun it stands with ("tre bedrifter", "2 SMEs", "one foreign partner"), the part of a whole a
predicate names ("to av dem er SMB-er", "three of them are SMEs", "ingen er utenlandske", "alle unntatt én er
SMB-er", "alle er norske": no foreign company), or, after "vi er"/"we are", the companies themselves ("nei vent, vi er
fire"; "bare oss" is one). A list adds up: "to SMB-er og en stor bedrift" is three companies, two of them SMEs.
Numbers that count something else ("60 ansatte", "3 prosjekter", "a 25-person firm"), amounts ("225k", "1,2 mill"),
shares ("50 %") and years ("2015") count no company; "one of the cluster companies" picks one, it counts none.
A what-if on a count ("én SMB til", "one more company") is a Delta. What is bound to nothing is `loose`: a bare "3",
"alle" or "begge" answers the question the bot asked, and nothing else.

What each kind of count is (its nouns and predicates) is data/vocabulary.yaml's `counted`; which count is a part of
which total is data/facts.yaml's `of_total`.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Union

from bot.reading.tokens import Span, article_value, is_scaled, is_year, tokens
from bot.reading.vocabulary import keyword_pattern, vocabulary
from bot.rules.facts import country_adjectives, facts

# The facts this reader counts, named once: the rest of the module reads these names.
COMPANIES, SMES, FOREIGN = "companies", "smes", "foreign_companies"

HOME = "NO"  # a Norwegian company is none of the foreign ones (bot.reading.values.HOME_COUNTRY)



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


Quantity = Union[int, Portion]


@dataclass(frozen=True)
class Count:
    fact: str
    value: Quantity
    span: Span
    total: Optional[int] = None  # the whole it was said to be a part of ("to av tre", "alle fire")
    whole: bool = False  # a list of the participants ("two Norwegian SMEs in the project"): all of them, it seems
    some: bool = False  # of a group picked out by another word ("the two Norwegian ones are SMEs"): those, it seems


@dataclass(frozen=True)
class Delta:
    """A count changed by so many ("én SMB til": +1 SME, and so +1 company)."""
    fact: str
    n: int
    span: Span


@dataclass(frozen=True)
class Loose:
    """A quantity bound to nothing: the answer to a count the bot asked for, if the reply is one."""
    value: Quantity
    span: Span
    total: Optional[int] = None


@dataclass(frozen=True)
class Counts:
    counts: tuple[Count, ...] = ()
    deltas: tuple[Delta, ...] = ()
    loose: tuple[Loose, ...] = ()


# --- the words ---------------------------------------------------------------------------------------------------

_ALL = frozenset({"alle", "all", "samtlige", "everyone", "everybody", "allesammen"})
_NONE = frozenset({"ingen", "none", "nobody", "ingenting", "zero"})
_NOT, _ARTICLES = frozenset({"not", "ikke"}), frozenset({"a", "en", "et"})
_SINGLE, _ONE = frozenset({"single", "eneste"}), frozenset({"one", "én", "ein"})
_NO = frozenset({"no", "ingen"})  # "no foreign partners": none, only before what it counts
_BOTH = frozenset({"begge", "both"})
_HALF = frozenset({"halvparten", "half"})
_EXCEPT = frozenset({"unntatt", "utenom", "except", "but", "untatt", "fra", "from"})
_EXCEPT_PAIRS = frozenset({("bortsett", "fra"), ("apart", "from")})
_ABOUT = frozenset({"bare", "kun", "only", "just", "ca", "cirka", "about", "around", "rundt", "omtrent", "approximately",
                    "roughly", "nøyaktig", "exactly", "totalt", "maybe", "kanskje"})
_OF = frozenset({"av", "of"})
_GROUP = frozenset({"dem", "oss", "them", "us", "de", "the", "disse", "these", "those", "våre", "our", "deres", "their",
                    "partnerne", "bedriftene", "selskapene", "companies", "partners"})
_COPULA = frozenset({"er", "are", "is", "was", "were", "var", "blir", "be", "will", "regnes", "counts", "count", "as",
                     "som", "en", "et", "ei", "a", "an", "faktisk", "actually", "also", "også", "jo", "definitely",
                     "classed", "classified", "considered", "'re", "sannsynligvis", "probably"})
_NEGATORS = frozenset({"ikke", "ikkje", "not", "isn't", "aren't", "weren't", "wasn't"})
_WE_ARE = (("vi", "er"), ("we", "are"), ("vi", "blir"), ("we", "will"), ("we'll", "be"), ("we're",), ("vi", "var"),
           ("we", "were"), ("er", "vi"), ("are", "we"))
_OPENERS = frozenset({"hei", "hi", "hello", "hallo", "heisann", "ok", "okay", "ja", "yes", "nei", "no", "så", "so",
                      "!", ",", ".", ":", "-", "vel", "well", "altså", "we", "vi", "er", "are", "have", "har"})
_QUANTITY_WORDS = _ALL | _NONE | _BOTH | _HALF
_OTHER = frozenset({"andre", "other", "further", "flere"})
_DEFINITE = frozenset({"the", "de", "those", "these", "disse", "dei"})  # "the two Norwegian ones", "de to norske"
_US = frozenset({"vi", "oss", "we", "us", "our", "vår", "vårt", "våre", "we're", "jeg", "i"})
_AFTER_WE_ARE_N = frozenset({"i", "in", "totalt", "til", "nå", "now", "stk", "stykker", "altogether", "all", "med",
                             "with", "og", "and", "da", "then", "so", "så", "companies", "bedrifter", "partnere",
                             "partners", "selskaper", "firms", "on", "om", "about", "igjen", "again", "faktisk",
                             "actually"})
_IN_ALL = frozenset({"totalt", "total", "stk", "til sammen", "i alt", "in total", "altogether", "in all", "together"})
_AND = frozenset({"og", "and", ",", "pluss", "plus", "samt", "+", "&"})
_MORE = frozenset({"more", "extra", "additional", "ekstra", "flere", "til"})
_ADD = frozenset({"add", "adding", "added", "får", "få", "ta", "tar", "bring", "include", "including", "take", "legger",
                  "legge"})
# Words between a number and its noun that are no adjective of it: "3 prosjekter med 2 bedrifter" counts 2 companies.
_NOT_ADJECTIVES = frozenset({"av", "of", "i", "in", "fra", "from", "med", "with", "og", "and", "er", "are", "is", "har",
                             "have", "has", "som", "that", "who", "til", "to", "på", "on", "for", "per", "men", "but",
                             "eller", "or", "dem", "oss", "them", "us", "vi", "we", "it", "det", "de", "they", "than",
                             "enn", "out", "my", "our", "min", "mitt", "mine", "vår", "vårt", "your", "din", "ditt",
                             "dine", "his", "her", "their", "this", "that", "these", "those", "denne", "dette", "disse",
                             "the"})
_JUST_US = (("bare", "oss"), ("kun", "oss"), ("only", "us"), ("just", "us"), ("oss", "alene"), ("vi", "alene"),
            ("us", "alone"), ("alone",), ("alene",), ("on", "our", "own"), ("by", "ourselves"))


@lru_cache(maxsize=None)
def counted_facts() -> tuple[str, ...]:
    """The counts a sentence can state, the parts of a total before the totals ("2 SMB-bedrifter" are SMEs)."""
    kinds = [name for name in vocabulary()["counted"] if facts()[name].type == "count"]
    return tuple(sorted(kinds, key=lambda name: facts()[name].of_total is None))


@lru_cache(maxsize=None)
def _pattern(fact: str, part: str) -> Optional[re.Pattern]:
    words = vocabulary()["counted"][fact].get(part)
    return keyword_pattern(tuple(words)) if words else None


@lru_cache(maxsize=None)
def _other_nouns() -> re.Pattern:
    return keyword_pattern(tuple(vocabulary()["other_counted"]))


def _total_of(fact: str) -> Optional[str]:
    return facts()[fact].of_total


def _allows_zero(fact: str) -> bool:
    spec = facts()[fact]
    return spec.plausible is None or spec.plausible[0] <= 0


def _plausible(fact: str, value: Quantity) -> bool:
    if isinstance(value, Portion):
        return True
    return (value > 0 or _allows_zero(fact)) and facts()[fact].is_plausible(value)


@lru_cache(maxsize=None)
def _at_token(pattern: re.Pattern) -> re.Pattern:
    """A vocabulary pattern matched where a token starts: its guard against a word's inside ("-person" in "25-person")
    is the token's own boundary."""
    return re.compile(pattern.pattern.replace(r"(?<![\w-])", "", 1))


class _Sentence:
    """One sentence's tokens, with the look-ups the binders share."""

    def __init__(self, text: str, language: Optional[str]):
        self.text = text
        self.items = tokens(text, language)
        self.ends = [item.end for item in self.items]

    def __len__(self) -> int:
        return len(self.items)

    def word(self, index: int) -> str:
        return self.items[index].text if 0 <= index < len(self.items) else ""

    def after(self, pattern: re.Pattern, index: int) -> Optional[int]:
        """The index after a match of `pattern` starting at token `index`, or None."""
        if index >= len(self.items):
            return None
        match = _at_token(pattern).match(self.text, self.items[index].start)
        if not match or match.end() == match.start():
            return None
        return bisect.bisect_left(self.ends, match.end()) + 1

    def span(self, start: int, end: int) -> Span:
        return self.items[start].start, self.items[max(start, end - 1)].end

    def words_before(self, index: int, count: int) -> tuple[str, ...]:
        return tuple(self.word(position) for position in range(max(0, index - count), index))

    def number(self, index: int) -> Optional[int]:
        """A count written at `index`: a whole number that is no amount, share or year."""
        if index >= len(self.items):
            return None
        item = self.items[index]
        if not item.is_number or item.value is None or item.value.denominator != 1 or item.value < 0:
            return None
        if is_scaled(self.items, index) or is_year(item):
            return None
        return int(item.value)


# --- the pieces: quantities, nouns, predicates -------------------------------------------------------------------

def _quantity(sentence: _Sentence, index: int, articles: bool = False) -> Optional[tuple[Quantity, int, Optional[int]]]:
    """(value, index after, the total it states) for a quantity at `index`: a number, "alle", "ingen", "begge",
    "halvparten", "alle unntatt én", "alle fire"; an article too where `articles` (in a list)."""
    word = sentence.word(index)
    if word in _ABOUT and sentence.number(index + 1) is not None:
        index, word = index + 1, sentence.word(index + 1)
    if word in _NOT:  # "not one of them", "not a single one", "ikke én eneste", "ikke en eneste": none
        after = index + 1
        if sentence.word(after) in _ARTICLES and sentence.word(after + 1) in _SINGLE:
            after += 1
        if sentence.word(after) in _SINGLE:
            return 0, after + 1 + (sentence.word(after + 1) in _ONE | _ARTICLES), None
        if sentence.word(after) in _ONE:
            return 0, after + 1 + (sentence.word(after + 1) in _SINGLE), None
    if word in _ALL or (word == "every" and sentence.word(index + 1) in ("one", "single")):
        after = index + 1 if word != "every" else index + (3 if sentence.word(index + 1) == "single" else 2)
        if (sentence.word(after), sentence.word(after + 1)) in (("of", "them"), ("of", "us"), ("av", "dem"),
                                                                 ("av", "oss")):
            after += 2  # "all of them but one"
        if (sentence.word(after), sentence.word(after + 1)) in _EXCEPT_PAIRS:
            after += 1  # "alle bortsett fra én", "all apart from one"
        if sentence.word(after) in _EXCEPT and sentence.word(after + 1) != "":
            but = sentence.number(after + 1) or article_value(sentence.items[after + 1]) \
                if after + 1 < len(sentence) else None
            if but:
                return Portion("all_but", but), after + 2, None
        if sentence.word(after) == "sammen":
            after += 1
        stated = sentence.number(after)
        if stated is not None:
            return stated, after + 1, stated
        return Portion("all"), after, None
    counted = _noun(sentence, index + 1) if word in _NO else None
    # "no foreign partners", "no SMEs": none of a part of the companies; "no public company" counts no companies
    if word in _NONE or (counted is not None and _total_of(counted[0]) is not None):
        return 0, index + 1, None
    if word in _BOTH:
        return 2, index + (2 if sentence.word(index + 1) in ("to", "two") else 1), None
    if word in _HALF:
        if sentence.word(index + 1) in ("a", "an", "en", "ei", "million", "mill", "millioner", "millionen"):
            return None  # "half a million", "en halv million": an amount
        return Portion("half"), index + 1, None
    number = sentence.number(index)
    if number is not None:
        return number, index + 1, None
    if articles and index < len(sentence) and article_value(sentence.items[index]):
        return 1, index + 1, None
    return None


def _noun(sentence: _Sentence, index: int) -> Optional[tuple[str, int]]:
    """(the fact it counts, index after) for a counted noun at `index`."""
    for fact in counted_facts():
        nouns = _pattern(fact, "nouns")
        assert nouns is not None, f"vocabulary.yaml: counted.{fact} names no nouns"
        after = sentence.after(nouns, index)
        if after is not None:
            return fact, after
    return None


def _predicate(sentence: _Sentence, index: int) -> Optional[tuple[str, bool, int]]:
    """(fact, whether the part is that kind or the rest of the whole, index after) for what a part is said to be:
    "SMB-er", "små", "utenlandske" name the kind; "store", "norske" the rest."""
    for fact in counted_facts():
        for part, kind in (("predicates", True), ("nouns", True), ("others", False)):
            pattern = _pattern(fact, part)
            after = sentence.after(pattern, index) if pattern is not None else None
            if after is not None:
                return fact, kind, after
    return None


def _adjectives(sentence: _Sentence, index: int, most: int = 2) -> tuple[int, tuple[str, ...]]:
    """Skip up to `most` words that can stand between a number and its noun; (index after, the words)."""
    words: list[str] = []
    while len(words) < most and index < len(sentence):
        item = sentence.items[index]
        if item.text == "-":
            index += 1
            continue
        if item.kind != "word" or item.text in _NOT_ADJECTIVES or _noun(sentence, index) or \
                sentence.after(_other_nouns(), index):
            break
        words.append(item.text)
        index += 1
    return index, tuple(words)


def _dimension(fact: str, adjectives: tuple[str, ...]) -> str:
    """What a counted noun sorts the companies by: "country" (norske, svenske, utenlandske), "size" (SMB-er, store), or
    "generic" (bedrifter): a list adds up within one of them; across them, the countries are the whole."""
    if fact == SMES:
        return "size"
    if fact == FOREIGN or any(country_adjectives().get(word) for word in adjectives):
        return "country"
    if any(_predicate(_Sentence(word, None), 0) for word in adjectives):
        return "size"
    return "generic"


def _foreign_by_adjective(words: tuple[str, ...]) -> bool:
    """'svenske bedrifter', 'a Danish company': companies of another country than Norway."""
    return any(country_adjectives().get(word) not in (None, "NO") for word in words)


def _part_of_whole(fact: str, is_kind: bool, value: Quantity, negated: bool) -> Optional[Quantity]:
    """The count of `fact` when `value` of the whole are (or are not) that kind: "to er ikke SMB-er" leaves all but
    two; "alle er norske", none foreign."""
    if is_kind != negated:
        return value
    if isinstance(value, int):
        return Portion("all") if value == 0 else Portion("all_but", value)
    if value.kind == "all":
        return 0
    if value.kind == "half":
        return value
    return value.n  # "all but one are Norwegian": one is foreign


def _said_of_part(sentence: _Sentence, index: int) -> tuple[int, bool, Optional[tuple[str, bool, int]]]:
    """After a quantity: skip "er", "are", "is (an)", a negation; then what the part is said to be, after a word or
    two that describe it ("alle ni er private SMB-er")."""
    negated = False
    position = index
    while position < len(sentence) and position - index < 4:
        word = sentence.word(position)
        if word in _NEGATORS:
            negated = not negated
        elif word not in _COPULA:
            break
        position += 1
    # a noun after a word or two that describe it is what the part is ("begge norske SMB-er", "alle ni er private
    # SMB-er"); else the word itself ("alle er norske")
    after, _ = _adjectives(sentence, position)
    noun = _noun(sentence, after) if after > position else None
    if noun is not None and noun[0] != COMPANIES:
        return position, negated, (noun[0], True, noun[1])
    return position, negated, _predicate(sentence, position)


# --- the binders -------------------------------------------------------------------------------------------------

class _Binder:
    def __init__(self, sentence: _Sentence):
        self.s = sentence
        self.counts: list[Count] = []
        self.deltas: list[Delta] = []
        self.loose: list[Loose] = []

    def add(self, fact: str, value: Quantity, start: int, end: int, total: Optional[int] = None,
            whole: bool = False, some: bool = False) -> None:
        if _plausible(fact, value):
            self.counts.append(Count(fact, value, self.s.span(start, end), total, whole, some))

    def run(self) -> Counts:
        index = 0
        while index < len(self.s):
            after = (self.delta(index) or self.partitive(index) or self.part_said(index) or self.listed(index)
                     or self.just_us(index) or self.labelled(index) or self.bare(index))
            index = after if after and after > index else index + 1
        return Counts(tuple(self.counts), tuple(self.deltas), tuple(self.loose))

    def partitive(self, index: int) -> Optional[int]:
        """'to av dem er SMB-er', 'three of them are SMEs', 'ingen av oss er utenlandske', 'to av de fem bedriftene'."""
        quantity = _quantity(self.s, index)
        if quantity is None:
            return None
        value, position, _ = quantity
        if self.s.word(position) == "out" and self.s.word(position + 1) == "of":
            position += 1
        if self.s.word(position) not in _OF:
            return None
        position += 1
        total, total_fact, group_end, named = None, None, position, False
        while position < len(self.s) and position - group_end < 5:
            word = self.s.word(position)
            noun = _noun(self.s, position)
            if word in _GROUP:
                named = named or word not in ("dem", "oss", "them", "us")
                position += 1
            elif self.s.number(position) is not None and total is None:
                total, named = self.s.number(position), True
                position += 1
            elif noun is not None and noun[0] == COMPANIES:
                total_fact, position, named = noun[0], noun[1], True
                break
            elif total is not None and noun is None and word not in _NOT_ADJECTIVES | _COPULA | _NEGATORS \
                    and (word in country_adjectives() or _predicate(self.s, position) is None):
                position, named = position + 1, True  # "to av de fem norske bedriftene"
            else:
                break
        after, negated, said = _said_of_part(self.s, position)
        if said is not None and not (self.s.word(position - 1) in _GROUP and said[0] == COMPANIES):
            fact, is_kind, end = said
            part = _part_of_whole(fact, is_kind, value, negated)
            if part is not None and fact != COMPANIES:
                self.add(fact, part, index, end, total)
                if total is not None:
                    self.add(_total_of(fact) or COMPANIES, total, index, end)
                return end
        if total is not None and total_fact is not None:
            self.add(total_fact, total, index, position)
        elif self.s.word(index - 1) == "the" and not named and isinstance(value, int):
            self.add(COMPANIES, value, index, position)  # "just the two of us"
        elif not named or total is not None:
            self.loose.append(Loose(value, self.s.span(index, position), total))
        return position  # "one of the cluster companies": it picks one and counts none

    def part_said(self, index: int) -> Optional[int]:
        """'alle er SMB-er', 'none are foreign', 'begge er små', 'alle fire er SMB-er', 'ingen utenlandske'."""
        word = self.s.word(index)
        if word in _NEGATORS and self.s.word(index + 1) in _ALL:
            return self._skip_not_all(index)
        quantity = _quantity(self.s, index)
        if quantity is None:
            return None
        value, position, total = quantity
        if self.s.word(index - 1) in _DEFINITE and isinstance(value, int):
            described = self._described(index, position, value)
            if described is not None:
                return described
        is_word = word in _ALL | _NONE | _BOTH | _HALF | {"every"} or total is not None
        noun = _noun(self.s, position) if is_word else None  # "alle bedriftene er SMB-er"
        if noun is not None and noun[0] == COMPANIES:
            position = noun[1]
        after, negated, said = _said_of_part(self.s, position)
        if said is None or (after == position and not is_word) or \
                (after == position and word not in _NONE | _ALL | _BOTH and noun is None):
            return None  # "tre SMB-er" is a listed count; "to er SMB-er" and "alle er SMB-er" say what a part is
        fact, is_kind, end = said
        if fact == COMPANIES and value == 0:  # "ingen bedrifter": none, of nothing this reader knows
            return end
        if fact == COMPANIES:
            if isinstance(value, int):
                self.add(fact, value, index, end)
            return end
        part = _part_of_whole(fact, is_kind, value, negated)
        if part is not None:
            self.add(fact, part, index, end, total, whole=word in _BOTH)  # "begge er SMB-er": two, both of them
            if total is not None:
                self.add(_total_of(fact) or COMPANIES, total, index, end)
        return end

    def _described(self, start: int, index: int, value: int) -> Optional[int]:
        """After "the two" / "de to", the words that pick out which ("Norwegian ones", "norske bedriftene") and what
        they are said to be: "the three Norwegian ones are SMEs" counts those SMEs, and the others may be SMEs too, so
        the count is only what it seems. What the group is not ("de to svenske er store") says nothing of the rest."""
        position, words = _adjectives(self.s, index)
        noun = _noun(self.s, position)
        if noun is not None and noun[0] == COMPANIES:
            position = noun[1]
        if not words or self.s.word(position) not in _COPULA:
            return None
        after, negated, said = _said_of_part(self.s, position)
        if said is None or after == position:
            return None
        fact, is_kind, end = said
        if fact != COMPANIES and is_kind and not negated:
            self.add(fact, value, start, end, some=True)
        return end

    def _skip_not_all(self, index: int) -> int:
        """'ikke alle er SMB-er': not all, and so no count."""
        _, position, _ = _quantity(self.s, index + 1) or (None, index + 2, None)
        after, _, said = _said_of_part(self.s, position)
        return said[2] if said else after

    def _np(self, index: int, articles: bool) -> Optional[tuple[str, int, int, str, bool]]:
        """(fact, count, index after, what it sorts companies by, whether it calls them Norwegian) for "3 norske
        bedrifter", "to SMB-er", "én svensk" (the noun left out, in a list): see _dimension."""
        quantity = _quantity(self.s, index, articles=articles)
        if quantity is None:
            return None
        value, position, total = quantity
        if not isinstance(value, int) or total is not None:
            return None
        if self.s.word(position) in _OF or self.s.word(position) == "out":
            return None
        position, adjectives = _adjectives(self.s, position)
        other = self.s.after(_other_nouns(), position)
        if other:
            return "", value, other, "", False  # a count of something else: sorted by nothing
        norwegian = any(country_adjectives().get(word) == HOME for word in adjectives)
        noun = _noun(self.s, position)
        if noun is not None:
            fact, end = noun
            if fact == COMPANIES and set(adjectives) & _OTHER and self._first_person():
                value += 1  # "vi og to andre bedrifter", "us and two other companies": three
            if fact == COMPANIES and _foreign_by_adjective(adjectives):
                fact = FOREIGN
            return fact, value, end, _dimension(fact, adjectives), norwegian
        if articles and adjectives:  # "og en svensk", "and one large"
            said = _predicate(self.s, position - len(adjectives))
            if _foreign_by_adjective(adjectives):
                return FOREIGN, value, position, "country", False
            if said is not None:
                return (said[0] if said[1] else COMPANIES), value, said[2], "size", norwegian
        return None

    def listed(self, index: int) -> Optional[int]:
        """'tre bedrifter', '2 foreign partners', and lists of them: 'to SMB-er og en stor bedrift' (3 companies, 2
        SMEs); after "vi er"/"we are" the list is all the companies ("vi er to SMB-er": two companies)."""
        first = self._np(index, articles=False)
        if first is None or first[0] == "":
            if first is not None:
                return first[2]  # "60 ansatte", "3 prosjekter": counts of something else
            return None
        found = [first]
        position = first[2]
        whole = None
        while self.s.word(position) in _AND and self.s.word(position + 1) not in _QUANTITY_WORDS:
            following = self._np(position + 1, articles=True)  # not "…, begge SMB og begge norske": said of all
            if following is None or following[0] == "":
                break
            position = following[2]
            if following[0] == COMPANIES and self._in_all(position):  # "one foreign partner and 3 companies total"
                whole = following[1]
                break
            found.append(following)
        # after "vi er", or standing alone at the start ("Tre norske SMB-er, Arena-klynge."), a list is all the companies
        we = any(self.s.words_before(index, len(words)) == words for words in _WE_ARE) or (
            self._opens(index) and (position >= len(self.s) or self.s.items[position].kind == "mark"))
        by_kind: dict[str, int] = {}
        for fact, value, *_ in found:
            by_kind[fact] = by_kind.get(fact, 0) + value
        # "3 bedrifter, 2 smb": the companies are the whole, the SMEs a part of it; "to SMB-er og en stor bedrift" and
        # "to norske bedrifter og én svensk" add up; "four Norwegian companies, only one SME": the SME is one of the four
        generic = [value for fact, value, _, dimension, _ in found if dimension == "generic"]
        dimensions = {dimension for *_, dimension, _ in found}
        weak = False
        if whole is not None:
            by_kind[COMPANIES] = whole
        elif generic and len(found) > 1:
            by_kind[COMPANIES] = generic[0]
        elif {"country", "size"} <= dimensions:
            if any(norwegian for *_, norwegian in found):  # not "one SME and one foreign company": parts only
                # "to norske SMB-er og én svensk bedrift": SMEs said of a country are companies of that country too
                by_kind[COMPANIES] = sum(value for _, value, _, dimension, norwegian in found
                                           if dimension == "country" or norwegian)
        elif len(found) > 1 or we:
            by_kind[COMPANIES] = sum(value for _, value, *_ in found)
            # "Tre norske SMB-er, Arena-klynge.": all the companies, it seems (not so for "tre norske bedrifter")
            weak = len(found) == 1 and found[0][0] != COMPANIES and not self._we(index)
        if whole is None and all(norwegian for *_, norwegian in found) and (we or len(found) == 1 or generic):
            by_kind.setdefault(FOREIGN, 0)  # "tre norske bedrifter": none of them foreign
        # "Fem norske SMB-er." alone: the companies, and none foreign, it seems (a Danish one may come besides)
        weak_facts = {COMPANIES, FOREIGN} if weak or (len(found) == 1 and not we and found[0][0] == SMES) \
            else set()
        for fact, value in by_kind.items():
            self.add(fact, value, index, position, whole=COMPANIES not in by_kind or fact in weak_facts)
        return position

    def _we(self, index: int) -> bool:
        return any(self.s.words_before(index, len(words)) == words for words in _WE_ARE)

    def _first_person(self) -> bool:
        return any(item.text in _US for item in self.s.items)

    def _opens(self, index: int) -> bool:
        """Whether the count opens its sentence, after a greeting at most."""
        return all(self.s.word(position) in _OPENERS for position in range(index))

    def _in_all(self, index: int) -> bool:
        return self.s.word(index) in _IN_ALL or f"{self.s.word(index)} {self.s.word(index + 1)}" in _IN_ALL

    def just_us(self, index: int) -> Optional[int]:
        """'bare oss', 'just us', 'on our own': one company; 'bare oss og én partner', two."""
        for words in _JUST_US:
            if tuple(self.s.word(index + offset) for offset in range(len(words))) == words:
                position = index + len(words)
                if self.s.word(position) in ("i", "in", "fra", "from") or _noun(self.s, position) is not None:
                    return position  # "bare oss i Norge", "bare oss bedriftene": who, not how many
                companies = 1
                while self.s.word(position) in _AND:
                    following = self._np(position + 1, articles=True)
                    if following is None or following[0] == "":
                        break
                    companies += following[1]
                    position = following[2]
                self.add(COMPANIES, companies, index, position)
                return position
        return None

    def labelled(self, index: int) -> Optional[int]:
        """'SMB-er: 3', 'antall bedrifter er 4', 'smes=2'."""
        noun = _noun(self.s, index)
        if noun is None:
            return None
        fact, position = noun
        while self.s.word(position) in (":", "=", "er", "is", "are", "-"):
            position += 1
        number = self.s.number(position)
        if number is None or position == noun[1]:
            return None
        following, _ = _adjectives(self.s, position + 1)
        if _noun(self.s, following) is not None:
            return None  # "Deltakere: 3 norske SMB-er": the number counts the noun after it
        self.add(fact, number, index, position + 1)
        return position + 1

    def delta(self, index: int) -> Optional[int]:
        """'én SMB til', 'one more company', 'another SME', 'to ekstra bedrifter', 'add two companies'."""
        word = self.s.word(index)
        start = index
        if word == "another":
            n, position = 1, index + 1
        else:
            if word in _ADD:
                index += 2 if self.s.word(index + 1) in ("med", "in", "on", "inn") else 1
            quantity = _quantity(self.s, index, articles=True)
            if quantity is None or not isinstance(quantity[0], int) or quantity[2] is not None:
                return None
            n, position = quantity[0], quantity[1]
            if self.s.word(position) in _MORE - {"til"}:
                position += 1
            elif word not in _ADD:
                position, adjectives = _adjectives(self.s, position)
                noun = _noun(self.s, position)
                if noun is None or self.s.word(noun[1]) != "til":
                    return None
                fact = FOREIGN if noun[0] == COMPANIES and _foreign_by_adjective(adjectives) else noun[0]
                self.deltas.append(Delta(fact, n, self.s.span(start, noun[1] + 1)))
                return noun[1] + 1
        position, adjectives = _adjectives(self.s, position)
        noun = _noun(self.s, position)
        if noun is None or n == 0:
            return None
        fact = FOREIGN if noun[0] == COMPANIES and _foreign_by_adjective(adjectives) else noun[0]
        end = noun[1] + (1 if self.s.word(noun[1]) == "til" else 0)
        self.deltas.append(Delta(fact, n, self.s.span(start, end)))
        return end

    def bare(self, index: int) -> Optional[int]:
        """A quantity standing alone: after "vi er"/"we are" it counts the companies ("vi er fire"); otherwise it is
        loose, the answer to a count the bot asked for ("3 tror jeg", "alle", "begge to")."""
        quantity = _quantity(self.s, index)
        if quantity is None:
            return None
        value, position, total = quantity
        other = self.s.after(_other_nouns(), position + (self.s.word(position) == "-"))
        if other:
            return other  # "a 25-person firm"
        we = any(self.s.words_before(index, len(words)) == words for words in _WE_ARE) or (
            self.s.word(index - 1) in ("vi", "oss") and self.s.word(index - 2) not in ("av", "of"))  # "vi to"
        following = self.s.items[position] if position < len(self.s) else None
        counts_us = following is None or following.kind == "mark" or following.text in _AFTER_WE_ARE_N
        if we and (counts_us or self._in_all(position)) and isinstance(value, int):
            self.add(COMPANIES, value, index, position)  # "nei vent, vi er fire"; not "vi er 27 medlemsbedrifter"
            return position  # "tre til sammen" alone is loose: the answer to whichever count was asked
        item = self.s.items[index]
        if item.text.replace(" ", "").isdigit() and len(item.text.replace(" ", "")) > 4:
            return position  # a phone number or a sum, no count
        if _follows_a_date(self.s, index):
            return position
        self.loose.append(Loose(value, self.s.span(index, position), total))
        return position


_MONTHS = re.compile(r"(?:jan|feb|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|des|dec)\w*")


def _follows_a_date(sentence: _Sentence, index: int) -> bool:
    """'17. september', '1 May': a day of the month."""
    following = sentence.word(index + 1)
    if following == ".":
        following = sentence.word(index + 2)
    return bool(_MONTHS.fullmatch(following)) or bool(_MONTHS.fullmatch(sentence.word(index - 1)))


def counts_in(text: str, language: Optional[str] = None) -> Counts:
    """Every count in a folded sentence, bound to what it counts; the deltas; and what is bound to nothing."""
    return _Binder(_Sentence(text, language)).run()



def leaving_deltas(text: str, language: Optional[str] = None) -> tuple[Delta, ...]:
    """In a sentence saying someone leaves: the counts that go down ("en av SMB-ene trekker seg": one SME, and so
    one company, less; "two of the companies drop out")."""
    sentence = _Sentence(text, language)
    found = []
    for index in range(len(sentence)):
        quantity = _quantity(sentence, index, articles=True)
        if quantity is None and sentence.word(index) in ("the", "den", "det"):
            quantity = (1, index + 1, None)  # "forget the Finnish partner": one
        if quantity is None or not isinstance(quantity[0], int) or not quantity[0]:
            continue
        position = quantity[1]
        if sentence.word(position) in _OF:
            position += 1
            while sentence.word(position) in _GROUP - {"companies", "partners", "bedriftene", "partnerne"}:
                position += 1
        position, adjectives = _adjectives(sentence, position)
        noun = _noun(sentence, position)
        if noun is not None:
            fact = FOREIGN if noun[0] == COMPANIES and _foreign_by_adjective(adjectives) else noun[0]
            found.append(Delta(fact, -quantity[0], sentence.span(index, noun[1])))
    return tuple(found)
