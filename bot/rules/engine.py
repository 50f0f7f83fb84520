"""The eligibility engine: a profile and a date in, a verdict per call with the result of every rule out
(structured: which rule, the facts it read, passed or not and why; bot.saying puts it into words)."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Callable, Collection, Mapping, Optional

from bot.rules.catalogue import STATUS_RANK, Call, Catalogue, Rule, catalogue
from bot.rules.criteria import CRITERIA, exact, minimum_budget
from bot.rules.facts import BUDGET, ask_rank
from bot.rules.profile import Profile

VERDICT_RANK = {"eligible": 0, "unknown": 1, "not_eligible": 2}


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    values: tuple
    ok: Optional[bool]
    details: Mapping[str, Any]

    def wanted_facts(self, profile: Profile) -> tuple[str, ...]:
        """The facts this rule, when undecided, still needs: the unknown ones, one known only in part, or the
        inferred ones it would fail on (to be confirmed by the user)."""
        if "unconfirmed" in self.details:
            return self.details["unconfirmed"]
        if "incomplete" in self.details:
            return (self.rule.facts[self.details["incomplete"]],)
        return tuple(fact for fact in self.rule.facts if profile.get(fact) is None)


@dataclass(frozen=True)
class Grant:
    """What a call can give, in NOK: its ceiling and floor (None where it has none), the aid intensity, and for the
    budget (None where unknown) the most it gives (None below the floor) and the budget its floor needs. Every
    sentence about a grant takes its figures from here, under these names, so no text restates a figure or a rate."""
    ceiling: float
    floor: Optional[float]
    intensity: float
    budget: Optional[float]
    for_budget: Optional[int]

    @property
    def needed(self) -> Optional[int]:
        """The smallest budget whose intensity share reaches the floor."""
        return None if self.floor is None else minimum_budget(self.floor, self.intensity)

    def placeholders(self) -> dict[str, Any]:
        """The message store's names for these figures ({ceiling:nok}, {floor:nok}, {intensity:percent},
        {budget:nok}, {grant:nok}, {needed:nok})."""
        return {"ceiling": self.ceiling, "floor": self.floor, "intensity": self.intensity, "budget": self.budget,
                "grant": self.for_budget, "needed": self.needed}


@dataclass(frozen=True)
class CallAssessment:
    call: Call
    date: dt.date
    budget_nok: Optional[float]
    verdict: str
    status: str
    figures: Mapping[str, Any]
    max_grant_nok: Optional[int]
    results: tuple[RuleResult, ...]
    missing: tuple[str, ...]

    @property
    def grant(self) -> Grant:
        call, figures = self.call, self.figures
        return Grant(ceiling=figures[call.ceiling], floor=figures[call.floor] if call.floor else None,
                     intensity=figures[call.intensity], budget=self.budget_nok, for_budget=self.max_grant_nok)

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(result for result in self.results if result.ok is False)

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        """Inferred facts on which a rule would fail: the user confirms them before any "no"."""
        return tuple(dict.fromkeys(fact for result in self.results for fact in result.details.get("unconfirmed", ())))

    @property
    def open_to_applicants(self) -> bool:
        return self.status != "closed"


@dataclass(frozen=True)
class Assessment:
    """Every call's verdict. The best fit is never a closed call: one can no longer apply to it. The next facts
    are those that would decide the calls still open to applicants (and closed ones the user chose to check)."""
    profile: Profile
    calls: tuple[CallAssessment, ...]
    best_fit: Optional[CallAssessment]
    next_facts: tuple[str, ...]

    def for_call(self, call_id: str) -> CallAssessment:
        for assessed in self.calls:
            if assessed.call.id == call_id:
                return assessed
        raise KeyError(call_id)


def max_grant(call: Call, figures: Mapping[str, Any], budget: Optional[float]) -> Optional[int]:
    """The most the call can give for this budget: capped by the ceiling and the aid intensity, and
    nothing (None) when the budget is unknown or the intensity share falls below the call's floor."""
    if budget is None:
        return None
    share = exact(budget) * exact(figures[call.intensity])
    if call.floor and share < figures[call.floor]:
        return None
    return math.floor(min(share, figures[call.ceiling]))


@dataclass(frozen=True)
class _BoundRule:
    rule: Rule
    test: Callable[..., Any]
    arguments: Mapping[str, Any]


@lru_cache(maxsize=4096)
def _bound_rules(call: Call, day: dt.date) -> tuple[_BoundRule, ...]:
    """The call's rules with their criteria and figures looked up once per reference date; figures are
    made exact fractions so that shares and floors compare without rounding."""
    figures = call.figures(day)
    return tuple(_BoundRule(rule=rule, test=CRITERIA[rule.criterion],
                            arguments=MappingProxyType({**rule.args, **{argument: exact(figures[parameter])
                                                                         for argument, parameter in rule.params.items()}}))
                 for rule in call.rules)


def check_rule(bound: _BoundRule, profile: Profile) -> RuleResult:
    """One rule against the profile. A rule never fails on a fact the bot only inferred: it stays undecided
    until the user confirms that fact."""
    values = tuple(map(profile.facts.get, bound.rule.facts))
    ok, details = bound.test(*values, **bound.arguments)
    if ok is False:
        inferred = tuple(fact for fact in bound.rule.facts if fact in profile.inferred)
        if inferred:
            return RuleResult(bound.rule, values, None, MappingProxyType({**details, "unconfirmed": inferred}))
    return RuleResult(bound.rule, values, ok, details)


def assess_call(call: Call, profile: Profile) -> CallAssessment:
    figures = call.figures(profile.date)
    results = tuple(check_rule(bound, profile) for bound in _bound_rules(call, profile.date))
    outcomes = {result.ok for result in results}
    verdict = "not_eligible" if False in outcomes else "unknown" if None in outcomes else "eligible"
    wanted = {fact for result in results if result.ok is None for fact in result.wanted_facts(profile)}
    budget = profile.get(BUDGET)
    if budget is None:
        wanted.add(BUDGET)
    return CallAssessment(call=call, date=profile.date, budget_nok=budget, verdict=verdict,
                          status=call.status(profile.date), figures=figures,
                          max_grant_nok=max_grant(call, figures, budget), results=results,
                          missing=tuple(sorted(wanted, key=ask_rank().__getitem__)))


def _fit_key(assessed: CallAssessment) -> tuple:
    return (VERDICT_RANK[assessed.verdict], STATUS_RANK[assessed.status], -(assessed.max_grant_nok or 0))


def assess(profile: Profile, today: Optional[dt.date] = None, calls: Optional[Catalogue] = None,
           closed_to_check: Collection[str] = ()) -> Assessment:
    """Every call of the catalogue against the profile. `today`, when given, overrides the profile's date.

    The best fit is the call open to applicants that is eligible, else still possible, preferring open calls
    and the larger grant; a closed call is never the best fit, and when no call open to applicants is left there
    is none. The next facts are those still missing for the calls not yet ruled out that one can apply to, and
    for the closed ones named in `closed_to_check` (a user who wants to know how a past round would have gone),
    in the order a conversation asks them.
    """
    if today is not None and today != profile.date:
        profile = replace(profile, date=today)
    assessed = tuple(assess_call(call, profile) for call in (calls or catalogue()).calls)
    candidates = [item for item in assessed if item.verdict != "not_eligible"]
    applicable = [item for item in candidates if item.open_to_applicants]
    best = min(applicable, key=_fit_key) if applicable else None
    rank = ask_rank()
    wanted = {fact for item in candidates if item.open_to_applicants or item.call.id in closed_to_check
              for fact in item.missing}
    return Assessment(profile=profile, calls=assessed, best_fit=best,
                      next_facts=tuple(sorted(wanted, key=rank.__getitem__)))
