"""The EU SME definition's figures and kinds, as data/sme.yaml keeps them with their dates and Articles
(Commission Recommendation 2003/361/EC, Annex): the categories' limits, the holding thresholds and the investors of
Article 3(2). Loaded when first asked for, as every other loader; the classification is bot.rules.sme, the questions
a conversation asks bot.rules.sme_questions."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Optional

from bot.resources import DataError, load_yaml
from bot.rules.timeline import Timeline

CATEGORIES = ("micro", "small", "medium", "large")
SME_CATEGORIES = CATEGORIES[:3]
RELATIONSHIPS = ("autonomous", "partner", "linked", "excepted_investor", "public_control")
UNKNOWN = "unknown"  # a relationship the known facts do not settle
DIRECTIONS = ("owned", "owner")  # owned: the holder holds a share of the enterprise; owner: the enterprise holds a share of the other
ENTERPRISE, PUBLIC_BODY = "enterprise", "public_body"
INFINITY = math.inf
SME_FIGURES = ("employees", "turnover_eur", "balance_sheet_eur")


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


def investor_kinds() -> tuple[str, ...]:
    """The investors of Article 3(2)(a)-(d), by the names data/sme.yaml gives them."""
    return tuple(sme_rules().investors)


def holder_kinds() -> tuple[str, ...]:
    """Who may hold a share of an enterprise: another enterprise, a public body, or one of the investors."""
    return (ENTERPRISE, PUBLIC_BODY, *investor_kinds())


@lru_cache(maxsize=64)
def limits_on(day: dt.date) -> Limits:
    rules = sme_rules()
    holdings = {name: (article, timeline.at(day)) for name, (article, timeline) in rules.holdings.items()}

    def figures(investor: str) -> Mapping[str, float]:
        # most investors of Article 3(2) are excepted whatever their size; these two only below the figures given
        _, timeline = rules.investors[investor]
        if timeline is None:
            raise DataError(f"sme.yaml: investors.{investor} needs the `values` its limits come from")
        return timeline.at(day)

    angel, authority = figures("business_angel"), figures("local_authority")
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
