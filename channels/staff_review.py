"""The conversation review's routes on staff's page (channels/staff.py adds them to its blueprint, behind the same
sign-in, rate limit and headers): /review/ lists conversations, /review/<hash> shows one, a POST to
/review/<hash>/<turn> keeps staff's right reading of that turn, /review/cases.yaml downloads the reviewed turns as
test cases (records/review.py). A POST needs the session cookie, which is SameSite=Strict, and the page's
Content-Security-Policy allows forms only to itself."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Awaitable, Callable, Mapping, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy.engine import Engine

from bot.resources import LANGUAGES
from bot.saying.messages import message
from records.review import (OUTCOMES, Filter, Review, ReviewError, cases_yaml, conversations, keep_review,
                            review_cases, right_value, transcript)
from records.review_page import EXPORT_FILE, reading_text, review_list_page, transcript_page
from records.store import reviews

HASH = "<hashed:[0-9a-f]{64}>"  # records/identity.py's user_hash; anything else is not found, signed in or not


def _day(value: Optional[str]) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None  # a date the browser's field would not send: the filter is off, as for an empty field


def chosen_filter(arguments: Mapping[str, str]) -> Filter:
    """The list's filter from the query; what is not one of the choices is no filter."""
    outcome = arguments.get("outcome")
    language = arguments.get("language")
    return Filter(since=_day(arguments.get("since")), until=_day(arguments.get("until")),
                  channel=arguments.get("channel") or None, language=language if language in LANGUAGES else None,
                  outcome=outcome if outcome in OUTCOMES else None)


def _list_html(engine: Engine, chosen: Filter, language: str) -> str:
    everything = conversations(engine)
    channels = sorted({conversation.channel for conversation in everything if conversation.channel})
    return review_list_page(conversations(engine, chosen), chosen, channels, len(review_cases(engine)), language)


def _transcript_html(engine: Engine, hashed: str, language: str, problem: Optional[str] = None) -> str:
    with engine.connect() as connection:
        rows = connection.execute(reviews.select().where(reviews.c.user_hash == hashed)).all()
    reviewed: dict[int, list[str]] = {}
    for row in rows:
        reviewed.setdefault(row.turn, []).append(reading_text(row.fact, row.value, row.intent, language))
    return transcript_page(transcript(engine, hashed), reviewed, language, problem)


def _review(form: Mapping[str, str], hashed: str, turn: int) -> Review:
    fact, intent = form.get("fact") or None, form.get("intent") or None
    value = right_value(fact, form.get("value") or "") if fact else None
    return Review(conversation=hashed, turn=turn, fact=fact, value=value, intent=intent)


def review_routes(staff: Blueprint, refused: Callable[[Request], Awaitable[Optional[response.HTTPResponse]]],
                  language_of: Callable[[Request], str], database: Callable[[], Engine],
                  headers: Mapping[str, str]) -> None:
    @staff.route("/review/", methods=["GET"], name="staff_review")
    async def review_list(request: Request) -> response.HTTPResponse:
        if not request.path.endswith("/"):  # the list's links are relative to /webhooks/staff/review/
            return response.redirect(request.path + "/" + (f"?{request.query_string}" if request.query_string
                                                           else ""))
        refusal = await refused(request)
        if refusal is not None:
            return refusal
        chosen = chosen_filter({name: request.args.get(name) for name in request.args})
        html = await asyncio.to_thread(_list_html, database(), chosen, language_of(request))
        return response.html(html, headers=headers)

    @staff.route(f"/review/{EXPORT_FILE}", methods=["GET"], name="staff_review_export")
    async def review_export(request: Request) -> response.HTTPResponse:
        refusal = await refused(request)
        if refusal is not None:
            return refusal
        text = await asyncio.to_thread(lambda: cases_yaml(review_cases(database())))
        return response.text(text, content_type="application/yaml; charset=utf-8", headers={
            **headers, "Content-Disposition": 'attachment; filename="klyngebot-reviews.yaml"'})

    @staff.route(f"/review/{HASH}", methods=["GET"], name="staff_review_conversation")
    async def review_conversation(request: Request, hashed: str) -> response.HTTPResponse:
        refusal = await refused(request)
        if refusal is not None:
            return refusal
        html = await asyncio.to_thread(_transcript_html, database(), hashed, language_of(request))
        return response.html(html, headers=headers)

    @staff.route(f"/review/{HASH}/<number:[0-9]{{1,6}}>", methods=["POST"], name="staff_review_mark")
    async def review_mark(request: Request, hashed: str, number: str) -> response.HTTPResponse:
        refusal = await refused(request)
        if refusal is not None:
            return refusal
        language, turn = language_of(request), int(number)
        form = {name: request.form.get(name) or "" for name in ("fact", "value", "intent")}
        try:
            review = _review(form, hashed, turn)
            await asyncio.to_thread(keep_review, database(), review)
        except ReviewError as error:
            problem = message(f"review.error.{error.key}", language, detail=error.detail)
            html = await asyncio.to_thread(_transcript_html, database(), hashed, language, problem)
            return response.html(html, status=400, headers=headers)
        return response.redirect(f"{request.path.rsplit('/', 1)[0]}?lang={language}#turn-{turn}", status=303,
                                 headers=headers)
