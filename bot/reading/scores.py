"""The cluster's scores in what it types: "5", "5 4 6 3", "nyhet 5, bærekraft 4", "4 points on strategy and 6 for
novelty", "Blue cod gets 5 for delivery", and which proposal a message is about. Reads; never says anything."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Hashable, Mapping, Optional, Sequence, TypeVar

from bot.reading.numbers import parse_number
from bot.reading.vocabulary import keyword_pattern, mentions, vocabulary
from bot.resources import fold

# A score, and what may follow it without being another: "5 av 6", "4/6", "5 out of 6", "5 poeng".
_SCORE = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?:\s*(?:av|of|out of|ut av|/)\s*\d+(?![.,]?\d))?(?![\w]|[.,]\d)")
# Where one criterion's score ends and the next one's begins: a comma, a semicolon, a full stop, a slash, a line, "og",
# "and", "&", "+".
_CLAUSES = re.compile(r"(?<!\d),|,(?!\d)|[;\n]|\.(?!\d)|/(?!\s*\d)|\s(?:og|and|&|\+|samt|plus)\s")
SIMILAR = 0.8  # how alike a typed word and a button's word must be to be the same word ("anotehr", "another")


@dataclass(frozen=True)
class Scores:
    """What a message says of scores: each named criterion's, the bare numbers in the order written (for the
    criteria asked in turn), and whether it names criteria in a way that cannot be paired with its numbers."""
    named: Mapping[str, Fraction] = field(default_factory=dict)
    bare: tuple[Fraction, ...] = ()
    unclear: bool = False


def _negated(text: str) -> str:
    """The text without the numbers it takes back: "6 on novelty, not 5", "5 i stedet for 4"."""
    words = "|".join(re.escape(word) for word in sorted(vocabulary()["taken_back"], key=len, reverse=True))
    return re.sub(rf"(?<![\w-])(?:{words})\s+\d+(?:[.,]\d+)?", " ", text)


def read_scores(text: str, criteria: Mapping[str, Sequence[str]]) -> Scores:
    """The scores in `text` (with any proposal's name taken out), `criteria` the words of each criterion by id. In each
    clause a criterion is paired with the one number beside it; several in one clause pair up in turn where they
    alternate ("innovasjonsgrad=5 bærekraft=3")."""
    folded = _negated(fold(text))
    patterns = {criterion: keyword_pattern(tuple(words)) for criterion, words in criteria.items()}
    named: dict[str, Fraction] = {}
    bare: list[Fraction] = []
    unclear = dangling = False
    for clause in _CLAUSES.split(folded):
        tokens = sorted([(match.start(), "criterion", criterion) for criterion, pattern in patterns.items()
                         for match in pattern.finditer(clause)] +
                        [(match.start(), "score", match.group(1)) for match in _SCORE.finditer(clause)])
        merged: list[tuple[int, str, str]] = []
        for token in tokens:  # "forankring i strategien": one criterion named twice
            if not (merged and merged[-1][1] == "criterion" == token[1] and merged[-1][2] == token[2]):
                merged.append(token)
        kinds = [kind for _, kind, _ in merged]
        dangling = dangling or (bool(kinds) and "score" not in kinds)  # "nyhet og strategi 5": which gets the 5?
        if "criterion" not in kinds:
            bare += [parse_number(value) for _, _, value in merged]
            continue
        alternating = all(kinds[index] != kinds[index + 1] for index in range(len(kinds) - 1)) and len(kinds) % 2 == 0
        if not alternating:
            unclear = unclear or "score" in kinds or len({value for _, kind, value in merged if kind == "criterion"}) > 1
            continue
        for first, second in zip(merged[::2], merged[1::2]):
            criterion, score = (first, second) if first[1] == "criterion" else (second, first)
            named[criterion[2]] = parse_number(score[2])
    unclear = unclear or bool(named and bare) or (dangling and bool(named or bare))
    return Scores(named=named, bare=tuple(bare) if not named else (), unclear=unclear)


def asks_to_rank(text: str) -> bool:
    """"rangere prosjektforslag", "score + rank our proposals", "sett opp rangeringa for oss": a word for ranking with
    one for proposals, or a ranking named outright."""
    folded, words = fold(text), vocabulary()
    return mentions(words["ranking_nouns"], folded) or (mentions(words["ranking_words"], folded)
                                                       and mentions(words["proposal_words"], folded))


def speaks_of_ranking(text: str) -> bool:
    """"prioritere", "rank", "the best": a word for ranking at all. A message without one asks for no ranking,
    whatever the NLU makes of it."""
    folded, words = fold(text), vocabulary()
    return mentions(words["ranking_nouns"], folded) or mentions(words["ranking_words"], folded)


def asks_for_help(text: str) -> bool:
    """"kan du hjelpe?", "could you put them in order?": a request, not a question about how ranking works."""
    return mentions(vocabulary()["request_words"], fold(text))


def named_criteria(text: str, criteria: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The criteria a message names, in the order given: "we haven't scored delivery yet"."""
    folded = fold(text)
    return tuple(criterion for criterion, words in criteria.items() if mentions(words, folded))


def says_later(text: str) -> bool:
    """"vet ikke ennå", "kommer tilbake til det", "not yet": a score to be given later."""
    return mentions(vocabulary()["later_words"], fold(text))


def named_proposal(text: str, names: Sequence[str]) -> Optional[str]:
    """The proposal a message names: its whole name, else the first word of it where no other proposal's name begins
    with that word ("endre nyhet for Tare til 3" for "Tare fra Lofoten")."""
    folded = fold(text)
    whole = [name for name in names if re.search(rf"(?<![\w-]){re.escape(fold(name))}(?![\w-])", folded)]
    if whole:
        return max(whole, key=len)
    first_words = {name: fold(name).split()[0] for name in names if fold(name)}
    found = [name for name, word in first_words.items() if len(word) >= 3 and
             re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", folded)]
    return found[0] if len(found) == 1 and list(first_words.values()).count(first_words[found[0]]) == 1 else None


def without_name(text: str, name: Optional[str]) -> str:
    """The text with a proposal's name (or its first word) taken out, so that "Havdrone 2" gives no score of 2."""
    if not name:
        return text
    folded = fold(text)
    for part in (fold(name), fold(name).split()[0]):
        folded = re.sub(rf"(?<![\w-]){re.escape(part)}(?![\w-])", " ", folded)
    return folded


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def _same_word(typed: str, word: str) -> bool:
    return typed == word or (len(word) >= 4 and difflib.SequenceMatcher(None, typed, word).ratio() >= SIMILAR)


Choice = TypeVar("Choice", bound=Hashable)  # what a button stands for: a value, or yes (True) and no (False)


def typed_choice(text: str, titles: Mapping[Choice, Sequence[str]]) -> Optional[Choice]:
    """The choice whose button title the text is, typed rather than pressed: "Ett forslag til", "rank now pls",
    "anotehr proposal". `titles` gives each choice its buttons' titles (in every language). A choice is taken when the
    text has at least half of one of its titles' words, more than of any other choice's, and few words besides."""
    typed = _words(text)
    best: dict[Choice, float] = {}
    for choice, choice_titles in titles.items():
        for title in choice_titles:
            words = _words(title)
            found = sum(any(_same_word(word, typed_word) for typed_word in typed) for word in words)
            if words and found * 2 >= len(words) and len(typed) <= len(words) + 2:
                best[choice] = max(best.get(choice, 0), found / len(words))
    ranked = sorted(best.items(), key=lambda item: -item[1])
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None
