"""Staff's dashboard, served by Rasa at /webhooks/staff/ next to the chat page: what the bot has kept (records/),
with plots drawn on the server and CSV exports.

It is on only when STAFF_TOKEN is set (deploy/rasa_config.py registers it, and refuses a short token; otherwise
Rasa answers 404 and the start-up log says the channel is off). Scripts send the token as `Authorization: Bearer
<token>`; a browser signs in once with a form, which opens a session (records/sessions.py) whose random id the
cookie carries (HttpOnly, SameSite=Strict, only for /webhooks/staff/, Secure over TLS): a browser cannot add a
header to a plain page load, and a token in the address would end up in history and logs. Signing out ends the
session in the database, so a copy of the cookie opens nothing afterwards. Anything else gets 401 and the
sign-in form.

Every route that takes a token or a session counts what each client tries (Attempts): a burst of wrong ones is
answered 429 with Retry-After, the right token included, so that a guess that hit is not told apart.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import io
import ipaddress
import logging
import math
import time
from typing import Any, Awaitable, Callable, Optional, Sequence, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy.engine import Engine

from bot.resources import DEFAULT_LANGUAGE, LANGUAGES, RETENTION_VARIABLE
from bot.saying.spreadsheet import write_csv
from records.dashboard import Period, dashboard
from records.export import EXPORTS
from records.handoffs import set_status
from records.page import dashboard_page, login_page
from records.retention import retention
from records.sessions import (MINIMUM_TOKEN_LENGTH, SESSION_LIFETIME, Networks, close_session, open_session,
                              proxy_networks, session_is_open)
from records.store import connect
from channels.staff_review import review_routes

logger = logging.getLogger("klyngebot.staff")
COOKIE = "klyngebot_staff"
# A client may try this many tokens or sessions at once, and one more every ATTEMPT_EVERY_SECONDS after that;
# a right one is given back, so staff at work never run out.
ATTEMPTS_AT_ONCE = 10
ATTEMPT_EVERY_SECONDS = 10.0
CLIENTS_REMEMBERED = 10_000  # the longest-unseen client is forgotten beyond this: memory stays bounded
IPV6_CLIENT_PREFIX = 64  # one subscriber usually holds a whole /64, so its addresses count as one client
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


class Attempts:
    """Per client, how many attempts it may make now: a bucket of ATTEMPTS_AT_ONCE that fills again by one every
    ATTEMPT_EVERY_SECONDS. An attempt is taken before its token is checked and given back when it was right, so
    requests that arrive together cannot all pass before the first wrong one is counted."""

    def __init__(self, at_once: int = ATTEMPTS_AT_ONCE, every_seconds: float = ATTEMPT_EVERY_SECONDS,
                 clock: Callable[[], float] = time.monotonic, remembered: int = CLIENTS_REMEMBERED) -> None:
        self._at_once, self._every, self._clock, self._remembered = at_once, every_seconds, clock, remembered
        self._left: dict[str, tuple[float, float]] = {}  # client -> (attempts left, when); oldest first

    def _now_left(self, client: str) -> tuple[float, float]:
        now = self._clock()
        left, then = self._left.pop(client, (self._at_once, now))
        return min(self._at_once, left + (now - then) / self._every), now

    def _keep(self, client: str, left: float, now: float) -> None:
        if left < self._at_once:  # a full bucket is the same as none
            self._left[client] = left, now
            if len(self._left) > self._remembered:
                del self._left[next(iter(self._left))]

    def take(self, client: str) -> Optional[int]:
        """Takes one attempt; None when there was one, else the seconds until there is (for Retry-After)."""
        return self._attempt(client, cost=1)

    def wait(self, client: str) -> Optional[int]:
        """As take, but costs nothing: for a request that tries no token, from a client that may have to wait."""
        return self._attempt(client, cost=0)

    def _attempt(self, client: str, cost: int) -> Optional[int]:
        left, now = self._now_left(client)
        if left >= 1:
            self._keep(client, left - cost, now)
            return None
        self._keep(client, left, now)
        return max(1, math.ceil((1 - left) * self._every))

    def give_back(self, client: str) -> None:
        left, now = self._now_left(client)
        self._keep(client, left + 1, now)


def _is_proxy(address: str, trusted: Networks) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return parsed.is_loopback or any(parsed in network for network in trusted)


def client_of(peer: str, forwarded_for: Sequence[str], trusted: Networks = ()) -> str:
    """Whom a request is counted against: the address it came from, or, when that is a proxy of ours (loopback,
    or `trusted`), the last address in X-Forwarded-For, the one the proxy added; the ones before it are whatever
    the client wrote."""
    address = peer
    if _is_proxy(peer, trusted) and forwarded_for:
        address = ",".join(forwarded_for).split(",")[-1].strip()
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return peer
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(parsed)


def period_of(since: Optional[str], until: Optional[str]) -> tuple[Period, bool]:
    """The period the page's form asks for, and whether it asked for one that cannot be (then: all the time)."""
    try:
        period = Period(dt.date.fromisoformat(since) if since else None, dt.date.fromisoformat(until) if until else None)
    except ValueError:
        return Period(), True
    if period.since and period.until and period.since > period.until:
        return Period(), True
    return period, False


def came_over_tls(peer: str, own_tls: bool, forwarded_proto: Sequence[str], trusted: Networks = ()) -> bool:
    """Whether the browser's connection was encrypted: Rasa's own, or the proxy's when a proxy of ours says so
    in X-Forwarded-Proto. Anyone else could write that header."""
    return own_tls or (_is_proxy(peer, trusted) and bool(forwarded_proto)
                       and forwarded_proto[-1].strip().lower() == "https")


class StaffInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "staff"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[Text, Any]]) -> "StaffInput":
        credentials = credentials or {}
        return cls(credentials["token"], credentials.get("database_url"),
                   retention({RETENTION_VARIABLE: str(credentials.get("retention_days") or "")}).days,
                   proxy_networks(credentials.get("trusted_proxies")))

    def __init__(self, token: str, database_url: Optional[str] = None, retention_days: int = 90,
                 trusted_proxies: Networks = ()) -> None:
        if len(token) < MINIMUM_TOKEN_LENGTH:  # deploy/rasa_config.py refuses it first; credentials.yml by hand
            raise ValueError(f"STAFF_TOKEN is shorter than {MINIMUM_TOKEN_LENGTH} characters")
        self._token = token.encode("utf-8")
        self._database_url = database_url
        self._retention_days = retention_days
        self._trusted_proxies = trusted_proxies
        self._engine: Optional[Engine] = None
        self._attempts = Attempts()

    def _right_token(self, given: str) -> bool:
        return hmac.compare_digest(given.strip().encode("utf-8"), self._token)

    async def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return self._right_token(header[7:])
        cookie = request.cookies.get(COOKIE)
        return bool(cookie) and await asyncio.to_thread(session_is_open, self._database(), cookie)

    def _database(self) -> Engine:
        if self._engine is None:
            self._engine = connect(self._database_url)
        return self._engine

    def _dashboard_html(self, language: str, since: Optional[str], until: Optional[str]) -> str:
        period, problem = period_of(since, until)
        return dashboard_page(dashboard(self._database(), period), language, self._retention_days, dt.date.today(),
                              problem)

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

        def client(request: Request) -> str:
            return client_of(request.ip, request.headers.getall("x-forwarded-for", []), self._trusted_proxies)

        def signed_out(request: Request, wrong: bool = False) -> response.HTTPResponse:
            return response.html(login_page(language_of(request), wrong), status=401, headers=HEADERS)

        def wrong_from(who: str) -> None:
            # at most ATTEMPTS_AT_ONCE lines, then one per ATTEMPT_EVERY_SECONDS, per client: the rest get 429
            logger.warning("staff page: a wrong token or session from %s", who)

        def too_many(request: Request, seconds: int) -> response.HTTPResponse:
            return response.html(login_page(language_of(request), wait_seconds=seconds), status=429,
                                 headers={**HEADERS, "Retry-After": str(seconds)})

        async def refused(request: Request) -> Optional[response.HTTPResponse]:
            """None when the request may go on; else the answer: 429 when the client has tried too much, 401
            when it brought no token or session, or a wrong one."""
            who = client(request)
            tries = "authorization" in request.headers or bool(request.cookies.get(COOKIE))
            waited = self._attempts.take(who) if tries else self._attempts.wait(who)
            if waited is not None:
                return too_many(request, waited)
            if not tries:
                return signed_out(request)
            if not await self._authorised(request):
                wrong_from(who)
                return signed_out(request)
            self._attempts.give_back(who)
            return None

        @staff.route("/", methods=["GET"], name="staff_page")
        async def page(request: Request) -> response.HTTPResponse:
            if not request.path.endswith("/"):  # the page's links are relative to /webhooks/staff/
                return response.redirect(request.path + "/" + (f"?{request.query_string}" if request.query_string
                                                               else ""))
            refusal = await refused(request)
            if refusal is not None:
                return refusal
            html = await asyncio.to_thread(self._dashboard_html, language_of(request), request.args.get("from"),
                                           request.args.get("to"))
            return response.html(html, headers=HEADERS)

        @staff.route("/request/<handoff_id:int>", methods=["POST"], name="staff_request_status")
        async def request_status(request: Request, handoff_id: int) -> response.HTTPResponse:
            refusal = await refused(request)
            if refusal is not None:
                return refusal
            try:
                found = await asyncio.to_thread(set_status, self._database(), handoff_id,
                                                request.form.get("status") or "", request.form.get("taken_by"))
            except ValueError:
                return response.text("unknown status", status=400, headers=HEADERS)
            if not found:
                return response.text("not found", status=404, headers=HEADERS)
            return response.redirect(f"{home(request).removesuffix('request/')}?lang={language_of(request)}#handoffs",
                                     status=303, headers=HEADERS)

        @staff.route("/login", methods=["POST"], name="staff_login")
        async def login(request: Request) -> response.HTTPResponse:
            who = client(request)
            waited = self._attempts.take(who)
            if waited is not None:
                return too_many(request, waited)
            if not self._right_token(request.form.get("token") or ""):
                wrong_from(who)
                return signed_out(request, wrong=True)
            self._attempts.give_back(who)
            session = await asyncio.to_thread(open_session, self._database())
            answer = response.redirect(f"{home(request)}?lang={language_of(request)}", status=303, headers=HEADERS)
            answer.cookies[COOKIE] = session
            cookie = answer.cookies[COOKIE]
            cookie["httponly"], cookie["samesite"], cookie["path"] = True, "Strict", home(request)
            cookie["max-age"] = int(SESSION_LIFETIME.total_seconds())
            cookie["secure"] = came_over_tls(request.ip, request.conn_info is not None and request.conn_info.ssl,
                                             request.headers.getall("x-forwarded-proto", []), self._trusted_proxies)
            return answer

        @staff.route("/logout", methods=["POST"], name="staff_logout")
        async def logout(request: Request) -> response.HTTPResponse:
            session = request.cookies.get(COOKIE)
            if session:  # whoever holds the id may end it; nothing is told about whether it was open
                await asyncio.to_thread(close_session, self._database(), session)
            answer = response.redirect(f"{home(request)}?lang={language_of(request)}", status=303, headers=HEADERS)
            answer.cookies[COOKIE] = ""
            answer.cookies[COOKIE]["path"], answer.cookies[COOKIE]["max-age"] = home(request), 0
            return answer

        @staff.route("/export/<file_name>", methods=["GET"], name="staff_export")
        async def export(request: Request, file_name: str) -> response.HTTPResponse:
            refusal = await refused(request)
            if refusal is not None:
                return refusal
            kind = file_name.removesuffix(".csv")
            if kind not in EXPORTS or not file_name.endswith(".csv"):
                return response.text("not found", status=404, headers=HEADERS)
            text = await asyncio.to_thread(self._export_csv, kind)
            return response.text(text, content_type="text/csv; charset=utf-8", headers={
                **HEADERS, "Content-Disposition": f'attachment; filename="klyngebot-{kind}.csv"'})

        review_routes(staff, refused, language_of, self._database, HEADERS)  # the conversation review
        return staff
