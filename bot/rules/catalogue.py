"""The calls catalogue: one YAML file per call round in data/calls/, validated when loaded.

A malformed file stops the load with a CatalogueError naming the file and the entry, so a typo in a
figure or a rule never reaches a user. Every rule and figure cites the passage of the call text it comes
from, and that passage must occur in the shipped call text (data/sources/).
"""
from __future__ import annotations

import datetime as dt
import inspect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping, NoReturn, Optional, overload

import yaml

from bot.resources import DATA_DIR, LANGUAGES, Text, fold, placeholders
from bot.rules.criteria import CRITERIA, exact
from bot.rules.facts import BUDGET, country_codes, facts
from bot.rules.timeline import Timeline, parse_date

CALLS_DIR = DATA_DIR / "calls"
SOURCES_DIR = DATA_DIR / "sources"
STATUS_RANK = {"open": 0, "no_deadline": 1, "upcoming": 2, "closed": 3}
# Whom a call's next step is addressed to: a company, or the staff of a cluster organisation (or network).
ROLES = ("company", "cluster_organisation")
# The kinds of partner a call's `partners` section may say something about (staff's "can a university be
# a partner?"); the reading layer's vocabulary names each of them in words.
PARTNER_TYPES = ("university", "public_enterprise", "foreign_company", "cluster_organisation", "commonly_owned",
                 "large_company")


class CatalogueError(Exception):
    """A call file is malformed."""


@dataclass(frozen=True)
class Source:
    file: str
    section: str
    quote: str

    def cite(self) -> str:
        return f"{self.file}, «{self.section}»"


@dataclass(frozen=True)
class Parameter:
    name: str
    description: Text
    timeline: Timeline
    source: Source


@dataclass(frozen=True)
class Rule:
    id: str
    criterion: str
    facts: tuple[str, ...]
    args: Mapping[str, Any]
    params: Mapping[str, str]
    requirement: Text
    fix: Text
    source: Source
    interpretation: Optional[Text]


@dataclass(frozen=True)
class CallDate:
    date: dt.date
    end: Optional[dt.date]
    source: Source


@dataclass(frozen=True)
class PartnerRule:
    allowed: Optional[bool]  # None: the call text does not say
    note: Text
    source: Source
    interpretation: Optional[Text] = None
    # whether the call's money may go to it, where that differs from taking part ("may take part, cannot be supported")
    funded: Optional[bool] = None
    funded_note: Optional[Text] = None

    def answer(self, about_money: bool) -> tuple[Optional[bool], Text]:
        """Yes, no or not stated, and the note saying so: to "may it take part?", or to "may it get the money?"."""
        if about_money and self.funded_note is not None:
            return self.funded, self.funded_note
        return self.allowed, self.note


@dataclass(frozen=True)
class CountryList:
    """The countries taking part in a call, where the call text refers to them without listing them."""
    codes: tuple[str, ...]
    source: Source
    interpretation: Text


@dataclass(frozen=True)
class Topic:
    """What the call text says on a question staff ask ("how long can a project last?"), with its source."""
    text: Text
    source: Source


@dataclass(frozen=True)
class Criterion:
    """One assessment criterion, as a call without weights lists it."""
    name: Text
    weight: Optional[float]


@dataclass(frozen=True)
class WeightedCriterion(Criterion):
    """A criterion the cluster scores proposals on: its share of the score, a stable id (score sheets name it by
    it), a short label and the passage of the call text that gives its weight."""
    weight: float
    id: str
    short: Text
    source: Source
    words: tuple[str, ...] = ()  # what people call it, nb and en (bot/data/vocabulary.yaml's patterns): "nyhet 5"


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per loaded call
class Call:
    id: str
    source_file: str
    name: Text
    purpose: Text
    who_may_apply: Text
    parameters: Mapping[str, Parameter]
    ceiling: str
    floor: Optional[str]
    intensity: str
    dates: Mapping[str, CallDate]
    dates_note: Optional[Text]
    rules: tuple[Rule, ...]
    activities: tuple[str, ...]
    participating_countries: Optional[CountryList]
    assessment_by: Text
    assessment_criteria: tuple[Criterion, ...]
    assessment_source: Source
    steps: tuple[Text, ...]
    steps_source: Source
    next_step: Mapping[str, Text]  # what to do next, for a company and for a cluster organisation asking
    topics: Mapping[str, Topic]  # answers to one-off questions, where the call text has one
    contact: Mapping[str, str]
    contact_text: Text
    contact_source: Source
    ask: Text  # whom to ask about the call, as a sentence names them ("your cluster organisation")
    aliases: tuple[str, ...]
    partners: Mapping[str, PartnerRule]

    def figures(self, day: dt.date) -> Mapping[str, Any]:
        """The parameters in force on `day` and the call's dates: what templates may mention."""
        return _figures(self, day)

    @property
    def own_facts(self) -> frozenset[str]:
        """The facts only this call's rules read (partner countries for a call between countries), besides the budget
        every call reads: saying one of them says the project is of this call's kind."""
        others = {fact for call in catalogue().calls if call is not self for rule in call.rules for fact in rule.facts}
        return frozenset(fact for rule in self.rules for fact in rule.facts) - others - {BUDGET}

    @property
    def applicants(self) -> Optional[tuple[str, ...]]:
        """Who may send the application, as the rule on the applicant allows it (None: the call has no such rule)."""
        for rule in self.rules:
            if rule.facts == ("applicant",) and "allowed" in rule.args:
                return tuple(rule.args["allowed"])
        return None

    def status(self, day: dt.date) -> str:
        opens, deadline = self.dates.get("opens"), self.dates.get("deadline")
        if deadline is None:
            return "no_deadline"
        if opens is not None and day < opens.date:
            return "upcoming"
        return "open" if day <= deadline.date else "closed"


@lru_cache(maxsize=4096)
def _figures(call: Call, day: dt.date) -> Mapping[str, Any]:
    values: dict[str, Any] = {name: parameter.timeline.at(day) for name, parameter in call.parameters.items()}
    values.update({name: when.date for name, when in call.dates.items()})
    values.update({f"{name}_end": when.end for name, when in call.dates.items() if when.end is not None})
    values.update(call.contact)
    return MappingProxyType(values)


# --- loading -------------------------------------------------------------------------------------------

class _Reader:
    """Reads one call file, raising CatalogueError with the file name and the path of a bad entry."""

    def __init__(self, path: Path, raw: Any):
        self.path = path
        if not isinstance(raw, Mapping):
            self.fail("file", "must be a mapping")
        self.raw = raw
        self.source_text = ""

    def fail(self, where: str, why: str) -> NoReturn:
        raise CatalogueError(f"{self.path.name}: {where}: {why}")

    def get(self, node: Mapping, key: str, where: str, kind: type = object, required: bool = True) -> Any:
        if key not in node or node[key] is None:
            if required:
                self.fail(f"{where}.{key}" if where else key, "is missing")
            return None
        value = node[key]
        if not isinstance(value, kind):
            self.fail(f"{where}.{key}" if where else key, f"must be a {kind.__name__}")
        return value

    @overload
    def text(self, node: Mapping, key: str, where: str, required: Literal[True] = True) -> Text: ...

    @overload
    def text(self, node: Mapping, key: str, where: str, required: bool) -> Optional[Text]: ...

    def text(self, node: Mapping, key: str, where: str, required: bool = True) -> Optional[Text]:
        value = self.get(node, key, where, Mapping, required)
        if value is None:
            return None
        try:
            return Text.from_mapping(value, f"{where}.{key}")
        except ValueError as error:
            self.fail(f"{where}.{key}", str(error).split(": ", 1)[-1])

    def own_text(self, node: Mapping, where: str) -> Text:
        """A node that is a text itself (nb, en) beside other keys, such as its source."""
        try:
            return Text.from_mapping({language: node.get(language) for language in LANGUAGES}, where)
        except ValueError as error:
            self.fail(where, str(error).split(": ", 1)[-1])

    def source(self, node: Mapping, where: str) -> Source:
        raw = self.get(node, "source", where, Mapping)
        section = self.get(raw, "section", f"{where}.source", str)
        quote = self.get(raw, "quote", f"{where}.source", str)
        if fold(quote) not in self.source_text:
            self.fail(f"{where}.source.quote", f"{quote!r} does not occur in {self.raw['source_file']}")
        return Source(file=self.raw["source_file"], section=section.rstrip(":"), quote=quote)

    def date(self, value: Any, where: str) -> dt.date:
        try:
            return parse_date(value, where)
        except ValueError as error:
            self.fail(where, str(error).split(": ", 1)[-1])


def _load_call(path: Path) -> Call:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogueError(f"{path.name}: cannot be read: {error}") from error
    reader = _Reader(path, raw)
    call_id = reader.get(raw, "id", "", str)
    if call_id != path.stem:
        reader.fail("id", f"{call_id!r} must match the file name {path.stem!r}")
    source_file = reader.get(raw, "source_file", "", str)
    try:
        reader.source_text = fold((SOURCES_DIR / source_file).read_text(encoding="utf-8"))
    except OSError:
        reader.fail("source_file", f"{source_file!r} is not in {SOURCES_DIR.name}/")

    parameters = {}
    for name, spec in reader.get(raw, "parameters", "", Mapping).items():
        where = f"parameters.{name}"
        try:
            timeline = Timeline.from_mapping(reader.get(spec, "values", where, Mapping), f"{where}.values")
        except ValueError as error:
            reader.fail(f"{where}.values", str(error).split(": ", 1)[-1])
        for value in timeline.values:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                reader.fail(f"{where}.values", f"{value!r} is not a number >= 0")
        parameters[name] = Parameter(name=name, description=reader.text(spec, "description", where),
                                     timeline=timeline, source=reader.source(spec, where))

    grant = reader.get(raw, "grant", "", Mapping)
    for role in ("ceiling", "floor", "intensity"):
        if grant.get(role) is not None and grant[role] not in parameters:
            reader.fail(f"grant.{role}", f"{grant[role]!r} is not a parameter of this call")
    for role in ("ceiling", "intensity"):
        reader.get(grant, role, "grant", str)

    dates = {}
    for name, spec in (reader.get(raw, "dates", "", Mapping, required=False) or {}).items():
        where = f"dates.{name}"
        end = spec.get("end")
        dates[name] = CallDate(date=reader.date(reader.get(spec, "date", where), f"{where}.date"),
                               end=reader.date(end, f"{where}.end") if end is not None else None,
                               source=reader.source(spec, where))
    if "deadline" in dates and "opens" in dates and dates["opens"].date > dates["deadline"].date:
        reader.fail("dates", "the call opens after its deadline")

    activities = tuple(reader.get(raw, "activities", "", list, required=False) or ())
    known_activities = facts()["activities"].values
    for activity in activities:
        if activity not in known_activities:
            reader.fail("activities", f"{activity!r} is not one of {', '.join(known_activities)}")

    participating = None
    spec = reader.get(raw, "participating_countries", "", Mapping, required=False)
    if spec is not None:
        codes = tuple(reader.get(spec, "codes", "participating_countries", list))
        strays = sorted(set(codes) - country_codes())
        if strays:
            reader.fail("participating_countries.codes", f"{', '.join(map(str, strays))} not ISO 3166 alpha-2 codes")
        participating = CountryList(codes=codes, source=reader.source(spec, "participating_countries"),
                                    interpretation=reader.text(spec, "interpretation", "participating_countries"))
    lists = {"activities": activities, "participating_countries": participating.codes if participating else None}

    known_facts = facts()
    rules = []
    for index, spec in enumerate(reader.get(raw, "rules", "", list)):
        where = f"rules[{index}]"
        rule_id = reader.get(spec, "id", where, str)
        where = f"rules[{rule_id}]"
        criterion = reader.get(spec, "criterion", where, str)
        if criterion not in CRITERIA:
            reader.fail(f"{where}.criterion", f"{criterion!r} is not one of {', '.join(CRITERIA)}")
        rule_facts = tuple(reader.get(spec, "facts", where, list))
        for fact in rule_facts:
            if fact not in known_facts:
                reader.fail(f"{where}.facts", f"{fact!r} is not a fact in facts.yaml")
            if not known_facts[fact].asked and criterion != "if_stated_one_of":
                # a fact nobody asks for must not leave a verdict undecided for ever
                reader.fail(f"{where}.criterion", f"{fact!r} is never asked, so only if_stated_one_of may read it")
        args = {}
        for key, value in (spec.get("args") or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                reader.fail(f"{where}.args.{key}", "figures belong in `parameters`, with their source")
            if isinstance(value, Mapping) and set(value) == {"call"}:
                value = lists.get(value["call"])
                if value is None:
                    reader.fail(f"{where}.args.{key}", f"can only refer to the call's {' or '.join(lists)}")
            args[key] = tuple(value) if isinstance(value, list) else value
        params = dict(spec.get("params") or {})
        for key, name in params.items():
            if name not in parameters:
                reader.fail(f"{where}.params.{key}", f"{name!r} is not a parameter of this call")
        _check_arguments(reader, where, criterion, rule_facts, args, params)
        rules.append(Rule(id=rule_id, criterion=criterion, facts=rule_facts, args=MappingProxyType(args),
                          params=MappingProxyType(params), requirement=reader.text(spec, "requirement", where),
                          fix=reader.text(spec, "fix", where), source=reader.source(spec, where),
                          interpretation=reader.text(spec, "interpretation", where, required=False)))
    if len({rule.id for rule in rules}) != len(rules):
        reader.fail("rules", "two rules share an id")

    assessment = reader.get(raw, "assessment", "", Mapping)
    criteria = _assessment_criteria(reader, reader.get(assessment, "criteria", "assessment", list))

    steps = reader.get(raw, "steps", "", Mapping)
    contact = reader.get(raw, "contact", "", Mapping)
    partners = {}
    for kind, spec in (reader.get(raw, "partners", "", Mapping) or {}).items():
        where = f"partners.{kind}"
        if kind not in PARTNER_TYPES:
            reader.fail(where, f"is not one of {', '.join(PARTNER_TYPES)}")
        for key in ("allowed", "funded"):
            if spec.get(key) not in (True, False, None):
                reader.fail(f"{where}.{key}", "must be true, false or null")
        funded_note = reader.text(spec, "funded_note", where, required=False)
        if ("funded" in spec) != (funded_note is not None):
            reader.fail(where, "`funded` and `funded_note` go together")
        partners[kind] = PartnerRule(allowed=spec.get("allowed"), note=reader.text(spec, "note", where),
                                     source=reader.source(spec, where),
                                     interpretation=reader.text(spec, "interpretation", where, required=False),
                                     funded=spec.get("funded"), funded_note=funded_note)
    aliases = tuple(alias.lower() for alias in reader.get(raw, "aliases", "", list))
    call = Call(
        id=call_id, source_file=source_file, name=reader.text(raw, "name", ""),
        purpose=reader.text(raw, "purpose", ""),
        who_may_apply=reader.text(raw, "who_may_apply", ""), parameters=MappingProxyType(parameters),
        ceiling=grant["ceiling"], floor=grant.get("floor"), intensity=grant["intensity"],
        dates=MappingProxyType(dates), dates_note=reader.text(raw, "dates_note", "", required=False),
        rules=tuple(rules), activities=activities, participating_countries=participating,
        assessment_by=reader.text(assessment, "by", "assessment"), assessment_criteria=criteria,
        assessment_source=reader.source(assessment, "assessment"),
        steps=tuple(Text.from_mapping(step, f"steps.list[{i}]")
                    for i, step in enumerate(reader.get(steps, "list", "steps", list))),
        steps_source=reader.source(steps, "steps"),
        next_step=MappingProxyType({role: reader.text(reader.get(raw, "next_step", "", Mapping), role, "next_step")
                                    for role in ROLES}),
        topics=MappingProxyType({name: Topic(text=reader.own_text(spec, f"topics.{name}"),
                                             source=reader.source(spec, f"topics.{name}"))
                                 for name, spec in (reader.get(raw, "topics", "", Mapping, required=False) or {}).items()}),
        contact=MappingProxyType({key: str(value) for key, value in contact.items()
                                  if key in ("name", "email", "phone", "url")}),
        contact_text=Text(nb=contact.get("nb", ""), en=contact.get("en", "")),
        contact_source=reader.source(contact, "contact"),
        ask=reader.text(contact, "ask", "contact"),
        aliases=aliases, partners=MappingProxyType(partners),
    )
    if not (call.contact_text.nb and call.contact_text.en):
        reader.fail("contact", "needs a text for each of nb, en")
    _check_templates(call, reader)
    return call


CRITERION_ID = re.compile(r"[a-z][a-z0-9_]*")


def _assessment_criteria(reader: _Reader, items: list) -> tuple[Criterion, ...]:
    """Either no criterion has a weight (the call gives none) or every one has: a share above 0, together 1,
    with an id (score sheets name the criterion by it), a short label and its passage in the call text."""
    weighted = [isinstance(item, Mapping) and item.get("weight") is not None for item in items]
    if any(weighted) and not all(weighted):
        reader.fail("assessment.criteria", "either every criterion has a weight or none has")
    criteria: list[Criterion] = []
    for index, item in enumerate(items):
        where = f"assessment.criteria[{index}]"
        if not isinstance(item, Mapping):
            reader.fail(where, "must be a mapping")
        name = reader.text(item, "name", where)
        if not weighted[index]:
            criteria.append(Criterion(name=name, weight=None))
            continue
        weight = item["weight"]
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 1:
            reader.fail(f"{where}.weight", f"{weight!r} is not a share above 0 and at most 1")
        criterion_id = reader.get(item, "id", where, str)
        if not CRITERION_ID.fullmatch(criterion_id):
            reader.fail(f"{where}.id", f"{criterion_id!r} must be lower-case letters, digits and _")
        words = reader.get(item, "words", where, list)
        if not words or not all(isinstance(word, str) and word.strip() for word in words):
            reader.fail(f"{where}.words", "must list the words people call the criterion by")
        criteria.append(WeightedCriterion(name=name, weight=weight, id=criterion_id,
                                          short=reader.text(item, "short", where), source=reader.source(item, where),
                                          words=tuple(word.lower() for word in words)))
    scored = [criterion for criterion in criteria if isinstance(criterion, WeightedCriterion)]
    if scored:
        if len({criterion.id for criterion in scored}) != len(scored):
            reader.fail("assessment.criteria", "two criteria share an id")
        if sum(exact(criterion.weight) for criterion in scored) != 1:
            reader.fail("assessment.criteria", "the weights must add up to 1")
    return tuple(criteria)


def _check_arguments(reader: _Reader, where: str, criterion: str, rule_facts: tuple, args: Mapping,
                     params: Mapping) -> None:
    """A rule must give its criterion exactly the facts and arguments it takes: a list where it compares
    against a list of allowed values, a figure (a parameter) where it compares against a number."""
    signature = inspect.signature(CRITERIA[criterion]).parameters.values()
    positional = [p.name for p in signature if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    keywords = {p.name for p in signature if p.kind is inspect.Parameter.KEYWORD_ONLY}
    if len(rule_facts) != len(positional):
        reader.fail(f"{where}.facts", f"{criterion} reads {len(positional)} fact(s), not {len(rule_facts)}")
    given = set(args) | set(params)
    if given != keywords:
        reader.fail(where, f"{criterion} takes {', '.join(sorted(keywords))}, not {', '.join(sorted(given))}")
    if "allowed" in args and not isinstance(args["allowed"], tuple):
        reader.fail(f"{where}.args.allowed", "must be a list of values")


def _check_templates(call: Call, reader: _Reader) -> None:
    """Every placeholder in a template must name a figure, a date, a contact field or a detail the rule's
    criterion supplies, so that rendering can never fail in a conversation."""
    figures = set(call.parameters) | set(call.dates) | set(call.contact) | {
        f"{name}_end" for name, when in call.dates.items() if when.end is not None}
    details = {"short", "minimum_budget"}
    texts = [("dates_note", call.dates_note), ("contact", call.contact_text), ("who_may_apply", call.who_may_apply)]
    texts += [(f"steps[{i}]", step) for i, step in enumerate(call.steps)]
    texts += [(f"next_step.{role}", text) for role, text in call.next_step.items()]
    texts += [(f"topics.{name}", topic.text) for name, topic in call.topics.items()]
    texts += [(f"rules[{rule.id}].requirement", rule.requirement) for rule in call.rules]
    texts += [(f"rules[{rule.id}].interpretation", rule.interpretation) for rule in call.rules]
    texts += [(f"rules[{rule.id}].fix", rule.fix) for rule in call.rules]
    for where, text in texts:
        if text is None:
            continue
        allowed = figures | details if where.endswith(".fix") else figures
        for language in ("nb", "en"):
            unknown = placeholders(text(language)) - allowed
            if unknown:
                reader.fail(where, f"unknown placeholder(s) {', '.join(sorted(unknown))} in the {language} text")


@dataclass(frozen=True)
class Catalogue:
    calls: tuple[Call, ...]

    def call(self, call_id: str) -> Call:
        for call in self.calls:
            if call.id == call_id:
                return call
        raise KeyError(call_id)


def load_catalogue(directory: Path = CALLS_DIR) -> Catalogue:
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise CatalogueError(f"{directory}: no call files")
    return Catalogue(calls=tuple(_load_call(path) for path in paths))


@lru_cache(maxsize=None)
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process."""
    return load_catalogue()
