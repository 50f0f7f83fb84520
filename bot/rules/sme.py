"""SME status after the EU definition (Recommendation 2003/361/EC); thresholds in data/sme.yaml."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Optional

from bot.resources import load_yaml
from bot.rules.profile import InvalidInput, parse_iso_date, parse_language
from bot.rules.timeline import Timeline

SME_CATEGORIES = ("micro", "small", "medium")


@dataclass(frozen=True)
class SmeRules:
    source: str
    categories: tuple[tuple[str, Timeline], ...]
    ownership: Timeline


@lru_cache(maxsize=None)
def sme_rules() -> SmeRules:
    raw = load_yaml("sme.yaml")
    return SmeRules(
        source=raw["source"],
        categories=tuple((item["id"], Timeline.from_mapping(item["values"], f"sme.yaml: {item['id']}"))
                         for item in raw["categories"]),
        ownership=Timeline.from_mapping(raw["ownership"]["values"], "sme.yaml: ownership"),
    )


def ownership_limit(day: dt.date) -> float:
    """The share (in %) a large enterprise or public body must stay below for an SME to remain one."""
    return sme_rules().ownership.at(day)["max_large_owner_pct_below"]


@dataclass(frozen=True)
class SmeReason:
    """One step of a classification: what was found (`code`, a message of bot.saying) and its figures."""
    code: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class SmeResult:
    category: str
    sme: bool
    reasons: tuple[SmeReason, ...]


def classify_sme(employees: int, turnover_eur: float, balance_sheet_eur: float, large_owner_pct: float = 0,
                 day: Optional[dt.date] = None) -> SmeResult:
    """The smallest category whose headcount limit the enterprise is below and whose turnover OR
    balance-sheet limit it does not exceed; not an SME at all when a large enterprise or public body
    holds the ownership share that the definition disqualifies."""
    day = day or dt.date.today()
    rules = sme_rules()
    category, reasons = "large", []
    for candidate, timeline in rules.categories:
        limits = timeline.at(day)
        within_financial = (turnover_eur <= limits["turnover_eur_max"]
                            or balance_sheet_eur <= limits["balance_sheet_eur_max"])
        if employees < limits["employees_below"] and within_financial:
            category = candidate
            reasons.append(SmeReason("employees", {"employees": employees, "category": candidate,
                                                   "limit": limits["employees_below"]}))
            reasons.append(SmeReason("financial_ok", {"turnover": turnover_eur, "balance": balance_sheet_eur,
                                                      "category": candidate,
                                                      "turnover_limit": limits["turnover_eur_max"],
                                                      "balance_limit": limits["balance_sheet_eur_max"]}))
            break
    else:
        reasons.append(SmeReason("too_big", {"employees": employees}))
    limit = ownership_limit(day)
    owned = large_owner_pct >= limit
    if owned:
        reasons.append(SmeReason("owned", {"pct": large_owner_pct, "limit": limit}))
    return SmeResult(category=category, sme=category in SME_CATEGORIES and not owned, reasons=tuple(reasons))


_SME_FIELDS = ("employees", "turnover_eur", "balance_sheet_eur", "large_owner_pct", "date", "language")


def _number(data: Mapping, name: str, required: bool = True, whole: bool = False,
            maximum: Optional[float] = None) -> Any:
    value = data.get(name)
    if value is None:
        if required:
            raise InvalidInput(name, "is required")
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput(name, f"must be a number, not {value!r}")
    if whole and isinstance(value, float) and not value.is_integer():
        raise InvalidInput(name, f"must be a whole number, not {value!r}")
    if value < 0:
        raise InvalidInput(name, f"must be 0 or more, not {value!r}")
    if maximum is not None and value > maximum:
        raise InvalidInput(name, f"must be at most {maximum:g}, not {value!r}")
    return int(value) if whole else value


def classify_sme_json(data: Any, today: dt.date) -> tuple[SmeResult, str]:
    """The CLI's `sme` input object, validated field by field: the result, and the language its reasons are
    to be given in."""
    if not isinstance(data, Mapping):
        raise InvalidInput("input", f"must be a JSON object, not {type(data).__name__}")
    for name in data:
        if name not in _SME_FIELDS:
            raise InvalidInput(name, "is not a known field")
    language = parse_language(data.get("language"), default="en")
    day = today if data.get("date") is None else parse_iso_date(data["date"])
    result = classify_sme(employees=_number(data, "employees", whole=True),
                          turnover_eur=_number(data, "turnover_eur"),
                          balance_sheet_eur=_number(data, "balance_sheet_eur"),
                          large_owner_pct=_number(data, "large_owner_pct", required=False, maximum=100),
                          day=day)
    return result, language


def sme_questions(employees: Optional[int], turnover_eur: Optional[float], balance_sheet_eur: Optional[float],
                  owned: Optional[bool], day: dt.date) -> list[str]:
    """What a conversation still needs to ask to classify an enterprise, in order: the headcount, then
    the turnover unless the headcount already makes it large, the balance sheet only when the turnover
    alone does not settle the smallest category the headcount allows, and the ownership unless it is
    large anyway."""
    if employees is None:
        return ["employees"]
    limits = [timeline.at(day) for _, timeline in sme_rules().categories]
    fitting = [limit for limit in limits if employees < limit["employees_below"]]
    if not fitting:
        return []
    if turnover_eur is None:
        return ["turnover_eur"]
    needed = []
    if turnover_eur > fitting[0]["turnover_eur_max"] and balance_sheet_eur is None:
        needed.append("balance_sheet_eur")
    if owned is None:
        needed.append("owned")
    return needed


def classify_known(employees: int, turnover_eur: Optional[float], balance_sheet_eur: Optional[float],
                   owned: bool, day: dt.date) -> SmeResult:
    """classify_sme for what sme_questions asked: a financial figure left unasked cannot change the result,
    so it counts as the other one (turnover within a limit settles it whatever the balance sheet)."""
    turnover = turnover_eur if turnover_eur is not None else balance_sheet_eur
    balance = balance_sheet_eur if balance_sheet_eur is not None else turnover_eur
    return classify_sme(employees, turnover or 0, balance or 0, large_owner_pct=ownership_limit(day) if owned else 0,
                        day=day)
