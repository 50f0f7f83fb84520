"""What a message says about the project, in bokmål or English, read sentence by sentence and part by part for what
each part does (bot.reading.clauses): the facts stated or corrected, which the conversation takes; the facts a
what-if supposes, which it assesses as a what-if and keeps only if the user says so; and the facts named inside a
question, which it answers from and never takes as said.

In free text a number must say what it counts (bot.reading.counts), so "Vi er tre bedrifter i en NCE-klynge, to er
SMB-er, budsjettet er 500 000 kr" gives companies, cluster programme, SMEs and budget at once, and "Yes, one of the
cluster companies" no count at all. Who is asking ("vi er en klyngeorganisasjon") is kept apart from who will submit
the application ("klyngeorganisasjonen skal søke"): only the second can fail a rule.

What the bot works out rather than reads is marked as inferred, to be confirmed before any rule fails on it: a partner
country named in passing ("a Danish cluster") gives the countries as Norway, the asker's own, and Denmark; SMEs per
country give the countries they come from.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional

from bot.reading.clauses import Sentence, sentences
from bot.reading.counts import Portion, counts_in
from bot.reading.values import HOME_COUNTRY, Span, budget_in, choices_in, countries_in, counts_per_country, stated_truth
from bot.reading.vocabulary import keyword_pattern, mentions, vocabulary
from bot.resources import fold
from bot.rules.facts import facts


@dataclass(frozen=True)
class Statement:
    """Facts read from (a part of) a message, with where each was read in the folded message."""
    facts: Mapping[str, Any] = field(default_factory=dict)
    inferred: frozenset[str] = frozenset()
    portions: Mapping[str, Portion] = field(default_factory=dict)  # waiting for their total to be known
    deltas: Mapping[str, int] = field(default_factory=dict)  # "one more SME": added to a known count
    spans: Mapping[str, Span] = field(default_factory=dict)  # fact (portion, delta) -> where it was read
    converted_from_eur: Optional[float] = None

    def __bool__(self) -> bool:
        return bool(self.facts or self.portions or self.deltas)

    def named(self) -> frozenset[str]:
        """Every fact it says something of."""
        return frozenset(self.facts) | frozenset(self.portions) | frozenset(self.deltas)

    def merged(self, later: "Statement") -> "Statement":
        """This statement and a later one: the later word wins."""
        return Statement(facts={**self.facts, **later.facts}, inferred=(self.inferred - later.named()) | later.inferred,
                         portions={**self.portions, **later.portions}, deltas={**self.deltas, **later.deltas},
                         spans={**self.spans, **later.spans},
                         converted_from_eur=later.converted_from_eur if later.converted_from_eur is not None
                         else self.converted_from_eur)

    def only(self, names) -> "Statement":
        """The part of it about these facts."""
        keep = frozenset(names)
        return Statement(facts={k: v for k, v in self.facts.items() if k in keep}, inferred=self.inferred & keep,
                         portions={k: v for k, v in self.portions.items() if k in keep},
                         deltas={k: v for k, v in self.deltas.items() if k in keep},
                         spans={k: v for k, v in self.spans.items() if k in keep},
                         converted_from_eur=self.converted_from_eur if "budget_nok" in keep & set(self.facts)
                         else None)


@dataclass(frozen=True)
class Reading:
    """A message read for what each of its parts does."""
    said: Statement = field(default_factory=Statement)  # stated or corrected: the facts to take
    corrected: frozenset[str] = frozenset()  # facts of `said` given as a correction ("nei vent, vi er fire")
    supposed: Statement = field(default_factory=Statement)  # what-ifs ("hva om vi får med en SMB til?")
    asked: Statement = field(default_factory=Statement)  # facts named in a question ("is Oslo Cancer Cluster an NCE?")
    questions: tuple[str, ...] = ()  # the question parts, folded
    answering: str = ""  # the parts that state or correct, as written (folded but for case): a reply's answer
    sentences: tuple[Sentence, ...] = ()

    @property
    def asks(self) -> bool:
        return bool(self.questions)

    @property
    def supposes(self) -> bool:
        return bool(self.supposed)


# --- who is asking, and who will apply ---------------------------------------------------------------------

_SELF = (r"(?:vi er|jeg er|vi representerer|jeg representerer|jeg jobber (?:i|for|på)|vi jobber (?:i|for)|"
         r"jeg leder|i run|i lead|i manage|we run|"
         r"we are|we're|i am|i'm|i work (?:at|for|in)|i represent|we represent|on behalf of|på vegne av)")
_APPLICANT = (r"(?:søker er|søkeren er|søker blir|søkeren blir|søker:|the applicant is|the applicant will be|"
              r"applicant:)\s+(?P<after>.{0,60})|(?P<before>[\wæøå -]{0,40}?)\s+(?:skal|vil|kommer til å)\s+"
              r"(?:søke|sende (?:inn )?søknaden|stå som søker)|(?P<before2>[\wæøå -]{0,40}?)\s+will\s+"
              r"(?:apply|submit the application|be the applicant)")
# "klyngeorganisasjonen vår", "our cluster organisation", "my company": the asker's own organisation
_OWN = (r"\b(?:vår|vårt|min|mitt|our|my)\s+(?P<who>(?:[\wæøå-]+ ?){1,2})|"
        r"(?P<before>[\wæøå-]+)\s+(?:vår|vårt|min|mitt)\b")
_ASKER_OF_APPLICANT = {"company": "company", "cluster_organisation": "cluster_organisation",
                       "business_network": "business_network", "research_institution": "other",
                       "public_body": "other"}


def _roles(text: str) -> tuple[dict[str, str], dict[str, Span]]:
    found: dict[str, str] = {}
    spans: dict[str, Span] = {}
    applicant = re.search(_APPLICANT, text)
    if applicant:
        words = applicant.group("after") or applicant.group("before") or applicant.group("before2") or ""
        named = choices_in("applicant", words)
        if named:
            found["applicant"] = named[-1].value if applicant.group("after") is None else named[0].value
            spans["applicant"] = applicant.span()
    # the role right after "vi er"/"I run" (a word or two may describe it): "vi er to SMB-er og et universitet" is
    # a list of the partners, no role of the asker's
    self_reference = re.search(_SELF + r"\s+(?:en |et |ei |a |an |the |fra |from |i |in )?(?P<who>(?:[\wæøå-]+ ?){1,3})",
                               text)
    own = self_reference or re.search(_OWN, text)
    if own:
        named = choices_in("applicant", own.group("who") or own.group("before") or "")
        if named:
            found["asker"] = _ASKER_OF_APPLICANT[named[0].value]
            spans["asker"] = own.span()
    return found, spans


# --- the budget --------------------------------------------------------------------------------------------------

_BUDGET_CLAUSES = re.compile(r"[;!?]|,(?!\d)|\bog\b(?= \D)|\band\b(?= \D)")
_CURRENCY = re.compile(r"\b(kr|nok|mnok|kroner|eur|euro)\b|€")


def _budget(text: str, day: dt.date) -> tuple[Optional[float], Optional[float], Optional[Span]]:
    budget_words = keyword_pattern(tuple(vocabulary()["budget_words"]))
    enterprise_figures = keyword_pattern(tuple(vocabulary()["enterprise_figure_words"]))
    position = 0
    for clause in _BUDGET_CLAUSES.split(text):
        start = text.find(clause, position)
        position = start + len(clause)
        if enterprise_figures.search(clause) and not budget_words.search(clause):
            continue
        if budget_words.search(clause) or _CURRENCY.search(clause):
            found = budget_in(clause, day)
            if found.problem is None:
                return found.nok, found.from_eur, (start, start + len(clause))
    return None, None, None


# --- one sentence ------------------------------------------------------------------------------------------------

def _countries(text: str, cased: str, earlier: Statement) -> tuple[Optional[list[str]], bool, Optional[Span]]:
    """The participating countries the sentence names, with those an earlier sentence of the message named ("I work
    for a Norwegian cluster organisation. We plan workshops with a Finnish cluster."), and whether the list is the
    bot's own completion: a Norwegian cluster's partner countries stand beside Norway, the asker's own."""
    named = countries_in(text, cased)
    if not named:
        return None, False, None
    before = list(earlier.facts.get("countries") or ())
    if "countries" in earlier.inferred:
        before = [code for code in before if code != HOME_COUNTRY]
    codes = list(dict.fromkeys([*before, *(item.value for item in named)]))
    if HOME_COUNTRY not in codes:
        return [HOME_COUNTRY, *codes], True, named[0].span
    return codes, False, named[0].span


def sentence_facts(text: str, cased: str, known: Mapping[str, Any], day: dt.date,
                   language: Optional[str] = None, earlier: Statement = Statement()) -> Statement:
    """Every fact one folded sentence states, whatever its act, with where it states it (`cased`: the sentence
    folded but for its case, where ISO codes and acronyms are read; `earlier`: what the message's sentences before
    it stated)."""
    found: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    inferred: set[str] = set()
    portions: dict[str, Portion] = {}

    per_country, per_country_spans = ({}, [])
    if mentions(vocabulary()["counted"]["smes"]["nouns"], text) or "smes_per_country" in known:
        per_country, per_country_spans = counts_per_country(text, cased, tuple(known.get("countries") or ()))
    counted = counts_in(text, language)
    for count in counted.counts:
        if any(start <= count.span[0] < end for start, end in per_country_spans):
            continue  # "3 SMEs in Norway" counts one country's SMEs, not all of them
        if isinstance(count.value, Portion):
            portions[count.fact] = count.value
        else:
            found[count.fact] = count.value
        spans.setdefault(count.fact, count.span)
    deltas = {delta.fact: delta.n for delta in counted.deltas}
    spans.update({delta.fact: delta.span for delta in counted.deltas if delta.fact not in spans})

    budget, converted, budget_span = _budget(text, day)
    if budget is not None:
        found["budget_nok"], spans["budget_nok"] = budget, budget_span
    programme = choices_in("cluster_programme", text)
    if programme:
        found["cluster_programme"], spans["cluster_programme"] = programme[0].value, programme[0].span
    roles, role_spans = _roles(text)
    found.update(roles)
    spans.update(role_spans)
    activities = choices_in("activities", text)
    if activities:
        found["activities"] = [item.value for item in activities]
        spans["activities"] = activities[0].span
    countries, completed, country_span = _countries(text, cased, earlier)
    if per_country:
        found["smes_per_country"] = {**(known.get("smes_per_country") or {}), **per_country}
        found["smes"] = sum(found["smes_per_country"].values())
        spans["smes_per_country"] = spans["smes"] = per_country_spans[0]
        if not countries and not known.get("countries"):
            countries, completed, country_span = [*per_country], True, per_country_spans[0]
            if HOME_COUNTRY not in countries:
                countries = [HOME_COUNTRY, *countries]
    if countries:
        found["countries"], spans["countries"] = countries, country_span
        if completed:
            inferred.add("countries")
    for fact in vocabulary()["statements"]:
        truth = stated_truth(fact, text, cased)
        if truth is not None:
            found[fact], spans[fact] = truth.value, truth.span
    return Statement(facts=found, inferred=frozenset(inferred), portions=portions, deltas=deltas, spans=spans,
                     converted_from_eur=converted if budget is not None else None)


def facts_in(text: str, known: Mapping[str, Any], day: dt.date, language: Optional[str] = None) -> Statement:
    """Every fact a text states, read as one sentence whatever its parts do (the reply to a question is read this
    way); spans are offsets in fold(text)."""
    return sentence_facts(fold(text), fold(text, lower=False), known, day, language)


# --- the whole message -------------------------------------------------------------------------------------------

def read(text: str, known: Mapping[str, Any], day: dt.date, language: Optional[str] = None) -> Reading:
    """The message sentence by sentence: what it states or corrects, what it supposes, what it asks."""
    cased = fold(text, lower=False)
    by_act = {act: Statement() for act in ("statement", "correction", "question", "what_if")}
    questions, answering = [], []
    found = sentences(text)
    so_far, earlier = dict(known), Statement()
    for sentence in found:
        end = sentence.start + len(sentence.text)
        statement = _shifted(sentence_facts(sentence.text, cased[sentence.start:end], so_far, day, language,
                                            earlier), sentence.start)
        so_far.update(statement.facts)  # "… med en dansk klynge. Tre SMB-er fra hvert land.": the countries known
        earlier = earlier.merged(statement)
        for act in by_act:
            names = [name for name, span in statement.spans.items()
                     if name in statement.named() and sentence.act_at(span[0]) == act]
            if names:
                by_act[act] = by_act[act].merged(statement.only(names))
        questions += [fold(cased[part.start:part.end]) for part in sentence.parts if part.act == "question"]
        answering += [cased[part.start:part.end] for part in sentence.parts if part.act in ("statement", "correction")]
    said = by_act["statement"].merged(by_act["correction"])
    asked = by_act["question"]
    # a change asked about is a what-if: "og med én SMB til?" asks how it would be
    supposed = by_act["what_if"].merged(asked.only(asked.deltas)) if asked.deltas else by_act["what_if"]
    return Reading(said=said, corrected=by_act["correction"].named(), supposed=supposed,
                   asked=asked.only(set(asked.named()) - set(asked.deltas)), questions=tuple(questions), answering=" ".join(answering),
                   sentences=found)


def _shifted(statement: Statement, offset: int) -> Statement:
    return replace(statement, spans={name: (start + offset, end + offset) for name, (start, end) in
                                     statement.spans.items()})


def apply_portions(values: dict[str, Any], portions: Mapping[str, Portion]) -> dict[str, Portion]:
    """Turn "all"/"half"/"all but one" into counts where the total is known now; returns those still waiting."""
    waiting = {}
    for fact, portion in portions.items():
        total = values.get(facts()[fact].of_total or "companies")
        count = portion.of(total) if total is not None else None
        if count is None:
            waiting[fact] = portion
        else:
            values[fact] = count
    return waiting


def with_deltas(values: Mapping[str, Any], deltas: Mapping[str, int]) -> dict[str, Any]:
    """Counts changed by what-ifs on them: "én SMB til" is one SME more, and so one company more (a part of a total
    changes its total too, facts.yaml's `of_total`). A delta on a count not known yet changes nothing."""
    changed = dict(values)
    for fact, more in deltas.items():
        if changed.get(fact) is not None:
            changed[fact] = changed[fact] + more
        total = facts()[fact].of_total
        if total and changed.get(total) is not None and total not in deltas:
            changed[total] = changed[total] + more
    return changed
