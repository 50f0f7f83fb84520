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


def detect_language(text: str) -> Optional[str]:
    """'nb' or 'en' when the message says which, else None (the conversation keeps its language)."""
    lowered = fold(text)
    if re.search(r"[æøå]", lowered):
        return "nb"
    words = re.findall(r"[a-z']+", lowered)
    scores = {language: sum(word in markers for word in words) for language, markers in _language_markers().items()}
    if scores["nb"] == scores["en"]:
        return None
    return max(scores, key=scores.get)
