"""What the conversation says: results, reasoning traces and answers to one-off questions, in nb or en.

Every sentence comes from data/messages.yaml or the calls catalogue, every figure from the catalogue.
Channels get plain text with light markdown (**bold**, line breaks), which web chat, Slack and Teams show.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Optional

from bot.catalogue import PARTNER_TYPES, Call, catalogue
from bot.criteria import minimum_budget
from bot.engine import Assessment, CallAssessment, RuleResult, assess_call, explain_rule, status_text, summary
from bot.extract import keyword_pattern, vocabulary
from bot.messages import message
from bot.profile import facts, make_profile
from bot.sme import ownership_limit, sme_rules
from bot.texts import format_nok, render

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


def _minimum_budget(assessed: CallAssessment) -> Optional[int]:
    return None if assessed.floor_nok is None else minimum_budget(assessed.floor_nok, assessed.max_aid_intensity)


def _grant_lines(assessed: CallAssessment, budget: Optional[float], language: str) -> list[str]:
    values = {"ceiling": assessed.ceiling_nok, "floor": assessed.floor_nok, "intensity": assessed.max_aid_intensity}
    lines = [message("result.grant_range" if assessed.floor_nok else "result.grant", language, **values)]
    if budget is None:
        lines.append(message("result.grant_unknown_budget", language))
    elif assessed.max_grant_nok is None:
        lines.append(message("result.below_floor", language, budget=budget, needed=_minimum_budget(assessed)))
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
    lines += _grant_lines(assessed, assessed.budget_nok, language)
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


# --- one-off questions ----------------------------------------------------------------------------------

def calls_named_in(text: str) -> tuple[Call, ...]:
    """The calls a question names ("hva er innovasjonsrammen?"), or every call when it names none."""
    lowered = text.lower()
    named = tuple(call for call in catalogue().calls
                  if any(re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", lowered) for alias in call.aliases))
    return named or catalogue().calls


def partner_types_in(text: str) -> tuple[str, ...]:
    words = vocabulary()["partner_types"]
    lowered = text.lower()
    return tuple(kind for kind in PARTNER_TYPES if keyword_pattern(tuple(words[kind])).search(lowered))


def answer(topic: str, text: str, language: str, day, budget: Optional[float] = None) -> list[str]:
    """The answer to a one-off question on `topic`, for the calls the question names."""
    if topic == "sme_definition":
        return [_sme_definition(language, day)]
    calls = calls_named_in(text)
    if topic == "partner_rules":
        kinds = partner_types_in(text)
        if not kinds:
            return [message("answer.partner_overview", language)]
        return [_partner_answer(call, kind, language) for kind in kinds for call in calls if kind in call.partners]
    profile = make_profile({"budget_nok": budget} if budget else {}, date=day, language=language)
    return [_CALL_ANSWERS[topic](assess_call(call, profile), language) for call in calls]


def _partner_answer(call: Call, kind: str, language: str) -> str:
    rule = call.partners[kind]
    verdict = {True: "answer.partner_yes", False: "answer.partner_no", None: "answer.partner_unclear"}[rule.allowed]
    return message("answer.partner", language, name=call.name(language), answer=message(verdict, language),
                   note=rule.note(language), source=rule.source.cite())


def _sme_definition(language: str, day) -> str:
    rules = sme_rules()
    limits = {category: timeline.at(day) for category, timeline in rules.categories}
    return message("answer.sme_definition", language, source=rules.source,
                   micro_employees=limits["micro"]["employees_below"],
                   small_employees=limits["small"]["employees_below"],
                   small_turnover=limits["small"]["turnover_eur_max"],
                   small_balance=limits["small"]["balance_sheet_eur_max"],
                   medium_employees=limits["medium"]["employees_below"],
                   medium_turnover=limits["medium"]["turnover_eur_max"],
                   medium_balance=limits["medium"]["balance_sheet_eur_max"],
                   owner_pct=ownership_limit(day))


def _call_info(assessed: CallAssessment, language: str) -> str:
    call = assessed.call
    return message("answer.call_info", language, name=call.name(language), purpose=call.purpose(language),
                   who=call.who_may_apply(language), status=status_text(assessed, language))


def _max_grant(assessed: CallAssessment, language: str) -> str:
    name = assessed.call.name(language)
    values = {"ceiling": assessed.ceiling_nok, "intensity": assessed.max_aid_intensity}
    if assessed.floor_nok:
        text = message("answer.max_grant_range", language, name=name, floor=assessed.floor_nok,
                       needed=_minimum_budget(assessed), **values)
    else:
        text = message("answer.max_grant", language, name=name, **values)
    if assessed.budget_nok is None:
        return text
    return "\n".join([text, *_grant_lines(assessed, assessed.budget_nok, language)[1:]])


def _deadline(assessed: CallAssessment, language: str) -> str:
    call = assessed.call
    lines = [message("answer.deadline", language, name=call.name(language), status=status_text(assessed, language))]
    if {"matchmaking", "feedback", "earliest_start"} <= set(call.dates):
        lines.append(message("answer.dates", language, **assessed.figures))
    if call.dates_note is not None:
        lines.append(render(call.dates_note(language), language, assessed.figures))
    return "\n".join(lines)


def _process(assessed: CallAssessment, language: str) -> str:
    return steps_text(assessed.call, language, assessed.date)


def _activities(assessed: CallAssessment, language: str) -> str:
    call = assessed.call
    if not call.activities:
        return message("answer.activities_none", language, name=call.name(language))
    labels = facts()["activities"].labels
    return message("answer.activities", language, name=call.name(language),
                   activities="; ".join(labels[activity](language) for activity in call.activities))


def _criteria(assessed: CallAssessment, language: str) -> str:
    call = assessed.call
    lines = [message("answer.criteria", language, name=call.name(language), by=call.assessment_by(language))]
    for criterion in call.assessment_criteria:
        if criterion.weight is None:
            lines.append(message("answer.criterion", language, criterion=criterion.name(language)))
        else:
            lines.append(message("answer.criterion_weighted", language, criterion=criterion.name(language),
                                 weight=criterion.weight))
    return "\n".join(lines)


def _contact(assessed: CallAssessment, language: str) -> str:
    return call_contact(assessed.call, language)


def call_contact(call: Call, language: str) -> str:
    lines = [message("answer.contact", language, name=call.name(language),
                     contact=render(call.contact_text(language), language, call.contact))]
    if "url" in call.contact:
        lines.append(message("answer.contact_url", language, url=call.contact["url"]))
    return "\n".join(lines)


def service_unavailable(language: str) -> str:
    """The apology when the bot's own checks can't run: try again, or ask a person at one of the calls."""
    return "\n".join([message("service_unavailable", language),
                      *(call_contact(call, language) for call in catalogue().calls)])


_CALL_ANSWERS = {"call_info": _call_info, "max_grant": _max_grant, "deadline": _deadline,
                 "application_process": _process, "eligible_activities": _activities,
                 "assessment_criteria": _criteria, "contact": _contact}
