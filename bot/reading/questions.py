"""What a one-off question is about: which calls it names, which kinds of partner it asks about."""
from __future__ import annotations

import re

from bot.reading.vocabulary import mentions, vocabulary
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
    return tuple(kind for kind in PARTNER_TYPES if mentions(words[kind], lowered))


def speaks_of_the_project(text: str) -> bool:
    """Whether a question is about the asker's own project ("can we apply with three companies?") rather than about a
    rule in general ("can two companies in the same group both be partners?")."""
    return mentions(vocabulary()["first_person"], text.lower())


def names_smes(text: str) -> bool:
    """"SMB", "SME", "små og mellomstore": the message is about the size of enterprises."""
    return mentions(vocabulary()["counted"]["smes"]["nouns"], text.lower())


def asks_about_money(text: str) -> bool:
    """"Can my Swedish company itself receive money?": a partner question about the grant, not about taking part."""
    return mentions(vocabulary()["money_words"], text.lower())
