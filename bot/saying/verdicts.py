"""Verdicts in words: the CLI's JSON explanation, the conversation's result, the reasoning trace and why a
question is asked, in nb or en.

Every sentence comes from data/messages.yaml or the calls catalogue, every figure from the catalogue.
Channels get plain text with light markdown (**bold**, line breaks), which web chat, Slack and Teams show.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from bot.resources import plain
from bot.rules.catalogue import Call, catalogue
from bot.rules.criteria import minimum_budget
from bot.rules.engine import Assessment, CallAssessment, RuleResult
from bot.rules.facts import country_labels, facts
from bot.saying.messages import message
from bot.saying.texts import format_nok, render


def _mark(ok: Optional[bool], language: str) -> str:
    return message(f"mark.{str(ok).lower() if ok is not None else 'null'}", language)


def fact_label(fact: str, language: str) -> str:
    return facts()[fact].label(language)


def _value_label(fact: str, value: Any, language: str) -> str:
    labels = facts()[fact].labels
    if isinstance(value, (list, tuple)):
        return ", ".join(_value_label(fact, item, language) for item in value) or "–"
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {count}" for key, count in value.items())
    if value in labels:
        return labels[value](language)
    if fact == "budget_nok":
        return format_nok(value, language)
    return str(value)


def minimum_budget_of(assessed: CallAssessment) -> Optional[int]:
    return None if assessed.floor_nok is None else minimum_budget(assessed.floor_nok, assessed.max_aid_intensity)


def grant_lines(assessed: CallAssessment, budget: Optional[float], language: str) -> list[str]:
    values = {"ceiling": assessed.ceiling_nok, "floor": assessed.floor_nok, "intensity": assessed.max_aid_intensity}
    lines = [message("result.grant_range" if assessed.floor_nok else "result.grant", language, **values)]
    if budget is None:
        lines.append(message("result.grant_unknown_budget", language))
    elif assessed.max_grant_nok is None:
        lines.append(message("result.below_floor", language, budget=budget, needed=minimum_budget_of(assessed)))
    else:
        lines.append(message("result.grant_for_budget", language, budget=budget, grant=assessed.max_grant_nok))
    return lines


def _reason_line(result: RuleResult, assessed: CallAssessment, language: str) -> str:
    reason = explain_rule(result, assessed.figures, language)
    return message("result.reason_fix" if "fix" in reason else "result.reason", language,
                   mark=_mark(result.ok, language), text=reason["text"], fix=reason.get("fix"), source=reason["source"])


def call_result(assessed: CallAssessment, language: str, skipped: Iterable[str] = ()) -> str:
    call = assessed.call
    lines = [message("result.call_header", language, name=call.name(language),
                     verdict=message(f"verdict.{assessed.verdict}", language),
                     status=status_text(assessed, language))]
    lines += [_reason_line(result, assessed, language) for result in assessed.results]
    lines += grant_lines(assessed, assessed.budget_nok, language)
    skipped = [fact for fact in assessed.missing if fact in frozenset(skipped)]
    unanswered = [fact for fact in assessed.missing if fact not in skipped]
    if assessed.verdict == "unknown" and unanswered:
        lines.append(message("result.missing", language, facts=", ".join(fact_label(f, language) for f in unanswered)))
    if skipped:
        lines.append(message("result.skipped", language, facts=", ".join(fact_label(f, language) for f in skipped)))
    return "\n".join(lines)


def result_messages(assessment: Assessment, language: str, skipped: Iterable[str] = ()) -> list[str]:
    """The full result: a summary, one block per call, and the best fit's next steps."""
    skipped = tuple(skipped)
    blocks = [summary(assessment, language)]
    blocks += [call_result(assessed, language, skipped) for assessed in assessment.calls]
    best = assessment.best_fit
    if best is not None:
        blocks.append(steps_text(best.call, language, assessment.profile.date, header="result.next_steps"))
    blocks.append(message("result.why_hint", language))
    return blocks


def steps_text(call: Call, language: str, day, header: str = "answer.steps") -> str:
    figures = call.figures(day)
    lines = [message(header, language, name=call.name(language))]
    lines += [f"{number}. {render(step(language), language, figures)}" for number, step in enumerate(call.steps, 1)]
    return "\n".join(lines)


def trace_messages(assessment: Assessment, language: str) -> list[str]:
    """The reasoning behind each verdict: each rule, the facts it read, its figures and its source."""
    blocks = []
    for assessed in assessment.calls:
        lines = [message("trace.header", language, name=assessed.call.name(language), date=assessment.profile.date,
                         verdict=message(f"verdict.{assessed.verdict}", language))]
        for result in assessed.results:
            reason = explain_rule(result, assessed.figures, language)
            read = ", ".join(f"{fact}={_value_label(fact, value, language) if value is not None else message('trace.unknown', language)}"
                             for fact, value in zip(result.rule.facts, result.values))
            parameters = ", ".join(f"{name}={value}" for name, value in reason["parameters"].items())
            lines.append(message("trace.rule", language, mark=_mark(result.ok, language), rule=reason["rule"],
                                 text=reason["text"], facts=read, parameters=parameters or message("trace.none", language),
                                 source=reason["source"], quote=reason["quote"]))
        blocks.append("\n".join(lines))
    return blocks


def why_we_ask(fact: str, language: str, day) -> str:
    """Why a question matters: the rules of each call that read the fact."""
    lines = [message("why_ask.intro", language, fact=fact_label(fact, language))]
    for call in catalogue().calls:
        figures = call.figures(day)
        for rule in call.rules:
            if fact in rule.facts:
                lines.append(message("why_ask.rule", language, call=call.name(language),
                                     text=render(rule.requirement(language), language, figures),
                                     source=rule.source.cite()))
    if fact == "budget_nok":
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


def country_label(code: str, language: str) -> str:
    labels = country_labels()
    return labels[code](language) if code in labels else code


def details_in_words(details: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A criterion's details as a fix sentence shows them: countries by name, "(+2)" for each one short."""
    words = dict(details)
    if isinstance(details.get("short"), tuple):
        words["short"] = ", ".join(f"{country_label(code, language)} (+{gap})" for code, gap in details["short"])
    if "not_counted" in details:
        words["not_counted"] = ", ".join(country_label(code, language) for code in details["not_counted"]) or "–"
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
        "ceiling_nok": assessed.ceiling_nok,
        "floor_nok": assessed.floor_nok,
        "max_grant_nok": assessed.max_grant_nok,
        "max_aid_intensity": assessed.max_aid_intensity,
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
