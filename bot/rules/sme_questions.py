"""Goal-driven questions about one enterprise's SME status: which facts a conversation still needs, in asking order,
until no answer could change the verdict (bot.rules.sme.classify)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Optional

from bot.resources import DataError
from bot.rules.sme import Enterprise, Figures, Holding, SmeResult, classify
from bot.rules.sme_definition import ENTERPRISE, INFINITY, PUBLIC_BODY, investor_kinds, limits_on, sme_rules


@dataclass(frozen=True)
class SmeQuestion:
    """A fact the conversation can ask, and how its answer is read: count, amount (EUR), percent, yes_no, or
    choice among `values`."""
    fact: str
    type: str
    values: tuple[str, ...] = ()
    maximum: Optional[int] = None  # a count's or an amount's largest figure read at all


@lru_cache(maxsize=None)
def sme_questions_asked() -> tuple[SmeQuestion, ...]:
    """Every fact sme_step may ask, in the order it asks them (data/sme.yaml)."""
    questions = tuple(SmeQuestion(fact=name, type=spec["type"], values=tuple(spec.get("values", ())),
                                  maximum=spec.get("maximum"))
                      for name, spec in sme_rules().questions.items())
    for question in questions:
        if (question.type in ("count", "amount")) != isinstance(question.maximum, int):
            raise DataError(f"sme.yaml: questions.{question.fact}: a count or an amount needs a whole `maximum`, "
                            f"and only they have one")
    return questions


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
    "holder_in_management": lambda known: known.get("holder_controls") is True and known.get("holder_kind") in investor_kinds(),
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
