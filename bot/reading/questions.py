"""What a one-off question is about: which calls it names, which kinds of partner it asks about."""
from __future__ import annotations

import re
from typing import Optional

from bot.reading.values import organisation_partner_types
from bot.reading.vocabulary import mentions, vocabulary
from bot.resources import fold
from bot.rules.catalogue import PARTNER_TYPES, Call, catalogue


def calls_named_in(text: str) -> tuple[Call, ...]:
    """The calls a question names ("hva er innovasjonsrammen?"), or every call when it names none."""
    lowered = text.lower()
    named = tuple(call for call in catalogue().calls
                  if any(re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", lowered) for alias in call.aliases))
    return named or catalogue().calls


def partner_types_in(text: str) -> tuple[str, ...]:
    """The kinds of partner a question asks about, by kind ("et universitet", "a Swedish company") or by the name of
    an organisation ("NTNU", "SINTEF", "et helseforetak")."""
    words = vocabulary()["partner_types"]
    lowered = fold(text)
    named = set(organisation_partner_types(lowered, fold(text, lower=False)))
    return tuple(kind for kind in PARTNER_TYPES if kind in named or mentions(words[kind], lowered))


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


def asks_what_the_texts_do_not_say(text: str) -> bool:
    """A question about something the call texts are silent on, by its words (data/vocabulary.yaml `texts_silent`:
    processing time, advance payments, salaries, this year's round, combining the calls, ...)."""
    lowered = fold(text)
    named = [call for call in catalogue().calls
             if any(re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", lowered) for alias in call.aliases)]
    combines = len(named) > 1 and mentions(vocabulary()["combining_words"], lowered)
    return combines or mentions(vocabulary()["texts_silent"], lowered)


# What a question asks for, by its first words, and what an answer must hold to give it: "hvor lenge" asks for a
# duration, "når" for a date, "hvor mange" for a number.
_EXPECTS = {
    "duration": (re.compile(r"\b(?:hvor lenge|hvor lang tid|how long|saksbehandlingstid|processing time)\b"),
                 re.compile(r"\d+(?:\s*(?:-|–|to|til)\s*\d+)?\s*(?:måned|uke|dag|år\b|month|week|day|year)")),
    "date": (re.compile(r"^\W*(?:når|when|what date|hvilken dato)\b"),
             re.compile(r"\b(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
                        r"january|february|march|may|june|july|october|december|\d{4})\b|no fixed deadline|"
                        r"ingen fast")),
    "number": (re.compile(r"\b(?:hvor mange|how many|hvor mye|how much|hvor stor|what share|hvilken andel)\b"),
               re.compile(r"\d")),
}


def answer_lacks_what_is_asked(question: str, answer: str) -> bool:
    """Whether an answer lacks what the question asks for: a duration, a date, a number."""
    lowered, said = fold(question), fold(answer)
    return any(asks.search(lowered) and not gives.search(said) for asks, gives in _EXPECTS.values())


def asks_about_a_partner(text: str) -> bool:
    """Whether a question names a kind of partner and asks whether it may be one (take part, join, get the money)."""
    lowered = fold(text)
    return bool(partner_types_in(text)) and (mentions(vocabulary()["partner_question_words"], lowered)
                                             or asks_about_money(lowered))


_YES_NO_QUESTION = re.compile(r"^\W*(?:(?:og|and|men|but|ok|så|so)\W+)?(?:kan|er|har|må|får|skal|vil|blir|gjelder|teller|"
                              r"finnes|holder|passer|trenger|bør|dekker|støtter|kvalifiserer|går det an|stemmer det|er det lov|"
                              r"can|could|is|are|was|were|"
                              r"do|does|did|will|would|may|might|must|should|shall|has|have)\b")


def is_yes_no_question(text: str) -> bool:
    """"Kan vi søke med én bedrift?", "Is an Arena cluster OK?": a question a yes or a no answers."""
    return bool(_YES_NO_QUESTION.search(fold(text)))


def yes_no_kind(text: str) -> Optional[str]:
    """For a yes/no question about a call's round: "closed" where it asks whether the round is over ("har fristen gått
    ut?"), "open" otherwise ("kan vi fortsatt søke?"); None for a question no yes or no answers."""
    if not is_yes_no_question(text):
        return None
    return "closed" if mentions(vocabulary()["closed_words"], fold(text)) else "open"
