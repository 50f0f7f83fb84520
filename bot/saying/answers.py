"""Answers to one-off questions, from the calls catalogue for the calls a question names."""
from __future__ import annotations

import string
from functools import lru_cache
from typing import Optional, Sequence

from bot.rules.catalogue import Call, Source, catalogue
from bot.rules.passages import Passage, coverage, ranked, unknown_terms
from bot.rules.engine import CallAssessment, assess_call
from bot.rules.facts import BUDGET, facts
from bot.rules.profile import make_profile
from bot.rules.sme_definition import ownership_limit, sme_rules
from bot.saying.messages import message, message_text
from bot.saying.texts import render
from bot.saying.verdicts import grant_for_budget_line, status_text, steps_text


def answer(topic: str, calls: Sequence[Call], partner_kinds: Sequence[str], language: str, day,
           budget: Optional[float] = None, about_money: bool = False, yes_no: Optional[str] = None) -> list[str]:
    """The answer to a one-off question on `topic`, for the calls and kinds of partner the question names;
    `about_money`: a partner question asks whether it may get the money, not whether it may take part; `yes_no`: a
    question a yes or a no answers, "open" ("can we still apply?") or "closed" ("has the deadline passed?"), which
    gets it as its first word where the topic says it."""
    if topic == "sme_definition":
        return [_sme_definition(language, day)]
    if topic == "partner_rules":
        kinds = partner_kinds
        if not kinds:
            return [message("answer.partner_overview", language)]
        return [_partner_answer(call, kind, language, about_money) for kind in kinds for call in calls
                if kind in call.partners]
    profile = make_profile({BUDGET: budget} if budget else {}, date=day, language=language)
    answer_of = _CALL_ANSWERS.get(topic, _from_the_text(topic))
    answers = []
    for call in calls:
        assessed = assess_call(call, profile)
        text = answer_of(assessed, language)
        if yes_no and topic == "deadline":  # "Kan vi fortsatt søke?": no, it closed; yes, there is no fixed deadline
            yes = assessed.open_to_applicants == (yes_no == "open")
            text = message("answer.said_yes" if yes else "answer.said_no", language, text=text)
        if not assessed.open_to_applicants and topic not in SAY_THEIR_STATUS:
            text += "\n" + message("answer.closed_round", language, **assessed.figures)
        answers.append(text)
    return answers


# Answers that give the call's status themselves; every other answer about a closed round says it is closed.
SAY_THEIR_STATUS = ("call_info", "deadline")


def _cite(source: Source, language: str) -> str:
    return message("answer.cite", language, section=source.section)


def _from_the_text(topic: str):
    """What the call text says on a topic (its `topics` in the catalogue), or that it does not say, and whom to ask:
    never a rule the text does not make."""
    def answer_of(assessed: CallAssessment, language: str) -> str:
        call = assessed.call
        said = call.topics.get(topic)
        if said is None:
            return message("answer.not_in_text", language, name=call.name(language),
                           topic=message(f"answer.topic.{topic}", language),
                           contact=render(call.contact_text(language), language, call.contact))
        return message("answer.topic_text", language, name=call.name(language),
                       text=render(said.text(language), language, assessed.figures), cite=_cite(said.source, language))
    return answer_of


def _who_applies(assessed: CallAssessment, language: str) -> str:
    call = assessed.call
    return message("answer.topic_text", language, name=call.name(language),
                   text=render(call.who_may_apply(language), language, assessed.figures),
                   cite=_cite(call.steps_source, language))


def _partner_answer(call: Call, kind: str, language: str, about_money: bool = False) -> str:
    rule = call.partners[kind]
    allowed, note = rule.answer(about_money)
    verdict = {True: "answer.partner_yes", False: "answer.partner_no", None: "answer.partner_unclear"}[allowed]
    text = message("answer.partner", language, name=call.name(language), answer=message(verdict, language),
                   note=note(language), cite=_cite(rule.source, language))
    if rule.interpretation is not None:
        text += " " + message("answer.reading", language, text=rule.interpretation(language))
    return text


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
                   who=render(call.who_may_apply(language), language, assessed.figures), status=status_text(assessed, language))


def _max_grant(assessed: CallAssessment, language: str) -> str:
    grant = assessed.grant
    text = message("answer.max_grant_range" if grant.floor else "answer.max_grant", language,
                   name=assessed.call.name(language), **grant.placeholders())
    return text if grant.budget is None else "\n".join([text, grant_for_budget_line(grant, language)])


def _deadline(assessed: CallAssessment, language: str) -> str:
    call = assessed.call
    lines = [message("answer.deadline", language, name=call.name(language), status=status_text(assessed, language))]
    if {"matchmaking", "feedback", "earliest_start"} <= set(call.dates):
        lines.append(message("answer.dates", language, **assessed.figures))
    if call.dates_note is not None:
        lines.append(render(call.dates_note(language), language, assessed.figures))
    return "\n".join(lines)


def _process(assessed: CallAssessment, language: str) -> str:
    call = assessed.call
    lines = [steps_text(call, language, assessed.date)]
    where = call.topics.get("where_in_process")
    if where is not None:
        lines.append(render(where.text(language), language, assessed.figures))
    return "\n".join(lines)


def _activities(assessed: CallAssessment, language: str) -> str:
    call = assessed.call
    if not call.activities:
        return message("answer.activities_none", language, name=call.name(language))
    labels = facts()["activities"].labels
    return message("answer.activities", language, name=call.name(language),
                   activities="; ".join(labels[activity](language) for activity in call.activities))


def _criteria(assessed: CallAssessment, language: str) -> str:
    call = assessed.call
    lines = [message("answer.criteria", language, name=call.name(language), by=call.assessment_by(language),
                     cite=_cite(call.assessment_source, language))]
    for criterion in call.assessment_criteria:
        if criterion.weight is None:
            lines.append(message("answer.criterion", language, criterion=criterion.name(language)))
        else:
            lines.append(message("answer.criterion_weighted", language, criterion=criterion.name(language),
                                 weight=criterion.weight))
    return "\n".join(lines)


def from_the_texts(question: str, calls: Sequence[Call], language: str, day, must_be_silent: bool = False,
                   topic: Optional[str] = None) -> tuple[list[str], bool]:
    """A question no topic answers, answered from the call texts themselves: the passage that bears on it, quoted
    with its section; or, where none does (or `must_be_silent`: the question asks what the texts do not say), that
    the texts do not say, what they say nearest, and whom to ask. What they say nearest is what the catalogue says
    of the question's `topic` where it has words for it ("dekker den lønn?": the call lists no types of cost), else
    the passage that scores nearest. Returns the blocks and whether they are silent."""
    best = ranked(question, calls)
    strong = best and best[0][0] >= PASSAGE_SCORE and coverage(question, _words_of(best[0][1])) >= PASSAGE_COVERAGE
    if strong and not must_be_silent and not unknown_terms(question):
        passage = best[0][1]
        call = catalogue().call(passage.call_id)
        figures = call.figures(day)
        said = " ".join(render(text(language), language, figures) for text in passage.about)
        return [message("answer.passage", language, name=call.name(language), section=passage.section,
                        quote=passage.text, text=said or passage.text)], False
    on_topic = [call for call in calls if topic in call.topics]
    nearby = best[0][1] if best and best[0][0] >= NEARBY_SCORE and not on_topic else None
    spoken_of = on_topic or [call for call in calls if nearby is None or call.id == nearby.call_id] or list(calls)
    blocks = []
    for call in spoken_of:
        text = message("answer.not_in_text", language, name=call.name(language),
                       topic=message("answer.topic.this", language),
                       contact=render(call.contact_text(language), language, call.contact))
        if topic is not None and call in on_topic:
            said_on_topic = call.topics[topic]
            text += "\n" + render(said_on_topic.text(language), language, call.figures(day)) + " " + \
                _cite(said_on_topic.source, language)
        elif nearby is not None and nearby.call_id == call.id:
            text += "\n" + message("answer.nearby", language, section=nearby.section, quote=nearby.text)
        blocks.append(text)
    return blocks, True


# Measured on the people's labelled questions (tests/cases/people/questions.yaml, `make bench`): a passage answers a
# question when it scores at least this and speaks of at least this share of the question's content words; one that
# scores at least NEARBY_SCORE is shown beside "the texts don't say" as the nearest thing they do say.
PASSAGE_SCORE, PASSAGE_COVERAGE, NEARBY_SCORE = 8.0, 0.6, 5.0


def _words_of(passage: Passage) -> str:
    return " ".join([passage.text, *(f"{text.nb} {text.en}" for text in passage.about)])


def says_the_texts_are_silent(text: str) -> bool:
    """Whether an answer is the texts' silence in so many words (answer.not_in_text)."""
    return any(_silence(language) in text for language in ("nb", "en"))


@lru_cache(maxsize=None)
def _silence(language: str) -> str:
    literals = [literal for literal, *_ in string.Formatter().parse(message_text("answer.not_in_text")(language))]
    return max(literals, key=len).strip(" *:")


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
                 "assessment_criteria": _criteria, "who_applies": _who_applies}
