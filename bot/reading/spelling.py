"""Typing slips in the words the readers look for: "compnies", "indepedent", "complimentary", "initative", "budgt",
"uavhengie". A word is put right only towards one of the words in data/vocabulary.yaml's `spelling` list for the
message's language (so "aktive" is never made "active"), when it is one slip away from it (two for long words: a letter left out, added, changed, or two swapped), starts with the same
letter and is no nearer another word of the list: a typed word that is simply another word is left alone, since only
the listed words are ever put in."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from bot.reading.vocabulary import vocabulary

_WORD = re.compile(r"[A-Za-zÆØÅæøåéÉ]+")


@lru_cache(maxsize=None)
def _words(language: str) -> tuple[frozenset[str], dict[tuple[str, int], tuple[str, ...]]]:
    """The listed words of a language, and by first letter and length, the words a slip could have come from."""
    listed = frozenset(word.lower() for word in vocabulary()["spelling"][language])
    near: dict[tuple[str, int], list[str]] = {}
    for word in listed:
        for length in range(len(word) - 2, len(word) + 3):
            near.setdefault((word[0], length), []).append(word)
    return listed, {key: tuple(words) for key, words in near.items()}


def _distance(a: str, b: str, most: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), or most + 1 once it is certainly more than `most`."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > most:
            return most + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def corrected_word(word: str, language: str) -> Optional[str]:
    """The listed word a typed word is a slip of, or None."""
    lowered = word.lower()
    listed, near = _words(language)
    most = _allowed(lowered)
    candidates = near.get((lowered[0], len(lowered)), ())
    if not most or lowered in listed or any(lowered.startswith(other) or other.startswith(lowered)
                                            for other in candidates):
        return None  # a listed word, or one of its forms ("tidlige", "eier")
    scored = sorted((_distance(lowered, candidate, most), candidate) for candidate in candidates)
    best = [candidate for distance, candidate in scored if distance <= most and distance == scored[0][0]]
    if not best or (len(best) > 1 and len({candidate[:5] for candidate in best}) > 1):
        return None  # no word near enough, or two different words as near
    return best[0]


def corrected(text: str, language: Optional[str]) -> str:
    """The text with the slips in the listed words of its language put right; every other character as it was. A
    text of no known language is left as it is."""
    if language is None or language not in vocabulary()["spelling"]:
        return text

    def fix(match: re.Match) -> str:
        word = match.group(0)
        found = corrected_word(word, language)
        if found is None:
            return word
        return found.capitalize() if word[0].isupper() else found
    return _WORD.sub(fix, text)
