"""What we know of a project: a validated, immutable profile of facts (schema in bot.rules.facts)."""
from __future__ import annotations

import datetime as dt
import reprlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from bot.rules.facts import NUMERIC_TYPES, Fact, country_codes, facts


class InvalidInput(ValueError):
    """Input that cannot be taken as it is; `field` names the offending field."""

    def __init__(self, field_name: str, reason: str):
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


def shown(value: Any) -> str:
    """A value quoted in a refusal, shortened (reprlib) so that a 100 kB string or a list nested a thousand deep
    gives one readable line."""
    return reprlib.repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def bounded_number(name: str, value: Any, maximum: float, whole: bool = False, above_zero: bool = False) -> Any:
    """A number from outside (JSON, YAML, a CSV cell) from 0 (or above 0) up to `maximum`. The bound is checked
    first, on the number as given: an int of 400 digits compares exactly but overflows any float conversion, and
    1e308 or infinity is no figure either."""
    if not _is_number(value):
        raise InvalidInput(name, f"must be {'a whole number' if whole else 'a number'}, not {shown(value)}")
    if not value <= maximum:  # `not` catches NaN as well
        raise InvalidInput(name, f"must be at most {maximum:,}")
    if whole and isinstance(value, float) and not value.is_integer():
        raise InvalidInput(name, f"must be a whole number, not {shown(value)}")
    if value < 0 or (above_zero and value == 0):
        raise InvalidInput(name, f"must be {'more than 0' if above_zero else '0 or more'}, not {shown(value)}")
    return value


def _country(name: str, value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in country_codes():
        raise InvalidInput(name, f"{shown(value)} is not an ISO 3166 alpha-2 country code such as 'NO' or 'SE'")
    return value.upper()


def _check_enum(fact: Fact, value: Any, name: str) -> str:
    if not isinstance(value, str) or value not in fact.values:
        raise InvalidInput(name, f"{shown(value)} is not one of {', '.join(fact.values)}")
    return value


def _convert(fact: Fact, value: Any) -> Any:
    name = fact.name
    if fact.type == "bool":
        if not isinstance(value, bool):
            raise InvalidInput(name, f"must be true or false, not {shown(value)}")
        return value
    if fact.type in NUMERIC_TYPES:
        # facts.yaml gives every count and amount a maximum (bot.rules.facts refuses one without)
        assert fact.maximum is not None
        return _convert_number(fact, value, fact.maximum)
    if fact.type == "enum":
        return _check_enum(fact, value, name)
    if fact.type == "enum_list":
        if not isinstance(value, list):
            raise InvalidInput(name, "must be a list")
        return tuple(dict.fromkeys(_check_enum(fact, item, name) for item in value))
    if fact.type == "countries":
        if not isinstance(value, list):
            raise InvalidInput(name, "must be a list of country codes")
        codes = [_country(name, item) for item in value]
        if len(set(codes)) != len(codes):
            raise InvalidInput(name, "lists a country twice")
        return tuple(codes)
    raise AssertionError(f"facts.yaml: unknown type {fact.type!r} for {name}")


def _convert_number(fact: Fact, value: Any, maximum: int) -> Any:
    name = fact.name
    if fact.type == "count":
        return int(bounded_number(name, value, maximum, whole=True))
    if fact.type == "amount":
        return bounded_number(name, value, maximum, above_zero=True)
    if not isinstance(value, Mapping):
        raise InvalidInput(name, 'must be an object such as {"NO": 3, "SE": 4}')
    return MappingProxyType({_country(name, code): int(bounded_number(f"{name}.{code}", count, maximum, whole=True))
                             for code, count in value.items()})


def _check_consistency(values: Mapping[str, Any]) -> None:
    companies = values.get("companies")
    for part in ("smes", "foreign_companies"):
        if companies is not None and values.get(part) is not None and values[part] > companies:
            raise InvalidInput(part, f"{values[part]} is more than the {companies} companies taking part")
    countries, per_country = values.get("countries"), values.get("smes_per_country")
    if countries is not None and per_country is not None:
        strays = sorted(set(per_country) - set(countries))
        if strays:
            raise InvalidInput("smes_per_country", f"{', '.join(strays)} is not among the countries")


@dataclass(frozen=True)
class Profile:
    """The facts known so far (an absent fact is unknown), the reference date and the reply language. `inferred`
    names the facts the bot worked out rather than the user said: no rule may fail on those until confirmed."""

    facts: Mapping[str, Any]
    date: dt.date
    language: str = "nb"
    inferred: frozenset[str] = frozenset()

    def get(self, name: str) -> Any:
        return self.facts.get(name)


def make_profile(values: Mapping[str, Any], date: dt.date, language: str = "nb",
                 inferred: frozenset[str] = frozenset()) -> Profile:
    schema = facts()
    converted: dict[str, Any] = {}
    for name, value in values.items():
        if name not in schema:
            raise InvalidInput(name, "is not a known field")
        if value is not None:
            converted[name] = _convert(schema[name], value)
    _check_consistency(converted)
    return Profile(facts=MappingProxyType(converted), date=date, language=language,
                   inferred=frozenset(inferred) & frozenset(converted))


def reconcile(known: Mapping[str, Any], new: Mapping[str, Any], day: dt.date) -> tuple[dict[str, Any], list[str], list[str]]:
    """Take new facts into the known ones; the latest word wins. Returns (accepted, refused, forgotten):
    a new fact that contradicts the others is refused (5 SMEs of 3 companies); an old fact that the
    new ones contradict is forgotten, to be asked again (3 SMEs, then "we are 2 companies")."""
    accepted = dict(new)
    refused: list[str] = []
    forgotten: list[str] = []
    current = dict(known)
    for _ in range(len(facts())):
        try:
            make_profile({**current, **accepted}, date=day)
            return accepted, refused, forgotten
        except InvalidInput as error:
            field_name = error.field.split(".")[0]
            if field_name in accepted:
                accepted.pop(field_name)
                refused.append(field_name)
            else:
                current.pop(field_name, None)
                forgotten.append(field_name)
    raise AssertionError("facts could not be reconciled")
