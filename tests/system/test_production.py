"""The production set-up as `make serve` starts it (deploy/serve.py), once for the module: nginx with TLS in
front of two Rasa processes with the API token, PostgreSQL, Redis and the action server, all on loopback.

Only the public routes reach Rasa through nginx; Rasa's HTTP API answers 404 there with or without its token,
and on loopback only with it; Slack's signature and the browser's origin are checked; a conversation over REST
and one over socket.io go on through the other process when one is killed, and the killed one is started again.
The tests run in the order written: the last one unloads a process's model.
"""
from __future__ import annotations

import asyncio
import gzip
import hashlib
import hmac
import json
import os
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import aiohttp
import pytest
import socketio
from rasa.server import create_app
from sanic import Sanic

from channels.senders import conversation_id
from deploy.processes import ROOT
from deploy.serve import Stack, running_stack
from tests.services import postgres_database

pytestmark = pytest.mark.slow
TOKEN = "production-test-token-" + os.urandom(8).hex()
REST_TOKEN = "production-rest-token-" + os.urandom(8).hex()
AS_INTEGRATION = {"Authorization": f"Bearer {REST_TOKEN}"}  # what the REST channel needs in production
WEBSITE = "https://www.klynge.example"  # the one website allowed to embed the chat
SIGNING_SECRET = "slack-test-signing-secret"
REDIS_URL = "redis://127.0.0.1:6379/4"

# The only assumptions made here about the dialogue, which the lead is rewriting: what each message fills in.
TURNS = [("we are 3 companies", {"companies": 3}),
         ("the budget is NOK 500,000", {"budget_nok": 500000}),
         ("NCE", {"cluster_programme": "nce"}),  # the answer to the question the bot asks then
         ("sorry, we are 4 companies", {"companies": 4})]


def rasa_api_routes() -> list[tuple[str, str, bool]]:
    """Every route of Rasa's own HTTP API (rasa/server.py) as (method, path, needs the token)."""
    open_routes = {"hello", "version"}  # Rasa answers these to anyone: its greeting and its version
    app = create_app(auth_token="any")
    Sanic._app_registry.pop(app.name)  # only read: leave the name free for a Rasa server made in this process
    routes = []
    for route in app.router.routes:
        path = "/" + route.path.replace("<conversation_id:path>", "route-check")
        routes += [(method, path, route.handler.__name__ not in open_routes) for method in sorted(route.methods)]
    return routes


API_ROUTES = rasa_api_routes()
UNLOAD_MODEL = ("DELETE", "/model", True)  # allowed with the token, but it empties the process: tried last
PUBLIC_ROUTES = [("POST", "/webhooks/rest/webhook", {"sender": "route-check", "message": "hei"}),
                 ("POST", "/webhooks/slack/webhook", {"type": "event_callback"}),
                 ("POST", "/webhooks/slack/command", b"command=%2Fklyngebot"),  # the slash command
                 ("POST", "/webhooks/botframework/webhook", {"type": "message"}),
                 ("GET", "/webhooks/webchat/chat/", None),
                 ("GET", "/socket.io/?EIO=4&transport=polling", None),
                 ("GET", "/webhooks/staff/", None)]


def test_rasa_api_routes_are_all_found():
    assert len(API_ROUTES) == 19 and UNLOAD_MODEL in API_ROUTES
    assert {("GET", "/status", True), ("GET", "/version", False), ("POST", "/model/parse", True),
            ("GET", "/conversations/route-check/tracker", True)} <= set(API_ROUTES)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    subprocess.run([str(ROOT / "scripts" / "ensure-services"), "nginx", "postgresql", "redis"], check=True)
    environment = {**os.environ, "KLYNGEBOT_API_TOKEN": TOKEN, "KLYNGEBOT_ALLOWED_ORIGINS": WEBSITE,
                   "REST_TOKEN": REST_TOKEN, "ACTIONS_TOKEN": "production-actions-token-" + os.urandom(8).hex(),
                   "KLYNGEBOT_HASH_KEY": "a-production-test-key-0123456789abcdef",
                   "REDIS_URL": REDIS_URL, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                   "SLACK_API_URL": "http://127.0.0.1:9/"}  # nothing is sent to Slack in these tests
    with postgres_database() as url, running_stack(tmp_path_factory.mktemp("serve"),
                                                   {**environment, "DATABASE_URL": url}) as started:
        yield started


def call(url: str, method: str = "GET", body=None, headers: dict | None = None,
         context: ssl.SSLContext | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request, whatever the status."""
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60, context=context) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def through_nginx(stack: Stack, method: str, path: str, body=None, headers=None) -> tuple[int, dict, bytes]:
    return call(stack.url + path, method, body, headers, stack.client_context())


def upstream(stack: Stack, headers_or_marker: dict | str) -> str:
    """Which Rasa process answered a request passed on by nginx ('-': none, nginx answered itself): the
    request with the response headers given, or the latest whose log line holds the text given. nginx writes
    the line just after the response, so it is waited for."""
    marker = headers_or_marker if isinstance(headers_or_marker, str) else f"id={headers_or_marker['X-Request-Id']}"
    deadline = time.monotonic() + 5
    while True:
        lines = [line for line in (stack.run_directory / "nginx" / "access.log").read_text().splitlines() if marker in line]
        if lines or time.monotonic() > deadline:
            return lines[-1].split('upstream="')[1].split('"')[0].split(", ")[-1]  # the last one tried answered
        time.sleep(0.05)


def with_token(path: str, token: str | None) -> str:
    return path if token is None else path + ("&" if "?" in path else "?") + urllib.parse.urlencode({"token": token})


@pytest.mark.parametrize("method, path, body", PUBLIC_ROUTES)
def test_public_routes_reach_rasa(stack, method, path, body):
    status, headers, _ = through_nginx(stack, method, path, body, AS_INTEGRATION if "/rest/" in path else None)
    assert upstream(stack, headers).startswith("127.0.0.1:"), (method, path, status)
    if path in ("/webhooks/rest/webhook", "/webhooks/webchat/chat/", "/socket.io/?EIO=4&transport=polling"):
        assert status == 200


@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN], ids=["no token", "wrong token", "right token"])
@pytest.mark.parametrize("method, path, needs_token", API_ROUTES)
def test_rasa_api_is_not_reachable_through_nginx(stack, method, path, needs_token, token):
    status, headers, _ = through_nginx(stack, method, with_token(path, token), b"")
    assert (status, upstream(stack, headers)) == (404, "-")


@pytest.mark.parametrize("method, path, needs_token", [route for route in API_ROUTES if route != UNLOAD_MODEL])
def test_rasa_api_on_loopback_needs_the_token(stack, method, path, needs_token):
    direct = f"http://127.0.0.1:{stack.rasa_ports['rasa2']}"
    refused = {401} if needs_token else {200}
    assert call(direct + path, method, b"")[0] in refused
    assert call(direct + with_token(path, "wrong-token"), method, b"")[0] in refused
    status, _, answer = call(direct + with_token(path, TOKEN), method, b"")
    assert status not in (401, 403), answer  # past the token: what remains is Rasa's verdict on the empty body
    if method == "GET" and "/story" not in path:
        assert status == 200, answer


def slack_signed(body: bytes, secret: str, timestamp: int | None = None) -> dict:
    timestamp = timestamp or int(time.time())
    signature = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={signature}"}


def test_the_rest_channel_needs_its_token_through_nginx(stack):
    body = {"sender": "token-check", "message": "hei"}
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": REST_TOKEN}):
        status, answer_headers, answer = through_nginx(stack, "POST", "/webhooks/rest/webhook", body, headers)
        assert status == 401 and upstream(stack, answer_headers) != "-" and "error" in json.loads(answer)
    assert through_nginx(stack, "POST", "/webhooks/rest/webhook", body, AS_INTEGRATION)[0] == 200


def test_nginx_refuses_a_body_far_beyond_the_longest_message_before_rasa_reads_it(stack):
    too_big = {"sender": "big-body", "message": "1 " * 40_000}  # 80 kB; the longest message read is 2,000 characters
    status, headers, _ = through_nginx(stack, "POST", "/webhooks/rest/webhook", too_big, AS_INTEGRATION)
    assert status == 413 and upstream(stack, headers) == "-"  # nginx answered; no Rasa process saw it
    longest = {"sender": "big-body", "message": "å" * 2000}  # escaped in JSON as \u00e5: 12 kB, still taken
    assert through_nginx(stack, "POST", "/webhooks/rest/webhook", longest, AS_INTEGRATION)[0] == 200


def test_slack_refuses_a_bad_signature_through_nginx(stack):
    body = json.dumps({"type": "url_verification", "challenge": "proof"}).encode()
    for headers in (slack_signed(body, "not-the-secret"), {}, slack_signed(body, SIGNING_SECRET, int(time.time()) - 600)):
        status, answer_headers, _ = through_nginx(stack, "POST", "/webhooks/slack/webhook", body, headers)
        assert status == 400 and upstream(stack, answer_headers) != "-"
    status, _, answer = through_nginx(stack, "POST", "/webhooks/slack/webhook", body, slack_signed(body, SIGNING_SECRET))
    assert (status, json.loads(answer)) == (200, {"challenge": "proof"})  # nginx passes the signed body on as it is


@pytest.mark.parametrize("method, path", [("GET", "/socket.io/?EIO=4&transport=polling"),
                                          ("OPTIONS", "/webhooks/rest/webhook"), ("POST", "/webhooks/rest/webhook")])
def test_a_page_from_another_origin_gets_no_grant(stack, method, path):
    status, headers, _ = through_nginx(stack, method, path, {"sender": "origin-check", "message": "hei"},
                                       {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert status == 403 and upstream(stack, headers) == "-"
    assert "Access-Control-Allow-Origin" not in headers


def test_the_configured_website_is_granted_the_widgets_routes(stack):
    """What the widget uses (socket.io and its texts) answers the website with a grant; Rasa's REST channel is let
    through by nginx but grants no origin (its --cors would grant the HTTP API as well)."""
    for path in ("/socket.io/?EIO=4&transport=polling", "/webhooks/webchat/widget-texts.json?language=nb"):
        status, headers, _ = through_nginx(stack, "GET", path, None, {"Origin": WEBSITE})
        assert status == 200 and upstream(stack, headers) != "-"
        assert headers.get("Access-Control-Allow-Origin") == WEBSITE, path
    status, headers, _ = through_nginx(stack, "OPTIONS", "/webhooks/rest/webhook", None,
                                       {"Origin": WEBSITE, "Access-Control-Request-Method": "POST", **AS_INTEGRATION})
    assert upstream(stack, headers) != "-" and "Access-Control-Allow-Origin" not in headers


def test_the_bots_own_chat_page_needs_no_grant(stack):
    """Its requests are same-origin: the browser sends Origin along but asks for no CORS grant."""
    status, headers, _ = through_nginx(stack, "GET", "/socket.io/?EIO=4&transport=polling", None, {"Origin": stack.url})
    assert status == 200 and upstream(stack, headers) != "-"


def test_a_websocket_from_another_origin_is_refused(stack):
    async def open_websocket(origin: str) -> int:
        url = f"{stack.url}/socket.io/?EIO=4&transport=websocket"
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=stack.client_context())) as session:
            try:
                async with session.ws_connect(url, origin=origin):
                    return 101
            except aiohttp.WSServerHandshakeError as error:
                return error.status

    assert asyncio.run(open_websocket("https://evil.example")) == 403
    assert asyncio.run(open_websocket(WEBSITE)) == 101


def test_the_widget_files_give_no_grant_to_another_origin(stack):
    status, headers, _ = through_nginx(stack, "GET", "/webhooks/webchat/widget.js", None,
                                       {"Origin": "https://evil.example"})
    assert status == 200 and headers.get("Access-Control-Allow-Origin") in (None, stack.url)


def test_the_widget_its_texts_and_the_chat_page_go_compressed_and_the_widget_is_still_revalidated(stack):
    """gzip for a browser that takes it, the same bytes once unpacked; and the ETag nginx weakens on the way
    (W/"…") still gets 304, so a cluster's site does not download the widget again every five minutes."""
    for path in ("/webhooks/webchat/widget.js", "/webhooks/webchat/widget.css",
                 "/webhooks/webchat/widget-texts.json?language=nb", "/webhooks/webchat/chat/"):
        _, plain_headers, plain = through_nginx(stack, "GET", path, None, {"Accept-Encoding": "identity"})
        status, headers, packed = through_nginx(stack, "GET", path, None, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") == "gzip", path
        assert "Content-Encoding" not in plain_headers and "Accept-Encoding" in headers.get("Vary", ""), path
        assert gzip.decompress(packed) == plain and len(packed) < len(plain), path
    widget = "/webhooks/webchat/widget.js"
    tag = through_nginx(stack, "GET", widget, None, {"Accept-Encoding": "gzip"})[1]["ETag"]
    status, _, body = through_nginx(stack, "GET", widget, None, {"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert (status, body) == (304, b""), tag


class SocketChat:
    """The chat page's socket.io session through nginx, as web/widget.js keeps it: on every (re)connect it asks
    for its session by the id the server issued, so a reconnect to another process continues the same
    conversation."""

    def __init__(self, stack: Stack, loop: asyncio.AbstractEventLoop):
        self.stack, self.session_id, self.loop = stack, None, loop
        self.received: list[str] = []
        self.run(self._make_client())

    async def _make_client(self) -> None:
        """The client and its events belong to the loop they run on."""
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=self.stack.client_context()))
        self.client = socketio.AsyncClient(http_session=http, reconnection_delay=0.5, randomization_factor=0)
        self.confirmed = asyncio.Event()
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", lambda *_: self.confirmed.clear())
        self.client.on("session_confirm", self._on_confirm)
        self.client.on("bot_uttered", lambda message: self.received.append(message.get("text", "")))

    async def _on_connect(self) -> None:
        self.confirmed.clear()
        await self.client.emit("session_request", {"session_id": self.session_id})

    def _on_confirm(self, session_id: str) -> None:
        assert self.session_id in (None, session_id), "the issued id is kept across processes"
        self.session_id = session_id
        self.confirmed.set()

    def run(self, coroutine, seconds: float = 90):
        return asyncio.run_coroutine_threadsafe(asyncio.wait_for(coroutine, seconds), self.loop).result()

    def open(self) -> None:
        # long-polling: many requests, each of which must reach the session's process. (This python-socketio's
        # WebSocket transport needs a later aiohttp than Rasa 3.6 allows; WebSockets through nginx are tested above.)
        self.run(self.client.connect(self.stack.url, transports=["polling"], socketio_path="socket.io"))
        self.run(self.confirmed.wait())

    def wait_for_reconnect(self) -> None:
        async def reconnected():
            while self.confirmed.is_set():  # the old connection is not yet seen to be gone
                await asyncio.sleep(0.05)
            await self.confirmed.wait()
        self.run(reconnected())

    def say(self, text: str) -> list[str]:
        """Sends a message; its replies, once the stored conversation shows the turn finished and as many
        replies have come."""
        before = len(self.received)
        self.run(self.client.emit("user_uttered", {"message": text, "session_id": self.session_id}))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            turns = turns_of(self.stack.tracker(conversation_id("webchat", self.session_id)))
            if turns and turns[-1][0] == text and len(self.received) - before >= len(paragraphs(turns[-1][1])):
                return self.received[before:]
            time.sleep(0.2)
        raise TimeoutError(f"no finished turn for {text!r}")

    def close(self) -> None:
        self.run(self.client.disconnect())
        self.run(self.client.eio.http.close())


def turns_of(tracker: dict) -> list[tuple[str, list[str]]]:
    """Each user message of a stored conversation with the bot's replies to it, once the turn is finished
    (Rasa listens again); a turn still running is left out."""
    turns: list[tuple[str, list[str]]] = []
    finished = False
    for event in tracker["events"]:
        if event["event"] == "user":
            turns.append((event["text"], []))
            finished = False
        elif event["event"] == "bot" and turns:
            turns[-1][1].append(event.get("text") or "")
        elif event["event"] == "action" and event.get("name") == "action_listen" and turns:
            finished = True
    return turns if finished else turns[:-1]


def paragraphs(texts: list[str]) -> list[str]:
    """Replies as Rasa's socket.io channel sends them: each paragraph a message of its own."""
    return [part for text in texts for part in text.strip().split("\n\n")]


def assert_stored_once(stack: Stack, conversation: str, sent: list[str], replies: list[list[str]],
                       as_received=lambda texts: texts) -> None:
    """Every message stored once, in order, each followed once by exactly the replies the user got."""
    tracker = stack.tracker(conversation)
    assert [(text, as_received(texts)) for text, texts in turns_of(tracker)] == list(zip(sent, replies))
    assert all(replies), "every message was answered"
    expected = {slot: value for _, slots in TURNS for slot, value in slots.items()}
    assert {slot: tracker["slots"][slot] for slot in expected} == expected


def test_conversations_go_on_through_the_other_process_when_one_is_killed(stack):
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    chat = SocketChat(stack, loop)
    rest_sender = "rest-" + os.urandom(6).hex()
    sent, rest_replies, socket_replies = [], [], []
    names_by_address = {f"127.0.0.1:{port}": name for name, port in stack.rasa_ports.items()}
    try:
        chat.open()
        socket_process = names_by_address[upstream(stack, "/socket.io/")]  # socket.io is sticky: one process
        half = len(TURNS) // 2
        for number, (text, slots) in enumerate(TURNS):
            if number == half:
                victim = stack.processes.processes[socket_process]
                victim.kill()  # SIGKILL, in the middle of the check
                victim.wait()
                chat.wait_for_reconnect()
                restart = threading.Thread(target=stack.restart_exited)
                restart.start()  # the conversations go on while the killed process starts again
            sent.append(text)
            status, headers, answer = through_nginx(stack, "POST", "/webhooks/rest/webhook",
                                                    {"sender": rest_sender, "message": text}, AS_INTEGRATION)
            assert status == 200, answer  # no error reaches the user, not even right after the kill
            rest_replies.append([reply.get("text", "") for reply in json.loads(answer)])
            if number >= half and restart.is_alive():
                assert names_by_address[upstream(stack, headers)] != socket_process
            socket_replies.append(chat.say(text))
        assert_stored_once(stack, conversation_id("rest", rest_sender), sent, rest_replies)
        assert_stored_once(stack, conversation_id("webchat", chat.session_id), sent, socket_replies, paragraphs)
        assert len(chat.received) == sum(map(len, socket_replies))  # nothing came late, twice
        restart.join(timeout=400)  # minutes when the machine is busy
        assert not restart.is_alive() and stack.processes.processes[socket_process].poll() is None
        served_by = set()
        for _ in range(20):  # nginx tries the process again once its failure is 10 s old
            _, headers, _ = through_nginx(stack, "POST", "/webhooks/rest/webhook",
                                          {"sender": "after-restart", "message": "hei"}, AS_INTEGRATION)
            served_by.add(names_by_address[upstream(stack, headers)])
            if socket_process in served_by:
                break
            time.sleep(1)
        assert socket_process in served_by
    finally:
        chat.close()
        loop.call_soon_threadsafe(loop.stop)


def test_unloading_the_model_needs_the_token_on_loopback(stack):
    direct = f"http://127.0.0.1:{stack.rasa_ports['rasa2']}/model"
    assert call(direct, "DELETE")[0] == 401
    assert call(with_token(direct, "wrong-token"), "DELETE")[0] == 401
    assert call(with_token(direct, TOKEN), "DELETE")[0] == 204


def test_nginx_holds_a_flood_of_staff_requests_for_all_rasa_processes_together(stack):
    """Each Rasa process limits wrong staff tokens per client but sees only its share; nginx's one limit holds the
    rest. Last in this module: its client waits about a minute afterwards."""
    statuses = [through_nginx(stack, "GET", "/webhooks/staff/")[:2] for _ in range(40)]
    refused = [headers for status, headers in statuses if status == 429]
    assert refused and all(upstream(stack, headers) == "-" for headers in refused[:3])
    assert statuses[0][0] != 429  # a person clicking through pages is not held up
