"""The call texts as passages to answer from: every sentence of data/sources/, with the section it stands in and the
catalogue's own words about it in both languages (a rule, a topic, a partner note that cites it), ranked against a
question by BM25 over word stems. A question no topic covers is answered with the passage that bears on it, or, when
none does, honestly not (bot.saying.answers); a question's content words that no passage has are what the texts do
not say.

English questions find Norwegian sentences through the catalogue's English texts of them and through
data/vocabulary.yaml's `glossary`.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from bot.resources import DATA_DIR, Text, fold, load_yaml
from bot.rules.catalogue import SOURCES_DIR, Call, WeightedCriterion, catalogue

_WORD = re.compile(r"[^\W\d_]+|\d+", re.U)
# Word endings taken off before words are compared: "forslagene" and "forslag", "proposals" and "proposal".
_ENDINGS = ("ene", "ane", "ende", "ert", "ing", "ies", "er", "en", "et", "es", "ed", "te", "s", "e", "a")


def stem(word: str) -> str:
    word = word.lower()
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[:-len(ending)]
    return word


def stems(text: str) -> list[str]:
    return [stem(word) for word in _WORD.findall(fold(text))]


@dataclass(frozen=True)
class Passage:
    call_id: str
    section: str
    text: str  # the sentence as the call text has it
    about: tuple[Text, ...]  # the catalogue's words about it (templates of the call's figures), where entries cite it
    terms: tuple[str, ...]  # its stems and those of the catalogue's words about it, in both languages


@lru_cache(maxsize=None)
def _stopwords() -> frozenset[str]:
    return frozenset(stem(word) for word in load_yaml("vocabulary.yaml")["question_stopwords"])


@lru_cache(maxsize=None)
def _glossary() -> dict[str, tuple[str, ...]]:
    return {stem(word): tuple(stem(other) for other in others.split())
            for word, others in load_yaml("vocabulary.yaml")["glossary"].items()}


def _cited(call: Call) -> Iterable[tuple[str, Text]]:
    """(quote, the catalogue's text about it) for every entry of the call that cites its source."""
    for rule in call.rules:
        yield rule.source.quote, rule.requirement
    for topic in call.topics.values():
        yield topic.source.quote, topic.text
    for partner in call.partners.values():
        yield partner.source.quote, partner.note
    for criterion in call.assessment_criteria:
        if isinstance(criterion, WeightedCriterion):
            yield criterion.source.quote, criterion.name


def _sentences(raw: str) -> list[str]:
    """The call text's sentences and list items, each on one line of folded whitespace."""
    text = re.sub("[\uf0a7\uf0b7•]", "\n", raw)  # the texts' bullets (a Symbol-font character, or •) start items
    pieces = re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])|\n\s*\n|\n(?=\s*[-–]\s)", text)
    return [" ".join(piece.split()) for piece in pieces if len(" ".join(piece.split())) > 12]


@lru_cache(maxsize=None)
def passages() -> tuple[Passage, ...]:
    found = []
    for call in catalogue().calls:
        raw = (SOURCES_DIR / call.source_file).read_text(encoding="utf-8")
        sections = sorted({source.section for source in _sources(call)}, key=len, reverse=True)
        cited = list(_cited(call))
        section = call.name("nb")
        for sentence in _sentences(raw):
            heading = next((name for name in sections if fold(name) in fold(sentence)[:len(name) + 4]), None)
            if heading is not None:
                section = heading
            about = tuple(text for quote, text in cited if fold(quote) in fold(sentence))
            words = [sentence, *(text.nb for text in about), *(text.en for text in about)]
            found.append(Passage(call.id, section, sentence, about,
                                 tuple(term for words_ in words for term in stems(words_))))
    return tuple(found)


def _sources(call: Call):
    yield from (rule.source for rule in call.rules)
    yield from (topic.source for topic in call.topics.values())
    yield from (partner.source for partner in call.partners.values())
    yield call.steps_source
    yield call.assessment_source
    yield call.contact_source


def content(question: str) -> tuple[str, ...]:
    """The question's content words, stemmed: what an answer must speak of (not "kan", "vi", "Innovasjonsrammen")."""
    calls = {stem(word) for call in catalogue().calls for alias in call.aliases for word in alias.split()}
    return tuple(dict.fromkeys(term for term in stems(question)
                               if term not in _stopwords() and term not in calls and not term.isdigit()))


def _expanded(terms: Iterable[str]) -> list[str]:
    found = []
    for term in terms:
        found.append(term)
        found += _glossary().get(term, ())
    return found


@lru_cache(maxsize=None)
def _statistics() -> tuple[dict[str, int], float]:
    frequency: Counter = Counter()
    for passage in passages():
        frequency.update(set(passage.terms))
    return dict(frequency), sum(len(passage.terms) for passage in passages()) / len(passages())


def _matches(term: str, other: str) -> bool:
    """One stem standing for another: the same, or one the start of the other ("saksbehandling", "behandl" no)."""
    return term == other or (len(term) >= 5 and len(other) >= 5 and (term.startswith(other) or other.startswith(term)))


@lru_cache(maxsize=None)
def _lexicon() -> frozenset[str]:
    """Every stem the bot can speak of: the call texts and the catalogue's words about them, the facts and the
    words the readers know (data/facts.yaml, data/vocabulary.yaml), and its own messages."""
    words: set[str] = set(_statistics()[0])

    def walk(node) -> None:
        if isinstance(node, str):
            words.update(stems(node))
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(str(key))
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    for name in ("facts.yaml", "vocabulary.yaml", "countries.yaml"):
        walk(load_yaml(name))
    for path in sorted((DATA_DIR / "calls").glob("*.yaml")) + sorted((DATA_DIR / "messages").glob("*.yaml")):
        walk(load_yaml(path.relative_to(DATA_DIR)))
    return frozenset(words)


def known(term: str) -> bool:
    """Whether the bot can speak of the term: a passage has it (or the glossary's Norwegian for it), or its facts,
    words or messages do."""
    return any(_matches(candidate, other) for candidate in _expanded([term]) for other in _lexicon())


def ranked(question: str, calls: Iterable[Call] = ()) -> list[tuple[float, Passage]]:
    """The passages by BM25 against the question's content words (and their glossary translations), best first,
    those of `calls` only where given."""
    wanted = {call.id for call in calls}
    terms = _expanded(content(question))
    frequency, average = _statistics()
    total = len(passages())
    scored = []
    for passage in passages():
        if wanted and passage.call_id not in wanted:
            continue
        counts = Counter(passage.terms)
        score = 0.0
        for term in set(terms):
            hits = sum(count for other, count in counts.items() if _matches(term, other))
            if not hits:
                continue
            documents = sum(count for other, count in frequency.items() if _matches(term, other))
            idf = math.log(1 + (total - documents + 0.5) / (documents + 0.5))
            score += idf * hits * 2.2 / (hits + 1.2 * (0.25 + 0.75 * len(passage.terms) / average))
        if score:
            scored.append((score, passage))
    return sorted(scored, key=lambda item: -item[0])


def coverage(question: str, text: str) -> float:
    """The share of the question's content words that a text (an answer, a passage) speaks of."""
    terms = content(question)
    if not terms:
        return 1.0
    words = set(stems(text))
    return sum(any(_matches(candidate, word) for candidate in _expanded([term]) for word in words)
               for term in terms) / len(terms)


def unknown_terms(question: str) -> tuple[str, ...]:
    """The question's content words no passage of the call texts has: what the texts do not speak of."""
    return tuple(term for term in content(question) if not known(term))
