"""A prioritisation in words: a Markdown table for chat and for pasting into the cluster's priority template
(vedlegg 2 of the call), the same table as rows for a spreadsheet, and the question a guided chat asks for each score.

Every sentence comes from data/messages/prioritise.yaml (verdict words from verdicts.yaml), every weight and
count from the call's data.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Optional

from bot.rules.catalogue import WeightedCriterion
from bot.rules.prioritise import Prioritisation, ProposalDraft, RankedProposal, Scale
from bot.saying.messages import message
from bot.saying.texts import format_number
from bot.saying.verdicts import explain_rule, fact_label

VERDICT_MARK = {"eligible": "true", "not_eligible": "false", "unknown": "null"}


def score_text(score: Optional[Decimal], language: str) -> str:
    """A weighted score with its two decimals, in the language's decimal sign: 5,20 / 5.20."""
    if score is None:
        return "–"
    text = f"{score:.2f}"
    return text if language == "en" else text.replace(".", ",")


def criterion_label(criterion: WeightedCriterion, language: str) -> str:
    return message("prioritise.column.criterion", language, name=criterion.short(language), weight=criterion.weight)


def reasons(proposal: RankedProposal, result: Prioritisation, language: str) -> list[str]:
    """What keeps a proposal out: the fix for each rule it breaks, the facts still unknown, the scores missing."""
    if proposal.status == "not_eligible":
        figures = proposal.eligibility.figures
        return [explain_rule(failed, figures, language)["fix"] for failed in proposal.eligibility.failed]
    if proposal.status == "undecided":
        undecided = [result.rule for result in proposal.eligibility.results if result.ok is None]
        facts = ", ".join(fact_label(fact, language) for fact in proposal.eligibility.missing
                          if any(fact in rule.facts for rule in undecided))
        return [message("prioritise.reason.missing_facts", language, facts=facts)]
    if proposal.status == "unscored":
        labels = {criterion.id: criterion.short(language) for criterion in result.criteria}
        criteria = ", ".join(labels[criterion_id] for criterion_id in proposal.missing_scores)
        return [message("prioritise.reason.missing_scores", language, criteria=criteria)]
    return []


def header(result: Prioritisation, language: str) -> list[str]:
    return [message(f"prioritise.column.{key}", language) for key in ("place", "name")] + \
        [criterion_label(criterion, language) for criterion in result.criteria] + \
        [message(f"prioritise.column.{key}", language) for key in ("score", "verdict", "max_grant", "status",
                                                                   "reasons")]


def _row(proposal: RankedProposal, result: Prioritisation, language: str, number: Callable[[Any], Any],
         weighted: Callable[[Optional[Decimal]], Any], money: Callable[[Optional[int]], Any], verdict: str) -> list:
    scores = [number(proposal.scores.get(criterion.id)) for criterion in result.criteria]
    return [proposal.place or "", proposal.name, *scores, weighted(proposal.score), verdict,
            money(proposal.max_grant_nok), message(f"prioritise.status.{proposal.status}", language),
            "; ".join(reasons(proposal, result, language))]


def spreadsheet_rows(result: Prioritisation, language: str) -> list[list]:
    """The table for a spreadsheet (CSV, .xlsx): headers and words in the language, numbers as numbers (a Decimal for
    the weighted score, whose two decimals are exact), an empty cell where there is none."""
    def number(value):
        return "" if value is None else value
    return [header(result, language)] + [
        _row(proposal, result, language, number, number, number, message(f"verdict.{proposal.verdict}", language))
        for proposal in result.proposals]


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(result: Prioritisation, language: str) -> str:
    def given(score):
        return "–" if score is None else format_number(score, language)

    def weighted(score):
        return score_text(score, language)

    def money(grant):
        return "–" if grant is None else format_number(grant, language)

    def verdict(proposal):
        return (message(f"mark.{VERDICT_MARK[proposal.verdict]}", language) + " "
                + message(f"verdict.{proposal.verdict}", language))
    alignment = ["---:", "---"] + ["---:"] * (len(result.criteria) + 1) + ["---", "---:", "---", "---"]
    lines = ["| " + " | ".join(header(result, language)) + " |", "|" + "|".join(alignment) + "|"]
    lines += ["| " + " | ".join(_cell(value) for value in _row(proposal, result, language, given, weighted, money,
                                                               verdict(proposal))) + " |"
              for proposal in result.proposals]
    return "\n".join(lines)


def conclusion(result: Prioritisation, language: str) -> list[str]:
    """What to send, the warnings, and the rules the table was worked out by."""
    lines = [message("prioritise.send", language, minimum=result.minimum, maximum=result.maximum,
                     names=", ".join(f"{proposal.place}. {proposal.name}" for proposal in result.selected))
             if result.selected else message("prioritise.send_none", language)]
    if result.tied_at_cut:
        first = result.tied_at_cut[0]
        lines.append(message("prioritise.tie_at_cut", language, names=", ".join(proposal.name for proposal in result.tied_at_cut),
                             score=score_text(first.score, language), place=first.place, left=result.places_left))
    if result.too_few_eligible:
        lines.append(message("prioritise.too_few_eligible", language, eligible=result.eligible,
                             minimum=result.minimum))
    if result.too_few_ranked:
        lines.append(message("prioritise.too_few_ranked", language,
                             ranked=len(result.selected) + len(result.tied_at_cut), minimum=result.minimum))
    for status, key in (("unscored", "prioritise.waiting_scores"), ("undecided", "prioritise.waiting_facts")):
        waiting = result.with_status(status)
        if waiting:
            lines.append(message(key, language, names=", ".join(proposal.name for proposal in waiting)))
    lines.append(message("prioritise.rules", language, maximum=result.maximum))
    return lines


def prioritisation_messages(result: Prioritisation, language: str) -> list[str]:
    """The whole prioritisation as chat messages: title and basis, the table, then what to send and why."""
    weights = ", ".join(message("prioritise.weight", language, name=criterion.short(language), weight=criterion.weight)
                        for criterion in result.criteria)
    intro = "\n".join([message("prioritise.title", language, call=result.call.name(language)),
                       message("prioritise.basis", language, date=result.day, low=result.scale.low,
                               high=result.scale.high, weights=weights)])
    return [intro, markdown_table(result, language), "\n".join(conclusion(result, language))]


def chat_messages(result: Prioritisation, language: str) -> list[str]:
    """The prioritisation for a chat, where a table does not fit: each proposal on a line of its own, with its
    place, weighted score and status, then what to send and why."""
    lines = [message("prioritise.title", language, call=result.call.name(language))]
    for proposal in result.proposals:
        line = message("prioritise.line", language, place=f"{proposal.place}." if proposal.place else "–",
                       name=proposal.name, score=score_text(proposal.score, language),
                       status=message(f"prioritise.status.{proposal.status}", language))
        if proposal.max_grant_nok is not None:
            line = message("prioritise.line_grant", language, line=line, grant=proposal.max_grant_nok)
        why = reasons(proposal, result, language)
        lines.append(line + (f" ({'; '.join(why)})" if why else ""))
    return ["\n".join(lines), "\n".join(conclusion(result, language))]


def markdown(result: Prioritisation, language: str) -> str:
    return "\n\n".join(prioritisation_messages(result, language)) + "\n"


def score_question(draft: ProposalDraft, criterion: WeightedCriterion, scale: Scale, language: str) -> str:
    """A guided chat's question for one score of one proposal."""
    return message("prioritise.ask_score", language, name=draft.name, criterion=criterion.name(language),
                   weight=criterion.weight, low=scale.low, high=scale.high)
