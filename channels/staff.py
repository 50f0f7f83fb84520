"""Staff's dashboard, served by Rasa at /webhooks/staff/ next to the chat page: what the bot has kept (records/),
with plots drawn on the server and CSV exports.

It is on only when STAFF_TOKEN is set (deploy/rasa_config.py registers it; otherwise Rasa answers 404 and the
start-up log says the channel is off). Scripts send the token as `Authorization: Bearer <token>`; a browser
signs in once with a form, which sets a cookie (HttpOnly, SameSite=Strict, only for /webhooks/staff/) holding
a value derived from the token, not the token itself: a browser cannot add a header to a plain page load, and a
token in the address would end up in history and logs. Anything else gets 401 and the sign-in form.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import io
import logging
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy.engine import Engine

from bot.resources import DEFAULT_LANGUAGE, LANGUAGES
from records.dashboard import dashboard
from records.export import EXPORTS, write_csv
from records.page import dashboard_page, login_page
from records.retention import RETENTION_VARIABLE, retention
from records.store import connect

logger = logging.getLogger("klyngebot.staff")
COOKIE = "klyngebot_staff"
SESSION_HOURS = 12
WRONG_TOKEN_DELAY_SECONDS = 1.0  # slows down guessing
HEADERS = {  # personal data: never cached, never framed, nothing but the page itself and its inline images
    "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"}
LANGUAGE_TAGS = {"nb": "nb", "no": "nb", "nn": "nb", "en": "en"}  # Accept-Language tags -> our languages


def choose_language(asked: Optional[str], accept_language: Optional[str]) -> str:
    """?lang= when it names one of ours, else the browser's most preferred of ours, else bokmål."""
    if asked in LANGUAGES:
        return asked
    preferences = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, parameters = item.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                continue
        language = LANGUAGE_TAGS.get(tag.strip().lower().split("-")[0])
        if language and quality > 0:
            preferences.append((-quality, position, language))
    return min(preferences)[2] if preferences else DEFAULT_LANGUAGE


class StaffInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "staff"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[Text, Any]]) -> "StaffInput":
        credentials = credentials or {}
        return cls(credentials["token"], credentials.get("database_url"),
                   retention({RETENTION_VARIABLE: str(credentials.get("retention_days") or "")}).days)

    def __init__(self, token: str, database_url: Optional[str] = None, retention_days: int = 90) -> None:
        if len(token) < 16:
            logger.warning("STAFF_TOKEN is shorter than 16 characters: easy to guess")
        self._token = token.encode("utf-8")
        self._session = hmac.new(self._token, b"klyngebot staff session", hashlib.sha256).hexdigest().encode()
        self._database_url = database_url
        self._retention_days = retention_days
        self._engine: Optional[Engine] = None

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return hmac.compare_digest(header[7:].strip().encode("utf-8"), self._token)
        cookie = request.cookies.get(COOKIE)
        return cookie is not None and hmac.compare_digest(cookie.encode("utf-8"), self._session)

    def _database(self) -> Engine:
        if self._engine is None:
            self._engine = connect(self._database_url)
        return self._engine

    def _dashboard_html(self, language: str) -> str:
        return dashboard_page(dashboard(self._database()), language, self._retention_days, dt.date.today())

    def _export_csv(self, kind: str) -> str:
        output = io.StringIO()
        write_csv(EXPORTS[kind](self._database()), output)
        return output.getvalue()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        staff = Blueprint("staff_dashboard", __name__)

        def home(request: Request) -> str:
            return request.path[:request.path.rindex("/") + 1]

        def language_of(request: Request) -> str:
            return choose_language(request.args.get("lang"), request.headers.get("accept-language"))

        def signed_out(request: Request, wrong: bool = False) -> response.HTTPResponse:
            return response.html(login_page(language_of(request), wrong), status=401, headers=HEADERS)

        @staff.route("/", methods=["GET"], name="staff_page")
        async def page(request: Request) -> response.HTTPResponse:
            if not request.path.endswith("/"):  # the page's links are relative to /webhooks/staff/
                return response.redirect(request.path + "/" + (f"?{request.query_string}" if request.query_string
                                                               else ""))
            if not self._authorised(request):
                return signed_out(request)
            html = await asyncio.to_thread(self._dashboard_html, language_of(request))
            return response.html(html, headers=HEADERS)

        @staff.route("/login", methods=["POST"], name="staff_login")
        async def login(request: Request) -> response.HTTPResponse:
            given = (request.form.get("token") or "").strip().encode("utf-8")
            if not hmac.compare_digest(given, self._token):
                await asyncio.sleep(WRONG_TOKEN_DELAY_SECONDS)
                return signed_out(request, wrong=True)
            answer = response.redirect(f"{home(request)}?lang={language_of(request)}", status=303, headers=HEADERS)
            answer.cookies[COOKIE] = self._session.decode()
            cookie = answer.cookies[COOKIE]
            cookie["httponly"], cookie["samesite"], cookie["path"] = True, "Strict", home(request)
            cookie["max-age"] = SESSION_HOURS * 3600
            cookie["secure"] = request.scheme == "https"
            return answer

        @staff.route("/logout", methods=["POST"], name="staff_logout")
        async def logout(request: Request) -> response.HTTPResponse:
            answer = response.redirect(f"{home(request)}?lang={language_of(request)}", status=303, headers=HEADERS)
            answer.cookies[COOKIE] = ""
            answer.cookies[COOKIE]["path"], answer.cookies[COOKIE]["max-age"] = home(request), 0
            return answer

        @staff.route("/export/<file_name>", methods=["GET"], name="staff_export")
        async def export(request: Request, file_name: str) -> response.HTTPResponse:
            if not self._authorised(request):
                return signed_out(request)
            kind = file_name.removesuffix(".csv")
            if kind not in EXPORTS or not file_name.endswith(".csv"):
                return response.text("not found", status=404, headers=HEADERS)
            text = await asyncio.to_thread(self._export_csv, kind)
            return response.text(text, content_type="text/csv; charset=utf-8", headers={
                **HEADERS, "Content-Disposition": f'attachment; filename="klyngebot-{kind}.csv"'})

        return staff
