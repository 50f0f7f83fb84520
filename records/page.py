"""Staff's dashboard and its sign-in page as HTML: every text from the message store (data/messages/staff.yaml),
call and rule names from the catalogue, plots as SVG images drawn on the server (records/plots.py), the page's
style from web/staff/staff.css. No script, nothing loaded from elsewhere."""
from __future__ import annotations

import base64
import datetime as dt
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.resources import LANGUAGES
from bot.saying.messages import message
from bot.saying.texts import format_date, format_number
from records import plots
from records.dashboard import Dashboard, Period
from records.store import HANDOFF_STATUSES
from records.words import call_name, rule_text

STYLE_FILE = Path(__file__).resolve().parent.parent / "web" / "staff" / "staff.css"
VERDICTS = tuple(plots.VERDICT_COLOURS)


@lru_cache(maxsize=None)
def _style() -> str:
    return STYLE_FILE.read_text(encoding="utf-8")


def _zone() -> dt.tzinfo:
    try:
        return ZoneInfo("Europe/Oslo")  # the clusters' own clock
    except ZoneInfoNotFoundError:
        return dt.timezone.utc


def moment_text(moment: dt.datetime, language: str) -> str:
    local = moment.astimezone(_zone())
    return f"{format_date(local.date(), language)} {local:%H:%M %Z}"


def _text(key: str, language: str, **values: Any) -> str:
    return escape(message(f"staff.{key}", language, **values))


def _table(headers: Sequence[tuple[str, bool]], rows: Iterable[Sequence[Any]], caption: str = "",
           markup: Sequence[int] = ()) -> str:
    """headers: (escaped text, is a number column); cells are escaped here, but for the columns in `markup`, which
    hold HTML made here. Each cell carries its column's name, which a phone shows beside it (web/staff/staff.css)."""
    head = "".join(f'<th{" class=number" if number else ""} scope=col>{text}</th>' for text, number in headers)
    body = "".join("<tr>" + "".join(
        f'<td data-label="{text}"{" class=number" if number else ""}>{cell if column in markup else escape(str(cell))}'
        f'</td>' for column, (cell, (text, number)) in enumerate(zip(row, headers))) + "</tr>" for row in rows)
    caption = f"<caption class=note>{caption}</caption>" if caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _plot(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class=plot alt="{escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def _page(title: str, language: str, body: str, header_extra: str = "") -> str:
    other = LANGUAGES[(LANGUAGES.index(language) + 1) % len(LANGUAGES)]
    return (f"<!doctype html><html lang={language}><head><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width, initial-scale=1'><title>{title}</title>"
            f"<style>{_style()}</style></head><body><header><h1>{title}</h1><nav>"
            f"<a href='?lang={other}' hreflang={other}>{_text('language_switch', language)}</a>{header_extra}"
            f"</nav></header><main>{body}</main></body></html>")


def login_page(language: str, wrong: bool = False, wait_seconds: Optional[int] = None) -> str:
    """The sign-in form; after a wrong token, or when the client must wait that long before trying again."""
    problem = (_text("login.too_many", language, seconds=wait_seconds) if wait_seconds is not None
               else _text("login.wrong", language) if wrong else "")
    error = f"<p class=error role=alert>{problem}</p>" if problem else ""
    form = (f"<section class=login><h2>{_text('login.heading', language)}</h2><p>{_text('login.intro', language)}</p>"
            f"{error}<form method=post action='login?lang={language}'><label for=token>{_text('login.token', language)}"
            f"</label><input id=token name=token type=password autocomplete=current-password required autofocus>"
            f"<button type=submit>{_text('login.submit', language)}</button></form></section>")
    return _page(_text("title", language), language, form)


def _or_unknown(value: Optional[str], language: str) -> str:
    return value or message("staff.split.unknown", language)


def _cards(cards: Sequence[tuple[int, str]], language: str) -> str:
    """Numbers with their words (staff.yaml keys such as "summary.checks"), each card's id its key ("summary-checks")."""
    return "<div class=summary>" + "".join(
        f"<div id={key.replace('.', '-').replace('_', '-')}><strong>{escape(format_number(count, language))}</strong>"
        f"<span>{_text(key, language)}</span></div>" for count, key in cards) + "</div>"


def _summary(data: Dashboard, language: str) -> str:
    return _cards([(data.checks, "summary.checks"), (data.users, "summary.users"),
                   (data.unanswered, "summary.unanswered"), (data.handoff_count, "summary.handoffs")], language)


def _period_form(period: Period, language: str, problem: bool) -> str:
    """The period shown, and a form to choose another (plain GET: the page needs no script)."""
    def field(name: str, value: Optional[dt.date]) -> str:
        return (f"<label>{_text(f'period.{name}', language)} <input type=date name={name} "
                f"value='{value.isoformat() if value else ''}'></label>")
    shown = _text("period.shown", language,
                  since=format_date(period.since, language) if period.since else message("staff.period.open_start",
                                                                                         language),
                  until=format_date(period.until, language) if period.until else message("staff.period.open_end",
                                                                                         language)) \
        if period.since or period.until else _text("period.all", language)
    error = f"<p class=error role=alert>{_text('period.wrong', language)}</p>" if problem else ""
    return (f"<section id=period><form method=get class=period><input type=hidden name=lang value={language}>"
            f"{field('from', period.since)}{field('to', period.until)}<button type=submit>"
            f"{_text('period.show', language)}</button></form><p class=note>{shown}</p>{error}</section>")


def _funnel(data: Dashboard, language: str) -> str:
    funnel = data.funnel
    cards = [(funnel.conversations, "funnel.conversations"), (funnel.checks_started, "funnel.checks_started"),
             (funnel.verdicts, "funnel.verdicts"), (max(0, funnel.checks_started - funnel.verdicts), "funnel.left"),
             (funnel.handoffs, "funnel.handoffs"), (funnel.flagged, "funnel.flagged"),
             (funnel.reviewed, "funnel.reviewed")]
    return f"<section id=funnel><h2>{_text('funnel.heading', language)}</h2>{_cards(cards, language)}</section>"


def _closed(data: Dashboard, language: str) -> str:
    if not data.closed:
        return ""
    rows = [[call_name(call_id, language), count] for call_id, count in data.closed.items()]
    return (f"<section id=closed><h2>{_text('closed.heading', language)}</h2><p class=note>"
            f"{_text('closed.note', language)}</p>"
            + _table([(_text("closed.call", language), False), (_text("closed.count", language), True)], rows)
            + "</section>")


OUTCOMES = ("answered", "texts_silent", "not_placed")  # bot/dialogue/effects.py


def _topics(data: Dashboard, language: str) -> str:
    rows = [[message(f"staff.topics.names.{topic}", language) if topic else message("staff.topics.unplaced",
                                                                                     language),
             *(counts.get(outcome, 0) for outcome in OUTCOMES)] for topic, counts in data.topics]
    return (f"<section id=topics><h2>{_text('topics.heading', language)}</h2>"
            + (_table([(_text("topics.topic", language), False),
                       *((_text(f"topics.{outcome}", language), True) for outcome in OUTCOMES)], rows) if rows
               else f"<p class=note>{_text('topics.none', language)}</p>") + "</section>")


def _checks_sections(data: Dashboard, language: str, day: dt.date) -> list[str]:
    if not data.checks:
        return []
    verdict_labels = {verdict: message(f"verdict.{verdict}", language) for verdict in VERDICTS}
    calls = [(call_id, call_name(call_id, language), counts) for call_id, counts in data.verdicts.items()]
    over_time = (f"<section id=over-time><h2>{_text('over_time.heading', language)}</h2>"
                 + _plot(plots.checks_over_time(data.per_day, message("staff.over_time.axis", language), language),
                         message("staff.over_time.heading", language)) + "</section>")
    verdict_rows = [[name, *(counts.get(verdict, 0) for verdict in VERDICTS)] for _, name, counts in calls]
    verdicts = (f"<section id=verdicts><h2>{_text('verdicts.heading', language)}</h2>"
                + _plot(plots.verdicts_per_call([(name, counts) for _, name, counts in calls], verdict_labels,
                                                message("staff.verdicts.axis", language)),
                        message("staff.verdicts.heading", language))
                + _table([(_text("verdicts.call", language), False),
                          *((escape(verdict_labels[verdict]), True) for verdict in VERDICTS)], verdict_rows)
                + "</section>")
    blocking_rows = [[call_name(call_id, language), rule_text(call_id, rule_id, language, day), count]
                     for call_id, rule_id, count in data.blocking[:10]]
    blocking = (f"<section id=blocking><h2>{_text('blocking.heading', language)}</h2>"
                + (_table([(_text("blocking.call", language), False), (_text("blocking.rule", language), False),
                           (_text("blocking.count", language), True)], blocking_rows) if blocking_rows
                   else f"<p class=note>{_text('blocking.none', language)}</p>")
                + (f"<p class=note>{_text('blocking.in_doubt', language, count=data.blocking_in_doubt)}</p>"
                   if data.blocking_in_doubt else "") + "</section>")
    channels = [(_or_unknown(channel, language), count) for channel, count in data.channels]
    languages = [(_or_unknown(code, language), count) for code, count in data.languages]
    split = (f"<section id=split><h2>{_text('split.heading', language)}</h2>"
             + _plot(plots.split([(message("staff.split.channel", language), channels),
                                  (message("staff.split.language", language), languages)]),
                     message("staff.split.heading", language))
             + "<div class=columns>"
             + _table([(_text("split.channel", language), False), (_text("split.count", language), True)], channels)
             + _table([(_text("split.language", language), False), (_text("split.count", language), True)],
                      languages) + "</div></section>")
    return [over_time, verdicts, blocking, split]


def _people_sections(data: Dashboard, language: str) -> list[str]:
    questions = [[question.text, question.count, moment_text(question.last, language)] for question in data.questions]
    unanswered = (f"<section id=unanswered><h2>{_text('unanswered.heading', language)}</h2>"
                  + (_table([(_text("unanswered.text", language), False), (_text("unanswered.count", language), True),
                             (_text("unanswered.last", language), False)], questions) if questions
                     else f"<p class=note>{_text('unanswered.none', language)}</p>") + "</section>")
    no_consent = message("staff.handoffs.no_consent", language)
    requests = [[moment_text(request.created_at, language), request.name or no_consent, request.email or "",
                 request.language or "", request.channel or "", request.topic or "", _status_form(request, language)]
                for request in data.requests]
    columns = [(_text(f"handoffs.{key}", language), False) for key in ("when", "name", "email", "language",
                                                                       "channel", "topic", "status")]
    still_open = f"<p class=note>{_text('handoffs.open', language, count=data.open_requests)}</p>" \
        if data.open_requests else ""
    handoffs = (f"<section id=handoffs><h2>{_text('handoffs.heading', language)}</h2>{still_open}"
                + (_table(columns, requests, markup=(6,)) if requests
                   else f"<p class=note>{_text('handoffs.none', language)}</p>") + "</section>")
    return [_topics(data, language), unanswered, handoffs]


def _status_form(request: Any, language: str) -> str:
    """Where a request stands and who has it, set on the page (POST request/ID, channels/staff.py)."""
    options = "".join(f"<option value={status}{' selected' if status == request.status else ''}>"
                      f"{_text(f'handoffs.statuses.{status}', language)}</option>" for status in HANDOFF_STATUSES)
    return (f"<form method=post action='request/{request.id}?lang={language}' class=status>"
            f"<select name=status aria-label='{_text('handoffs.status', language)}'>{options}</select>"
            f"<input name=taken_by maxlength=80 value='{escape(request.taken_by or '')}' "
            f"placeholder='{_text('handoffs.taken_by', language)}' aria-label='{_text('handoffs.taken_by', language)}'>"
            f"<button type=submit>{_text('handoffs.save', language)}</button></form>")


def dashboard_page(data: Dashboard, language: str, retention_days: int, day: dt.date,
                   period_problem: bool = False) -> str:
    exports = "".join(f"<li><a href='export/{kind}.csv' download>{kind}.csv</a>: {_text(f'export.{kind}', language)}</li>"
                      for kind in ("checks", "unanswered", "handoffs"))
    body = [_period_form(data.period, language, period_problem), _summary(data, language),
            f"<p class=note>{_text('retention', language, days=retention_days)}</p>", _funnel(data, language)]
    body += _checks_sections(data, language, day) or [f"<section><p>{_text('empty', language)}</p></section>"]
    body.append(_closed(data, language))
    body += _people_sections(data, language)
    body.append(f"<section class=exports id=exports><h2>{_text('export.heading', language)}</h2><ul>{exports}</ul>"
                "</section>")
    logout = (f"<a href='review/?lang={language}'>{escape(message('review.link', language))}</a>"
              f"<form method=post action='logout?lang={language}'><button type=submit>"
              f"{_text('logout', language)}</button></form>")
    return _page(_text("title", language), language, "".join(body), logout)
