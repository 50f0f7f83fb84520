"""A folded text as a list of words and numbers, each with its place in the text: what the readers of counts, countries
and yes/no statements walk over. One pass over the text, so every reader built on it takes time linear in its length.

Numbers are digits ("3", "500 000", "1,2") or number words, a run of them one number ("tjuefem", "two hundred",
"tre hundre tusen"). The articles "en", "ei", "ett", "a" and "an" are numbers only where a reader says so (they are far
more often articles), as is the English "to"; "én" and "one" are numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

from bot.reading.numbers import HUNDRED, MULTIPLIERS, UNITS, ParseError, parse_number

# Digits with thousands groups ("500 000") first, so a group is one number; a lone digit run otherwise.
_TOKEN = re.compile(r"(?P<number>\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?(?![\d.,]\d)|\d+(?:[.,']\d+)*)"
                    r"|(?P<word>[^\W\d_]+(?:['’-][^\W\d_]+)*)|(?P<mark>[^\s\w])")
ARTICLES = frozenset({"en", "ei", "ett", "a", "an"})
Span = tuple[int, int]  # where in the text a thing was read: start and end, as a Token has them
_NUMBER_PARTS = tuple(sorted(set(UNITS) | HUNDRED | {"tusen", "thousand", "million", "millioner", "og", "and"},
                             key=len, reverse=True))
_SCALE = frozenset(MULTIPLIERS) | {"%", "prosent", "percent", "pct"}


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    kind: str  # "number", "word" or "mark"
    value: Optional[Fraction] = None  # a number's value (an article's is 1)

    @property
    def is_number(self) -> bool:
        return self.kind == "number"


def _compound(word: str) -> bool:
    """'tjuefem', 'tohundreogfemti': a word made wholly of number parts."""
    rest = word
    while rest:
        part = next((part for part in _NUMBER_PARTS if rest.startswith(part)), None)
        if part is None:
            return False
        rest = rest[len(part):]
    return True


def _number_word(word: str, language: Optional[str]) -> bool:
    if word in ARTICLES or word in ("og", "and"):
        return False
    if word == "to":
        return language != "en"
    return word in UNITS or word in HUNDRED or (len(word) > 4 and _compound(word))


def tokens(text: str, language: Optional[str] = None) -> tuple[Token, ...]:
    """The words, numbers and marks of a folded text, in order; a run of number words ("two hundred and fifty") is
    one number. `language` says whether the English "to" can be a number."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if match.group("number"):
            found.append(_digits(match.group("number"), start, end))
        elif match.group("word"):
            word = match.group("word").replace("’", "'")
            found.append(Token(word, start, end, "number" if _number_word(word, language) else "word"))
        else:
            found.append(Token(match.group("mark"), start, end, "mark"))
    return tuple(_merge_number_words(found, text))


def _digits(raw: str, start: int, end: int) -> Token:
    try:
        value = parse_number(raw)
    except ParseError:
        value = None
    return Token(raw, start, end, "number" if value is not None else "word", value)


def _merge_number_words(found: list[Token], text: str):
    """Consecutive number words, with "og"/"and" between them, as one number: "hundre og tjue", "twenty five"."""
    index = 0
    while index < len(found):
        token = found[index]
        if token.kind != "number" or token.value is not None:
            yield token
            index += 1
            continue
        last = index
        probe = index + 1
        while probe < len(found):
            nxt = found[probe]
            if nxt.kind == "number" and nxt.value is None:
                last = probe
                probe += 1
            elif nxt.text in ("og", "and", "-") and probe + 1 < len(found) and found[probe + 1].kind == "number" \
                    and found[probe + 1].value is None:
                probe += 1
            else:
                break
        start, end = token.start, found[last].end
        try:
            value = parse_number(text[start:end])
        except ParseError:
            value = None
        yield Token(text[start:end], start, end, "number" if value is not None else "word", value)
        index = last + 1


def is_scaled(items: tuple[Token, ...], index: int) -> bool:
    """Whether the number at `index` is an amount or a share ("225k", "1,2 mill", "50 %"), not a count of things."""
    following = items[index + 1] if index + 1 < len(items) else None
    if following is not None and following.text in _SCALE and following.start - items[index].end <= 1:
        return True
    previous = items[index - 1] if index else None
    return previous is not None and previous.text in ("kr", "nok", "eur", "€", "$", "usd")


def is_year(token: Token) -> bool:
    return token.is_number and re.fullmatch(r"(?:19|20)\d\d", token.text) is not None


def article_value(token: Token) -> Optional[int]:
    """An article read as a number, where a reader counts it ("to SMB-er og en stor bedrift")."""
    return 1 if token.text in ARTICLES or token.text in ("én", "one") else None
