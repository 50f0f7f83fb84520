"""A message as what its parts do: each sentence, and each part of a sentence between commas, is a statement about the
project, a correction of one ("nei vent", "actually", "I meant"), a question, or a what-if ("hva om", "hvis", "what if",
"suppose"). Only statements and corrections set facts; a question is answered; a what-if is assessed as a what-if.

The sentences are found in the text as written (a capital after "mill." starts a new one); every part is then folded
(bot.resources.fold), and its offsets are those of the folded message, so that a reader's spans place each fact in
the part, and so the act, that stated it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.reading.vocabulary import keyword_pattern, vocabulary
from bot.resources import fold, unmarked

ACTS = ("statement", "correction", "question", "what_if")


@dataclass(frozen=True)
class Part:
    """A stretch of the folded message and what it does."""
    start: int
    end: int
    act: str


@dataclass(frozen=True)
class Sentence:
    text: str  # folded
    start: int  # where it starts in the folded message
    parts: tuple[Part, ...]  # offsets in the folded message

    def act_at(self, offset: int) -> str:
        """The act of the part a fact found at `offset` (in the folded message) stands in."""
        for part in self.parts:
            if part.start <= offset < part.end:
                return part.act
        return self.parts[-1].act if self.parts else "statement"

    @property
    def acts(self) -> frozenset[str]:
        return frozenset(part.act for part in self.parts)


# A full stop and a space end a sentence, but after an abbreviation ("ca.", "f.eks.", "mill.") only where a capital
# follows; question and exclamation marks, newlines and semicolons always end one.
_BOUNDARY = re.compile(r"(?P<mark>[.!?…])[\"»”')]*\s+|\s*[\n;]+\s*")
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:ca|f\.eks|bl\.a|mill|kr|nr|tlf|dvs|osv|evt|mht|iht|ift|e\.g|i\.e|approx|no|vs|"
                           r"etc|inkl|ekskl)$", re.I)


def _pieces(text: str) -> list[str]:
    pieces, start = [], 0
    for match in _BOUNDARY.finditer(text):
        if match.group("mark") == "." and not text[match.end():match.end() + 1].isupper() \
                and _ABBREVIATION.search(text[max(start, match.start() - 8):match.start()]):
            continue  # "ca. 3 bedrifter", "1,2 mill. kroner"
        pieces.append(text[start:match.start() + (1 if match.group("mark") else 0)])
        start = match.end()
    pieces.append(text[start:])
    return pieces


@lru_cache(maxsize=None)
def _words(key: str) -> re.Pattern:
    return keyword_pattern(tuple(vocabulary()["acts"][key]))


@lru_cache(maxsize=None)
def _starts(key: str) -> re.Pattern:
    """The words of `key` at the start of a part, after any "og", "men", "ok", "hmm"."""
    # not "så" or "forresten": after them Norwegian puts the verb first in a statement too ("Forresten er en tysk
    # klynge med", "Så er vi tre")
    fillers = r"(?:(?:og|and|men|but|ok|okay|okei|hmm+|hei|hi)\W+)*"
    return re.compile(rf"^\W*{fillers}" + _words(key).pattern)


# "if" inside a part is a what-if ("can we apply if we add an SME?") unless it means "whether" ("we'd like to know if
# we qualify"); the Norwegian "om" is left to what_if_start, as it means "whether" or "about" more often than "if".
_IF = re.compile(r"(?<!know )(?<!wonder )(?<!wondering )(?<!see )(?<!check )(?<!ask )(?<!asking )(?<!sure )"
                 r"(?<!out )(?<!me )\bif\b")


_OM = re.compile(r"^\W*(?:om|if)\b")


def _act(part: str, asks: bool, last: bool) -> str:
    """The act of one part of a sentence; `asks`: the sentence ends with a question mark, `last`: the part ends it
    ("3, er det nok?": the 3 is said, the rest asked)."""
    if _words("what_if").search(part) or _starts("what_if_start").search(part) or _IF.search(part) \
            or ((asks or _OM.search(part)) and _words("would").search(part)):  # "om NTNU ville bli med"
        return "what_if"
    if _starts("question").search(part) or _words("wants_to_know").search(part):
        return "question"
    if asks and last and not _starts("declarative").search(part):
        return "question"
    if _words("correction").search(part):
        return "correction"
    return "statement"


def _parts(folded: str, offset: int) -> tuple[Part, ...]:
    """The sentence's comma parts with their acts; a what-if's condition and the question it asks are one what-if."""
    asks = folded.rstrip().endswith("?")
    pieces = list(re.finditer(r"(?:[^,:–]|,(?=\d))+[,:–]?", folded))  # "1,2 mill" is no two parts
    parts = []
    for number, match in enumerate(pieces):
        parts.append(Part(offset + match.start(), offset + match.end(),
                          _act(match.group(0), asks, number == len(pieces) - 1)))
    if any(part.act == "what_if" for part in parts):
        # "Hvis vi får med en SMB til, blir vi godkjent?": the question is the what-if's
        parts = [Part(part.start, part.end, "what_if") if part.act == "question" else part for part in parts]
    marker = next((index for index, part in enumerate(parts) if part.act == "what_if"
                   and len(folded[part.start - offset:part.end - offset].split()) <= 2), None)
    if marker is not None:  # "Hypotetisk: SINTEF blir partner.": a what-if said by its marker alone supposes the rest
        parts = parts[:marker] + [Part(part.start, part.end, "what_if") for part in parts[marker:]]
    return tuple(parts)


def sentences(text: str) -> tuple[Sentence, ...]:
    """The message's sentences, folded, each with its parts and their acts, at their offsets in fold(text)."""
    plain = unmarked(text)
    folded_message = fold(text)
    found: list[Sentence] = []
    position = 0
    for raw in _pieces(plain):
        folded = fold(raw)
        if not folded:
            continue
        start = folded_message.find(folded, position)
        if start < 0:  # the folding of a piece differs from the message's at its edges: search without them
            start = position
        position = start + len(folded)
        found.append(Sentence(folded, start, _parts(folded, start)))
    return tuple(_corrections(found))


def _corrections(found: list[Sentence]):
    """A correction marker corrects its whole sentence ("Sorry, correction: we are actually five companies"); a
    sentence that is only the marker ("Nei vent.") corrects the next one."""
    carry = False
    for sentence in found:
        corrects = carry or "correction" in sentence.acts
        carry = corrects and len(sentence.text.split()) <= 3
        if corrects:
            sentence = Sentence(sentence.text, sentence.start, tuple(
                Part(part.start, part.end, "correction") if part.act == "statement" else part
                for part in sentence.parts))
        yield sentence
