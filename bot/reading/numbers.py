"""Numbers, amounts and yes/no in the words people type, in Norwegian bokmål and English.

"500 000 kr", "kr 1,2 mill", "1.5 million NOK", "NOK 900,000", "300k", "tre hundre tusen", "halv million",
"fire bedrifter", "four" all parse; garbage, negative and zero amounts raise ParseError with a reason code
(the conversation words the reason from its own responses).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Optional


class ParseError(ValueError):
    """The text holds no usable answer. `code` says why: no_number, several_numbers, negative, zero,
    not_whole, not_yes_no, both_yes_and_no."""

    def __init__(self, code: str, text: str):
        super().__init__(f"{code}: {text!r}")
        self.code = code


UNITS = {
    # bokmål
    "null": 0, "ingen": 0, "en": 1, "ett": 1, "ei": 1, "én": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5,
    "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12, "tretten": 13,
    "fjorten": 14, "femten": 15, "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19, "tjue": 20,
    "tyve": 20, "tretti": 30, "tredve": 30, "førti": 40, "firti": 40, "femti": 50, "seksti": 60, "sytti": 70,
    "søtti": 70, "åtti": 80, "nitti": 90,
    # English
    "zero": 0, "none": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
HUNDRED = {"hundre", "hundred", "hundrede"}
MULTIPLIERS = {
    "k": 1000, "tusen": 1000, "thousand": 1000, "tusener": 1000, "thousands": 1000,
    "m": 10**6, "mill": 10**6, "mil": 10**6, "mln": 10**6, "million": 10**6, "millioner": 10**6,
    "millions": 10**6, "mnok": 10**6, "meur": 10**6,
    "mrd": 10**9, "milliard": 10**9, "milliarder": 10**9, "billion": 10**9, "billions": 10**9, "bn": 10**9,
}
HALF = {"halv": Fraction(1, 2), "halvt": Fraction(1, 2), "half": Fraction(1, 2), "halvannen": Fraction(3, 2)}
# Words that are numbers only beside another number word ("en halv million", "a hundred"): alone they are
# far more often the article "en"/"a" or the English "to".
WEAK = {"en", "ei", "ett", "a", "an", "to"}
CONNECTORS = {"og", "and"}
CURRENCY = {"kr": "NOK", "nok": "NOK", "kroner": "NOK", "krone": "NOK", "mnok": "NOK",
            "eur": "EUR", "euro": "EUR", "euros": "EUR", "€": "EUR", "meur": "EUR"}
_MORPHEMES = sorted(set(UNITS) | HUNDRED | {"tusen", "millioner", "million", "og"}, key=len, reverse=True)

_DIGITS = r"\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,']\d+)*"
_TOKEN = re.compile(rf"(?P<minus>(?<![\w.,])[-−–](?=\s?\d))?(?P<digits>{_DIGITS})|(?P<word>[a-zæøåé]+)|(?P<sign>[€])")


@dataclass(frozen=True)
class Amount:
    value: Fraction
    currency: Optional[str]


def _digits_value(raw: str, scaled: bool) -> Fraction:
    """Read '500 000', '1.234.567,50', 'NOK 900,000' (thousands) and '1,2' or '1.5' (decimals). A lone
    separator followed by exactly three digits groups thousands unless a multiplier follows ('1,500 mill')."""
    text = raw.replace("\u00a0", " ").replace("'", "")
    if " " in text:
        text = text.replace(" ", "")
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    else:
        separator = "," if "," in text else "." if "." in text else ""
        if separator:
            groups = text.split(separator)
            grouping = len(groups) > 2 or (len(groups[-1]) == 3 and not scaled)
            text = "".join(groups) if grouping else text.replace(separator, ".")
            if grouping and not all(len(group) == 3 for group in groups[1:]):
                raise ParseError("no_number", raw)
    return Fraction(text)


def _split_compound(word: str) -> list[str]:
    """'tohundreogfemti' -> ['to', 'hundre', 'og', 'femti']; a word that is not wholly made of number
    parts comes back as it is."""
    if word in UNITS or word in MULTIPLIERS or len(word) < 5:
        return [word]
    parts, rest = [], word
    while rest:
        for morpheme in _MORPHEMES:
            if rest.startswith(morpheme):
                parts.append(morpheme)
                rest = rest[len(morpheme):]
                break
        else:
            return [word]
    return parts


# (kind, value): a digits token carries its Fraction, a word or a currency its text, a minus nothing
_Token = tuple[str, Any]


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    lowered = text.lower().replace("-", " - ") if not re.search(r"\d", text) else text.lower()
    for match in _TOKEN.finditer(lowered):
        if match.group("digits"):
            following = lowered[match.end():match.end() + 12].lstrip()
            next_word = re.match(r"[a-zæøå]+", following)
            scaled = next_word is not None and next_word.group(0) in MULTIPLIERS
            if match.group("minus"):
                tokens.append(("minus", None))
            tokens.append(("digits", _digits_value(match.group("digits"), scaled)))
        elif match.group("sign"):
            tokens.append(("currency", "EUR"))
        else:
            for word in _split_compound(match.group("word")):
                tokens.append(("word", word))
    return tokens


@dataclass
class _Run:
    total: Fraction = Fraction(0)
    current: Fraction = Fraction(0)
    strong: bool = False  # holds a digit or an unambiguous number word
    negative: bool = False
    currency: Optional[str] = None

    @property
    def value(self) -> Fraction:
        return self.total + self.current


def _runs(text: str) -> list[_Run]:
    """Split the text into number expressions, each a digit or number word followed by number words."""
    runs: list[_Run] = []
    run: Optional[_Run] = None
    pending_currency: Optional[str] = None
    negative_next = False
    tokens = _tokens(text)
    for index, (kind, value) in enumerate(tokens):
        following = tokens[index + 1][1] if index + 1 < len(tokens) else None
        if kind == "minus" or value == "minus":
            negative_next = True
            continue
        if kind == "currency" or value in CURRENCY:
            currency = "EUR" if kind == "currency" else CURRENCY[value]
            if run is not None:
                run.currency = run.currency or currency
            else:
                pending_currency = currency
            if value not in MULTIPLIERS:
                continue
        if kind == "digits":
            if run is not None:
                runs.append(run)
            run = _Run(current=value, strong=True, negative=negative_next, currency=pending_currency)
            negative_next, pending_currency = False, None
            continue
        word = value
        number_word = word in UNITS or word in HUNDRED or word in MULTIPLIERS or word in HALF
        if not number_word:
            if word in CONNECTORS and run is not None:
                continue
            if run is not None:
                runs.append(run)
                run = None
            continue
        if run is None:
            if word in MULTIPLIERS and word not in ("tusen", "thousand", "million", "millioner", "milliard"):
                continue  # a stray 'k' or 'm' starts nothing
            run = _Run(negative=negative_next, currency=pending_currency)
            negative_next, pending_currency = False, None
        if word in WEAK:
            if run.current or following in HALF or following == "halv":
                continue  # "en halv", "half a million", "one and a half"
            run.current += UNITS.get(word, 1)
            continue
        run.strong = True
        if word in UNITS:
            run.current += UNITS[word]
        elif word in HALF:
            run.current += HALF[word]
        elif word in HUNDRED:
            run.current = (run.current or Fraction(1)) * 100
        else:
            run.total += (run.current or 1) * MULTIPLIERS[word]
            run.current = Fraction(0)
    if run is not None:
        runs.append(run)
    strong = [run for run in runs if run.strong]
    return strong or runs


def parse_number(text: str) -> Fraction:
    """The one number in the text; ParseError when there is none or several."""
    runs = _runs(text)
    if not runs:
        raise ParseError("no_number", text)
    if len(runs) > 1:
        raise ParseError("several_numbers", text)
    run = runs[0]
    return -run.value if run.negative else run.value


def parse_amount(text: str) -> Amount:
    """A money amount greater than zero, with its currency when the text names one."""
    runs = _runs(text)
    if len(runs) > 1:
        with_currency = [run for run in runs if run.currency]
        runs = with_currency if len(with_currency) == 1 else runs
    if not runs:
        raise ParseError("no_number", text)
    if len(runs) > 1:
        raise ParseError("several_numbers", text)
    run = runs[0]
    if run.negative:
        raise ParseError("negative", text)
    if run.value == 0:
        raise ParseError("zero", text)
    return Amount(value=run.value, currency=run.currency)


def parse_count(text: str, allow_zero: bool = False) -> int:
    """A whole number of things ('fire bedrifter', 'four', '3'); zero only where it makes sense."""
    value = parse_number(text)
    if value < 0:
        raise ParseError("negative", text)
    if value.denominator != 1:
        raise ParseError("not_whole", text)
    if value == 0 and not allow_zero:
        raise ParseError("zero", text)
    return int(value)


_UNSURE = re.compile(r"\b(vet ikke|vet (?:vi|jeg|eg) ikke|veit ikke|vet ikkje|ikke sikker|usikker|kanskje|aner ikke|ikke avklart|ikke bestemt|"
                     r"ikke oversikt|har ikke oversikt|må sjekke|skal sjekke|må undersøke|not sure|don'?t know|"
                     r"do not know|unsure|maybe|no idea|dunno|idk|not settled|not decided|no overview|need to check|"
                     r"have to check|will check|not certain)\b")
_NO = re.compile(r"\b(nei|neida|nope|no|nah|ikke|ingen|not|none|never|aldri|negative|don't|doesn't|isn't|aren't)\b")
# Yes and no themselves, which decide a reply by coming first ("nei, det er de ikke", "ja, det gjør vi"); other words
# of assent only strengthen what follows ("absolutt ikke" is a no).
_PLAIN_YES_NO = re.compile(r"ja|jada|jo|jepp|japp|jupp|yes|yeah|yep|yup|nei|neida|nope|no|nah")
_YES = re.compile(r"\b(ja|jada|jo|jepp|japp|jupp|yes|yeah|yep|yup|sure|correct|right|stemmer|riktig|"
                  r"absolutt|definitivt|selvfølgelig|of course|certainly|indeed|det er det|det gjør vi|"
                  r"det har vi|det er de|y)\b")


# Sounds of thinking aloud: no answer yet, whatever an NLU trained on "ja" makes of "tjaa".
_HEDGE = re.compile(r"(?:tja+|hm+|e+h+|øh+|uh+|um+|erm|hæ+\??|huh\??|jaså|altså|vel|well|la meg tenke|vent litt|"
                    r"let me think|wait|hold on|[.…?!🙂🤔]+)")


def is_hedge(text: str) -> bool:
    """'tja', 'hmm', 'la meg tenke': the user thinks aloud and has not answered."""
    words = [word for word in re.split(r"[\s,]+", text.lower().strip()) if word]
    joined = " ".join(words)
    return bool(words) and (bool(_HEDGE.fullmatch(joined)) or all(_HEDGE.fullmatch(word) for word in words))


def is_unsure(text: str) -> bool:
    """'vet ikke', 'not sure' and the like: the user cannot answer (yet)."""
    return bool(_UNSURE.search(" ".join(text.lower().split())))


# A reply longer than this that does not begin with yes or no is read for its facts, not for a yes or a no: "Initiativet
# kommer fra oss, og vi er ikke i tvil" is no "no".
SHORT_YES_NO = 6


def _words_of(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]", " ", text.lower()).split())


def starts_with_yes_or_no(text: str) -> bool:
    lowered = _words_of(text)
    return bool(lowered) and bool(_PLAIN_YES_NO.fullmatch(lowered.split(" ", 1)[0]))


def reply_yes_no(text: str) -> Optional[bool]:
    """parse_yes_no for the reply to a yes/no question: only a short reply, or one that begins with yes or no."""
    lowered = _words_of(text)
    first = lowered.split(" ", 1)[0] if lowered else ""
    if len(lowered.split()) > SHORT_YES_NO and not _PLAIN_YES_NO.fullmatch(first):
        raise ParseError("not_yes_no", text)
    return parse_yes_no(text)


def parse_yes_no(text: str) -> Optional[bool]:
    """True or False, or None for 'not sure' (the fact stays unknown); ParseError when it is neither."""
    lowered = _words_of(text)
    if is_unsure(lowered):
        return None
    first = lowered.split(" ", 1)[0] if lowered else ""
    if _PLAIN_YES_NO.fullmatch(first):
        return not _NO.fullmatch(first)
    said = {_NO.fullmatch(word) is None for word in lowered.split() if _PLAIN_YES_NO.fullmatch(word)}
    if said == {True, False}:  # "hmm, ja nei": both, so neither
        raise ParseError("both_yes_and_no", text)
    if _NO.search(lowered):  # "det er de ikke", "we do not"
        return False
    if _YES.search(lowered):
        return True
    raise ParseError("not_yes_no", text)
