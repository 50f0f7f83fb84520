"""Slack on loopback: signed Events API deliveries reach the bot and its replies reach a local stand-in for
Slack's Web API; unsigned, wrongly signed and replayed requests are refused; a retried delivery gets no
second reply, even from another Rasa process; the secrets appear in no log."""
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.servers import free_port, running_bot
from tests.services import postgres_database

pytestmark = pytest.mark.slow
TOKEN = "xoxb-test-token-4711"
SECRET = "signing-secret-0815"


class SlackApiStandIn:
    """Answers chat.postMessage like Slack does and keeps what the bot posted."""

    def __init__(self):
        self.posts = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                stand_in.posts.append({"path": self.path, "auth": self.headers.get("authorization"),
                                       "body": json.loads(body or b"{}")})
                reply = json.dumps({"ok": True, "ts": str(time.time())}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self):
        return [post["body"].get("text", "") for post in self.posts if post["path"].endswith("chat.postMessage")]


def signed(body: bytes, secret: str = SECRET, timestamp: int = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def deliver(url: str, event: dict, headers: dict) -> int:
    body = json.dumps(event).encode()
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json", **headers(body)})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def direct_message(event_id: str, text: str) -> dict:
    return {"type": "event_callback", "event_id": event_id, "authorizations": [{"user_id": "UBOT"}],
            "event": {"type": "message", "channel_type": "im", "channel": "D042", "user": "U7", "text": text,
                      "ts": f"{time.time():.6f}"}}


def wait_for_posts(stand_in, count, seconds=30):
    deadline = time.monotonic() + seconds
    while len(stand_in.texts()) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return stand_in.texts()


@pytest.fixture
def stand_in(monkeypatch):
    api = SlackApiStandIn()
    for name, value in (("SLACK_BOT_TOKEN", TOKEN), ("SLACK_SIGNING_SECRET", SECRET), ("SLACK_API_URL", api.url)):
        monkeypatch.setenv(name, value)
    yield api
    api.server.shutdown()


def test_slack_on_loopback(tmp_path, stand_in):
    with running_bot(tmp_path) as bot:
        webhook = f"{bot.base}/webhooks/slack/webhook"
        question = direct_message("Ev001", "hva er maks tilskudd?")
        assert deliver(webhook, question, signed) == 200
        texts = wait_for_posts(stand_in, 2)
        assert any("Innovasjonsrammen" in text and "300" in text for text in texts), texts
        assert all(post["auth"] == f"Bearer {TOKEN}" for post in stand_in.posts)
        assert stand_in.posts[0]["body"]["channel"] == "D042"
        answered = len(stand_in.texts())

        # refused: no signature, a wrong secret, a replayed delivery from ten minutes ago
        assert deliver(webhook, direct_message("Ev002", "hei"), lambda body: {}) == 400
        assert deliver(webhook, direct_message("Ev003", "hei"), lambda body: signed(body, "wrong")) == 400
        assert deliver(webhook, direct_message("Ev004", "hei"),
                       lambda body: signed(body, timestamp=int(time.time()) - 600)) == 400

        # Slack's retry of the first delivery (for whatever reason) gets no second reply
        retry = lambda body: {**signed(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
        assert deliver(webhook, question, retry) == 200
        time.sleep(3)
        assert len(stand_in.texts()) == answered

        # staff's one-off question does not start a check
        assert deliver(webhook, direct_message("Ev005", "kan et universitet være partner?"), signed) == 200
        texts = wait_for_posts(stand_in, answered + 2)
        assert not any("Hvem søker" in text for text in texts)
    logs = "".join(path.read_text() for path in (tmp_path / "logs").glob("*.log"))
    logs += "".join(path.read_text() for path in (tmp_path / "config").glob("endpoints.yml"))
    assert TOKEN not in logs and SECRET not in logs


def test_a_retry_that_reaches_another_rasa_process_gets_no_second_reply(tmp_path, stand_in):
    with postgres_database() as url, running_bot(tmp_path, database_url=url, redis_url="redis://127.0.0.1:6379/4",
                                                 rasa_processes=2) as bot:
        first, second = bot.peers
        question = direct_message(f"Ev-{time.time_ns()}", "hva er maks tilskudd?")
        assert deliver(f"{first.base}/webhooks/slack/webhook", question, signed) == 200
        answered = len(wait_for_posts(stand_in, 2))
        retry = lambda body: {**signed(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
        assert deliver(f"{second.base}/webhooks/slack/webhook", question, retry) == 200
        time.sleep(3)
        assert answered >= 2 and len(stand_in.texts()) == answered
