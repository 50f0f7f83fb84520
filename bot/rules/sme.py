"""SME status after the EU definition: Commission Recommendation 2003/361/EC, Annex, Articles 2-6.

Pure: thresholds from data/sme.yaml (bot.rules.sme_definition) in, structured verdicts out (`SmeReason(code, values)`, every one naming
its Article); every sentence is in bot.saying.sme.

- Article 2: the category is the smallest whose headcount limit the enterprise is below and whose turnover
  OR balance-sheet limit it does not exceed.
- Article 3: each holding of 25 % or more of the capital or voting rights makes a partner enterprise, one of
  more than 50 % of the voting rights (or control by the board, a contract or an agreement) a linked one;
  the investors of 3(2) may hold 25 % or more and stay outside unless they are linked; 25 % or more held
  by public bodies, jointly or alone, rules an SME out (3(4)).
- Article 6: partner enterprises' figures are added in proportion to the holding (the greater of capital
  and voting rights), linked enterprises' at 100 %. Only the first level, immediately up- or downstream,
  is counted; the reasons say so, and the user adds further levels if there are any.
- Article 4(2): a status is gained or lost only when a ceiling is crossed in two consecutive periods.

Facts may be unknown (None). The result is then decided only when every value they could take gives the
same verdict; otherwise `category`/`sme` are None and `outcomes` holds every verdict still possible. That
is what `sme_step` (bot.rules.sme_questions) uses to ask a conversation only what can still change the verdict.
"""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, replace
from typing import Any, Callable, Collection, Iterable, Mapping, Optional, Sequence

from bot.rules.money import ExchangeRate
from bot.rules.sme_definition import (CATEGORIES, DIRECTIONS, ENTERPRISE, INFINITY, PUBLIC_BODY, SME_CATEGORIES,
                                      UNKNOWN, Limits, holder_kinds, investor_kinds, limits_on)

# --- what is known of an enterprise ---------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    """One enterprise's data for one accounting period; None where unknown. Staff in annual work units
    (Article 5), so a fraction is allowed."""
    employees: Optional[float] = None
    turnover_eur: Optional[float] = None
    balance_sheet_eur: Optional[float] = None

    def intervals(self) -> tuple["Interval", "Interval", "Interval"]:
        return (Interval.of(self.employees), Interval.of(self.turnover_eur), Interval.of(self.balance_sheet_eur))


@dataclass(frozen=True)
class Holding:
    """A holding between the enterprise and another. None marks what is not known (the conversation asks;
    a holding with share_pct None is one of `partner_from_pct` % or more, as the yes/no question said)."""
    share_pct: Optional[float]  # of the capital
    voting_pct: Optional[float] = None  # of the voting rights, when it differs from the capital share
    direction: Optional[str] = "owned"
    kind: Optional[str] = ENTERPRISE  # who holds the share, for direction "owned"
    figures: Figures = Figures()  # the other enterprise's own figures
    large: bool = False  # the other is known to be a large enterprise whose figures are not known
    controls: Optional[bool] = False  # Article 3(3)(b)-(d): board majority, dominant influence, control by agreement
    involved_in_management: Optional[bool] = None  # an Article 3(2) investor's part in running the enterprise
    investment_eur: Optional[float] = None  # a business angel's total investment in the enterprise
    budget_eur: Optional[float] = None  # a local authority's annual budget
    inhabitants: Optional[float] = None  # a local authority's inhabitants


@dataclass(frozen=True)
class Enterprise:
    figures: Figures
    holdings: Optional[tuple[Holding, ...]] = ()  # None: not known whether there is any holding of 25 % or more
    previous_figures: Optional[Figures] = None  # the period before, as established under Article 6
    previous_category: Optional[str] = None  # the status the enterprise had last year


# --- the verdict ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Interval:
    """A figure known exactly (low == high) or only within bounds (high may be infinite)."""
    low: float
    high: float

    @classmethod
    def of(cls, value: Optional[float]) -> "Interval":
        return cls(0.0, INFINITY) if value is None else cls(value, value)

    @property
    def exact(self) -> Optional[float]:
        return self.low if self.low == self.high else None

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.low + other.low, self.high + other.high)

    def scaled(self, share: "Interval") -> "Interval":
        return Interval(self.low * share.low, self.high * share.high)


@dataclass(frozen=True)
class SmeReason:
    """One step of a classification: what was found (`code`, a message of bot.saying.sme) and its figures,
    the Article among them."""
    code: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class HoldingVerdict:
    relationship: str  # one of RELATIONSHIPS, or UNKNOWN
    counted_pct: Optional[float]  # the share of the other's figures added (Article 6(2)); None when unknown


@dataclass(frozen=True)
class SmeResult:
    category: Optional[str]  # None when the facts given do not decide it
    sme: Optional[bool]
    holdings: tuple[HoldingVerdict, ...]
    figures: tuple[Interval, Interval, Interval]  # SME_FIGURES after Article 6, as far as they are known
    reasons: tuple[SmeReason, ...]
    outcomes: frozenset  # every verdict still possible: (sme, category, or None when not an SME)
    exchange_rates: tuple[ExchangeRate, ...] = ()  # the rates figures in kroner were converted at

    @property
    def decided(self) -> bool:
        return len(self.outcomes) == 1

    @property
    def waits_for_rate(self) -> bool:
        """Undecided because a stand-in exchange rate leaves it open: no answer of the user's can settle it."""
        return any(reason.code == "waits_for_rate" for reason in self.reasons)


# --- Article 2 ------------------------------------------------------------------------------------------

def category_of(employees: float, turnover_eur: float, balance_sheet_eur: float, limits: Limits) -> str:
    """Article 2: the smallest category whose headcount limit the enterprise is below and whose turnover or
    balance-sheet limit it does not exceed ("and/or"); large when it meets none."""
    for ceiling in limits.categories:
        if employees < ceiling.employees_below and (turnover_eur <= ceiling.turnover_eur_max
                                                   or balance_sheet_eur <= ceiling.balance_sheet_eur_max):
            return ceiling.category
    return "large"


def _rank(category: str) -> int:
    return CATEGORIES.index(category)


def _three(spans: Iterable[Interval]) -> tuple[Interval, Interval, Interval]:
    """Spans computed figure by figure, as the three of SME_FIGURES (a ValueError if there are not three)."""
    employees, turnover, balance_sheet = spans
    return employees, turnover, balance_sheet


def _interval_categories(spans: tuple[Interval, Interval, Interval], limits: Limits) -> tuple[str, str]:
    """The lowest and highest category the figures may give (the category never falls as a figure rises)."""
    employees, turnover, balance_sheet = spans
    return (category_of(employees.low, turnover.low, balance_sheet.low, limits),
            category_of(employees.high, turnover.high, balance_sheet.high, limits))


# --- Article 4(2) ---------------------------------------------------------------------------------------

def _two_periods(current: str, previous: Optional[str], status: Optional[str]) -> str:
    """The status after Article 4(2): it changes only when the ceilings of the status held are crossed in this
    period and in the one before, and then only as far as both periods cross. Without last year's status, the
    one the previous figures give is taken for it (an interpretation the reasons state)."""
    status = status if status is not None else previous
    if status is None or current == status:
        return current
    if previous is None:
        return status  # a change needs the period before to cross the same ceiling; not known, so not shown
    if _rank(current) > _rank(status) and _rank(previous) > _rank(status):
        return CATEGORIES[min(_rank(current), _rank(previous))]
    if _rank(current) < _rank(status) and _rank(previous) < _rank(status):
        return CATEGORIES[max(_rank(current), _rank(previous))]
    return status


def _two_period_reasons(current: str, final: str, enterprise: Enterprise, previous: Optional[str]) -> list[SmeReason]:
    article = {"article": "4(2)"}
    status = enterprise.previous_category
    if status is None and previous is None:
        return [SmeReason("two_periods_not_applied", article)]
    if current == (status if status is not None else previous):
        return []
    reasons = []
    if status is None:
        status = previous
        reasons.append(SmeReason("status_assumed", {"status": status, **article}))
    if previous is None:
        reasons.append(SmeReason("status_kept_unconfirmed", {"status": status, "current": current, **article}))
    elif final == status:
        reasons.append(SmeReason("status_kept", {"status": status, "current": current, "previous": previous,
                                                 **article}))
    else:
        reasons.append(SmeReason("status_changed", {"status": status, "category": final, **article}))
    return reasons


# --- Article 3: one holding -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Link:
    """One way a holding can turn out, given what is known of it."""
    relationship: str
    counted: Interval  # fraction of the other's figures added
    public: Interval  # percent it adds to the share public bodies hold
    linked_large: bool = False
    reasons: tuple[SmeReason, ...] = ()
    figures: Optional[tuple[Interval, Interval, Interval]] = None  # the other's figures, when not those of the holding


def _options(value: Any, choices: Iterable[Any]) -> tuple:
    return tuple(choices) if value is None else (value,)


def _greater_share(holding: Holding) -> Optional[float]:
    if holding.share_pct is None:
        return None
    return max(holding.share_pct, holding.voting_pct if holding.voting_pct is not None else holding.share_pct)


def _links(holding: Holding, limits: Limits) -> list[_Link]:
    """Every way the holding may turn out: its unknown choices each way, an unknown share both within the
    partner band and above the majority."""
    links = []
    bands = (("partner", "majority") if holding.share_pct is None else (None,))
    for direction, band in itertools.product(_options(holding.direction, DIRECTIONS), bands):
        for kind in _options(holding.kind, holder_kinds()) if direction == "owned" else (ENTERPRISE,):
            # only what can change how this kind of holder is counted is tried both ways
            controls = (False,) if kind == PUBLIC_BODY else _options(holding.controls, (False, True))
            involved = _options(holding.involved_in_management, (False, True)) if kind in investor_kinds() else (None,)
            for control, involvement in itertools.product(controls, involved):
                links.extend(_link_variants(holding, limits, direction, band, kind, control, involvement))
    if holding.large:
        return [replace(link, figures=shape) for link in links for shape in _large_shapes(limits)]
    return links


def _large_shapes(limits: Limits) -> tuple[tuple[Interval, Interval, Interval], ...]:
    """The figures a large enterprise may have when they are not known: at least the medium headcount limit,
    or more than both medium financial limits (Article 2(1))."""
    medium = limits.categories[-1]
    anything = Interval(0, INFINITY)
    return ((Interval(medium.employees_below, INFINITY), anything, anything),
            (anything, Interval(medium.turnover_eur_max, INFINITY), Interval(medium.balance_sheet_eur_max, INFINITY)))


def _link_variants(holding: Holding, limits: Limits, direction: str, band: Optional[str], kind: str,
                   controls: bool, involved: bool) -> list[_Link]:
    share = _greater_share(holding)
    voting = holding.voting_pct if holding.voting_pct is not None else holding.share_pct
    if band is None:
        # _links tries the bands only for a holding whose share is not known; this one's is
        assert share is not None and voting is not None
        partner_span = Interval(share, share)
        majority = voting > limits.linked_above_pct
    else:
        partner_span = (Interval(limits.partner_from_pct, limits.linked_above_pct) if band == "partner"
                        else Interval(limits.linked_above_pct, 100.0))
        majority = band == "majority"
    pct = {"pct": share, "direction": direction, "limit": limits.partner_from_pct}
    if kind == PUBLIC_BODY:
        return [_Link("public", Interval(0, 0), partner_span)]
    if kind == "local_authority":
        outcomes = []
        for excepted in _condition_outcomes(
                (holding.budget_eur, limits.authority_budget_eur_below),
                (holding.inhabitants, limits.authority_inhabitants_below)):
            if excepted:
                outcomes.extend(_investor_links(holding, limits, kind, partner_span, majority, controls, involved))
            else:
                reason = SmeReason("authority_not_excepted", {
                    "budget_eur": holding.budget_eur, "inhabitants": holding.inhabitants,
                    "budget_limit": limits.authority_budget_eur_below,
                    "inhabitants_limit": limits.authority_inhabitants_below,
                    "article": limits.investor_articles[kind]})
                outcomes.append(_Link("public", Interval(0, 0), partner_span, reasons=(reason,)))
        return outcomes
    if kind == "business_angel":
        outcomes = []
        for excepted in _condition_outcomes((holding.investment_eur, limits.angel_investment_eur_below)):
            if excepted:
                outcomes.extend(_investor_links(holding, limits, kind, partner_span, majority, controls, involved))
            else:
                reason = SmeReason("angel_over_limit", {"investment_eur": holding.investment_eur,
                                                        "investment_limit": limits.angel_investment_eur_below,
                                                        "article": limits.investor_articles[kind]})
                outcomes.extend(replace(link, reasons=(reason, *link.reasons))
                                for link in _enterprise_links(holding, limits, partner_span, majority, controls, pct))
        return outcomes
    if kind in investor_kinds():
        return _investor_links(holding, limits, kind, partner_span, majority, controls, involved)
    return _enterprise_links(holding, limits, partner_span, majority, controls, pct)


def _condition_outcomes(*conditions: tuple[Optional[float], float]) -> tuple[bool, ...]:
    """Whether every `value < limit` holds: True, False, or both when a value is unknown."""
    if any(value is not None and value >= limit for value, limit in conditions):
        return (False,)
    if all(value is not None for value, _ in conditions):
        return (True,)
    return (True, False)


def _enterprise_links(holding: Holding, limits: Limits, share: Interval, majority: bool, controls: bool,
                      pct: Mapping[str, Any]) -> list[_Link]:
    if majority or controls:
        basis = limits.articles["linked_above_pct"] if majority else "3(3)(b)-(d)"
        reason = SmeReason("linked", {**pct, "article": basis})
        return [_Link("linked", Interval(1, 1), Interval(0, 0), linked_large=holding.large, reasons=(reason,))]
    if share.low >= limits.partner_from_pct:
        reason = SmeReason("partner", {**pct, "article": f"{limits.articles['partner_from_pct']}, 6(2)"})
        return [_Link("partner", Interval(share.low / 100, share.high / 100), Interval(0, 0), reasons=(reason,))]
    reason = SmeReason("below_partner", {**pct, "article": "3(1)"})
    return [_Link("autonomous", Interval(0, 0), Interval(0, 0), reasons=(reason,))]


def _investor_links(holding: Holding, limits: Limits, kind: str, share: Interval, majority: bool, controls: bool,
                    involved: bool) -> list[_Link]:
    """An Article 3(2) investor stays outside unless it is linked with the enterprise; where it does not
    involve itself in the management, it is presumed to have no dominant influence (3(3))."""
    values = {"pct": _greater_share(holding), "kind": kind, "limit": limits.partner_from_pct}
    if majority or (controls and involved):
        reason = SmeReason("investor_linked", {**values, "article": f"{limits.investor_articles[kind]}, 3(3)"})
        return [_Link("linked", Interval(1, 1), Interval(0, 0), linked_large=holding.large, reasons=(reason,))]
    if share.low < limits.partner_from_pct:
        reason = SmeReason("below_partner", {**values, "direction": "owned", "article": "3(1)"})
        return [_Link("autonomous", Interval(0, 0), Interval(0, 0), reasons=(reason,))]
    reasons = [SmeReason("excepted_investor", {**values, "article": limits.investor_articles[kind]})]
    if controls:
        reasons.append(SmeReason("presumed_no_influence", {"kind": kind, "article": "3(3)"}))
    return [_Link("excepted_investor", Interval(0, 0), Interval(0, 0), reasons=tuple(reasons))]


_ANY_HOLDING = Holding(share_pct=None, direction=None, kind=None, controls=None)


# --- Articles 3 and 6 together --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Scenario:
    links: tuple[_Link, ...]
    spans: tuple[Interval, Interval, Interval]
    public: Optional[Interval]  # the joint public share, when public bodies hold any
    base: tuple[str, str]  # lowest and highest category by Article 2
    final: tuple[str, str]  # after Article 4(2)
    outcomes: frozenset


def _scenario(enterprise: Enterprise, holdings: tuple[Holding, ...], links: tuple[_Link, ...], limits: Limits,
              previous: Optional[str]) -> _Scenario:
    spans = enterprise.figures.intervals()
    public = None
    for holding, link in zip(holdings, links):
        if link.relationship in ("partner", "linked"):
            spans = _three(total + figure.scaled(link.counted)
                           for total, figure in zip(spans, link.figures or holding.figures.intervals()))
        if link.relationship == "public":
            public = link.public if public is None else public + link.public
    base = ("large", "large") if any(link.linked_large for link in links) else _interval_categories(spans, limits)
    final = (_two_periods(base[0], previous, enterprise.previous_category),
             _two_periods(base[1], previous, enterprise.previous_category))
    if public is None or public.high < limits.public_control_from_pct:
        controlled: tuple[bool, ...] = (False,)
    elif public.low >= limits.public_control_from_pct:
        controlled = (True,)
    else:
        controlled = (False, True)
    outcomes = frozenset((sme, category if sme else None)
                         for category in CATEGORIES[_rank(final[0]):_rank(final[1]) + 1]
                         for control in controlled
                         for sme in (category in SME_CATEGORIES and not control,))
    return _Scenario(links, spans, public, base, final, outcomes)


def _single(values: Iterable[Any]) -> Optional[Any]:
    """The one value all of `values` share, else None."""
    distinct = set(values)
    return next(iter(distinct)) if len(distinct) == 1 else None


def classify(enterprise: Enterprise, day: dt.date) -> SmeResult:
    """The SME status of `enterprise` on `day` (the thresholds in force then)."""
    limits = limits_on(day)
    previous = None
    if enterprise.previous_figures is not None:
        low, high = _interval_categories(enterprise.previous_figures.intervals(), limits)
        previous = low if low == high else None
    worlds = [enterprise.holdings] if enterprise.holdings is not None else [(), (_ANY_HOLDING,)]
    scenarios = [_scenario(enterprise, holdings, links, limits, previous)
                 for holdings in worlds
                 for links in itertools.product(*(_links(holding, limits) for holding in holdings))]
    outcomes = frozenset().union(*(scenario.outcomes for scenario in scenarios))
    final = _single(scenario.final for scenario in scenarios)
    spans = _three(Interval(min(scenario.spans[i].low for scenario in scenarios),
                            max(scenario.spans[i].high for scenario in scenarios)) for i in range(3))
    known = enterprise.holdings or ()
    return SmeResult(
        category=final[0] if final is not None and final[0] == final[1] else None,
        sme=_single(sme for sme, _ in outcomes),
        holdings=tuple(_holding_verdict(index, scenarios, limits) for index in range(len(known))),
        figures=spans,
        reasons=tuple(_reasons(enterprise, scenarios, known, spans, limits, previous)),
        outcomes=outcomes)


def _holding_verdict(index: int, scenarios: list[_Scenario], limits: Limits) -> HoldingVerdict:
    def relationship(scenario: _Scenario) -> str:
        link = scenario.links[index]
        if link.relationship != "public":
            return link.relationship
        assert scenario.public is not None  # a public holder's link always adds to the joint public share
        return "public_control" if scenario.public.low >= limits.public_control_from_pct else "autonomous"
    counted = _single((scenario.links[index].counted.low, scenario.links[index].counted.high) for scenario in scenarios)
    return HoldingVerdict(relationship=_single(map(relationship, scenarios)) or UNKNOWN,
                          counted_pct=float(counted[0] * 100) if counted is not None and counted[0] == counted[1] else None)


def _agreed(links: list[_Link]) -> Optional[_Link]:
    """The way a holding turned out when every possibility gives the same relationship and reasons."""
    first = links[0]
    return first if all(link.relationship == first.relationship and link.reasons == first.reasons
                        for link in links) else None


def _reasons(enterprise: Enterprise, scenarios: list[_Scenario], known: tuple[Holding, ...],
             spans: tuple[Interval, Interval, Interval], limits: Limits, previous: Optional[str]) -> list[SmeReason]:
    reasons: list[SmeReason] = []
    agreed = [_agreed([scenario.links[index] for scenario in scenarios]) for index in range(len(known))]
    for link in agreed:
        if link is not None:
            reasons.extend(link.reasons)
    publics = [scenario.public for scenario in scenarios if scenario.public is not None]
    if known and len(publics) == len(scenarios):
        joint = Interval(min(span.low for span in publics), max(span.high for span in publics))
        values = {"pct": joint.exact, "limit": limits.public_control_from_pct,
                  "article": limits.articles["public_control_from_pct"]}
        if joint.low >= limits.public_control_from_pct:
            reasons.append(SmeReason("public_control", values))
        elif joint.high < limits.public_control_from_pct:
            reasons.append(SmeReason("public_minority", values))
    counted = any(link is not None and link.relationship in ("partner", "linked") for link in agreed)
    linked_large = all(any(link.linked_large for link in scenario.links) for scenario in scenarios)
    if linked_large:
        reasons.append(SmeReason("linked_large", {"article": "3(3), 6(2)"}))
    elif counted and all(span.high < INFINITY for span in spans):
        reasons.append(SmeReason("aggregated", {"employees": spans[0], "turnover_eur": spans[1],
                                                "balance_sheet_eur": spans[2], "article": "6(2)"}))
    base = _single(scenario.base for scenario in scenarios)
    if base is not None and base[0] == base[1]:
        if not linked_large:
            # when nothing is known to be added and the enterprise's own figures give the category whatever its
            # holdings turn out to be, they are what the reasons cite
            own = enterprise.figures.intervals()
            cited = own if not counted and _interval_categories(own, limits) == base else spans
            reasons.extend(_category_reasons(base[0], cited, limits))
        final = _single(scenario.final for scenario in scenarios)
        assert final is not None  # one base category and one previous period give one final category
        reasons.extend(_two_period_reasons(base[0], final[0], enterprise, previous))
    elif _single(sme for scenario in scenarios for sme, _ in scenario.outcomes) is not False:
        reasons.append(SmeReason("undecided", {
            "lowest": min((scenario.base[0] for scenario in scenarios), key=_rank),
            "highest": max((scenario.base[1] for scenario in scenarios), key=_rank), "article": "2, 6(2)"}))
        for holding, link in zip(known, agreed):
            if link is not None and link.relationship in ("partner", "linked") and None in (
                    holding.figures.employees, holding.figures.turnover_eur, holding.figures.balance_sheet_eur):
                reasons.append(SmeReason("figures_needed", {"direction": holding.direction, "article": "6(2)"}))
    if counted:
        reasons.append(SmeReason("further_levels", {"article": "6(2), 6(3)"}))
    return reasons


def _category_reasons(category: str, spans: tuple[Interval, Interval, Interval], limits: Limits) -> list[SmeReason]:
    """Why the figures give `category`: the limits it meets, and why not the next smaller one."""
    employees, turnover, balance = spans
    reasons = []
    by_ceiling = {ceiling.category: ceiling for ceiling in limits.categories}
    if category in by_ceiling:
        ceiling = by_ceiling[category]
        by = ("both" if turnover.high <= ceiling.turnover_eur_max and balance.high <= ceiling.balance_sheet_eur_max
              else "turnover" if turnover.high <= ceiling.turnover_eur_max else "balance_sheet")
        reasons.append(SmeReason(f"fits_by_{by}", {
            "category": category, "employees": employees, "employees_limit": ceiling.employees_below,
            "turnover_eur": turnover, "turnover_limit": ceiling.turnover_eur_max,
            "balance_sheet_eur": balance, "balance_limit": ceiling.balance_sheet_eur_max,
            "article": ceiling.article}))
    smaller = [ceiling for ceiling in limits.categories if _rank(ceiling.category) == _rank(category) - 1]
    for ceiling in smaller:
        if employees.low >= ceiling.employees_below:
            reasons.append(SmeReason("too_many_staff", {"category": ceiling.category, "employees": employees,
                                                        "employees_limit": ceiling.employees_below,
                                                        "article": ceiling.article}))
        else:
            reasons.append(SmeReason("over_financial", {
                "category": ceiling.category, "turnover_eur": turnover, "turnover_limit": ceiling.turnover_eur_max,
                "balance_sheet_eur": balance, "balance_limit": ceiling.balance_sheet_eur_max,
                "article": ceiling.article}))
    return reasons


# --- figures in kroner at a rate that stands in for a missing year's --------------------------------------

def classify_at_rates(enterprise_at: Callable[[int], Enterprise], rates: Sequence[ExchangeRate],
                      day: dt.date) -> SmeResult:
    """The SME status of an enterprise whose figures in kroner were converted at `rates`: `enterprise_at(direction)`
    gives it with every rate as it is (0) or at the low (-1) or high (+1) end of its drift. A rate that stands in
    for a missing year's is known only within that drift; when the verdict changes within it, it is not decided
    until that year's average is known. The two ends are enough: more euro never gives a smaller category, nor
    turns a public-controlled enterprise or a counted partner back (Articles 2, 3 and 6 only ever add up)."""
    result = classify(enterprise_at(0), day)
    stand_ins = tuple(rate for rate in rates if rate.stands_in_for is not None)
    if not stand_ins:
        return result
    outcomes = result.outcomes.union(*(classify(enterprise_at(direction), day).outcomes for direction in (-1, 1)))
    if outcomes == result.outcomes:
        return result
    waits = tuple(SmeReason("waits_for_rate", {"year": rate.stands_in_for, "stand_in": rate.year,
                                               "drift": rate.drift * 100}) for rate in stand_ins)
    return replace(result, category=None, sme=_single(sme for sme, _ in outcomes), outcomes=outcomes,
                   reasons=(*waits, *result.reasons))


# --- a direct question that carries its own figures -----------------------------------------------------

def classify_stated(employees: Optional[float] = None, turnover_eur: Optional[float] = None,
                    balance_sheet_eur: Optional[float] = None, day: Optional[dt.date] = None,
                    rate: Optional[ExchangeRate] = None, in_kroner: Collection[str] = ()) -> SmeResult:
    """"Are we an SME? 120 employees, EUR 60 M turnover, EUR 40 M balance sheet": the figures the question
    gives, read as an autonomous enterprise's (the reasons say so, Article 3(1)); a figure it leaves out stays
    unknown, so the result is undecided only when that figure matters. The figures named in `in_kroner` were given
    in kroner and converted at `rate`."""
    day = day or dt.date.today()

    def enterprise_at(direction: int) -> Enterprise:
        scale = rate.nok_per_eur / rate.drifted(direction).nok_per_eur if rate is not None else 1.0
        turnover, balance_sheet = ((value * scale if name in in_kroner and value is not None else value)
                                   for name, value in (("turnover_eur", turnover_eur),
                                                       ("balance_sheet_eur", balance_sheet_eur)))
        return Enterprise(Figures(employees, turnover, balance_sheet))

    result = classify_at_rates(enterprise_at, (rate,) if rate is not None and in_kroner else (), day)
    assumed = SmeReason("assumed_autonomous", {"limit": limits_on(day).partner_from_pct, "article": "3(1)"})
    return replace(result, reasons=(*result.reasons, assumed))
