"""The conversation review as HTML (records/review.py has what it shows): the list of conversations with its filter,
and one conversation turn by turn with a form on each turn to mark it misread. Every text from the message store
(data/messages/review.yaml), facts by their labels and values in words (bot.saying), the page's frame and style
those of the dashboard (records/page.py). No script."""
from __future__ import annotations

from html import escape
from typing import Any, Optional, Sequence

from bot.dialogue.intents import intents
from bot.resources import LANGUAGES
from bot.rules.facts import facts
from bot.saying.messages import message
from bot.saying.verdicts import fact_label, value_text
from records.page import _page, moment_text
from records.words import call_name
from records.review import FLAG_REASONS, OUTCOMES, Conversation, Filter, Turn

EXPORT_FILE = "cases.yaml"


def _say(key: str, language: str, **values: Any) -> str:
    return escape(message(f"review.{key}", language, **values))


def _nav(language: str, *links: tuple[str, str]) -> str:
    return "".join(f"<a href='{escape(href)}?lang={language}'>{_say(key, language)}</a>" for href, key in links)


def _select(name: str, label: str, options: Sequence[tuple[str, str]], chosen: Optional[str]) -> str:
    """options: (value, escaped text); the first option is "any"/none, value ''."""
    items = "".join(f"<option value='{escape(value)}'{' selected' if value == (chosen or '') else ''}>{text}</option>"
                    for value, text in options)
    return f"<label>{label} <select name={name}>{items}</select></label>"


def _outcomes(conversation: Conversation, language: str) -> str:
    return ", ".join(message(f"review.outcome.{outcome}", language) for outcome in OUTCOMES
                     if outcome in conversation.outcomes)


def _filter_form(chosen: Filter, channels: Sequence[str], language: str) -> str:
    def day(name: str, value: Any) -> str:
        return (f"<label>{_say(f'filter.{name}', language)} <input type=date name={name} "
                f"value='{value.isoformat() if value else ''}'></label>")
    any_ = _say("filter.any", language)
    return (f"<section id=review-filter><h2>{_say('filter.heading', language)}</h2><form method=get class=filter>"
            f"<input type=hidden name=lang value={language}>{day('since', chosen.since)}{day('until', chosen.until)}"
            + _select("channel", _say("filter.channel", language),
                      [("", any_), *((channel, escape(channel)) for channel in channels)], chosen.channel)
            + _select("language", _say("filter.language", language),
                      [("", any_), *((code, code) for code in LANGUAGES)], chosen.language)
            + _select("outcome", _say("filter.outcome", language),
                      [("", any_), *((outcome, _say(f"outcome.{outcome}", language)) for outcome in OUTCOMES)],
                      chosen.outcome)
            + f"<button type=submit>{_say('filter.submit', language)}</button></form></section>")


def review_list_page(found: Sequence[Conversation], chosen: Filter, channels: Sequence[str], reviewed: int,
                     language: str) -> str:
    """The conversations that match the filter, each a link to its transcript by its short hash."""
    rows = "".join(
        f"<tr><td>{escape(moment_text(conversation.last, language))}</td>"
        f"<td><a href='{conversation.user_hash}?lang={language}'><code>{conversation.short_hash}</code></a></td>"
        f"<td>{escape(conversation.channel or '–')}</td><td>{escape(conversation.language or '–')}</td>"
        f"<td>{escape(_outcomes(conversation, language))}</td></tr>" for conversation in found)
    head = "".join(f"<th scope=col>{_say(f'list.{key}', language)}</th>"
                   for key in ("when", "who", "channel", "language", "outcome"))
    listing = (f"<table id=conversations><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>" if found
               else f"<p class=note>{_say('list.none', language)}</p>")
    body = (f"<p class=note>{_say('intro', language)}</p>{_filter_form(chosen, channels, language)}"
            f"<section id=review-list><h2>{_say('list.heading', language)}</h2>{listing}</section>"
            f"<section id=review-export class=exports><h2>{_say('link', language)}</h2><p>"
            f"<a href='{EXPORT_FILE}' download>{_say('export.link', language)}</a> "
            f"{_say('export.count', language, count=reviewed)}</p></section>")
    return _page(_say("link", language), language, body, _nav(language, ("../", "back")))


def _read_text(turn: Turn, language: str) -> str:
    if not turn.read:
        return _say("transcript.read_nothing", language)
    return "; ".join(f"{escape(fact_label(fact, language))}: "
                     f"{escape(value_text(fact, value, language)) if value is not None else _say('transcript.gone', language)}"
                     for fact, value in turn.read.items())


def reading_text(fact: Optional[str], value: Any, intent: Optional[str], language: str) -> str:
    """Staff's right reading in words: "number of companies: 5", or the topic's name."""
    if fact:
        return f"{fact_label(fact, language)}: {value_text(fact, value, language)}"
    return intent or ""


def _mark_form(conversation: Conversation, turn: Turn, language: str) -> str:
    none = _say("mark.none", language)
    fact_options = [("", none), *((name, escape(fact_label(name, language))) for name in facts())]
    intent_options = [("", none), *((name, escape(name)) for name in intents())]
    return (f"<details class=mark><summary>{_say('mark.summary', language)}</summary>"
            f"<form method=post action='{conversation.user_hash}/{turn.number}?lang={language}'>"
            + _select("fact", _say("mark.fact", language), fact_options, None)
            + f"<label>{_say('mark.value', language)} <input name=value autocomplete=off></label>"
            + _select("intent", _say("mark.or_intent", language), intent_options, None)
            + f"<button type=submit>{_say('mark.submit', language)}</button></form></details>")


def _turn(conversation: Conversation, turn: Turn, reviewed: Sequence[str], language: str) -> str:
    answers = "".join(f"<blockquote>{escape(text)}</blockquote>" for text in turn.answers)
    marks = "".join(f"<p class=reviewed>{_say('transcript.reviewed', language, reading=reading)}</p>"
                    for reading in reviewed)
    flagged = "".join(f"<p class=error>{_say(f'transcript.flagged.{reason}', language)}</p>"
                      for reason in FLAG_REASONS if reason in turn.flagged)
    flagged += f"<p>{_say('transcript.thumbs_up', language)}</p>" if turn.thumbs_up else ""
    return (f"<section class=turn id=turn-{turn.number}><h2>{_say('transcript.turn', language, number=turn.number)}"
            f"</h2><dl><dt>{_say('transcript.user', language)}</dt><dd class=said>{escape(turn.text)}</dd>"
            f"<dt>{_say('transcript.intent', language)}</dt><dd>{escape(turn.intent or '–')}</dd>"
            f"<dt>{_say('transcript.read', language)}</dt><dd class=read>{_read_text(turn, language)}</dd>"
            f"<dt>{_say('transcript.answered', language)}</dt><dd>{answers}</dd></dl>{flagged}{marks}"
            f"{_mark_form(conversation, turn, language)}</section>")


def transcript_page(conversation: Optional[Conversation], reviewed: dict[int, list[str]], language: str,
                    problem: Optional[str] = None) -> str:
    """One conversation turn by turn; `reviewed`: per turn number, staff's readings in words; `problem`: why the
    last review was not kept, in words."""
    nav = _nav(language, ("./", "back_to_list"))
    if conversation is None:
        return _page(_say("link", language), language,
                     f"<section><p>{_say('transcript.gone_conversation', language)}</p></section>", nav)
    verdicts = [(call_name(call, language), message(f"verdict.{verdict}", language))
                for call, verdict in conversation.verdicts.items()]
    verdict = (f"<section id=verdict><h2>{_say('transcript.verdict', language)}</h2>"
               + ("<ul>" + "".join(f"<li>{escape(call)}: {escape(said)}</li>" for call, said in verdicts) + "</ul>"
                  if verdicts else f"<p class=note>{_say('transcript.no_verdict', language)}</p>") + "</section>")
    error = f"<p class=error role=alert>{escape(problem)}</p>" if problem else ""
    body = (f"<p class=note>{_say('transcript.started', language, when=moment_text(conversation.started, language), channel=conversation.channel or '–', user_language=conversation.language or '–')}"
            f" {escape(_outcomes(conversation, language))}</p>{error}"
            + "".join(_turn(conversation, turn, reviewed.get(turn.number, []), language)
                      for turn in conversation.turns) + verdict)
    title = _say("transcript.heading", language, who=conversation.short_hash)
    return _page(title, language, body, nav)
