"""The facts a project can have (data/facts.yaml): type, values, labels, questions and plausible answers, in the
order a conversation asks for them. One place per fact; the Rasa domain is generated from it."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Mapping, Optional

from bot.resources import DataError, Text, load_yaml

TYPES = ("enum", "bool", "count", "amount", "countries", "country_counts", "enum_list")
NUMERIC_TYPES = ("count", "amount", "country_counts")  # each has a `maximum`


# The facts the code itself must name, because a computation rather than a rule reads them: the budget gives the
# grant. Everything else about a fact is in facts.yaml.
BUDGET = "budget_nok"
ASKER = "asker"  # who is asking: the conversation's, never a fact of the project a question or a rule is about


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    label: Text
    values: tuple[str, ...] = ()
    labels: Mapping[str, Text] = field(default_factory=dict)
    asked: bool = True  # False: taken when the user says it, never asked for
    question: Optional[Text] = None  # the first time it is asked
    again: Optional[Text] = None  # shorter, when it is asked again
    plausible: Optional[tuple[float, float]] = None  # answers outside are asked again
    maximum: Optional[int] = None  # a number's largest value read at all; more is refused, never converted
    of_total: Optional[str] = None  # a count that is part of another ("alle" = that total)
    of_the_cluster: bool = False  # the cluster's, not a project's: the same for every proposal it prioritises

    def is_plausible(self, value: float) -> bool:
        return self.plausible is None or self.plausible[0] <= value <= self.plausible[1]


def _fact(name: str, spec: Mapping[str, Any]) -> Fact:
    where = f"facts.yaml: {name}"
    if spec.get("type") not in TYPES:
        raise DataError(f"{where}: type must be one of {', '.join(TYPES)}")

    def text(key: str) -> Optional[Text]:
        return Text.from_mapping(spec[key], f"{where}.{key}") if key in spec else None

    asked = spec.get("asked", True)
    if asked and (text("question") is None or text("again") is None):
        raise DataError(f"{where}: a fact that is asked needs a question and an `again`")
    plausible = spec.get("plausible")
    maximum = spec.get("maximum")
    if (maximum is not None) != (spec["type"] in NUMERIC_TYPES):
        raise DataError(f"{where}: a count or an amount needs a `maximum`, and only they have one")
    if maximum is not None and (isinstance(maximum, bool) or not isinstance(maximum, int)
                                or maximum < (plausible["maximum"] if plausible else 1)):
        raise DataError(f"{where}: maximum must be a whole number, at least the plausible maximum")
    return Fact(name=name, type=spec["type"],
                label=Text.from_mapping(spec.get("label"), f"{where}.label"), values=tuple(spec.get("values", ())),
                labels=MappingProxyType({key: Text.from_mapping(value, f"{where}.labels.{key}")
                                         for key, value in spec.get("labels", {}).items()}),
                asked=asked, question=text("question"), again=text("again"),
                plausible=(plausible["minimum"], plausible["maximum"]) if plausible else None, maximum=maximum,
                of_total=spec.get("of_total"), of_the_cluster=spec.get("of_the_cluster", False))


@lru_cache(maxsize=None)
def facts() -> Mapping[str, Fact]:
    """Every fact, in the order a conversation asks for them."""
    return MappingProxyType({name: _fact(name, spec) for name, spec in load_yaml("facts.yaml")["facts"].items()})


@lru_cache(maxsize=None)
def ask_rank() -> Mapping[str, int]:
    return MappingProxyType({name: rank for rank, name in enumerate(facts())})


@lru_cache(maxsize=None)
def country_codes() -> frozenset[str]:
    return frozenset(load_yaml("countries.yaml")["codes"].split())


@lru_cache(maxsize=None)
def country_names() -> Mapping[str, str]:
    """Lower-case country names and adjectives (nb and en) to their ISO code."""
    return MappingProxyType({**country_adjectives(), **{word: code for code, spec in load_yaml("countries.yaml")["names"].items()
                                                        for word in spec["names"]}})


@lru_cache(maxsize=None)
def country_adjectives() -> Mapping[str, str]:
    """The adjectives alone ("dansk", "swedish"): they name a country beside a cluster, not beside a company. A
    bokmål adjective in -sk has its plural in -ske ("to latviske"), read as well."""
    return MappingProxyType({form: code for code, spec in load_yaml("countries.yaml")["names"].items()
                             for word in spec["adjectives"]
                             for form in ((word, word + "e") if word.endswith("sk") else (word,))})


@lru_cache(maxsize=None)
def country_labels() -> Mapping[str, Text]:
    """The name each language shows for a country it knows by name; other codes are shown as they are."""
    return MappingProxyType({code: Text.from_mapping({"nb": spec["nb"], "en": spec["en"]}, f"countries.yaml: {code}")
                             for code, spec in load_yaml("countries.yaml")["names"].items()})
