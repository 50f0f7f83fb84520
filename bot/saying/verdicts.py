"""Verdicts in words: facts and values as people read them, the grant, why a question is asked, and the CLI's
JSON explanation, in nb or en.

Every sentence comes from data/messages.yaml or the calls catalogue, every figure from the catalogue.
Channels get plain text with light markdown (**bold**, line breaks), which web chat, Slack and Teams show.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from bot.resources import plain
from bot.rules.catalogue import Call, catalogue
from bot.rules.engine import Assessment, CallAssessment, Grant, RuleResult
from bot.rules.facts import BUDGET, country_labels, facts
from bot.saying.messages import message
from bot.saying.texts import format_nok, format_number, render


def mark(ok: Optional[bool], language: str) -> str:
    return message(f"mark.{str(ok).lower() if ok is not None else 'null'}", language)


def fact_label(fact: str, language: str) -> str:
    return facts()[fact].label(language)


def country_label(code: str, language: str) -> str:
    labels = country_labels()
    return labels[code](language) if code in labels else code


def value_text(fact: str, value: Any, language: str) -> str:
    """A fact's value as a person reads it: labels for choices, countries by name, money in NOK, yes or no."""
    spec = facts()[fact]
    if spec.type == "bool":
        return message(f"conversation.yes_no.{'yes' if value else 'no'}", language)
    if spec.type == "countries":
        return ", ".join(country_label(code, language) for code in value) or "–"
    if spec.type == "country_counts":
        return ", ".join(f"{country_label(code, language)}: {count}" for code, count in value.items()) or "–"
    if spec.type == "enum_list":
        return ", ".join(spec.labels[item](language) for item in value) or "–"
    if spec.type == "enum":
        return spec.labels[value](language)
    if spec.type == "amount":
        return format_nok(value, language)
    return format_number(value, language)


def grant_for_budget_line(grant: Grant, language: str) -> str:
    """What the call gives for this budget: the most, that it falls below the floor, or that the budget is not known."""
    if grant.budget is None:
        return message("result.grant_unknown_budget", language)
    key = "result.below_floor" if grant.for_budget is None else "result.grant_for_budget"
    return message(key, language, **grant.placeholders())


def steps_text(call: Call, language: str, day, header: str = "answer.steps") -> str:
    figures = call.figures(day)
    lines = [message(header, language, name=call.name(language))]
    lines += [f"{number}. {render(step(language), language, figures)}" for number, step in enumerate(call.steps, 1)]
    return "\n".join(lines)


def why_we_ask(fact: str, day, language: str) -> str:
    """Why a question matters: the rules of each call that read the fact."""
    lines = [message("why_ask.intro", language, fact=fact_label(fact, language))]
    for call in catalogue().calls:
        figures = call.figures(day)
        for rule in call.rules:
            if fact in rule.facts:
                lines.append(message("why_ask.rule", language, call=call.name(language),
                                     text=render(rule.requirement(language), language, figures),
                                     source=rule.source.section))
    if fact == BUDGET:
        lines.append(message("why_ask.grant", language))
    return "\n".join(lines)


# --- the explanation (the CLI's JSON) ------------------------------------------------------------------

def explain_rule(result: RuleResult, figures: Mapping[str, Any], language: str) -> dict:
    rule = result.rule
    explained = {
        "rule": rule.id,
        "ok": result.ok,
        "text": render(rule.requirement(language), language, figures),
        "source": rule.source.cite(),
        "quote": rule.source.quote,
        "facts": {fact: plain(result_value) for fact, result_value in zip(rule.facts, result.values)},
        "parameters": {parameter: figures[parameter] for parameter in rule.params.values()},
    }
    if result.ok is False:
        explained["fix"] = render(rule.fix(language), language, {**figures, **details_in_words(result.details, language)})
    if rule.interpretation is not None:
        explained["interpretation"] = render(rule.interpretation(language), language, figures)
    return explained


def details_in_words(details: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A criterion's details as a fix sentence shows them: countries by name, "(+2)" for each one short."""
    words = dict(details)
    if isinstance(details.get("short"), tuple):
        words["short"] = ", ".join(f"{country_label(code, language)} (+{gap})" for code, gap in details["short"])
    return words


def status_text(assessed: CallAssessment, language: str) -> str:
    return message(f"status.{assessed.status}", language, **assessed.figures)


def explain_call(assessed: CallAssessment, language: str) -> dict:
    call = assessed.call
    return {
        "call": call.id,
        "name": call.name(language),
        "verdict": assessed.verdict,
        "verdict_text": message(f"verdict.{assessed.verdict}", language),
        "status": assessed.status,
        "status_text": status_text(assessed, language),
        "ceiling_nok": assessed.grant.ceiling,
        "floor_nok": assessed.grant.floor,
        "max_grant_nok": assessed.max_grant_nok,
        "max_aid_intensity": assessed.grant.intensity,
        "reasons": [explain_rule(result, assessed.figures, language) for result in assessed.results],
        "missing": list(assessed.missing),
    }


def summary(assessment: Assessment, language: str) -> str:
    """One line: the best fit among the calls one can still apply to, and a closed call that would have fitted."""
    best = assessment.best_fit
    if best is None:
        parts = [message("summary.none", language)]
    else:
        parts = [message("summary.best_fit", language, call=best.call.name(language),
                         verdict=message(f"verdict.{best.verdict}", language))]
        if best.max_grant_nok is not None:
            parts.append(message("summary.max_grant", language, grant=best.max_grant_nok))
    for closed in assessment.calls:
        if not closed.open_to_applicants and closed.verdict == "eligible":
            parts.append(message("summary.closed_would_have_fitted", language, call=closed.call.name(language),
                                 **closed.figures))
    return " ".join(parts)


def explain(assessment: Assessment, language: Optional[str] = None) -> dict:
    """The assessment as the CLI's JSON object (and what the conversation renders)."""
    language = language or assessment.profile.language
    return {
        "date": assessment.profile.date.isoformat(),
        "language": language,
        "calls": [explain_call(item, language) for item in assessment.calls],
        "best_fit": assessment.best_fit.call.id if assessment.best_fit else None,
        "next_facts": list(assessment.next_facts),
        "summary": summary(assessment, language),
    }
