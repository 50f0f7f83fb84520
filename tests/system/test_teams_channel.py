"""Teams (Bot Framework) on loopback, against a local stand-in for Microsoft: its token endpoint (which
records the tenant asked for), Bot Framework's OpenID metadata and signing keys (a key made here), and the
Bot Connector at the activity's serviceUrl (which takes a reply only with the token the bot was given).

A single-tenant bot logs in at its own tenant, a multi-tenant one at botframework.com; a channel mention
reaches the bot without the <at> tag and is answered in its thread; the bot greets when it is added; a
verdict's card is an Adaptive Card whose buttons send their payload; requests without a valid Bot Connector
token (none, another audience, issuer, algorithm, key, serviceUrl or channel, expired) are refused; a sad or
angry reaction on an answer is a 👎 in the records, like or heart a 👍, and laugh or surprised nothing."""
import asyncio
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from rasa.core.actions.action import create_bot_utterance

from channels.senders import conversation_id
from channels.teams import Login, TeamsOutput
from records.identity import user_hash
from tests.loopback import QuietHandler, serve
from tests.services import thumbs_kept
from deploy.local import running_bot

APP_ID = "5f1c0a2e-7d4b-4c8e-9a31-2b6f0e8d7c11"
APP_PASSWORD = "app-password-0815"
TENANT = "3e7d9c2a-1b4f-4a8e-b6d0-9f2c8e1a7b55"  # the cluster's own Entra ID tenant: a single-tenant bot
BOT = {"id": f"28:{APP_ID}", "name": "Klyngebot"}
KEY_ID = "test-key-1"


class MicrosoftStandIn:
    """Token endpoint, OpenID metadata, signing keys and Bot Connector on one loopback port."""

    def __init__(self):
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        self.keys = {"keys": [{**public, "kid": KEY_ID, "use": "sig", "endorsements": ["msteams", "webchat"]}]}
        self.token_requests, self.replies = [], []
        stand_in = self

        class Handler(QuietHandler):
            def do_GET(self):
                if self.path == "/openid":
                    self.reply_json(200, {"issuer": "https://api.botframework.com",
                                          "jwks_uri": f"{stand_in.base}/keys"})
                elif self.path == "/keys":
                    self.reply_json(200, stand_in.keys)
                else:
                    self.reply_json(404, {})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                if self.path.endswith("/oauth2/v2.0/token"):
                    form = {key: values[0] for key, values in urllib.parse.parse_qs(body).items()}
                    tenant = self.path.split("/")[1]
                    stand_in.token_requests.append({"tenant": tenant, **form})
                    self.reply_json(200, {"token_type": "Bearer", "expires_in": 3599,
                                          "access_token": f"token-for-{tenant}"})
                elif "/v3/conversations/" in self.path:
                    stand_in.replies.append({"path": urllib.parse.unquote(self.path),
                                             "auth": self.headers.get("authorization"), "activity": json.loads(body)})
                    if self.headers.get("authorization") == f"Bearer token-for-{TENANT}":
                        self.reply_json(200, {"id": f"reply-{len(stand_in.replies)}"})
                    else:
                        self.reply_json(401, {"error": {"code": "Unauthorized"}})
                else:
                    self.reply_json(404, {})

        self.server = serve(Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.service_url = f"{self.base}/teams/"

    def token(self, **changes) -> str:
        """A Bot Connector token as Microsoft issues it for this bot and service URL; `changes` spoil it."""
        claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceUrl": self.service_url,
                  "nbf": int(time.time()) - 10, "exp": int(time.time()) + 3600}
        headers = {"kid": changes.pop("kid", KEY_ID)}
        algorithm = changes.pop("algorithm", "RS256")
        key = changes.pop("key", self.private_key)
        claims.update(changes)
        return jwt.encode(claims, key, algorithm=algorithm, headers=headers)

    def replies_to(self, conversation_id: str) -> list[dict]:
        return [reply for reply in self.replies if f"/conversations/{conversation_id}/" in reply["path"]]


@pytest.fixture(scope="module")
def microsoft():
    stand_in = MicrosoftStandIn()
    yield stand_in
    stand_in.server.shutdown()


@pytest.fixture(scope="module")
def bot(tmp_path_factory, microsoft):
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("MICROSOFT_APP_ID", APP_ID), ("MICROSOFT_APP_PASSWORD", APP_PASSWORD),
                            ("MICROSOFT_TENANT_ID", TENANT), ("MICROSOFT_LOGIN_URL", microsoft.base),
                            ("MICROSOFT_OPENID_METADATA_URL", f"{microsoft.base}/openid")):
            patch.setenv(name, value)
        with running_bot(tmp_path_factory.mktemp("teams")) as running:
            yield running


def activity(microsoft, conversation_id: str, user_id: str, **fields) -> dict:
    return {"type": "message", "id": f"activity-{time.time_ns()}", "channelId": "msteams",
            "serviceUrl": microsoft.service_url, "from": {"id": user_id, "name": "Kari Nordmann"},
            "conversation": {"id": conversation_id}, "recipient": BOT, "locale": "nb-NO", **fields}


def deliver(bot, body: dict, token: str = None) -> int:
    headers = {"content-type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{bot.base}/webhooks/botframework/webhook", data=json.dumps(body).encode(),
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def user_events(bot, user: str) -> list[dict]:
    """The user messages of the Teams user's conversation (`teams:<id>` in Rasa, channels/senders.py)."""
    tracker = f"{bot.base}/conversations/{conversation_id('botframework', user)}/tracker?include_events=ALL"
    with urllib.request.urlopen(tracker, timeout=30) as answer:
        return [event for event in json.loads(answer.read())["events"] if event["event"] == "user"]


@pytest.mark.slow
def test_a_single_tenant_bot_logs_in_and_answers_a_mention_in_its_thread(bot, microsoft):
    thread = "19:general@thread.tacv2;messageid=1700000000001"
    mention = activity(microsoft, thread, "29:kari", text="<at>Klyngebot</at> hva er maks tilskudd?",
                       entities=[{"type": "mention", "text": "<at>Klyngebot</at>", "mentioned": BOT}],
                       channelData={"tenant": {"id": TENANT}, "teamsChannelId": "19:general@thread.tacv2"})
    assert deliver(bot, mention, microsoft.token()) == 200  # the replies are sent before the answer
    replies = microsoft.replies_to(thread)
    assert replies and all(reply["auth"] == f"Bearer token-for-{TENANT}" for reply in replies)
    assert all(reply["activity"]["replyToId"] == mention["id"] for reply in replies)
    assert any("Innovasjonsrammen" in reply["activity"]["text"] for reply in replies)
    assert [event["text"] for event in user_events(bot, "29:kari")] == ["hva er maks tilskudd?"]

    login = microsoft.token_requests[0]
    assert login == {"tenant": TENANT, "grant_type": "client_credentials", "client_id": APP_ID,
                     "client_secret": APP_PASSWORD, "scope": "https://api.botframework.com/.default"}
    assert deliver(bot, activity(microsoft, thread, "29:kari", text="<at>Klyngebot</at> takk",
                                 entities=[{"type": "mention", "text": "<at>Klyngebot</at>", "mentioned": BOT}]),
                   microsoft.token()) == 200
    assert len(microsoft.token_requests) == 1  # the token is kept until shortly before it expires


@pytest.mark.slow
def test_the_bot_greets_when_it_is_added_to_a_conversation(bot, microsoft):
    added = activity(microsoft, "a:personal-chat-ola", "29:ola", type="conversationUpdate", locale="en-US",
                     membersAdded=[{"id": BOT["id"]}, {"id": "29:ola"}])
    added.pop("text", None)
    assert deliver(bot, added, microsoft.token()) == 200
    assert microsoft.replies_to("a:personal-chat-ola")
    [greeting] = user_events(bot, "29:ola")
    assert greeting["text"] == "/greet" and greeting["parse_data"]["intent"]["name"] == "greet"
    assert greeting["metadata"]["language"] == "en"

    # someone else joining is no reason to speak
    joined = {**added, "id": "activity-joined", "membersAdded": [{"id": "29:per"}]}
    assert deliver(bot, joined, microsoft.token()) == 200
    assert len(user_events(bot, "29:ola")) == 1


@pytest.mark.slow
def test_a_card_button_reaches_the_bot_as_its_payload(bot, microsoft):
    # Teams sends an Action.Submit with messageBack data as text; other Bot Framework clients send the data
    # as the activity's value
    as_text = activity(microsoft, "a:personal-chat-eva", "29:eva", text="/check_eligibility",
                       value={"payload": "/check_eligibility"})
    assert deliver(bot, as_text, microsoft.token()) == 200
    as_value = activity(microsoft, "a:personal-chat-eva", "29:eva", value={"payload": "/ask_max_grant"})
    assert deliver(bot, as_value, microsoft.token()) == 200
    events = user_events(bot, "29:eva")
    assert [event["parse_data"]["intent"]["name"] for event in events] == ["check_eligibility", "ask_max_grant"]
    assert microsoft.replies_to("a:personal-chat-eva")


@pytest.mark.slow
@pytest.mark.parametrize("spoiled, changed", [
    ({"aud": "another-bot"}, {}), ({"iss": "https://sts.windows.net/evil/"}, {}),
    ({"exp": int(time.time()) - 3600}, {}), ({"serviceUrl": "https://evil.example/teams/"}, {}),
    ({"kid": "unknown-key"}, {}), ({"algorithm": "HS256", "key": "a-shared-secret-guessed-by-mallory"}, {}),
    ({"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)}, {}),
    ({}, {"channelId": "slack"}),  # a key endorsed for msteams and webchat only
    (None, {})], ids=["audience", "issuer", "expired", "service-url", "key-id", "algorithm", "signature",
                      "channel", "no-token"])
def test_a_request_without_a_valid_bot_connector_token_is_refused(bot, microsoft, spoiled, changed):
    message = activity(microsoft, "a:personal-chat-mallory", "29:mallory", text="hei", **changed)
    assert deliver(bot, message, None if spoiled is None else microsoft.token(**spoiled)) == 401
    assert not microsoft.replies_to("a:personal-chat-mallory")


def test_a_verdict_card_is_an_adaptive_card_whose_buttons_send_their_payload(microsoft):
    """Through Rasa's own path from an action's message to the output channel (create_bot_utterance,
    BotUttered.message, OutputChannel.send_response), as the dialogue's verdict will take it."""
    card = {"title": "Resultat", "footer": "Reglene er hentet fra utlysningstekstene.",
            "sections": [{"heading": "Innovasjonsrammen", "mark": "✅", "lines": ["Inntil **300 000 kr**"]},
                         {"heading": "BSR Innovation Express 2015", "mark": "❌", "lines": ["• Fristen er ute"]},
                         {"heading": "Mangler", "mark": "❔", "lines": []}]}
    utterance = create_bot_utterance({"text": "**Innovasjonsrammen** passer.", "card": card,
                                      "buttons": [{"title": "Hvorfor?", "payload": "/why"}]})
    output = TeamsOutput(Login(APP_ID, APP_PASSWORD, TENANT, microsoft.base), {"id": "a:card-chat"}, BOT,
                         microsoft.service_url)
    asyncio.run(output.send_response("29:kari", utterance.message()))
    [reply] = microsoft.replies_to("a:card-chat")
    assert reply["auth"] == f"Bearer token-for-{TENANT}"
    [attachment] = reply["activity"]["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content = attachment["content"]
    assert content["type"] == "AdaptiveCard" and content["version"] == "1.4"
    assert content["body"][0] == {"type": "TextBlock", "text": "Resultat", "size": "Large", "weight": "Bolder",
                                  "wrap": True}
    containers = [block for block in content["body"] if block["type"] == "Container"]
    assert [container["style"] for container in containers] == ["good", "attention", "warning"]
    assert [item["text"] for item in containers[0]["items"]] == ["✅ Innovasjonsrammen", "• Inntil **300 000 kr**"]
    assert containers[1]["items"][1]["text"] == "• Fristen er ute"
    assert content["body"][-1]["text"] == card["footer"] and content["body"][-1]["isSubtle"] is True
    assert content["actions"] == [{"type": "Action.Submit", "title": "Hvorfor?", "data": {
        "msteams": {"type": "messageBack", "displayText": "Hvorfor?", "text": "/why"}, "payload": "/why"}}]
    assert reply["activity"]["summary"] == "Resultat"


def test_other_buttons_are_messageback_actions_on_a_hero_card(microsoft):
    output = TeamsOutput(Login(APP_ID, APP_PASSWORD, TENANT, microsoft.base), {"id": "a:hero-chat"}, BOT,
                         microsoft.service_url)
    asyncio.run(output.send_text_with_buttons("29:kari", "Er partnerne uavhengige?", [
        {"title": "Ja", "payload": "/affirm"}, {"title": "Nei", "payload": "/deny"}]))
    [reply] = microsoft.replies_to("a:hero-chat")
    card = reply["activity"]["attachments"][0]
    assert reply["activity"]["type"] == "message" and reply["activity"]["recipient"] == {"id": "29:kari"}
    assert card["contentType"] == "application/vnd.microsoft.card.hero"
    assert card["content"]["text"] == "Er partnerne uavhengige?"
    assert card["content"]["buttons"] == [
        {"type": "messageBack", "title": "Ja", "displayText": "Ja", "text": "/affirm", "value": {"payload": "/affirm"}},
        {"type": "messageBack", "title": "Nei", "displayText": "Nei", "text": "/deny", "value": {"payload": "/deny"}}]


def test_a_multi_tenant_bot_logs_in_at_botframework_com():
    # Bot Framework's documented token endpoints, for a multi-tenant and a single-tenant bot
    assert Login(APP_ID, APP_PASSWORD, None, None).token_url == \
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    assert Login(APP_ID, APP_PASSWORD, TENANT, None).token_url == \
        f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"


def test_a_sad_or_angry_reaction_is_a_thumbs_down_and_like_a_thumbs_up(bot, microsoft):
    user = "29:1reacting-user"
    reacted = activity(microsoft, "a:1personal-chat", user, type="messageReaction", replyToId="reply-1",
                       reactionsAdded=[{"type": "sad"}, {"type": "laugh"}, {"type": "like"}])
    assert deliver(bot, reacted, microsoft.token()) == 200
    assert deliver(bot, {**reacted, "reactionsAdded": [{"type": "angry"}]}, microsoft.token(aud="another-bot")) == 401
    hashed = user_hash(conversation_id("botframework", user), bot.servers.environment["KLYNGEBOT_HASH_KEY"].encode())
    assert sorted(row.reason for row in thumbs_kept(bot, hashed)) == ["thumbs_down", "thumbs_up"]
    assert {row.channel for row in thumbs_kept(bot, hashed)} == {"botframework"}
