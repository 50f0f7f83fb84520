"""Which language a message is written in."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from bot.reading.vocabulary import vocabulary
from bot.resources import fold


@lru_cache(maxsize=None)
def _language_markers() -> dict[str, frozenset]:
    return {language: frozenset(words) for language, words in vocabulary()["language_markers"].items()}


# "æ", "ø" and "å" weigh for bokmål as much as this many of its words: a short "Børs?" is bokmål, but an English
# description of a company in Ålesund listed on Oslo Børs is English.
LETTERS_WEIGHT = 2


def detect_language(text: str) -> Optional[str]:
    """'nb' or 'en' when the message says which, else None (the conversation keeps its language)."""
    lowered = fold(text)
    words = re.findall(r"[a-zæøå']+", lowered)
    scores = {language: sum(word in markers for word in words) for language, markers in _language_markers().items()}
    if re.search(r"[æøå]", lowered):
        scores["nb"] += LETTERS_WEIGHT
    if scores["nb"] == scores["en"]:
        return None
    return max(scores, key=scores.__getitem__)
