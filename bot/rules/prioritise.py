"""The cluster's prioritisation of its companies' proposals (Innovasjonsrammen, steps 4 and 5 of the call):
each proposal's eligibility from the engine, its weighted score on the cluster's own scale, a ranking, and the
proposals to send. Structured data in and out; bot.saying.prioritise puts it into words.

The call gives the weights and how many proposals to send; it says nothing about scales, missing scores or
ties. The rules applied here, which the output states:
- a proposal's score is the sum of weight x score over the criteria, on the cluster's scale, rounded to two
  decimals; proposals with the same rounded score share a place;
- a proposal without a score for every criterion is not ranked until the scores are given (a missing score
  is not read as the lowest, which would hide it);
- only eligible proposals with every score are ranked; one whose eligibility is undecided (facts missing) or
  that breaks a rule is listed with what is missing or what to fix;
- the proposals to send are the best ranked, at most the call's maximum; a tie across that cut is not broken
  here: the tied proposals are named and the cluster chooses among them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Mapping, Optional, Sequence

from bot.rules.catalogue import Call, Catalogue, WeightedCriterion
from bot.rules.criteria import exact
from bot.rules.engine import CallAssessment, assess_call
from bot.rules.facts import BUDGET, ask_rank, facts
from bot.rules.profile import InvalidInput, make_profile, shown

MIN_PROPOSALS = "min_proposals_per_cluster"
MAX_PROPOSALS = "max_proposals_per_cluster"
SCORE_DECIMALS = Decimal("0.01")


def cluster_facts(call: Call) -> tuple[str, ...]:
    """The facts the call's rules read that are the cluster's: asked once for all its proposals."""
    return tuple(fact for fact in _read_by(call) if facts()[fact].of_the_cluster)


def usual_answers(call: Call) -> dict[str, bool]:
    """The yes-or-no facts the call's rules read, each with the answer its rule passes on: most proposals pass them
    all, so they are asked as one question, and one by one only when that answer is no."""
    passing = {rule.facts[0]: rule.criterion == "is_true" for rule in call.rules
               if rule.criterion in ("is_true", "is_false") and facts()[rule.facts[0]].asked}
    return {fact: passing[fact] for fact in sorted(passing, key=ask_rank().__getitem__)}


def proposal_facts(call: Call) -> tuple[str, ...]:
    """The facts asked of each proposal one by one: those the call's rules read that are asked, neither the
    cluster's nor a usual yes or no, and the budget its grant needs."""
    usual = usual_answers(call)
    return tuple(fact for fact in (*_read_by(call), BUDGET) if facts()[fact].asked
                 and not facts()[fact].of_the_cluster and fact not in usual)


def _read_by(call: Call) -> tuple[str, ...]:
    return tuple(sorted({fact for rule in call.rules for fact in rule.facts}, key=ask_rank().__getitem__))


@dataclass(frozen=True)
class Scale:
    """The cluster's scoring scale: whole numbers from `low` to `high`, any score in between allowed."""

    low: int = 1
    high: int = 6

    def __post_init__(self) -> None:
        if not (isinstance(self.low, int) and isinstance(self.high, int) and 0 <= self.low < self.high):
            raise InvalidInput("scale", f"{self.low}-{self.high} is not a scale MIN-MAX of whole numbers, MIN < MAX")

    @classmethod
    def parse(cls, text: str) -> "Scale":
        match = re.fullmatch(r"\s*(\d+)\s*[-–]\s*(\d+)\s*", text or "")
        if not match:
            raise InvalidInput("scale", f"{shown(text)} is not a scale such as 1-6")
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.low}-{self.high}"


DEFAULT_SCALE = Scale()


class InvalidProposal(InvalidInput):
    """A proposal that cannot be taken as it is: `index` is its place in the input (0 for the first)."""

    def __init__(self, index: int, name: str, field_name: str, reason: str):
        super().__init__(field_name, reason)
        self.index = index
        self.name = name


@dataclass(frozen=True)
class ProposalDraft:
    """A proposal as the cluster gives it: a name, any of the project facts the engine reads (bot/data/facts.yaml)
    and a score per criterion id. Nothing is checked before prioritise()."""

    name: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    scores: Mapping[str, Any] = field(default_factory=dict)

    def unscored(self, call: Call) -> tuple[WeightedCriterion, ...]:
        """The call's criteria this draft has no score for yet, in the call's order: a guided chat's next questions."""
        return tuple(criterion for criterion in weighted_criteria(call) if self.scores.get(criterion.id) is None)


@dataclass(frozen=True)
class RankedProposal:
    name: str
    facts: Mapping[str, Any]
    scores: Mapping[str, float]  # the scores given, by criterion id
    eligibility: CallAssessment  # the engine's verdict for the call, its failing rules and missing facts
    missing_scores: tuple[str, ...]  # criterion ids without a score
    score: Optional[Decimal]  # weighted, on the scale, two decimals; None while a score is missing
    place: Optional[int]  # among the ranked proposals, shared by a tie; None when not ranked
    status: str  # selected | tied_at_cut | reserve | unscored | undecided | not_eligible

    @property
    def verdict(self) -> str:
        return self.eligibility.verdict

    @property
    def max_grant_nok(self) -> Optional[int]:
        """The most the call can give for the proposal's budget, as the check's verdict gives it: none for a proposal
        that breaks a rule, nor while the budget is unknown or too small for the call's floor."""
        return None if self.verdict == "not_eligible" else self.eligibility.max_grant_nok


@dataclass(frozen=True)
class Prioritisation:
    call: Call
    day: dt.date
    scale: Scale
    criteria: tuple[WeightedCriterion, ...]
    minimum: int  # proposals the cluster sends at least
    maximum: int  # and at most
    proposals: tuple[RankedProposal, ...]  # the ranked by place, then the others in the order given

    def with_status(self, *statuses: str) -> tuple[RankedProposal, ...]:
        return tuple(proposal for proposal in self.proposals if proposal.status in statuses)

    @property
    def selected(self) -> tuple[RankedProposal, ...]:
        """The proposals to send, best first."""
        return self.with_status("selected")

    @property
    def tied_at_cut(self) -> tuple[RankedProposal, ...]:
        """Proposals sharing the last place to send, more of them than places left: the cluster chooses."""
        return self.with_status("tied_at_cut")

    @property
    def places_left(self) -> int:
        """How many of the tied proposals can still be sent."""
        return self.maximum - len(self.selected) if self.tied_at_cut else 0

    @property
    def eligible(self) -> int:
        return sum(proposal.verdict == "eligible" for proposal in self.proposals)

    @property
    def too_few_eligible(self) -> bool:
        return self.eligible < self.minimum

    @property
    def too_few_ranked(self) -> bool:
        """Enough eligible proposals, but too few of them with every score to send the minimum."""
        return not self.too_few_eligible and len(self.selected) + len(self.tied_at_cut) < self.minimum


def weighted_criteria(call: Call) -> tuple[WeightedCriterion, ...]:
    """The criteria the cluster scores proposals on, with their ids, labels and weights from the call's data
    (a call weights all its criteria or none: bot.rules.catalogue)."""
    criteria = tuple(criterion for criterion in call.assessment_criteria if isinstance(criterion, WeightedCriterion))
    if not criteria:
        raise InvalidInput("call", f"{call.id} gives its assessment criteria no weights")
    return criteria


def prioritised_calls(calls: Catalogue) -> tuple[Call, ...]:
    """The calls in which the cluster scores and sends its companies' proposals: weighted criteria and a number
    of proposals to send."""
    return tuple(call for call in calls.calls if call.assessment_criteria and
                 call.assessment_criteria[0].weight is not None and
                 {MIN_PROPOSALS, MAX_PROPOSALS} <= set(call.parameters))


def _score(index: int, name: str, criterion_id: str, value: Any, scale: Scale) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidProposal(index, name, criterion_id, f"must be a number on the scale {scale}, not {shown(value)}")
    # compared as given, never converted first: an int of 400 digits overflows a float; NaN fails the comparison
    if not scale.low <= value <= scale.high:
        raise InvalidProposal(index, name, criterion_id, f"{shown(value)} is outside the scale {scale}")
    return value


def _weighted(scores: Mapping[str, float], criteria: Sequence[WeightedCriterion]) -> Decimal:
    total = sum((exact(criterion.weight) * exact(scores[criterion.id]) for criterion in criteria), Fraction(0))
    return (Decimal(total.numerator) / Decimal(total.denominator)).quantize(SCORE_DECIMALS, ROUND_HALF_UP)


def _checked(index: int, draft: ProposalDraft, call: Call, criteria: Sequence[WeightedCriterion], scale: Scale,
             day: dt.date) -> RankedProposal:
    name = draft.name.strip() if isinstance(draft.name, str) else ""
    if not name:
        raise InvalidProposal(index, name, "name", "every proposal needs a name")
    try:
        profile = make_profile(draft.facts, date=day)
    except InvalidInput as error:
        raise InvalidProposal(index, name, error.field, error.reason) from None
    ids = [criterion.id for criterion in criteria]
    for criterion_id in draft.scores:
        if criterion_id not in ids:
            raise InvalidProposal(index, name, str(criterion_id),
                                  f"is not a criterion of {call.id}: {', '.join(ids)}")
    scores = {criterion_id: _score(index, name, criterion_id, draft.scores.get(criterion_id), scale)
              for criterion_id in ids}
    given = {criterion_id: value for criterion_id, value in scores.items() if value is not None}
    missing = tuple(criterion_id for criterion_id in ids if criterion_id not in given)
    eligibility = assess_call(call, profile)
    status = {"not_eligible": "not_eligible", "unknown": "undecided"}.get(eligibility.verdict,
                                                                        "unscored" if missing else "ranked")
    return RankedProposal(name=name, facts=profile.facts, scores=given, eligibility=eligibility,
                          missing_scores=missing, score=None if missing else _weighted(given, criteria),
                          place=None, status=status)


def _best_first(proposal: RankedProposal) -> Decimal:
    assert proposal.score is not None  # only a proposal with every score is ranked (_checked)
    return -proposal.score


def _placed(ranked: list[RankedProposal], maximum: int) -> list[RankedProposal]:
    """Best first, places shared by equal scores (1, 2, 2, 4); the first `maximum` are sent unless the last of
    them ties with the next, in which case that tie is left to the cluster."""
    ranked = sorted(ranked, key=_best_first)  # stable: a tie keeps the order given
    cut_score = ranked[maximum - 1].score if len(ranked) > maximum else None
    tie_at_cut = cut_score is not None and ranked[maximum].score == cut_score
    placed: list[RankedProposal] = []
    for position, proposal in enumerate(ranked):
        place = position + 1 if position == 0 or proposal.score != ranked[position - 1].score else placed[-1].place
        if tie_at_cut and proposal.score == cut_score:
            status = "tied_at_cut"
        else:
            status = "selected" if position < maximum else "reserve"
        placed.append(replace(proposal, place=place, status=status))
    return placed


def prioritise(drafts: Sequence[ProposalDraft], call: Call, scale: Scale, day: dt.date) -> Prioritisation:
    """The proposals assessed against `call` on `day`, scored on `scale`, ranked, and the ones to send.
    Raises InvalidProposal naming the proposal and the field of the first bad entry."""
    criteria = weighted_criteria(call)
    if not drafts:
        raise InvalidInput("proposals", "there are none")
    checked = [_checked(index, draft, call, criteria, scale, day) for index, draft in enumerate(drafts)]
    seen: set[str] = set()
    for index, proposal in enumerate(checked):
        if proposal.name.casefold() in seen:
            raise InvalidProposal(index, proposal.name, "name", "another proposal above has the same name")
        seen.add(proposal.name.casefold())
    figures = call.figures(day)
    minimum, maximum = figures[MIN_PROPOSALS], figures[MAX_PROPOSALS]
    ranked = [proposal for proposal in checked if proposal.status == "ranked"]
    others = [proposal for proposal in checked if proposal.status != "ranked"]
    return Prioritisation(call=call, day=day, scale=scale, criteria=criteria, minimum=minimum, maximum=maximum,
                          proposals=tuple(_placed(ranked, maximum) if ranked else []) + tuple(others))
