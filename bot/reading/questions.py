"""What a one-off question is about: which calls it names, which kinds of partner it asks about."""
from __future__ import annotations

import re

from bot.reading.vocabulary import keyword_pattern, vocabulary
from bot.rules.catalogue import PARTNER_TYPES, Call, catalogue


def calls_named_in(text: str) -> tuple[Call, ...]:
    """The calls a question names ("hva er innovasjonsrammen?"), or every call when it names none."""
    lowered = text.lower()
    named = tuple(call for call in catalogue().calls
                  if any(re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", lowered) for alias in call.aliases))
    return named or catalogue().calls


def partner_types_in(text: str) -> tuple[str, ...]:
    words = vocabulary()["partner_types"]
    lowered = text.lower()
    return tuple(kind for kind in PARTNER_TYPES if keyword_pattern(tuple(words[kind])).search(lowered))
