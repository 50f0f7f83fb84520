"""The facts a project can have (data/facts.yaml): their types, values and labels, in asking order."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from bot.resources import Text, load_yaml


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    label: Text
    values: tuple[str, ...] = ()
    labels: Mapping[str, Text] = field(default_factory=dict)


@lru_cache(maxsize=None)
def facts() -> Mapping[str, Fact]:
    """Every fact, in the order a conversation asks for them."""
    raw = load_yaml("facts.yaml")["facts"]
    return MappingProxyType({
        name: Fact(name=name, type=spec["type"], label=Text.from_mapping(spec["label"], f"facts.yaml: {name}"),
                   values=tuple(spec.get("values", ())),
                   labels={key: Text.from_mapping(text, f"facts.yaml: {name}.{key}")
                           for key, text in spec.get("labels", {}).items()})
        for name, spec in raw.items()
    })


@lru_cache(maxsize=None)
def ask_rank() -> Mapping[str, int]:
    return MappingProxyType({name: rank for rank, name in enumerate(facts())})


@lru_cache(maxsize=None)
def country_codes() -> frozenset[str]:
    return frozenset(load_yaml("countries.yaml")["codes"].split())


@lru_cache(maxsize=None)
def country_names() -> Mapping[str, str]:
    """Lower-case country names and adjectives (nb and en) to their ISO code."""
    return MappingProxyType({name: code for code, names in load_yaml("countries.yaml")["names"].items()
                             for name in names})
