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
from bot.saying.texts import render
# why_we_ask is re-exported: the dialogue calls it as words.why_we_ask.
from bot.saying.verdicts import country_label, details_in_words, fact_label, mark, status_text, value_text, why_we_ask  # noqa: F401

MOST_FIXES = 2  # per call in the verdict; the rest on "why?"


def say(path: str, language: str, **values: Any) -> str:
    return message(f"conversation.{path}", language, **values)


def facts_list(values: Mapping[str, Any], language: str) -> str:
    """"antall bedrifter: 4; antall SMB-er: 3": the project's facts (who is asking is not one of them)."""
    return "; ".join(f"{fact_label(fact, language)}: {value_text(fact, value, language)}" for fact, value in values.items()
                     if fact in facts() and fact != "asker")


def project_in_words(assessment: Assessment, language: str) -> str:
    """For whoever takes over a request for a person: each call with its verdict and what it still waits for, then
    the facts given, so that they need not ask again."""
    calls = [say("handoff.project_call", language, call=assessed.call.name(language),
                 verdict=message(f"verdict.{assessed.verdict}", language),
                 waiting=", ".join(fact_label(fact, language) for fact in assessed.missing) or "–")
             for assessed in assessment.calls]
    known = facts_list(assessment.profile.facts, language)
    return " ".join([*calls, say("handoff.project_facts", language, facts=known) if known else
                     say("handoff.project_unknown", language)])


# --- questions ---------------------------------------------------------------------------------------------------

def options(fact: str) -> tuple[str, ...]:
    """The choices of a question, in the order they are shown and numbered."""
    return facts()[fact].values if facts()[fact].type in ("enum", "enum_list") else ()


def question(fact: str, language: str, again: bool = False, options: Sequence[str] = ()) -> str:
    """The question for a fact; asked again it is shorter, with its choices numbered so "2" answers it."""
    spec = facts()[fact]
    asked = spec.again if again else spec.question
    assert asked is not None, f"facts.yaml: {fact} is never asked"  # bot.rules.facts: an asked fact has both
    text = asked(language)
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


def confirm_change(fact: str, old: Any, new: Any, language: str) -> str:
    """"Du sa fire bedrifter; nå én – stemmer det?": a stated fact said otherwise, before any rule fails on it."""
    return say("confirm_change", language, fact=fact_label(fact, language), old=value_text(fact, old, language),
               new=value_text(fact, new, language))


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
    grant = item.grant
    values = {**grant.placeholders(), "status": status_text(item, language).capitalize()}
    if grant.budget is None:
        return say("verdict.grant_no_budget", language, **values)
    if grant.for_budget is None:
        return None  # below the floor: the failing rule says what budget it takes
    return say("verdict.grant_range" if grant.floor else "verdict.grant", language, **values)


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


def _set_aside_line(call: Call, asker: Optional[str], language: str) -> str:
    labels = facts()["applicant"].labels
    return say("verdict.set_aside", language, call=call.name(language),
               applicants=", ".join(labels[role](language) for role in call.applicants or ()),
               role=labels[asker](language) if asker is not None and asker in labels
               else facts()["asker"].labels["other"](language))


def check_anyway_button(call: Call, language: str) -> str:
    return say("button.check_anyway", language, call=call.name(language))


def verdict(assessment: Assessment, closed_to_check: Sequence[str], left_open: Sequence[str], asker: Optional[str],
            language: str, set_aside: Sequence[Call] = ()) -> tuple[str, dict]:
    """The result in about twelve short lines, and the same as a card: per call the mark and verdict, the grant
    for the budget and the call's status, the one or two things to change; a call set aside as not for this kind
    of project, in one line; then the next step and what was assumed."""
    lines = [say("verdict.title", language)]
    sections = []
    aside = {call.id for call in set_aside}
    for item in _shown(assessment, closed_to_check):
        if item.call.id in aside:
            continue
        block = _call_block(item, left_open, language)
        lines += block
        sections.append({"heading": item.call.name(language), "mark": mark(_ok(item), language),
                         "lines": block[1:], "summary": block[0]})
    for call in set_aside:
        line = _set_aside_line(call, asker, language)
        lines.append(line)
        sections.append({"heading": call.name(language), "mark": "", "lines": [], "summary": line})
    best = assessment.best_fit
    if best is not None and best.call.id in aside:
        pass  # not checked: the line above offers to
    elif best is None:
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

def trace(assessment: Assessment, closed_to_check: Sequence[str], language: str, full: bool = False,
          set_aside: Sequence[Call] = ()) -> list[str]:
    """The reasoning, one message per call the verdict was about. Short, it leads with the rules that decided the
    verdict, each with the sentence of the call it rests on, then the undecided ones, and counts the rest; `full`:
    every rule with what the user said that it read, its source and our reading where it goes beyond the text."""
    blocks = []
    profile = assessment.profile
    aside = {call.id for call in set_aside}
    for item in _shown(assessment, closed_to_check):
        if item.call.id in aside:
            continue
        lines = [say("trace.header", language, call=item.call.name(language), date=profile.date,
                     verdict=message(f"verdict.{item.verdict}", language)
                     if item.open_to_applicants else say(f"verdict.closed_verdict.{item.verdict}", language))]
        deciding = {"not_eligible": (False,), "unknown": (False, None), "eligible": (True,)}[item.verdict]
        shown = [result for result in item.results if full or result.ok in deciding]
        shown.sort(key=lambda result: {False: 0, None: 1, True: 2}[result.ok])
        for result in shown:
            lines += _rule_lines(result, item, profile, language, full)
        passed = sum(result.ok is True for result in item.results if result not in shown)
        undecided = sum(result.ok is None for result in item.results if result not in shown)
        if passed:
            lines.append(say("trace.rest", language, count=passed))
        if undecided:
            lines.append(say("trace.rest_open", language, count=undecided))
        blocks.append("\n".join(lines))
    if not full:
        blocks.append(say("trace.more", language))
    return blocks


def _rule_lines(result, item: CallAssessment, profile, language: str, full: bool) -> list[str]:
    rule = result.rule
    lines = [say("trace.rule", language, mark=mark(result.ok, language),
                 text=render(rule.requirement(language), language, item.figures))]
    if not full and result.ok is not False:
        return lines
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
    if rule.interpretation is not None and full:
        lines.append(say("trace.interpretation", language,
                         text=render(rule.interpretation(language), language, item.figures)))
    return lines


def what_to_change(assessment: Assessment, closed_to_check: Sequence[str], language: str) -> str:
    """"Hva kan vi gjøre da?": for this project, every change that would turn a call's "no" into a "yes", what is
    still open, or, where nothing fails, the next step."""
    lines = []
    for item in _shown(assessment, closed_to_check):
        if item.verdict == "eligible":
            continue
        lines.append(say("change.call", language, call=item.call.name(language)))
        for result in item.failed:
            lines.append(say("verdict.fix", language, fix=render(result.rule.fix(language), language, {
                **item.figures, **details_in_words(result.details, language)})))
        if item.verdict == "unknown" and item.missing:
            lines.append(say("verdict.missing", language,
                             facts=", ".join(fact_label(fact, language) for fact in item.missing)))
    best = assessment.best_fit
    if not lines and best is not None:
        lines.append(say("verdict.next_step", language,
                         step=render(best.call.next_step[ROLES[0]](language), language, best.figures)))
    return "\n".join(lines) or say("change.nothing", language)


def what_if(supposed: Assessment, now: Assessment, changed: Mapping[str, Any], closed_to_check: Sequence[str],
            language: str) -> str:
    """A what-if's verdict, labelled as one: per call the mark and verdict as they would be, and the grant."""
    lines = [say("what_if.intro", language, changes=facts_list(changed, language))]
    before = {item.call.id: item.verdict for item in now.calls}
    for item in _shown(supposed, closed_to_check):
        block = _call_block(item, (), language)
        lines.append(block[0] + ("" if before.get(item.call.id) != item.verdict else " " + say("what_if.same", language)))
        lines += [line for line in block[1:] if line.startswith("→") or item.verdict == "eligible"][:2]
    return "\n".join(lines)


def _decided(assessment: Assessment, calls: Sequence[Call], stated: set[str]):
    """The rules the stated facts decide, in the calls named, with their call's assessment."""
    named = {call.id for call in calls}
    return [(item, result) for item in assessment.calls if item.call.id in named for result in item.results
            if result.ok is not None and set(result.rule.facts) & stated and not result.details.get("not_stated")]


def decided_outcome(assessment: Assessment, calls: Sequence[Call], stated: set[str]) -> Optional[bool]:
    """False where a rule the stated facts decide fails, True where all they decide pass, None where they decide none."""
    decided = _decided(assessment, calls, stated)
    return None if not decided else all(result.ok for _, result in decided)


def decided_rules(assessment: Assessment, calls: Sequence[Call], stated: set[str], language: str) -> Optional[str]:
    """For a question that carries its own facts ("kan én bedrift alene få støtte?"): the answer first, "Nei" where a
    rule those facts decide fails and "Ja, så langt" where they pass, then each rule they decide, in the calls the
    question names; None when they decide none."""
    decided = _decided(assessment, calls, stated)
    if not decided:
        return None
    lines = [say("decided.rule", language, mark=mark(result.ok, language), call=item.call.name(language),
                 text=render(result.rule.requirement(language), language, item.figures),
                 source=result.rule.source.section) for item, result in decided]
    return "\n".join([say("decided.yes" if decided_outcome(assessment, calls, stated) else "decided.no", language),
                      *lines])

