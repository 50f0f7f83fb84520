"""The conversation's own words: questions and their buttons, confirmations, the short verdict that fits a phone
screen (with a card for the channels that draw one), and the full reasoning on "why?"."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable, Mapping, Optional, Sequence

from bot.rules.catalogue import ROLES, Call
from bot.rules.engine import Assessment, CallAssessment
from bot.rules.facts import facts
from bot.rules.money import budget_rate
from bot.saying.messages import message
from bot.saying.money import converted_to_nok
from bot.saying.texts import format_number, render
from bot.saying.verdicts import country_label, details_in_words, fact_label, mark, status_text, value_text, why_we_ask

MOST_FIXES = 2  # per call in the verdict; the rest on "why?"


def say(path: str, language: str, **values: Any) -> str:
    return message(f"conversation.{path}", language, **values)


def facts_list(values: Mapping[str, Any], language: str) -> str:
    """"antall bedrifter: 4; antall SMB-er: 3": the project's facts (who is asking is not one of them)."""
    return "; ".join(f"{fact_label(fact, language)}: {value_text(fact, value, language)}" for fact, value in values.items()
                     if fact in facts() and fact != "asker")


# --- questions ---------------------------------------------------------------------------------------------------

def options(fact: str) -> tuple[str, ...]:
    """The choices of a question, in the order they are shown and numbered."""
    return facts()[fact].values if facts()[fact].type in ("enum", "enum_list") else ()


def question(fact: str, language: str, again: bool = False, options: Sequence[str] = ()) -> str:
    """The question for a fact; asked again it is shorter, with its choices numbered so "2" answers it."""
    spec = facts()[fact]
    text = (spec.again if again else spec.question)(language)
    if again and options:
        text += "\n" + "\n".join(f"{number}. {spec.labels[value](language)}" for number, value in enumerate(options, 1))
    return text


def answer_buttons(fact: str, shown: Sequence[str], language: str) -> tuple[tuple[str, str], ...]:
    """The quick replies of a question, as (title, payload): yes/no/not sure, or one per choice shown."""
    spec = facts()[fact]
    if spec.type == "bool":
        return ((say("button.yes", language), "/affirm"), (say("button.no", language), "/deny"),
                (say("button.unsure", language), "/skip_question"))
    return tuple((spec.labels[value](language), "/inform" + json.dumps({"choice": value})) for value in shown)


def confirm(fact: str, value: Any, language: str) -> str:
    return say("confirm", language, fact=fact_label(fact, language), value=value_text(fact, value, language))


def converted(eur: float, day: dt.date, language: str) -> str:
    """A budget given in euro, in kroner at the rate of the latest year before the day, rate and year said."""
    return converted_to_nok(eur, budget_rate(day), language)


def _contact(call: Call, language: str) -> str:
    return render(call.contact_text(language), language, call.contact)


def _whom_to_ask(call: Call, language: str) -> str:
    return call.ask(language)


def closed_offer(call: Call, day: dt.date, language: str) -> str:
    return say("closed_offer", language, call=call.name(language), purpose=call.purpose(language).rstrip("."),
               contact=_contact(call, language), **call.figures(day))


# --- the verdict ---------------------------------------------------------------------------------------------

def _role(asker: Optional[str]) -> str:
    return "cluster_organisation" if asker in ("cluster_organisation", "business_network") else ROLES[0]


def _grant_line(item: CallAssessment, language: str) -> Optional[str]:
    if item.verdict == "not_eligible":
        return None
    values = {"ceiling": item.ceiling_nok, "floor": item.floor_nok, "intensity": item.max_aid_intensity,
              "grant": item.max_grant_nok, "status": status_text(item, language).capitalize()}
    if item.budget_nok is None:
        return say("verdict.grant_no_budget", language, **values)
    if item.floor_nok and item.max_grant_nok is not None:
        return say("verdict.grant_range", language, **values)
    if item.max_grant_nok is None:
        return None  # below the floor: the failing rule says what budget it takes
    return say("verdict.grant", language, **values)


def _fix_lines(item: CallAssessment, language: str) -> list[str]:
    lines = []
    for result in item.failed[:MOST_FIXES]:
        fix = render(result.rule.fix(language), language, {**item.figures,
                                                            **details_in_words(result.details, language)})
        if result.rule.interpretation is not None:
            lines.append(say("verdict.fix_interpretation", language, fix=fix, contact=_whom_to_ask(item.call, language)))
        else:
            lines.append(say("verdict.fix", language, fix=fix))
    if len(item.failed) > MOST_FIXES:
        lines.append(say("verdict.more_fixes", language, count=len(item.failed) - MOST_FIXES))
    return lines


def _call_block(item: CallAssessment, left_open: Iterable[str], language: str) -> list[str]:
    call = item.call
    if item.open_to_applicants:
        lines = [say("verdict.call", language, mark=mark(_ok(item), language), call=call.name(language),
                     verdict=message(f"verdict.{item.verdict}", language))]
    else:
        lines = [say("verdict.call_closed", language, mark=mark(_ok(item), language), call=call.name(language),
                     verdict=say(f"verdict.closed_verdict.{item.verdict}", language), **item.figures)]
    grant = _grant_line(item, language)
    if grant:
        lines.append(grant)
    lines += _fix_lines(item, language)
    unlisted = tuple(dict.fromkeys(code for result in item.results if result.ok is None
                                   for code in result.details.get("unlisted", ())))
    if unlisted:
        lines.append(say("verdict.unlisted", language, countries=", ".join(country_label(code, language) for code in unlisted),
                         contact=_whom_to_ask(call, language)))
    if item.verdict == "unknown":
        open_facts = [fact for fact in item.missing if fact in left_open]
        asked = [fact for fact in item.missing if fact not in left_open]
        if asked:
            lines.append(say("verdict.missing", language, facts=", ".join(fact_label(f, language) for f in asked)))
        if open_facts:
            lines.append(say("verdict.left_open", language, facts=", ".join(fact_label(f, language) for f in open_facts),
                             contact=_whom_to_ask(call, language)))
    return lines


def _ok(item: CallAssessment) -> Optional[bool]:
    return {"eligible": True, "not_eligible": False}.get(item.verdict)


def _shown(assessment: Assessment, closed_to_check: Sequence[str]) -> list[CallAssessment]:
    """The calls the verdict is about: those one can apply to, and a closed round the user asked about or that
    would have fitted."""
    return [item for item in assessment.calls if item.open_to_applicants or item.call.id in closed_to_check
            or item.verdict == "eligible"]


def verdict(assessment: Assessment, closed_to_check: Sequence[str], left_open: Sequence[str], asker: Optional[str],
            language: str) -> tuple[str, dict]:
    """The result in about twelve short lines, and the same as a card: per call the mark and verdict, the grant
    for the budget and the call's status, the one or two things to change; then the next step and what was
    assumed."""
    lines = [say("verdict.title", language)]
    sections = []
    for item in _shown(assessment, closed_to_check):
        block = _call_block(item, left_open, language)
        lines += block
        sections.append({"heading": item.call.name(language), "mark": mark(_ok(item), language),
                         "lines": block[1:], "summary": block[0]})
    best = assessment.best_fit
    if best is None:
        lines.append(say("verdict.none_open", language))
    elif best.verdict == "eligible":
        step = render(best.call.next_step[_role(asker)](language), language, best.figures)
        lines.append(say("verdict.next_step", language, step=step))
    inferred = {fact: assessment.profile.get(fact) for fact in sorted(assessment.profile.inferred)}
    if inferred:
        lines.append(say("verdict.assumed", language, facts=facts_list(inferred, language)))
    lines.append(say("verdict.why_hint", language))
    card = {"title": say("verdict.title", language).strip("*"), "sections": sections, "footer": lines[-1]}
    return "\n".join(lines), card


# --- the full reasoning ------------------------------------------------------------------------------------------

def trace(assessment: Assessment, closed_to_check: Sequence[str], language: str) -> list[str]:
    """Every rule of every call the verdict was about: passed or not, what the user said that it read, the
    sentence of the call it comes from, and our reading where it goes beyond the text. One message per call."""
    blocks = []
    profile = assessment.profile
    for item in _shown(assessment, closed_to_check):
        lines = [say("trace.header", language, call=item.call.name(language), date=profile.date,
                     verdict=message(f"verdict.{item.verdict}", language)
                     if item.open_to_applicants else say(f"verdict.closed_verdict.{item.verdict}", language))]
        for result in item.results:
            rule = result.rule
            lines.append(say("trace.rule", language, mark=mark(result.ok, language),
                             text=render(rule.requirement(language), language, item.figures)))
            said = {fact: value for fact, value in zip(rule.facts, result.values)
                    if value is not None and fact not in profile.inferred}
            assumed = {fact: value for fact, value in zip(rule.facts, result.values)
                       if value is not None and fact in profile.inferred}
            if said:
                lines.append(say("trace.read", language, facts=facts_list(said, language)))
            if assumed:
                lines.append(say("trace.assumed", language, facts=facts_list(assumed, language)))
            if result.details.get("not_stated"):
                lines.append(say("trace.not_stated", language))
            lines.append(say("trace.source", language, section=rule.source.section, quote=rule.source.quote))
            if rule.interpretation is not None:
                lines.append(say("trace.interpretation", language,
                                 text=render(rule.interpretation(language), language, item.figures)))
        blocks.append("\n".join(lines))
    return blocks


def decided_rules(assessment: Assessment, calls: Sequence[Call], stated: set[str], language: str) -> Optional[str]:
    """For a question that carries its own facts: each rule those facts decide, in the calls the question names;
    None when they decide none."""
    named = {call.id for call in calls}
    lines = [say("decided.header", language)]
    for item in assessment.calls:
        if item.call.id not in named:
            continue
        for result in item.results:
            if result.ok is None or not set(result.rule.facts) & stated or result.details.get("not_stated"):
                continue
            lines.append(say("decided.rule", language, mark=mark(result.ok, language), call=item.call.name(language),
                             text=render(result.rule.requirement(language), language, item.figures),
                             source=result.rule.source.section))
    return "\n".join(lines) if len(lines) > 1 else None

