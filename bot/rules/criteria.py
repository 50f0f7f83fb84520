"""The kinds of test a call's rule can make, each a named pure function.

A criterion receives the values of the facts its rule reads (None = not known yet) and its arguments,
and returns (ok, details): ok is True, False, or None when the known facts cannot decide yet; details
carry what a "fix" sentence needs, such as how many are short, and for an undecided check whose
inputs are all given but one only in part, {"incomplete": index of that input}. Partial knowledge decides where it can:
a country with too few SMEs fails the rule even while another country's count is unknown.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, Mapping, Optional

Check = tuple[Optional[bool], Mapping[str, Any]]
_UNDECIDED: Check = (None, {})
_PASSED: Check = (True, {})
_FAILED: Check = (False, {})


def exact(number: float) -> Fraction | int:
    """A float as the decimal it was written as (0.3 is 3/10, not 0.29999...); ints and fractions as
    they are."""
    return Fraction(str(number)) if isinstance(number, float) else number


def is_one_of(value: Any, *, allowed: tuple) -> Check:
    if value is None:
        return _UNDECIDED
    return _PASSED if value in allowed else _FAILED


def is_true(value: Optional[bool]) -> Check:
    if value is None:
        return _UNDECIDED
    return _PASSED if value else _FAILED


def is_false(value: Optional[bool]) -> Check:
    if value is None:
        return _UNDECIDED
    return _FAILED if value else _PASSED


def at_least(value: Optional[int], *, minimum: int) -> Check:
    if value is None:
        return _UNDECIDED
    return (True, {}) if value >= minimum else (False, {"short": minimum - value})


def share_at_least(part: Optional[int], whole: Optional[int], *, minimum_share: float) -> Check:
    if part is None or whole is None:
        return _UNDECIDED
    needed = math.ceil(exact(minimum_share) * whole)
    return (True, {}) if part >= needed else (False, {"short": needed - part})


def difference_at_least(whole: Optional[int], part: Optional[int], *, minimum: int) -> Check:
    if whole is None or part is None:
        return _UNDECIDED
    rest = whole - part
    return (True, {}) if rest >= minimum else (False, {"short": minimum - rest})


def count_at_least(items: Optional[tuple], *, minimum: int) -> Check:
    if items is None:
        return _UNDECIDED
    count = len(set(items))
    return (True, {}) if count >= minimum else (False, {"short": minimum - count})


def contains(items: Optional[tuple], *, item: str) -> Check:
    if items is None:
        return _UNDECIDED
    return _PASSED if item in items else _FAILED


def each_at_least(keys: Optional[tuple], counts: Optional[Mapping[str, int]], *, minimum: int) -> Check:
    """Every participating key (country) has at least `minimum`; keys default to those counted."""
    if counts is None:
        return _UNDECIDED
    participating = keys if keys is not None else tuple(counts)
    short = [(key, minimum - counts[key]) for key in participating if key in counts and counts[key] < minimum]
    if short:
        return False, {"short": ", ".join(f"{key} (+{gap})" for key, gap in short)}
    if keys is None:
        return _UNDECIDED
    if any(key not in counts for key in participating):
        return None, {"incomplete": 1}
    return _PASSED


def any_in(items: Optional[tuple], *, allowed: tuple) -> Check:
    if items is None:
        return _UNDECIDED
    return _PASSED if any(item in allowed for item in items) else _FAILED


def minimum_budget(floor: float, intensity: float) -> int:
    """The smallest budget whose aid-intensity share reaches the floor."""
    return math.ceil(exact(floor) / exact(intensity))


def grant_reaches_floor(budget: Optional[float], *, intensity: float, floor: float) -> Check:
    if budget is None:
        return _UNDECIDED
    if exact(budget) * exact(intensity) >= floor:
        return _PASSED
    return False, {"minimum_budget": minimum_budget(floor, intensity)}


CRITERIA: Mapping[str, Callable[..., Check]] = {
    function.__name__: function
    for function in (is_one_of, is_true, is_false, at_least, share_at_least, difference_at_least,
                     count_at_least, contains, each_at_least, any_in, grant_reaches_floor)
}
