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
country without Norway's give Norway and theirs. SMEs from Norway and another country give those countries, read.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional

from bot.reading.clauses import Sentence, sentences
from bot.reading.counts import Portion, counts_in, leaving_deltas
from bot.reading.spelling import corrected
from bot.reading.tokens import Span
from bot.reading.values import (HOME_COUNTRY, PROGRAMME_NEGATORS, budget_in, choices_in, counts_per_country, country_claims,
                                own_country, stated_truth, stated_truth_at)
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
class MessageReading:
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

    @property
    def wonders(self) -> bool:
        """A part of it is a what-if, whether or not a fact could be read from it: it answers no question."""
        return any("what_if" in sentence.acts for sentence in self.sentences)


# --- who is asking, and who will apply ---------------------------------------------------------------------

_SELF = (r"(?:vi er|jeg er|vi representerer|jeg representerer|jeg jobber (?:i|for|på)|vi jobber (?:i|for)|"
         r"jeg leder|i run|i lead|i manage|we run|"
         r"we are|we're|i am|i'm|i work (?:at|for|in)|i represent|we represent|on behalf of|på vegne av)")
_APPLICANT = (r"(?:søker er|søkeren er|søker blir|søkeren blir|søker:|the applicant is|the applicant will be|"
              r"the applicant would be|applicant:)\s+(?P<after>.{0,60})|"
              r"(?P<before>[\wæøå -]{0,40}?)\s+(?:skal|skulle|vil|ville|kommer til å)\s+(?:ha\s+)?"
              r"(?:søke|søkt|sende (?:inn )?søknaden|stå som søker|være søker)|"
              r"(?P<before2>[\wæøå -]{0,40}?)(?:\s+(?:will|would|is going to|was going to)|'d|'ll)\s+(?:have\s+)?"
              r"(?:apply|applied|submit(?:ted)? the application|be the applicant|been the applicant|submit)")
# "klyngeorganisasjonen vår", "our cluster organisation", "my company": the asker's own organisation
_OWN = (r"\b(?:vår|vårt|min|mitt|our|my)\s+(?P<who>(?:[\wæøå-]+ ?){1,2})|"
        r"(?P<before>[\wæøå-]+)\s+(?:vår|vårt|min|mitt)\b")
_ASKER_OF_APPLICANT = {"company": "company", "cluster_organisation": "cluster_organisation",
                       "business_network": "business_network", "research_institution": "other",
                       "public_body": "other"}


_WE = re.compile(r"(?:^|\b)(?:vi|we|we'd|we'll|we're|jeg|i|i'd)\s*$")


def _roles(text: str, asker: Optional[str]) -> tuple[dict[str, str], dict[str, Span]]:
    """Who will submit the application, where said, and who is asking. "we'd apply", "vi skal søke" names the asker's
    own organisation (`asker`: who is asking, as known)."""
    found: dict[str, str] = {}
    spans: dict[str, Span] = {}
    applicant = re.search(_APPLICANT, text)
    if applicant:
        words = applicant.group("after") or applicant.group("before") or applicant.group("before2") or ""
        named = choices_in("applicant", words)
        if named:
            found["applicant"] = named[-1].value if applicant.group("after") is None else named[0].value
            spans["applicant"] = applicant.span()
        elif _WE.search(words) and asker in facts()["applicant"].values:
            found["applicant"], spans["applicant"] = asker, applicant.span()
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
            if "applicant" not in found and applicant and _WE.search(applicant.group("before") or
                                                                     applicant.group("before2") or "-"):
                found["applicant"], spans["applicant"] = named[0].value, applicant.span()
    return found, spans


# --- the cluster programme -------------------------------------------------------------------------------------

def _programme(text: str) -> Optional[tuple[str, Span]]:
    """The programme the sentence says the cluster is in. One named under a negation is not it ("ikke med i Arena,
    NCE eller GCE", "har aldri vært NCE"): where every one named is, the cluster is in none."""
    named = choices_in("cluster_programme", text)
    if not named:
        return None
    said = [item for item in named if item.value == "none"
            or stated_truth_at(text, item.span, PROGRAMME_NEGATORS) is not False]
    if said:
        return said[0].value, said[0].span
    return "none", named[0].span


# --- the budget --------------------------------------------------------------------------------------------------

_BUDGET_CLAUSES = re.compile(r"[;!?]|,(?!\d)|\bog\b(?= \D)|\band\b(?= \D)")
_CURRENCY = re.compile(r"\b(kr|nok|mnok|kroner|eur|euro)\b|€")


def _budget(text: str, day: dt.date) -> tuple[Optional[float], Optional[float], Optional[Span]]:
    """The budget a sentence states: the first amount beside a budget word or a currency, or, where the sentence
    corrects itself ("Budsjettet er 500 000 – nei, jeg mente 350 000"), the amount after the correction."""
    budget_words = keyword_pattern(tuple(vocabulary()["budget_words"]))
    enterprise_figures = keyword_pattern(tuple(vocabulary()["enterprise_figure_words"]))
    corrects = keyword_pattern(tuple(vocabulary()["acts"]["correction"]))
    position, found_one = 0, None
    for clause in _BUDGET_CLAUSES.split(text):
        start = text.find(clause, position)
        position = start + len(clause)
        if found_one is not None:
            after = budget_in(clause, day)
            if corrects.search(text, found_one[2][1], start + len(clause)) and after.problem is None:
                return after.nok, after.from_eur, (start, start + len(clause))
            continue
        if enterprise_figures.search(clause) and not budget_words.search(clause):
            continue
        if budget_words.search(clause) or _CURRENCY.search(clause):
            found = budget_in(clause, day)
            if found.problem is None:
                found_one = (found.nok, found.from_eur, (start, start + len(clause)))
    return found_one if found_one is not None else (None, None, None)


# --- one sentence ------------------------------------------------------------------------------------------------

def _countries(text: str, cased: str, known: Mapping[str, Any], earlier: Statement, corrects: bool,
               home: Optional[str], home_named: bool = False) -> tuple[Optional[list[str]], bool, Optional[Span]]:
    """The participating countries after the sentence, and whether the list is the bot's own completion. Countries it
    names join those known ("Forresten er en tysk klynge også med"); those it says leave, or are not, go ("Finland
    pulled out", "I meant Iceland, not Denmark"); a Norwegian cluster's partner countries stand beside Norway, the
    asker's own, unless the asker says they are from another country ("Jeg leder en svensk klynge")."""
    claims = country_claims(text, cased, anywhere=corrects)
    if not claims:
        return None, False, None
    staying = [found.value for found, stays in claims if stays]
    gone = {found.value for found, stays in claims if not stays}
    before = list(earlier.facts.get("countries") or known.get("countries") or ())
    if "countries" in earlier.inferred:
        before = [code for code in before if code != HOME_COUNTRY]
    codes = [code for code in dict.fromkeys([*before, *staying]) if code not in gone]
    span = claims[0][0].span
    if not staying and not before:
        return None, False, None
    if codes == [HOME_COUNTRY] and not gone and not _PLURAL_CLUSTERS.search(text):
        return None, False, None  # "en norsk klynge" alone says nothing of a project between countries
    if home is None and HOME_COUNTRY not in codes and HOME_COUNTRY not in gone:
        return [HOME_COUNTRY, *codes], not home_named, span  # named in the message ("en norsk NCE-klynge"): said
    return codes, False, span


# "tre norske klynger": several clusters of one country, a project of that country alone
_PLURAL_CLUSTERS = re.compile(r"\b(?:klynger|klyngene|clusters|nettverk|networks)\b")


def sentence_facts(text: str, cased: str, known: Mapping[str, Any], day: dt.date,
                   language: Optional[str] = None, earlier: Statement = Statement(),
                   home: Optional[str] = None, home_named: bool = False) -> Statement:
    """Every fact one folded sentence states, whatever its act, with where it states it (`cased`: the sentence
    folded but for its case, where ISO codes and acronyms are read; `earlier`: what the message's sentences before
    it stated; `home`: the asker's own country, where the message says it is not Norway)."""
    found: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    inferred: set[str] = set()
    portions: dict[str, Portion] = {}

    corrects = bool(keyword_pattern(tuple(vocabulary()["acts"]["correction"])).search(text))
    countries, completed, country_span = _countries(text, cased, known, earlier, corrects, home, home_named)
    per_country: dict[str, int] = {}
    per_country_spans: list[Span] = []
    if mentions(vocabulary()["counted"]["smes"]["nouns"], text) or "smes_per_country" in known:
        per_country, per_country_spans = counts_per_country(text, cased, tuple(countries or known.get("countries")
                                                                                or ()), language)
    leaving_parts = [(match.start(), match.end()) for match in re.finditer(r"(?:[^,;:-]|(?<=\S)-(?=\S))+", text)
                     if mentions(vocabulary()["leaving_words"], match.group(0))]
    leaves = bool(leaving_parts)
    counted = counts_in(text, language)
    for count in counted.counts:
        if any(start <= count.span[0] < end for start, end in leaving_parts):
            continue  # "the fourth pulled out": a count that goes down, not one stated
        if any(start <= count.span[0] < end for start, end in per_country_spans):
            continue  # "3 SMEs in Norway" counts one country's SMEs, not all of them
        if count.whole and count.fact == "companies":
            if "companies" not in known and "companies" not in found:  # "Tre norske SMB-er, Arena-klynge."
                found["companies"], spans["companies"] = count.value, count.span
                inferred.add("companies")
            continue
        if isinstance(count.value, Portion):
            portions[count.fact] = count.value
        else:
            found[count.fact] = count.value
        spans.setdefault(count.fact, count.span)
        if count.some:
            inferred.add(count.fact)  # "the three Norwegian ones are SMEs": the foreign ones may be SMEs too
        if count.whole and count.fact == "foreign_companies":
            inferred.add("foreign_companies")  # "Fem norske SMB-er.": none foreign, it seems
        if count.whole and count.fact == "smes" and isinstance(count.value, int) and "companies" not in known:
            # "two Norwegian SMEs in the project": the companies, it seems; confirmed before a rule fails on it
            found.setdefault("companies", count.value)
            spans.setdefault("companies", count.span)
            inferred.add("companies")
    correction = keyword_pattern(tuple(vocabulary()["acts"]["correction"]))
    for loose in counted.loose:  # "Vi er fire bedrifter – nei vent, fem": the number after the correction wins
        earlier_counts = [count for count in counted.counts if count.span[1] <= loose.span[0]
                          and isinstance(loose.value, int)]
        if earlier_counts and correction.search(text, earlier_counts[-1].span[1], loose.span[0]):
            found[earlier_counts[-1].fact] = loose.value
    changes = counted.deltas + tuple(delta for delta in (leaving_deltas(text, language) if leaves else ())
                                     if any(start <= delta.span[0] < end for start, end in leaving_parts))
    deltas = {delta.fact: delta.n for delta in changes}
    spans.update({delta.fact: delta.span for delta in changes if delta.fact not in spans})

    budget, converted, budget_span = _budget(text, day)
    if budget is not None:
        assert budget_span is not None  # _budget gives an amount with the span it stands at
        found["budget_nok"], spans["budget_nok"] = budget, budget_span
    programme = _programme(text)
    if programme:
        found["cluster_programme"], spans["cluster_programme"] = programme
    roles, role_spans = _roles(text, earlier.facts.get("asker") or known.get("asker"))
    found.update(roles)
    spans.update(role_spans)
    activities = [item for item in choices_in("activities", text) if stated_truth_at(text, item.span)]
    if activities:  # "ingen workshops" names no activity of the project
        found["activities"] = [item.value for item in activities]
        spans["activities"] = activities[0].span
    if per_country:
        found["smes_per_country"] = {**(known.get("smes_per_country") or {}), **per_country}
        found["smes"] = sum(found["smes_per_country"].values())
        spans["smes_per_country"] = spans["smes"] = per_country_spans[0]
        named = list(countries or known.get("countries") or ())
        if not named:
            # SMEs from two countries or more, Norway among them, take those countries part: only Norway added, or
            # one country alone (another may take part without SMEs named), is worked out
            countries, country_span = [*per_country], per_country_spans[0]
            completed = HOME_COUNTRY not in countries or len(countries) < 2
            if HOME_COUNTRY not in countries and home is None:
                countries = [HOME_COUNTRY, *countries]
        else:  # "a cluster in Oulu in Finland and one in Kiruna", then "three Swedish SMEs": Sweden takes part too
            missing = [code for code in per_country if code not in named]
            if missing:
                countries, country_span = [*named, *missing], per_country_spans[0]
                completed = any(code not in per_country for code in countries)
    if countries:
        assert country_span is not None  # every list of countries above comes with the span that names them
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

def read(text: str, known: Mapping[str, Any], day: dt.date, language: Optional[str] = None) -> MessageReading:
    """The message sentence by sentence: what it states or corrects, what it supposes, what it asks (typing slips
    in the words read put right first)."""
    text = corrected(text, language)
    cased = fold(text, lower=False)
    by_act = {act: Statement() for act in ("statement", "correction", "question", "what_if")}
    questions, answering = [], []
    found = sentences(text)
    so_far, earlier = dict(known), Statement()
    texts = [(sentence.text, cased[sentence.start:sentence.start + len(sentence.text)]) for sentence in found]
    home = next((country for text_, cased_ in texts if (country := own_country(text_, cased_))), None)
    home_named = any(found_.value == HOME_COUNTRY and stays for text_, cased_ in texts
                     for found_, stays in country_claims(text_, cased_))
    for sentence in found:
        end = sentence.start + len(sentence.text)
        statement = _shifted(sentence_facts(sentence.text, cased[sentence.start:end], so_far, day, language,
                                            earlier, home, home_named), sentence.start)
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
    return MessageReading(said=said, corrected=by_act["correction"].named(), supposed=supposed,
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


def within_countries(values: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """`new` with the SMEs per country kept to the participating countries when these change ("the Danish partner
    dropped out": Denmark's SMEs go too), so a smaller list of countries forgets nothing else."""
    countries, per_country = values.get("countries"), values.get("smes_per_country")
    if "countries" not in new or not countries or not per_country or set(per_country) <= set(countries):
        return dict(new)
    kept = {code: count for code, count in per_country.items() if code in countries}
    return {**new, "smes_per_country": kept, **({"smes": sum(kept.values())} if "smes" in values and kept else {})}
