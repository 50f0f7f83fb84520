"""SME status after the EU definition: Commission Recommendation 2003/361/EC, Annex, Articles 2-6.

Pure: thresholds from data/sme.yaml in, structured verdicts out (`SmeReason(code, values)`, every one naming
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
is what `sme_step` uses to ask a conversation only what can still change the verdict.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional

from bot.resources import DataError, load_yaml
from bot.rules.money import ExchangeRate, accounts_rate
from bot.rules.profile import InvalidInput, parse_iso_date, parse_language
from bot.rules.timeline import Timeline

CATEGORIES = ("micro", "small", "medium", "large")
SME_CATEGORIES = CATEGORIES[:3]
RELATIONSHIPS = ("autonomous", "partner", "linked", "excepted_investor", "public_control")
UNKNOWN = "unknown"  # a relationship the known facts do not settle
DIRECTIONS = ("owned", "owner")  # owned: the holder holds a share of the enterprise; owner: the enterprise holds a share of the other
ENTERPRISE, PUBLIC_BODY = "enterprise", "public_body"
INFINITY = math.inf
SME_FIGURES = ("employees", "turnover_eur", "balance_sheet_eur")


# --- the rules ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryLimits:
    category: str
    article: str
    employees_below: float
    turnover_eur_max: float
    balance_sheet_eur_max: float


@dataclass(frozen=True)
class Limits:
    """The thresholds in force on one day."""
    categories: tuple[CategoryLimits, ...]  # micro, small, medium
    partner_from_pct: float
    linked_above_pct: float
    public_control_from_pct: float
    investor_articles: Mapping[str, str]
    angel_investment_eur_below: float
    authority_budget_eur_below: float
    authority_inhabitants_below: float
    articles: Mapping[str, str]


@dataclass(frozen=True)
class SmeRules:
    source: str
    categories: tuple[tuple[str, Timeline], ...]  # smallest first
    category_articles: Mapping[str, str]
    holdings: Mapping[str, tuple[str, Timeline]]
    investors: Mapping[str, tuple[str, Optional[Timeline]]]
    questions: Mapping[str, Mapping[str, Any]]


@lru_cache(maxsize=None)
def sme_rules() -> SmeRules:
    raw = load_yaml("sme.yaml")
    try:
        return SmeRules(
            source=raw["source"],
            categories=tuple((item["id"], Timeline.from_mapping(item["values"], f"sme.yaml: {item['id']}"))
                             for item in raw["categories"]),
            category_articles={item["id"]: item["article"] for item in raw["categories"]},
            holdings={name: (item["article"], Timeline.from_mapping(item["values"], f"sme.yaml: holdings.{name}"))
                      for name, item in raw["holdings"].items()},
            investors={name: (item["article"], Timeline.from_mapping(item["values"], f"sme.yaml: investors.{name}")
                              if "values" in item else None)
                       for name, item in raw["investors"].items()},
            questions=raw["questions"],
        )
    except (KeyError, TypeError) as error:
        raise DataError(f"sme.yaml: missing or malformed entry {error}") from error


INVESTOR_KINDS = tuple(sme_rules().investors)
HOLDER_KINDS = (ENTERPRISE, PUBLIC_BODY, *INVESTOR_KINDS)


@lru_cache(maxsize=64)
def limits_on(day: dt.date) -> Limits:
    rules = sme_rules()
    holdings = {name: (article, timeline.at(day)) for name, (article, timeline) in rules.holdings.items()}
    angel = rules.investors["business_angel"][1].at(day)
    authority = rules.investors["local_authority"][1].at(day)
    return Limits(
        categories=tuple(CategoryLimits(category=name, article=rules.category_articles[name], **timeline.at(day))
                         for name, timeline in rules.categories),
        partner_from_pct=holdings["partner_from_pct"][1],
        linked_above_pct=holdings["linked_above_pct"][1],
        public_control_from_pct=holdings["public_control_from_pct"][1],
        investor_articles={name: article for name, (article, _) in rules.investors.items()},
        angel_investment_eur_below=angel["investment_eur_below"],
        authority_budget_eur_below=authority["budget_eur_below"],
        authority_inhabitants_below=authority["inhabitants_below"],
        articles={name: article for name, (article, _) in holdings.items()},
    )


def ownership_limit(day: dt.date) -> float:
    """The share (in %) from which a holding makes a partner enterprise (Article 3(2)): the threshold the
    ownership question names."""
    return limits_on(day).partner_from_pct


# --- what is known of an enterprise ---------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    """One enterprise's data for one accounting period; None where unknown. Staff in annual work units
    (Article 5), so a fraction is allowed."""
    employees: Optional[float] = None
    turnover_eur: Optional[float] = None
    balance_sheet_eur: Optional[float] = None

    def spans(self) -> tuple["Span", "Span", "Span"]:
        return (Span.of(self.employees), Span.of(self.turnover_eur), Span.of(self.balance_sheet_eur))


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
class Span:
    """A figure known exactly (low == high) or only within bounds (high may be infinite)."""
    low: float
    high: float

    @classmethod
    def of(cls, value: Optional[float]) -> "Span":
        return cls(0.0, INFINITY) if value is None else cls(value, value)

    @property
    def exact(self) -> Optional[float]:
        return self.low if self.low == self.high else None

    def __add__(self, other: "Span") -> "Span":
        return Span(self.low + other.low, self.high + other.high)

    def scaled(self, share: "Span") -> "Span":
        return Span(self.low * share.low, self.high * share.high)


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
    figures: tuple[Span, Span, Span]  # SME_FIGURES after Article 6, as far as they are known
    reasons: tuple[SmeReason, ...]
    outcomes: frozenset  # every verdict still possible: (sme, category, or None when not an SME)
    exchange_rates: tuple[ExchangeRate, ...] = ()  # the rates figures in kroner were converted at

    @property
    def decided(self) -> bool:
        return len(self.outcomes) == 1


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


def _span_categories(spans: tuple[Span, Span, Span], limits: Limits) -> tuple[str, str]:
    """The lowest and highest category the figures may give (the category never falls as a figure rises)."""
    return (category_of(*(span.low for span in spans), limits), category_of(*(span.high for span in spans), limits))


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
    counted: Span  # fraction of the other's figures added
    public: Span  # percent it adds to the share public bodies hold
    linked_large: bool = False
    reasons: tuple[SmeReason, ...] = ()
    figures: Optional[tuple[Span, Span, Span]] = None  # the other's figures, when not those of the holding


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
        for kind in _options(holding.kind, HOLDER_KINDS) if direction == "owned" else (ENTERPRISE,):
            # only what can change how this kind of holder is counted is tried both ways
            controls = (False,) if kind == PUBLIC_BODY else _options(holding.controls, (False, True))
            involved = _options(holding.involved_in_management, (False, True)) if kind in INVESTOR_KINDS else (None,)
            for control, involvement in itertools.product(controls, involved):
                links.extend(_link_variants(holding, limits, direction, band, kind, control, involvement))
    if holding.large:
        return [replace(link, figures=shape) for link in links for shape in _large_shapes(limits)]
    return links


def _large_shapes(limits: Limits) -> tuple[tuple[Span, Span, Span], ...]:
    """The figures a large enterprise may have when they are not known: at least the medium headcount limit,
    or more than both medium financial limits (Article 2(1))."""
    medium = limits.categories[-1]
    anything = Span(0, INFINITY)
    return ((Span(medium.employees_below, INFINITY), anything, anything),
            (anything, Span(medium.turnover_eur_max, INFINITY), Span(medium.balance_sheet_eur_max, INFINITY)))


def _link_variants(holding: Holding, limits: Limits, direction: str, band: Optional[str], kind: str,
                   controls: bool, involved: bool) -> list[_Link]:
    share = _greater_share(holding)
    partner_span = (Span(limits.partner_from_pct, limits.linked_above_pct) if band == "partner"
                    else Span(limits.linked_above_pct, 100.0) if band == "majority" else Span(share, share))
    voting = holding.voting_pct if holding.voting_pct is not None else holding.share_pct
    majority = band == "majority" or (band is None and voting > limits.linked_above_pct)
    pct = {"pct": share, "direction": direction, "limit": limits.partner_from_pct}
    if kind == PUBLIC_BODY:
        return [_Link("public", Span(0, 0), partner_span)]
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
                outcomes.append(_Link("public", Span(0, 0), partner_span, reasons=(reason,)))
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
    if kind in INVESTOR_KINDS:
        return _investor_links(holding, limits, kind, partner_span, majority, controls, involved)
    return _enterprise_links(holding, limits, partner_span, majority, controls, pct)


def _condition_outcomes(*conditions: tuple[Optional[float], float]) -> tuple[bool, ...]:
    """Whether every `value < limit` holds: True, False, or both when a value is unknown."""
    if any(value is not None and value >= limit for value, limit in conditions):
        return (False,)
    if all(value is not None for value, _ in conditions):
        return (True,)
    return (True, False)


def _enterprise_links(holding: Holding, limits: Limits, share: Span, majority: bool, controls: bool,
                      pct: Mapping[str, Any]) -> list[_Link]:
    if majority or controls:
        basis = limits.articles["linked_above_pct"] if majority else "3(3)(b)-(d)"
        reason = SmeReason("linked", {**pct, "article": basis})
        return [_Link("linked", Span(1, 1), Span(0, 0), linked_large=holding.large, reasons=(reason,))]
    if share.low >= limits.partner_from_pct:
        reason = SmeReason("partner", {**pct, "article": f"{limits.articles['partner_from_pct']}, 6(2)"})
        return [_Link("partner", Span(share.low / 100, share.high / 100), Span(0, 0), reasons=(reason,))]
    reason = SmeReason("below_partner", {**pct, "article": "3(1)"})
    return [_Link("autonomous", Span(0, 0), Span(0, 0), reasons=(reason,))]


def _investor_links(holding: Holding, limits: Limits, kind: str, share: Span, majority: bool, controls: bool,
                    involved: bool) -> list[_Link]:
    """An Article 3(2) investor stays outside unless it is linked with the enterprise; where it does not
    involve itself in the management, it is presumed to have no dominant influence (3(3))."""
    values = {"pct": _greater_share(holding), "kind": kind, "limit": limits.partner_from_pct}
    if majority or (controls and involved):
        reason = SmeReason("investor_linked", {**values, "article": f"{limits.investor_articles[kind]}, 3(3)"})
        return [_Link("linked", Span(1, 1), Span(0, 0), linked_large=holding.large, reasons=(reason,))]
    if share.low < limits.partner_from_pct:
        reason = SmeReason("below_partner", {**values, "direction": "owned", "article": "3(1)"})
        return [_Link("autonomous", Span(0, 0), Span(0, 0), reasons=(reason,))]
    reasons = [SmeReason("excepted_investor", {**values, "article": limits.investor_articles[kind]})]
    if controls:
        reasons.append(SmeReason("presumed_no_influence", {"kind": kind, "article": "3(3)"}))
    return [_Link("excepted_investor", Span(0, 0), Span(0, 0), reasons=tuple(reasons))]


_ANY_HOLDING = Holding(share_pct=None, direction=None, kind=None, controls=None)


# --- Articles 3 and 6 together --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Scenario:
    links: tuple[_Link, ...]
    spans: tuple[Span, Span, Span]
    public: Optional[Span]  # the joint public share, when public bodies hold any
    base: tuple[str, str]  # lowest and highest category by Article 2
    final: tuple[str, str]  # after Article 4(2)
    outcomes: frozenset


def _scenario(enterprise: Enterprise, holdings: tuple[Holding, ...], links: tuple[_Link, ...], limits: Limits,
              previous: Optional[str]) -> _Scenario:
    spans = enterprise.figures.spans()
    public = None
    for holding, link in zip(holdings, links):
        if link.relationship in ("partner", "linked"):
            spans = tuple(total + figure.scaled(link.counted)
                          for total, figure in zip(spans, link.figures or holding.figures.spans()))
        if link.relationship == "public":
            public = link.public if public is None else public + link.public
    base = ("large", "large") if any(link.linked_large for link in links) else _span_categories(spans, limits)
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
        low, high = _span_categories(enterprise.previous_figures.spans(), limits)
        previous = low if low == high else None
    worlds = [enterprise.holdings] if enterprise.holdings is not None else [(), (_ANY_HOLDING,)]
    scenarios = [_scenario(enterprise, holdings, links, limits, previous)
                 for holdings in worlds
                 for links in itertools.product(*(_links(holding, limits) for holding in holdings))]
    outcomes = frozenset().union(*(scenario.outcomes for scenario in scenarios))
    final = _single(scenario.final for scenario in scenarios)
    spans = tuple(Span(min(scenario.spans[i].low for scenario in scenarios),
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
             spans: tuple[Span, Span, Span], limits: Limits, previous: Optional[str]) -> list[SmeReason]:
    reasons: list[SmeReason] = []
    agreed = [_agreed([scenario.links[index] for scenario in scenarios]) for index in range(len(known))]
    for link in agreed:
        if link is not None:
            reasons.extend(link.reasons)
    publics = [scenario.public for scenario in scenarios if scenario.public is not None]
    if known and len(publics) == len(scenarios):
        joint = Span(min(span.low for span in publics), max(span.high for span in publics))
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
            own = enterprise.figures.spans()
            cited = own if not counted and _span_categories(own, limits) == base else spans
            reasons.extend(_category_reasons(base[0], cited, limits))
        final = _single(scenario.final for scenario in scenarios)
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


def _category_reasons(category: str, spans: tuple[Span, Span, Span], limits: Limits) -> list[SmeReason]:
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


# --- goal-driven questions ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmeQuestion:
    """A fact the conversation can ask, and how its answer is read: count, amount (EUR), percent, yes_no, or
    choice among `values`."""
    fact: str
    type: str
    values: tuple[str, ...] = ()


@lru_cache(maxsize=None)
def sme_questions_asked() -> tuple[SmeQuestion, ...]:
    """Every fact sme_step may ask, in the order it asks them (data/sme.yaml)."""
    return tuple(SmeQuestion(fact=name, type=spec["type"], values=tuple(spec.get("values", ())))
                 for name, spec in sme_rules().questions.items())


# Facts sme_step also reads when the user gives them, but never asks for: Article 4(2) needs them only when
# the status changed, and a conversation that asked everyone would cost every user three more questions.
PREVIOUS_FACTS = ("previous_category", "previous_employees", "previous_turnover_eur", "previous_balance_sheet_eur")

# What each question depends on: asked only once the fact before it has the value that makes it apply.
_APPLIES = {
    # the turnover alone settles Article 2 whenever it is within a limit, so it is asked first
    "balance_sheet_eur": lambda known: known.get("turnover_eur") is not None,
    "holding_direction": lambda known: known.get("holding") is True,
    "holder_kind": lambda known: known.get("holding_direction") == "owned",
    "holding_pct": lambda known: known.get("holding_direction") == "owner" or known.get("holder_kind") is not None,
    "angel_investment_eur": lambda known: known.get("holder_kind") == "business_angel",
    "authority_budget_eur": lambda known: known.get("holder_kind") == "local_authority",
    "authority_inhabitants": lambda known: known.get("holder_kind") == "local_authority",
    "holder_controls": lambda known: known.get("holding_pct") is not None and known.get("holder_kind") != PUBLIC_BODY,
    "holder_in_management": lambda known: known.get("holder_controls") is True and known.get("holder_kind") in INVESTOR_KINDS,
    "other_employees": lambda known: known.get("holding_pct") is not None,
    "other_turnover_eur": lambda known: known.get("holding_pct") is not None,
    "other_balance_sheet_eur": lambda known: known.get("other_turnover_eur") is not None,
}


def enterprise_from_facts(known: Mapping[str, Any]) -> Enterprise:
    """The enterprise the named facts describe; a fact that is absent is unknown."""
    holding = known.get("holding")
    holdings: Optional[tuple[Holding, ...]] = None if holding is None else ()
    if holding:
        direction = known.get("holding_direction")
        holdings = (Holding(
            share_pct=known.get("holding_pct"), direction=direction,
            kind=ENTERPRISE if direction == "owner" else known.get("holder_kind"),
            figures=Figures(known.get("other_employees"), known.get("other_turnover_eur"),
                            known.get("other_balance_sheet_eur")),
            controls=known.get("holder_controls"), involved_in_management=known.get("holder_in_management"),
            investment_eur=known.get("angel_investment_eur"), budget_eur=known.get("authority_budget_eur"),
            inhabitants=known.get("authority_inhabitants")),)
    previous = [known.get(name) for name in PREVIOUS_FACTS[1:]]
    return Enterprise(figures=Figures(known.get("employees"), known.get("turnover_eur"), known.get("balance_sheet_eur")),
                      holdings=holdings,
                      previous_figures=Figures(*previous) if any(value is not None for value in previous) else None,
                      previous_category=known.get("previous_category"))


@dataclass(frozen=True)
class SmeStep:
    """Either the decided `result`, or the facts still `needed`, the next question first."""
    result: Optional[SmeResult]
    needed: tuple[str, ...] = ()


def _trial_values(question: SmeQuestion, day: dt.date) -> tuple:
    """Values standing for every answer the question can get: verdicts only ever move one way as a number
    grows, so its extremes stand for everything between them."""
    if question.type == "yes_no":
        return (False, True)
    if question.type == "choice":
        return question.values
    if question.type == "percent":
        limits = limits_on(day)
        return (limits.partner_from_pct, 100.0)
    return (0.0, INFINITY)


def sme_step(known: Mapping[str, Any], day: dt.date) -> SmeStep:
    """Goal-driven questioning for one enterprise. `known` maps the facts of sme_questions_asked() (and
    PREVIOUS_FACTS, if the user gave them) to their values: counts and amounts in EUR as numbers, yes/no
    as bools, choices as their value names, percents as numbers from 0 to 100. Returns the result once no
    answer could change the verdict; else the facts whose answer still can, in asking order."""
    result = classify(enterprise_from_facts(known), day)
    if result.decided:
        return SmeStep(result=result)
    open_questions = [question for question in sme_questions_asked()
                      if question.fact not in known and _APPLIES.get(question.fact, lambda _: True)(known)]
    needed = tuple(question.fact for question in open_questions
                   if len({classify(enterprise_from_facts({**known, question.fact: value}), day).outcomes
                           for value in _trial_values(question, day)}) > 1)
    return SmeStep(result=None, needed=needed or tuple(question.fact for question in open_questions))


# --- the helper form of actions/sme_form.py, until the conversation asks through sme_step ----------------

_FORM_FACTS = {"employees": "employees", "turnover_eur": "turnover_eur", "balance_sheet_eur": "balance_sheet_eur",
               "holding": "owned"}


def _form_facts(employees: Optional[int], turnover_eur: Optional[float], balance_sheet_eur: Optional[float],
                owned: Optional[bool]) -> dict:
    given = {"employees": employees, "turnover_eur": turnover_eur, "balance_sheet_eur": balance_sheet_eur,
             "holding": owned}
    return {name: value for name, value in given.items() if value is not None}


def sme_questions(employees: Optional[int], turnover_eur: Optional[float], balance_sheet_eur: Optional[float],
                  owned: Optional[bool], day: dt.date) -> list[str]:
    """sme_step for the form's four slots (`owned` is the yes/no ownership question): the ones it still needs,
    in order. The details of a holding are beyond the form; classify_known then says what is missing."""
    step = sme_step(_form_facts(employees, turnover_eur, balance_sheet_eur, owned), day)
    return [_FORM_FACTS[fact] for fact in step.needed if fact in _FORM_FACTS]


def classify_known(employees: int, turnover_eur: Optional[float], balance_sheet_eur: Optional[float],
                   owned: bool, day: dt.date) -> SmeResult:
    """The result for what the form asked; undecided (with the reason why) when a holding's details matter."""
    return classify(enterprise_from_facts(_form_facts(employees, turnover_eur, balance_sheet_eur, owned)), day)


# --- a direct question that carries its own figures -----------------------------------------------------

def classify_stated(employees: Optional[float] = None, turnover_eur: Optional[float] = None,
                    balance_sheet_eur: Optional[float] = None, day: Optional[dt.date] = None) -> SmeResult:
    """"Are we an SME? 120 employees, EUR 60 M turnover, EUR 40 M balance sheet": the figures the question
    gives, read as an autonomous enterprise's (the reasons say so, Article 3(1)); a figure it leaves out stays
    unknown, so the result is undecided only when that figure matters."""
    day = day or dt.date.today()
    result = classify(Enterprise(Figures(employees, turnover_eur, balance_sheet_eur)), day)
    assumed = SmeReason("assumed_autonomous", {"limit": limits_on(day).partner_from_pct, "article": "3(1)"})
    return replace(result, reasons=(*result.reasons, assumed))


# --- the command line's input ---------------------------------------------------------------------------

_TOP_FIELDS = {"employees", "turnover_eur", "turnover_nok", "balance_sheet_eur", "balance_sheet_nok",
               "large_owner_pct", "holdings", "previous", "previous_category", "accounts_year", "date", "language"}
_HOLDING_FIELDS = {"share_pct", "voting_pct", "direction", "holder", "employees", "turnover_eur", "turnover_nok",
                   "balance_sheet_eur", "balance_sheet_nok", "large", "controls", "involved_in_management",
                   "investment_eur", "investment_nok", "budget_eur", "budget_nok", "inhabitants"}
_PREVIOUS_FIELDS = {"employees", "turnover_eur", "turnover_nok", "balance_sheet_eur", "balance_sheet_nok"}


class _Reader:
    """Reads one JSON object's fields, naming each by its path ("holdings[0].share_pct") when refusing it,
    and converting kroner to euro at `rate` (which it records as used)."""

    def __init__(self, data: Any, path: str, allowed: set[str], rate: ExchangeRate, used: list[ExchangeRate]):
        if not isinstance(data, Mapping):
            raise InvalidInput(path or "input", f"must be a JSON object, not {type(data).__name__}")
        for name in data:
            if name not in allowed:
                raise InvalidInput(self._name(path, name), "is not a known field")
        self.data, self.path, self.rate, self.used = data, path, rate, used

    @staticmethod
    def _name(path: str, name: str) -> str:
        return f"{path}.{name}" if path else name

    def name(self, field_name: str) -> str:
        return self._name(self.path, field_name)

    def number(self, field_name: str, required: bool = False, maximum: Optional[float] = None,
               whole: bool = False, above_zero: bool = False) -> Optional[float]:
        value = self.data.get(field_name)
        name = self.name(field_name)
        if value is None:
            if required:
                raise InvalidInput(name, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InvalidInput(name, f"must be a number, not {value!r}")
        if whole and isinstance(value, float) and not value.is_integer():
            raise InvalidInput(name, f"must be a whole number, not {value!r}")
        if value < 0 or (above_zero and value == 0):
            raise InvalidInput(name, f"must be {'more than' if above_zero else 'at least'} 0, not {value!r}")
        if maximum is not None and value > maximum:
            raise InvalidInput(name, f"must be at most {maximum:g}, not {value!r}")
        return value

    def euro(self, base: str, required: bool = False) -> Optional[float]:
        """`base`_eur, or `base`_nok converted at the accounts' rate; not both."""
        in_eur, in_nok = self.number(f"{base}_eur"), self.number(f"{base}_nok")
        if in_eur is not None and in_nok is not None:
            raise InvalidInput(self.name(f"{base}_nok"), f"give {base}_eur or {base}_nok, not both")
        if in_nok is None:
            if in_eur is None and required:
                raise InvalidInput(self.name(f"{base}_eur"), f"is required (or {base}_nok)")
            return in_eur
        if self.rate not in self.used:
            self.used.append(self.rate)
        return self.rate.to_eur(in_nok)

    def flag(self, field_name: str) -> Optional[bool]:
        value = self.data.get(field_name)
        if value is not None and not isinstance(value, bool):
            raise InvalidInput(self.name(field_name), f"must be true or false, not {value!r}")
        return value

    def choice(self, field_name: str, choices: tuple[str, ...], default: Optional[str] = None) -> Optional[str]:
        value = self.data.get(field_name, default)
        if value is not None and value not in choices:
            raise InvalidInput(self.name(field_name), f"{value!r} is not one of {', '.join(choices)}")
        return value


def _holding(reader: _Reader) -> Holding:
    direction = reader.choice("direction", DIRECTIONS, default="owned")
    kind = reader.choice("holder", HOLDER_KINDS, default=ENTERPRISE)
    if direction == "owner" and kind != ENTERPRISE:
        raise InvalidInput(reader.name("holder"), "is the enterprise's own holding in another: leave it out")
    large = bool(reader.flag("large"))
    figures = Figures(reader.number("employees"), reader.euro("turnover"), reader.euro("balance_sheet"))
    if large and figures != Figures():
        raise InvalidInput(reader.name("large"), "stands for figures that are not known: give one or the other")
    return Holding(share_pct=reader.number("share_pct", required=True, maximum=100),
                      voting_pct=reader.number("voting_pct", maximum=100), direction=direction, kind=kind,
                      figures=figures, large=large, controls=bool(reader.flag("controls")),
                      involved_in_management=reader.flag("involved_in_management"),
                      investment_eur=reader.euro("investment", required=kind == "business_angel"),
                      budget_eur=reader.euro("budget", required=kind == "local_authority"),
                      inhabitants=reader.number("inhabitants", whole=True, required=kind == "local_authority"))


def classify_sme_json(data: Any, today: dt.date) -> tuple[SmeResult, str]:
    """The CLI's `sme` input object, validated field by field: the result, and the language its reasons are
    to be given in. Figures in kroner (`*_nok`) are converted at Norges Bank's average for the accounts' year
    (`accounts_year`, by default the last full year before `date`); the previous period's at the year before."""
    if not isinstance(data, Mapping):
        raise InvalidInput("input", f"must be a JSON object, not {type(data).__name__}")
    language = parse_language(data.get("language"), default="en")
    day = today if data.get("date") is None else parse_iso_date(data["date"])
    year = data.get("accounts_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= day.year):
        raise InvalidInput("accounts_year", f"must be a year up to {day.year}, not {year!r}")
    rate = accounts_rate(day, year)
    used: list[ExchangeRate] = []
    top = _Reader(data, "", _TOP_FIELDS, rate, used)
    figures = Figures(top.number("employees", required=True), top.euro("turnover", required=True),
                      top.euro("balance_sheet", required=True))
    holdings = []
    raw_holdings = data.get("holdings") if data.get("holdings") is not None else []
    if not isinstance(raw_holdings, list):
        raise InvalidInput("holdings", "must be a list of objects")
    for index, raw in enumerate(raw_holdings):
        holdings.append(_holding(_Reader(raw, f"holdings[{index}]", _HOLDING_FIELDS, rate, used)))
    large_owner = top.number("large_owner_pct", maximum=100)
    if large_owner:
        # the field of the first version: a holding by an enterprise known to be large, its figures unknown
        holdings.append(Holding(share_pct=large_owner, large=True))
    for share in ("share_pct", "voting_pct"):
        held = sum((getattr(holding, share) if getattr(holding, share) is not None else holding.share_pct)
                   for holding in holdings if holding.direction == "owned")
        if held > 100:
            raise InvalidInput("holdings", f"the enterprise's owners hold {held:g} % of it in all ({share}), more than 100 %")
    previous = None
    if data.get("previous") is not None:
        before = accounts_rate(day, (year if year is not None else day.year - 1) - 1)
        reader = _Reader(data["previous"], "previous", _PREVIOUS_FIELDS, before, used)
        previous = Figures(reader.number("employees", required=True), reader.euro("turnover", required=True),
                           reader.euro("balance_sheet", required=True))
    status = top.choice("previous_category", CATEGORIES)
    result = classify(Enterprise(figures=figures, holdings=tuple(holdings), previous_figures=previous,
                                 previous_category=status), day)
    if used:
        converted = tuple(SmeReason("converted", {"rate": rate}) for rate in used)
        result = replace(result, reasons=(*converted, *result.reasons), exchange_rates=tuple(used))
    return result, language
