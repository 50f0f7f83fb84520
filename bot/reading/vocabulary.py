"""The words the bot reads (data/vocabulary.yaml), and one way of matching them."""
from __future__ import annotations

import re
from functools import lru_cache

from bot.resources import load_yaml


@lru_cache(maxsize=None)
def vocabulary() -> dict:
    """data/vocabulary.yaml, read once."""
    return load_yaml("vocabulary.yaml")


@lru_cache(maxsize=None)
def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern:
    """One regular expression matching any of the vocabulary's keywords on word boundaries; `*` stands for
    any word ending, `~` for s or z (organisation, organization)."""
    def one(keyword: str) -> str:
        wildcards = {"*": r"\w*", "~": "[sz]"}
        return "".join(wildcards.get(part) or re.escape(part) for part in re.split(r"([*~])", keyword))
    alternatives = sorted(keywords, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(one(keyword) for keyword in alternatives) + r")(?![\w])")


def mentions(keywords, text: str) -> bool:
    """Whether the (already lowered or folded) text names any of the vocabulary's keywords."""
    return bool(keyword_pattern(tuple(keywords)).search(text))
