"""The cluster's prioritisation of proposals (Innovasjonsrammen steps 4-5): weights and the number of proposals
to send come from the call text (25/35/20/20 %, "minimum to og maksimum fire prosjektforslag"); expected scores
below are worked out by hand from those weights."""
import datetime as dt
import shutil
from decimal import Decimal

import pytest
import yaml

from bot.rules.catalogue import CALLS_DIR, CatalogueError, catalogue, load_catalogue
from bot.rules.prioritise import (DEFAULT_SCALE, InvalidProposal, ProposalDraft, Scale, prioritise,
                                  prioritised_calls, weighted_criteria)
from bot.rules.profile import InvalidInput

DAY = dt.date(2015, 6, 1)
# A project that meets every rule of Innovasjonsrammen.
ELIGIBLE = {"applicant": "company", "goal": "innovation", "cluster_programme": "nce", "initiator_in_cluster": True,
            "companies": 3, "smes": 2, "foreign_companies": 0, "public_or_research_partners": False,
            "independent": True, "complementary": True, "budget_nok": 600000}


def call():
    return catalogue().call("innovasjonsrammen")


def scores(strategy, novelty, sustainability, delivery):
    return {"strategy": strategy, "novelty": novelty, "sustainability": sustainability, "delivery": delivery}


def draft(name, *four_scores, **facts):
    return ProposalDraft(name, {**ELIGIBLE, **facts}, scores(*four_scores) if four_scores else {})


def by_name(result):
    return {proposal.name: proposal for proposal in result.proposals}


def test_the_criteria_and_their_weights_are_the_call_texts():
    criteria = weighted_criteria(call())
    assert [(criterion.id, criterion.weight) for criterion in criteria] == [
        ("strategy", 0.25), ("novelty", 0.35), ("sustainability", 0.20), ("delivery", 0.20)]
    assert all(criterion.source.quote.endswith("%") for criterion in criteria)
    assert prioritised_calls(catalogue()) == (call(),)
    with pytest.raises(InvalidInput, match="no weights"):
        weighted_criteria(catalogue().call("innovation_express_2015"))


def test_the_weighted_score_is_on_the_clusters_scale():
    result = prioritise([draft("Havdrone", 5, 6, 4, 5), draft("Tareprotein", 4, 4, 4, 4)], call(), DEFAULT_SCALE, DAY)
    proposals = by_name(result)
    # 0.25*5 + 0.35*6 + 0.20*4 + 0.20*5 = 1.25 + 2.10 + 0.80 + 1.00
    assert proposals["Havdrone"].score == Decimal("5.15")
    assert proposals["Tareprotein"].score == Decimal("4.00")
    on_ten = prioritise([draft("Havdrone", 10, 0, 0, 0), draft("Tareprotein", 0, 10, 5, 5)], call(), Scale(0, 10), DAY)
    assert [proposal.score for proposal in on_ten.proposals] == [Decimal("5.50"), Decimal("2.50")]  # 3.5+1+1, 2.5


def test_rounding_to_two_decimals_is_half_up():
    # 0.25*4.5 + 0.35*5 + 0.20*4.5 + 0.20*5.5 = 1.125 + 1.75 + 0.9 + 1.1 = 4.875
    result = prioritise([draft("Havdrone", 4.5, 5, 4.5, 5.5)], call(), DEFAULT_SCALE, DAY)
    assert result.proposals[0].score == Decimal("4.88")


def test_the_best_four_eligible_are_sent_and_the_rest_wait():
    drafts = [draft(name, *row) for name, row in (("A", (3, 3, 3, 3)), ("B", (6, 6, 6, 6)), ("C", (5, 5, 5, 5)),
                                                  ("D", (4, 4, 4, 4)), ("E", (2, 2, 2, 2)))]
    result = prioritise(drafts, call(), DEFAULT_SCALE, DAY)
    assert (result.minimum, result.maximum) == (2, 4)  # "minimum to og maksimum fire prosjektforslag"
    assert [proposal.name for proposal in result.selected] == ["B", "C", "D", "A"]
    assert [(proposal.name, proposal.place, proposal.status) for proposal in result.proposals][-1] == ("E", 5, "reserve")
    assert not result.tied_at_cut and not result.too_few_eligible and not result.too_few_ranked


def test_the_weights_decide_the_order_not_the_plain_sum():
    # The same plain sum (18); novelty weighs 35 % against strategy's 25 %, so Tareprotein comes first
    result = prioritise([draft("Havdrone", 6, 2, 5, 5), draft("Tareprotein", 2, 6, 5, 5)], call(), DEFAULT_SCALE, DAY)
    proposals = by_name(result)
    assert proposals["Havdrone"].score == Decimal("4.20")  # 1.5 + 0.7 + 1.0 + 1.0
    assert proposals["Tareprotein"].score == Decimal("4.60")  # 0.5 + 2.1 + 1.0 + 1.0
    assert [proposal.name for proposal in result.selected] == ["Tareprotein", "Havdrone"]


def test_a_tie_shares_a_place():
    result = prioritise([draft("A", 6, 6, 6, 6), draft("B", 4, 4, 4, 4), draft("C", 4, 4, 4, 4), draft("D", 3, 3, 3, 3)],
                        call(), DEFAULT_SCALE, DAY)
    assert [(proposal.name, proposal.place) for proposal in result.proposals] == [("A", 1), ("B", 2), ("C", 2), ("D", 4)]
    assert len(result.selected) == 4 and not result.tied_at_cut


def test_a_tie_across_the_cut_is_left_to_the_cluster():
    drafts = [draft("A", 6, 6, 6, 6), draft("B", 5, 5, 5, 5), draft("C", 5, 5, 5, 5), draft("D", 4, 4, 4, 4),
              draft("E", 4, 4, 4, 4), draft("F", 4, 4, 4, 4)]
    result = prioritise(drafts, call(), DEFAULT_SCALE, DAY)
    assert [proposal.name for proposal in result.selected] == ["A", "B", "C"]
    assert [proposal.name for proposal in result.tied_at_cut] == ["D", "E", "F"]
    assert result.places_left == 1 and {proposal.place for proposal in result.tied_at_cut} == {4}


def test_fewer_than_two_eligible_is_said():
    result = prioritise([draft("A", 5, 5, 5, 5), draft("B", 6, 6, 6, 6, smes=1)], call(), DEFAULT_SCALE, DAY)
    assert result.eligible == 1 and result.too_few_eligible
    assert [proposal.name for proposal in result.selected] == ["A"]
    refused = by_name(result)["B"]
    assert refused.status == "not_eligible" and refused.place is None
    assert refused.score == Decimal("6.00")  # still shown, so the cluster sees what it loses
    assert [failed.rule.id for failed in refused.eligibility.failed] == ["half_are_smes"]


def test_a_missing_score_keeps_a_proposal_out_of_the_ranking_until_given():
    result = prioritise([draft("A", 5, 5, 5, 5), ProposalDraft("B", ELIGIBLE, {"strategy": 6, "novelty": 6})],
                        call(), DEFAULT_SCALE, DAY)
    waiting = by_name(result)["B"]
    assert (waiting.status, waiting.score, waiting.place) == ("unscored", None, None)
    assert waiting.missing_scores == ("sustainability", "delivery")
    assert result.eligible == 2 and not result.too_few_eligible and result.too_few_ranked


def test_a_proposal_with_facts_missing_is_undecided_and_says_which():
    result = prioritise([ProposalDraft("A", {"companies": 2, "smes": 1}, scores(5, 5, 5, 5))], call(), DEFAULT_SCALE, DAY)
    proposal = result.proposals[0]
    assert proposal.status == "undecided" and proposal.verdict == "unknown"
    assert {"applicant", "cluster_programme", "independent"} <= set(proposal.eligibility.missing)


@pytest.mark.parametrize("drafts, index, field, says", [
    ([draft("A", 5, 5, 5, 5), ProposalDraft("B", ELIGIBLE, {"inovation": 5})], 1, "inovation", "not a criterion"),
    ([draft("A", 7, 5, 5, 5)], 0, "strategy", "outside the scale 1-6"),
    ([draft("A", 0.5, 5, 5, 5)], 0, "strategy", "outside the scale 1-6"),
    ([ProposalDraft("A", ELIGIBLE, {"novelty": "high"})], 0, "novelty", "must be a number"),
    ([ProposalDraft("A", ELIGIBLE, {"novelty": True})], 0, "novelty", "must be a number"),
    ([ProposalDraft("A", {"companies": 2, "smes": 3})], 0, "smes", "more than the 2 companies"),
    ([ProposalDraft("A", {"employees": 3})], 0, "employees", "not a known field"),
    ([draft("A"), draft(" ")], 1, "name", "needs a name"),
    ([draft("Havdrone"), draft("havdrone ")], 1, "name", "also the name of proposal 1"),
])
def test_bad_input_names_the_proposal_and_the_field(drafts, index, field, says):
    with pytest.raises(InvalidProposal) as caught:
        prioritise(drafts, call(), DEFAULT_SCALE, DAY)
    assert (caught.value.index, caught.value.field) == (index, field) and says in caught.value.reason


def test_no_proposals_is_bad_input():
    with pytest.raises(InvalidInput, match="proposals"):
        prioritise([], call(), DEFAULT_SCALE, DAY)


@pytest.mark.parametrize("text, expected", [("1-6", Scale(1, 6)), ("0-10", Scale(0, 10)), (" 1 – 5 ", Scale(1, 5))])
def test_a_scale_is_read(text, expected):
    assert Scale.parse(text) == expected


@pytest.mark.parametrize("text", ["6-1", "3-3", "1..6", "one-six", "-1-6", ""])
def test_a_bad_scale_is_refused(text):
    with pytest.raises(InvalidInput, match="scale"):
        Scale.parse(text)


def test_a_draft_says_which_scores_it_still_needs():
    partial = ProposalDraft("A", {}, {"novelty": 4, "strategy": None})
    assert [criterion.id for criterion in partial.unscored(call())] == ["strategy", "sustainability", "delivery"]


# --- a later round is a data change ------------------------------------------------------------------------

def edited_catalogue(tmp_path, change):
    directory = tmp_path / "calls"
    shutil.copytree(CALLS_DIR, directory)
    path = directory / "innovasjonsrammen.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_catalogue(directory)


def test_a_later_round_with_other_weights_and_count_is_a_data_change(tmp_path):
    def next_round(data):
        for criterion, weight in zip(data["assessment"]["criteria"], (0.10, 0.60, 0.15, 0.15)):
            criterion["weight"] = weight
        data["parameters"]["max_proposals_per_cluster"]["values"][dt.date(2016, 1, 1)] = 3
    later = edited_catalogue(tmp_path, next_round).call("innovasjonsrammen")
    drafts = [draft("Havdrone", 6, 2, 5, 5), draft("Tareprotein", 2, 6, 5, 5), draft("C", 4, 4, 4, 4),
              draft("D", 3, 3, 3, 3)]
    result = prioritise(drafts, later, DEFAULT_SCALE, dt.date(2016, 6, 1))
    proposals = by_name(result)
    assert proposals["Havdrone"].score == Decimal("3.30")  # 0.6 + 1.2 + 0.75 + 0.75
    assert proposals["Tareprotein"].score == Decimal("5.30")  # 0.2 + 3.6 + 0.75 + 0.75
    assert result.maximum == 3 and [proposal.name for proposal in result.selected] == ["Tareprotein", "C", "Havdrone"]
    assert prioritise(drafts, later, DEFAULT_SCALE, DAY).maximum == 4  # the 2015 figure still holds in 2015


@pytest.mark.parametrize("change, says", [
    (lambda data: data["assessment"]["criteria"][0].pop("id"), "criteria[0].id: is missing"),
    (lambda data: data["assessment"]["criteria"][1].update(id="strategy"), "share an id"),
    (lambda data: data["assessment"]["criteria"][1].update(id="Nyhet"), "lower-case"),
    (lambda data: data["assessment"]["criteria"][2].pop("weight"), "every criterion has a weight or none"),
    (lambda data: data["assessment"]["criteria"][2].update(weight=0), "above 0"),
    (lambda data: data["assessment"]["criteria"][3].pop("short"), "criteria[3].short: is missing"),
    (lambda data: data["assessment"]["criteria"][3].update(source={"section": "X", "quote": "20 % til alle"}),
     "does not occur"),
])
def test_a_malformed_criterion_stops_the_load(tmp_path, change, says):
    with pytest.raises(CatalogueError, match=says.replace("[", r"\[").replace("]", r"\]")):
        edited_catalogue(tmp_path, change)
