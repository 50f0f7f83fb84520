"""The kinds of test a call's rule can make, each a named pure function.

A criterion receives the values of the facts its rule reads (None = not known yet) and its arguments,
and returns (ok, details): ok is True, False, or None when the known facts cannot decide yet; details
carry what a "fix" sentence needs, as data (how many are short; which countries, as (code, gap) pairs), and
for an undecided check whose inputs are all given but one only in part, {"incomplete": index of that input}. Partial knowledge decides where it can:
a country with too few SMEs fails the rule even while another country's count is unknown.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, Mapping, Optional

# What a criterion finds: passed, failed or undecided (None), and the details its sentence is made from.
Judgement = tuple[Optional[bool], Mapping[str, Any]]
_UNDECIDED: Judgement = (None, {})
_PASSED: Judgement = (True, {})
_FAILED: Judgement = (False, {})


def exact(number: float) -> Fraction | int:
    """A float as the decimal it was written as (0.3 is 3/10, not 0.29999...); ints and fractions as
    they are."""
    return Fraction(str(number)) if isinstance(number, float) else number


def is_one_of(value: Any, *, allowed: tuple) -> Judgement:
    if value is None:
        return _UNDECIDED
    return _PASSED if value in allowed else _FAILED


def if_stated_one_of(value: Any, *, allowed: tuple) -> Judgement:
    """For a fact the call settles itself (who submits the application): it fails only when the user has said
    it will be someone the call does not allow; unsaid, the call's own arrangement is assumed."""
    if value is None:
        return True, {"not_stated": True}
    return _PASSED if value in allowed else _FAILED


def is_true(value: Optional[bool]) -> Judgement:
    if value is None:
        return _UNDECIDED
    return _PASSED if value else _FAILED


def is_false(value: Optional[bool]) -> Judgement:
    if value is None:
        return _UNDECIDED
    return _FAILED if value else _PASSED


def at_least(value: Optional[int], *, minimum: int) -> Judgement:
    if value is None:
        return _UNDECIDED
    return (True, {}) if value >= minimum else (False, {"short": minimum - value})


def share_at_least(part: Optional[int], whole: Optional[int], *, minimum_share: float) -> Judgement:
    if part is None or whole is None:
        return _UNDECIDED
    needed = math.ceil(exact(minimum_share) * whole)
    return (True, {}) if part >= needed else (False, {"short": needed - part})


def difference_at_least(whole: Optional[int], part: Optional[int], *, minimum: int) -> Judgement:
    if whole is None or part is None:
        return _UNDECIDED
    rest = whole - part
    return (True, {}) if rest >= minimum else (False, {"short": minimum - rest})


def count_at_least(items: Optional[tuple], *, minimum: int) -> Judgement:
    if items is None:
        return _UNDECIDED
    count = len(set(items))
    return (True, {}) if count >= minimum else (False, {"short": minimum - count})


def count_among_at_least(items: Optional[tuple], *, allowed: tuple, minimum: int) -> Judgement:
    """At least `minimum` distinct items of the list are among the allowed ones (countries taking part in a
    call). An item outside the allowed list is one the call may or may not count (the text lists no countries):
    where the answer turns on it, the rule stays undecided and names it, so a "no" never rests on it."""
    if items is None:
        return _UNDECIDED
    counted = set(items) & set(allowed)
    unlisted = tuple(item for item in dict.fromkeys(items) if item not in allowed)
    if len(counted) >= minimum:
        return _PASSED
    if len(counted) + len(unlisted) >= minimum:
        return None, {"unlisted": unlisted}
    return False, {"short": minimum - len(counted) - len(unlisted)}


def contains(items: Optional[tuple], *, item: str) -> Judgement:
    if items is None:
        return _UNDECIDED
    return _PASSED if item in items else _FAILED


def each_among_at_least(keys: Optional[tuple], counts: Optional[Mapping[str, int]], *, allowed: tuple,
                        minimum: int) -> Judgement:
    """Every key (country) of the list that is among the allowed ones has at least `minimum`; while the list
    is unknown, the keys counted so far stand for it. A key outside the allowed list is treated as
    count_among_at_least treats it: it may count, so too few there leaves the rule undecided, never failed."""
    if counts is None:
        return _UNDECIDED
    given = keys if keys is not None else tuple(counts)
    short = [(key, minimum - counts[key]) for key in given if key in allowed and key in counts and counts[key] < minimum]
    if short:
        return False, {"short": tuple(short)}
    if keys is None:
        return _UNDECIDED
    if any(key not in counts for key in given):
        return None, {"incomplete": 1}
    unlisted = tuple(key for key in given if key not in allowed and counts[key] < minimum)
    if unlisted:
        return None, {"unlisted": unlisted}
    return _PASSED


def any_in(items: Optional[tuple], *, allowed: tuple) -> Judgement:
    if items is None:
        return _UNDECIDED
    return _PASSED if any(item in allowed for item in items) else _FAILED


def minimum_budget(floor: float, intensity: float) -> int:
    """The smallest budget whose aid-intensity share reaches the floor."""
    return math.ceil(exact(floor) / exact(intensity))


def grant_reaches_floor(budget: Optional[float], *, intensity: float, floor: float) -> Judgement:
    if budget is None:
        return _UNDECIDED
    if exact(budget) * exact(intensity) >= floor:
        return _PASSED
    return False, {"minimum_budget": minimum_budget(floor, intensity)}


CRITERIA: Mapping[str, Callable[..., Judgement]] = {
    function.__name__: function
    for function in (is_one_of, if_stated_one_of, is_true, is_false, at_least, share_at_least, difference_at_least,
                     count_at_least, count_among_at_least, contains, each_among_at_least, any_in, grant_reaches_floor)
}
