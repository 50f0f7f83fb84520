"""Slack on loopback: signed Events API deliveries, button clicks and slash commands reach the bot and its
replies reach a local stand-in for Slack's Web API, which refuses what Slack refuses (`as_user` from an app
of today). Replies are mrkdwn in Block Kit that Slack's own SDK models accept; in a channel they go in the
mention's thread, in a DM directly. Unsigned, wrongly signed and replayed requests are refused; a retried
delivery gets no second reply, even from another Rasa process; the secrets appear in no log.

In Socket Mode the same conversations come over a local stand-in of Slack's WebSocket instead (the stand-in
Web API's apps.connections.open gives its address): each envelope is acknowledged, then answered as over HTTP,
and a delivery Slack sends again to the other Rasa process's connection gets no second reply. A 👎 or 👍 reaction
on the bot's answer reaches the records, over HTTP and over the socket alike."""
import asyncio
import hashlib
import hmac
import json
import threading
import time
import uuid
import urllib.error
import urllib.parse
import urllib.request

import pytest
import websockets
from rasa.core.actions.action import create_bot_utterance
from slack_sdk.models.blocks import Block

from channels.senders import conversation_id
from channels.slack import SlackOutput
from records.identity import user_hash
from tests.loopback import OPENED_DM, SlackApiStandIn
from deploy.local import running_bot
from tests.services import postgres_database, thumbs_kept

pytestmark = pytest.mark.slow
TOKEN = "xoxb-test-token-4711"
SECRET = "signing-secret-0815"
APP_TOKEN = "xapp-1-A0KLYNGE-4711-socket"
BOT_USER = "UBOT"


def signed(body: bytes, secret: str = SECRET, timestamp: int = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def post(url: str, body: bytes, content_type: str, headers) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"content-type": content_type, **headers(body)})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def deliver(url: str, event: dict, headers) -> int:
    return post(url, json.dumps(event).encode(), "application/json", headers)[0]


def direct_message(event_id: str, text: str, user: str = "U7") -> dict:
    return {"type": "event_callback", "event_id": event_id, "authorizations": [{"user_id": BOT_USER}],
            "event": {"type": "message", "channel_type": "im", "channel": "D042", "user": user, "text": text,
                      "ts": f"{time.time():.6f}"}}


def reaction(event_id: str, user: str, name: str, item_user: str = BOT_USER) -> dict:
    """Slack's reaction_added event for a reaction on a message in the user's direct messages with the bot."""
    return {"type": "event_callback", "event_id": event_id, "authorizations": [{"user_id": BOT_USER}],
            "event": {"type": "reaction_added", "user": user, "reaction": name, "item_user": item_user,
                      "item": {"type": "message", "channel": "D0THUMBS", "ts": "1700000000.000100"},
                      "event_ts": f"{time.time():.6f}"}}


def thumbs_of(bot, user: str) -> list[str]:
    """The 👍/👎 the records keep for the Slack user's conversation (hashed with the bot's key)."""
    hashed = user_hash(conversation_id("slack", user), bot.servers.environment["KLYNGEBOT_HASH_KEY"].encode())
    return sorted(row.reason for row in thumbs_kept(bot, hashed))


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


def answered(stand_in, channel: str, quiet_seconds: float = 2, seconds: float = 30) -> int:
    """How many messages the bot has posted to the channel once it has answered and said nothing more for
    quiet_seconds: an answer can be several messages, and how many is the dialogue's business."""
    assert wait_for(lambda: stand_in.texts(channel), seconds), f"no answer in {channel}"
    deadline, count, since = time.monotonic() + seconds, len(stand_in.texts(channel)), time.monotonic()
    while time.monotonic() - since < quiet_seconds and time.monotonic() < deadline:
        time.sleep(0.2)
        if len(stand_in.texts(channel)) != count:
            count, since = len(stand_in.texts(channel)), time.monotonic()
    return count


def user_texts(bot, user: str) -> list[str]:
    """The user messages of the Slack user's conversation (`slack:<id>` in Rasa, channels/senders.py)."""
    with urllib.request.urlopen(f"{bot.base}/conversations/{conversation_id('slack', user)}/tracker",
                                timeout=30) as answer:
        return [event["text"] for event in json.loads(answer.read())["events"] if event["event"] == "user"]


def assert_slack_formatting(message: dict) -> None:
    """mrkdwn without the bot's markdown, and blocks that Slack's SDK models accept within Block Kit's limits."""
    for block in message["blocks"]:
        Block.parse(block).validate_json()
    shown = json.dumps([message["text"], message["blocks"]], ensure_ascii=False)
    assert "**" not in shown


@pytest.fixture(scope="module")
def stand_in():
    api = SlackApiStandIn()
    yield api
    api.server.shutdown()


@pytest.fixture
def slack_secrets(monkeypatch, stand_in):
    for name, value in (("SLACK_BOT_TOKEN", TOKEN), ("SLACK_SIGNING_SECRET", SECRET), ("SLACK_API_URL", stand_in.url)):
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def bot(tmp_path_factory, stand_in):
    tmp_path = tmp_path_factory.mktemp("slack")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("SLACK_BOT_TOKEN", TOKEN), ("SLACK_SIGNING_SECRET", SECRET),
                            ("SLACK_API_URL", stand_in.url)):
            patch.setenv(name, value)
        with running_bot(tmp_path) as running:
            running.tmp_path = tmp_path
            yield running


def test_slack_on_loopback(bot, stand_in):
    webhook = f"{bot.base}/webhooks/slack/webhook"
    question = direct_message("Ev001", "hva er maks tilskudd?")
    assert deliver(webhook, question, signed) == 200
    count = answered(stand_in, "D042")
    replies = stand_in.messages("D042")
    assert any("*Innovasjonsrammen*" in reply["text"] and "300" in reply["text"] for reply in replies), replies
    assert all(post["auth"] == f"Bearer {TOKEN}" for post in stand_in.posts)
    assert all("thread_ts" not in reply for reply in replies)  # a direct message is answered directly
    for reply in replies:
        assert_slack_formatting(reply)

    # refused: no signature, a wrong secret, a replayed delivery from ten minutes ago
    assert deliver(webhook, direct_message("Ev002", "hei"), lambda body: {}) == 400
    assert deliver(webhook, direct_message("Ev003", "hei"), lambda body: signed(body, "wrong")) == 400
    assert deliver(webhook, direct_message("Ev004", "hei"),
                   lambda body: signed(body, timestamp=int(time.time()) - 600)) == 400

    # Slack's retry of the first delivery (for whatever reason) gets no second reply
    retry = lambda body: {**signed(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert deliver(webhook, question, retry) == 200
    time.sleep(3)
    assert len(stand_in.texts("D042")) == count

    # staff's one-off question does not start a check
    assert deliver(webhook, direct_message("Ev005", "kan et universitet være partner?"), signed) == 200
    assert wait_for(lambda: len(stand_in.texts("D042")) > count)
    assert not any("Hvem søker" in text for text in stand_in.texts("D042"))


def test_a_rest_request_cannot_continue_or_delete_a_slack_users_conversation(bot, stand_in):
    """A Slack user's id is seen by everyone in the workspace; as the REST API's sender it is another conversation."""
    victim, said = "U0VICTIM7", "vi er tre bedrifter i en NCE-klynge"
    event = direct_message("Ev-victim", said, victim)
    event["event"]["channel"] = "D0VICTIM"
    assert deliver(f"{bot.base}/webhooks/slack/webhook", event, signed) == 200
    count = answered(stand_in, "D0VICTIM")
    assert wait_for(lambda: user_texts(bot, victim) == [said])
    assert bot.say(victim, "hvorfor?")
    assert "slettet" in " ".join(bot.say(victim, "slett samtalen min"))  # the REST sender's own conversation
    assert user_texts(bot, victim) == [said]  # the Slack user's is neither continued nor deleted
    assert len(stand_in.texts("D0VICTIM")) == count  # and no REST reply went to Slack


def test_the_events_url_check_is_answered(bot):
    status, body = post(f"{bot.base}/webhooks/slack/webhook",
                        json.dumps({"type": "url_verification", "challenge": "c-81"}).encode(), "application/json",
                        signed)
    assert status == 200 and json.loads(body) == {"challenge": "c-81"}
    unsigned = post(f"{bot.base}/webhooks/slack/webhook",
                    json.dumps({"type": "url_verification", "challenge": "c-82"}).encode(), "application/json",
                    lambda body: {})
    assert unsigned[0] == 400


def test_a_mention_in_a_channel_is_answered_in_its_thread(bot, stand_in):
    mention_ts = f"{time.time():.6f}"
    event = {"type": "event_callback", "event_id": "Ev-mention", "authorizations": [{"user_id": BOT_USER}],
             "event": {"type": "app_mention", "channel": "C0CLUSTER", "user": "U8", "ts": mention_ts,
                       "text": f"<@{BOT_USER}> hva er maks tilskudd?"}}
    assert deliver(f"{bot.base}/webhooks/slack/webhook", event, signed) == 200
    assert wait_for(lambda: stand_in.messages("C0CLUSTER"))
    assert all(reply["thread_ts"] == mention_ts for reply in stand_in.messages("C0CLUSTER"))
    assert wait_for(lambda: user_texts(bot, "U8") == ["hva er maks tilskudd?"])  # without the mention


def click(bot, stand_in, message: dict, user: str, channel: str, response_name: str) -> int:
    button = message["blocks"][-1]["elements"][0]
    payload = {"type": "block_actions", "user": {"id": user}, "channel": {"id": channel},
               "container": {"type": "message", "message_ts": message.get("ts", "1.0"), "channel_id": channel},
               "message": {"ts": "1.0", "text": message["text"], "blocks": message["blocks"]},
               "response_url": f"{stand_in.base}/respond/{response_name}",
               "actions": [{"type": "button", "action_id": button["action_id"], "value": button["value"],
                            "text": button["text"], "block_id": "b1", "action_ts": f"{time.time():.6f}"}]}
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    return post(f"{bot.base}/webhooks/slack/webhook", body, "application/x-www-form-urlencoded", signed)[0]


def test_a_button_is_a_block_kit_button_that_answers(bot, stand_in):
    channel, user = "D0BUTTONS", "U9"
    event = direct_message("Ev-buttons", "kan vi søke om støtte?", user)
    event["event"]["channel"] = channel
    assert deliver(f"{bot.base}/webhooks/slack/webhook", event, signed) == 200
    assert wait_for(lambda: any(message["blocks"][-1]["type"] == "actions" for message in stand_in.messages(channel)))
    question = next(message for message in stand_in.messages(channel) if message["blocks"][-1]["type"] == "actions")
    assert_slack_formatting(question)
    button = question["blocks"][-1]["elements"][0]

    before = len(stand_in.messages(channel))
    assert click(bot, stand_in, question, user, channel, "buttons") == 200
    assert wait_for(lambda: len(stand_in.messages(channel)) > before)
    assert wait_for(lambda: user_texts(bot, user)[-1] == button["value"])  # the button's payload reached the bot
    assert all("thread_ts" not in message for message in stand_in.messages(channel))
    # the question now shows the choice instead of its buttons
    assert wait_for(lambda: stand_in.responses("buttons"))
    shown = stand_in.responses("buttons")[0]
    assert shown["replace_original"] is True
    assert all(block["type"] != "actions" for block in shown["blocks"])
    assert button["text"]["text"] in shown["blocks"][-1]["elements"][0]["text"]


def test_a_thumbs_reaction_on_an_answer_reaches_the_records(bot):
    webhook = f"{bot.base}/webhooks/slack/webhook"
    for event in (reaction("Ev-down", "U30", "-1"), reaction("Ev-up", "U30", "+1::skin-tone-3"),
                  reaction("Ev-heart", "U30", "heart"),  # no one's word on the answer
                  reaction("Ev-other", "U30", "thumbsdown", item_user="U0SOMEONE")):  # not the bot's message
        assert deliver(webhook, event, signed) == 200
    assert wait_for(lambda: thumbs_of(bot, "U30") == ["thumbs_down", "thumbs_up"], 10)
    retry = lambda body: {**signed(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert deliver(webhook, reaction("Ev-down", "U30", "-1"), retry) == 200
    assert deliver(webhook, reaction("Ev-unsigned", "U30", "-1"), lambda body: {}) == 400
    time.sleep(2)
    assert thumbs_of(bot, "U30") == ["thumbs_down", "thumbs_up"]


def command(bot, stand_in, text: str, channel: str, user: str, headers=signed) -> tuple[int, bytes, float]:
    body = urllib.parse.urlencode({
        "command": "/klyngebot", "text": text, "user_id": user, "channel_id": channel, "team_id": "T1",
        "response_url": f"{stand_in.base}/respond/{user}", "trigger_id": "1.2.3"}).encode()
    started = time.monotonic()
    status, answer = post(f"{bot.base}/webhooks/slack/command", body, "application/x-www-form-urlencoded", headers)
    return status, answer, time.monotonic() - started


def test_the_slash_command_starts_a_check_or_answers_a_question(bot, stand_in):
    status, answer, seconds = command(bot, stand_in, "", "C0GENERAL", "U10")
    assert status == 200 and answer == b"" and seconds < 3  # acknowledged at once, as Slack demands
    assert wait_for(lambda: stand_in.texts(OPENED_DM))
    opened = [post["body"] for post in stand_in.posts if post["path"].endswith("conversations.open")]
    assert opened[-1]["users"] == "U10"
    assert wait_for(lambda: user_texts(bot, "U10") == ["/check_eligibility"])  # stored once the turn is done
    # run in a channel, so a word in the channel, only to the user, on where the answer is
    assert wait_for(lambda: stand_in.responses("U10"))
    note = stand_in.responses("U10")[0]
    assert note["response_type"] == "ephemeral" and "Klyngebot" in note["text"]

    status, _, seconds = command(bot, stand_in, "kan et universitet være partner?", OPENED_DM, "U11")
    assert status == 200 and seconds < 3
    assert wait_for(lambda: user_texts(bot, "U11") == ["kan et universitet være partner?"])
    time.sleep(1)
    assert not stand_in.responses("U11")  # run in the direct messages themselves: the answer is right there
    for message in stand_in.messages(OPENED_DM):
        assert_slack_formatting(message)
        assert "thread_ts" not in message

    assert command(bot, stand_in, "hei", "C0GENERAL", "U12", lambda body: {})[0] == 400
    assert command(bot, stand_in, "hei", "C0GENERAL", "U12", lambda body: signed(body, "wrong"))[0] == 400


def test_a_verdict_card_is_shown_as_block_kit(stand_in):
    """The card the dialogue attaches to a verdict, through Rasa's own path from an action's message to the
    output channel (create_bot_utterance, BotUttered.message, OutputChannel.send_response)."""
    card = {"title": "Resultat for prosjektet", "footer": "Reglene er hentet fra utlysningstekstene.",
            "sections": [{"heading": "Innovasjonsrammen", "mark": "✅",
                          "lines": ["Inntil **300 000 kr**", "Søk når som helst"]},
                         {"heading": "BSR Innovation Express 2015", "mark": "❌",
                          "lines": ["Fristen var 30. oktober 2015"]}]}
    utterance = create_bot_utterance({"text": "**Innovasjonsrammen** passer.", "card": card,
                                      "buttons": [{"title": "Hvorfor?", "payload": "/why"}]})
    output = SlackOutput(TOKEN, None, None, None, stand_in.url)
    asyncio.run(output.send_response("D0CARD", utterance.message()))
    [sent] = stand_in.messages("D0CARD")
    assert_slack_formatting(sent)
    kinds = [block["type"] for block in sent["blocks"]]
    assert kinds == ["header", "section", "section", "context", "actions"]
    assert sent["blocks"][0]["text"]["text"] == "Resultat for prosjektet"
    assert sent["blocks"][1]["text"]["text"] == "✅ *Innovasjonsrammen*\n• Inntil *300 000 kr*\n• Søk når som helst"
    assert sent["blocks"][4]["elements"][0]["value"] == "/why"
    assert sent["text"] == "*Innovasjonsrammen* passer."  # the notification's text


def test_no_secret_in_any_log(bot):
    logs = "".join(path.read_text() for path in (bot.tmp_path / "logs").glob("*.log"))
    logs += "".join(path.read_text() for path in (bot.tmp_path / "config").glob("endpoints.yml"))
    assert logs and TOKEN not in logs and SECRET not in logs


def test_a_retry_that_reaches_another_rasa_process_gets_no_second_reply(tmp_path, stand_in, slack_secrets):
    with postgres_database() as url, running_bot(tmp_path, database_url=url, redis_url="redis://127.0.0.1:6379/4",
                                                 rasa_processes=2) as bot:
        first, second = bot.peers
        question = direct_message(f"Ev-{time.time_ns()}", "hva er maks tilskudd?")
        question["event"]["channel"] = "D0SCALE"
        assert deliver(f"{first.base}/webhooks/slack/webhook", question, signed) == 200
        count = answered(stand_in, "D0SCALE")
        retry = lambda body: {**signed(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
        assert deliver(f"{second.base}/webhooks/slack/webhook", question, retry) == 200
        time.sleep(3)
        assert len(stand_in.texts("D0SCALE")) == count


class SocketModeStandIn:
    """Slack's side of Socket Mode: a WebSocket server that says hello to each connection, sends an envelope to
    the connection a test names, and keeps each connection's acknowledgements."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.connections, self.acks = [], []
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.server = self.run(self.listen())
        self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/link/?ticket=one-time"

    def run(self, work):
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(10)

    async def listen(self):
        return await websockets.serve(self.connected, "127.0.0.1", 0)  # made in the stand-in's own loop

    async def connected(self, connection, path=None):
        self.connections.append(connection)
        await connection.send(json.dumps({"type": "hello", "num_connections": len(self.connections),
                                          "connection_info": {"app_id": "A0KLYNGE"}}))
        try:
            async for raw in connection:
                self.acks.append((self.connections.index(connection), json.loads(raw)))
        finally:
            self.connections.remove(connection)

    def send(self, kind: str, payload: dict, connection: int = 0, **extra) -> str:
        envelope_id = f"env-{uuid.uuid4().hex[:8]}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": kind == "slash_commands", **extra}
        self.run(self.connections[connection].send(json.dumps(envelope)))
        return envelope_id

    def close(self):
        self.server.close()
        self.run(self.server.wait_closed())
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(scope="module")
def socket_mode(tmp_path_factory, stand_in):
    """Two Rasa processes sharing PostgreSQL and Redis, as make serve runs them, in Socket Mode: the app-level
    token and no signing secret, so no HTTP request of Slack's is taken."""
    slack = SocketModeStandIn()
    stand_in.socket_url = slack.url
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("SLACK_BOT_TOKEN", TOKEN), ("SLACK_APP_TOKEN", APP_TOKEN), ("SLACK_API_URL", stand_in.url)):
            patch.setenv(name, value)
        patch.delenv("SLACK_SIGNING_SECRET", raising=False)
        tmp_path = tmp_path_factory.mktemp("socket")
        with postgres_database() as url, running_bot(tmp_path, database_url=url, redis_url="redis://127.0.0.1:6379/5",
                                                     rasa_processes=2) as bot:
            assert wait_for(lambda: len(slack.connections) == 2), "the Rasa processes did not both connect"
            bot.slack, bot.tmp_path = slack, tmp_path
            yield bot
    slack.close()


def acknowledged(slack: SocketModeStandIn, envelope_id: str, connection: int) -> bool:
    return wait_for(lambda: (connection, {"envelope_id": envelope_id}) in slack.acks, 10)


def test_socket_mode_answers_a_direct_message_once(socket_mode, stand_in):
    slack = socket_mode.slack
    opened = [post for post in stand_in.posts if post["path"].endswith("apps.connections.open")]
    assert len(opened) == 2 and all(post["auth"] == f"Bearer {APP_TOKEN}" for post in opened)  # one per process

    question = direct_message(f"Ev-socket-{time.time_ns()}", "hva er maks tilskudd?", "U20")
    question["event"]["channel"] = "D0SOCKET"
    assert acknowledged(slack, slack.send("events_api", question, 0, retry_attempt=0, retry_reason=""), 0)
    count = answered(stand_in, "D0SOCKET")
    replies = stand_in.messages("D0SOCKET")
    assert any("*Innovasjonsrammen*" in reply["text"] and "300" in reply["text"] for reply in replies), replies
    assert all("thread_ts" not in reply for reply in replies)
    for reply in replies:
        assert_slack_formatting(reply)
    assert all(post["auth"] == f"Bearer {TOKEN}" for post in stand_in.posts if post["path"].endswith("chat.postMessage"))
    assert wait_for(lambda: user_texts(socket_mode, "U20") == ["hva er maks tilskudd?"])

    # Slack sends it again, to the other process's connection: acknowledged, and not answered twice
    again = slack.send("events_api", question, 1, retry_attempt=1, retry_reason="timeout")
    assert acknowledged(slack, again, 1)
    time.sleep(3)
    assert len(stand_in.texts("D0SOCKET")) == count


def test_socket_mode_answers_a_mention_in_its_thread_and_a_button(socket_mode, stand_in):
    slack, mention_ts = socket_mode.slack, f"{time.time():.6f}"
    mention = {"type": "event_callback", "event_id": f"Ev-socket-mention-{time.time_ns()}",
               "authorizations": [{"user_id": BOT_USER}],
               "event": {"type": "app_mention", "channel": "C0SOCKET", "user": "U21", "ts": mention_ts,
                         "text": f"<@{BOT_USER}> kan vi søke om støtte?"}}
    assert acknowledged(slack, slack.send("events_api", mention, 1), 1)
    assert wait_for(lambda: any(message["blocks"][-1]["type"] == "actions" for message in stand_in.messages("C0SOCKET")))
    assert all(reply["thread_ts"] == mention_ts for reply in stand_in.messages("C0SOCKET"))
    question = next(message for message in stand_in.messages("C0SOCKET") if message["blocks"][-1]["type"] == "actions")
    button = question["blocks"][-1]["elements"][0]

    before = len(stand_in.messages("C0SOCKET"))
    payload = {"type": "block_actions", "user": {"id": "U21"}, "channel": {"id": "C0SOCKET"},
               "message": {"ts": f"{time.time():.6f}", "thread_ts": mention_ts, "text": question["text"],
                           "blocks": question["blocks"]},
               "response_url": f"{stand_in.base}/respond/socket-button",
               "actions": [{"type": "button", "action_id": button["action_id"], "value": button["value"],
                            "text": button["text"], "block_id": "b1", "action_ts": f"{time.time():.6f}"}]}
    assert acknowledged(slack, slack.send("interactive", payload, 0), 0)
    assert wait_for(lambda: len(stand_in.messages("C0SOCKET")) > before)
    assert wait_for(lambda: user_texts(socket_mode, "U21")[-1] == button["value"])
    assert all(reply["thread_ts"] == mention_ts for reply in stand_in.messages("C0SOCKET"))  # still in the thread
    assert wait_for(lambda: stand_in.responses("socket-button"))
    shown = stand_in.responses("socket-button")[0]
    assert shown["replace_original"] is True and all(block["type"] != "actions" for block in shown["blocks"])


def test_socket_mode_takes_the_slash_command(socket_mode, stand_in):
    slack = socket_mode.slack
    command = {"command": "/klyngebot", "text": "", "user_id": "U22", "channel_id": "C0GENERAL", "team_id": "T1",
               "response_url": f"{stand_in.base}/respond/U22", "trigger_id": "1.2.3"}
    before = len(stand_in.texts(OPENED_DM))
    assert acknowledged(slack, slack.send("slash_commands", command, 1), 1)
    assert wait_for(lambda: user_texts(socket_mode, "U22") == ["/check_eligibility"])
    assert wait_for(lambda: len(stand_in.texts(OPENED_DM)) > before)
    assert wait_for(lambda: stand_in.responses("U22"))
    note = stand_in.responses("U22")[0]
    assert note["response_type"] == "ephemeral" and "Klyngebot" in note["text"]


def test_socket_mode_takes_no_request_over_http(socket_mode):
    """Without a signing secret nothing could tell Slack's requests from anyone's: the routes are not there."""
    for process in socket_mode.peers:
        for path, body, content_type in (("webhook", json.dumps(direct_message("Ev-http", "hei")).encode(),
                                          "application/json"),
                                         ("command", b"command=%2Fklyngebot&user_id=U1&channel_id=C1",
                                          "application/x-www-form-urlencoded")):
            assert post(f"{process.base}/webhooks/slack/{path}", body, content_type, lambda body: {})[0] == 404
        with urllib.request.urlopen(f"{process.base}/webhooks/slack/", timeout=10) as answer:
            assert json.loads(answer.read()) == {"status": "ok"}
    logs = "".join(path.read_text() for path in (socket_mode.tmp_path / "logs").glob("*.log"))
    assert logs and APP_TOKEN not in logs and TOKEN not in logs


def test_socket_mode_takes_a_thumbs_down_reaction(socket_mode):
    slack = socket_mode.slack
    assert acknowledged(slack, slack.send("events_api", reaction(f"Ev-socket-down-{time.time_ns()}", "U31", "-1"), 0,
                                          retry_attempt=0, retry_reason=""), 0)
    assert wait_for(lambda: thumbs_of(socket_mode, "U31") == ["thumbs_down"], 10)
