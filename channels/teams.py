"""Microsoft Teams through the Bot Framework: Rasa's channel, made to work with a bot registered today.

What is changed from Rasa 3.6 (rasa/core/channels/botframework.py), and why:
- Login: Rasa asks for its token at login.microsoftonline.com/botframework.com, the multi-tenant address,
  so a single-tenant Azure bot (the only kind Azure creates now) can never log in. Here the tenant comes
  from configuration (MICROSOFT_TENANT_ID, default botframework.com) and the token is requested from
  <login URL>/<tenant>/oauth2/v2.0/token, cached until five minutes before it expires.
- Incoming requests: Rasa checks the token's signature and audience, with the keys fetched while Rasa
  starts (so Rasa cannot start without Microsoft's servers) and the algorithm the token itself names. Here
  the keys are fetched when first needed and again daily or for an unknown key id, and a request is taken
  only with an RS256 token from Bot Framework's issuer, for this bot, not expired (five minutes' clock
  skew), whose serviceUrl claim is the activity's and whose key is endorsed for the activity's channel.
- HTTP: Rasa calls the token endpoint and the Bot Connector with blocking `requests` inside the event loop;
  here with aiohttp.
- A conversation's id is `teams:` and the user's Teams id (channels/senders.py), so no other channel's sender
  reaches it; replies go to the Teams id.
- In a Teams channel the message comes as "<at>Klyngebot</at> question": the bot's mention is taken out.
- When the bot is added to a conversation it is greeted ("/greet", the greet intent), in the language of the
  Teams client where Teams says it.
- Buttons: Rasa puts its own button objects in a hero card, which Teams shows but cannot act on. Here each
  is a messageBack action: Teams shows the title in the chat and sends the payload to the bot.
- A reaction on one of the bot's messages is the user's word on that answer (channels/thumbs.py), as 👍/👎 under
  an answer in the web chat: Teams' reactions are like, heart, laugh, surprised, sad and angry, and sad or angry
  is taken as 👎, like or heart as 👍; laugh and surprised say nothing of whether the answer was right. Reactions
  rather than a button of the bot's own under every answer: they are what Teams users already press, and a
  card under each reply would crowd the chat. The messageReaction activity names only the message, so the
  conversation is marked and not its turn.
- A verdict's `card` metadata (the dialogue's structured result) is shown as an Adaptive Card, its buttons
  as Action.Submit with messageBack data, so that a click reaches the bot as the button's payload.
"""
from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from channels.senders import channel_sender, conversation_id
from channels.thumbs import Thumbs

logger = logging.getLogger("klyngebot.teams")
MULTI_TENANT = "botframework.com"
LOGIN_URL = "https://login.microsoftonline.com"
OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
TOKEN_ISSUER = "https://api.botframework.com"  # of the tokens the Bot Connector sends to bots
SCOPE = "https://api.botframework.com/.default"
CLOCK_SKEW_SECONDS = 300
TOKEN_RENEWED_SECONDS_BEFORE_EXPIRY = 300
KEYS_KEPT_SECONDS = 24 * 3600
KEYS_REFETCHED_AT_MOST_EVERY_SECONDS = 300  # for an unknown key id: Microsoft rotates its keys
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=20)
GREETING = "/greet"
ADAPTIVE_CARD_VERSION = "1.4"  # what Teams shows on desktop, web and mobile
CONTAINER_STYLES = {"✅": "good", "❌": "attention", "❔": "warning"}
REACTIONS = {"sad": "thumbs_down", "angry": "thumbs_down", "like": "thumbs_up", "heart": "thumbs_up"}


class Unauthorized(Exception):
    """An incoming request that does not prove it comes from the Bot Connector for this bot."""


def card_actions(buttons: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    return [{"type": "messageBack", "title": button["title"], "displayText": button["title"],
             "text": button["payload"], "value": {"payload": button["payload"]}} for button in buttons]


def adaptive_card(card: Dict[str, Any], buttons: List[Dict[Text, Any]]) -> Dict[str, Any]:
    """The verdict card ({"title", "sections": [{"heading", "mark", "lines"}], "footer"}) as an Adaptive Card
    attachment: a container per call, coloured by its mark, and the buttons as Action.Submit."""
    body: List[Dict[str, Any]] = [{"type": "TextBlock", "text": card["title"], "size": "Large",
                                   "weight": "Bolder", "wrap": True}]
    for part in card.get("sections") or []:
        items = [{"type": "TextBlock", "text": f"{part['mark']} {part['heading']}", "weight": "Bolder",
                  "wrap": True}]
        items += [{"type": "TextBlock", "text": line if line.startswith("• ") else f"• {line}", "wrap": True,
                   "spacing": "Small"} for line in part.get("lines") or []]
        body.append({"type": "Container", "style": CONTAINER_STYLES.get(part["mark"], "default"),
                     "spacing": "Medium", "items": items})
    if card.get("footer"):
        body.append({"type": "TextBlock", "text": card["footer"], "isSubtle": True, "size": "Small", "wrap": True,
                     "spacing": "Medium"})
    actions = [{"type": "Action.Submit", "title": button["title"],
                "data": {"msteams": {"type": "messageBack", "displayText": button["title"], "text": button["payload"]},
                         "payload": button["payload"]}} for button in buttons]
    content = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
               "version": ADAPTIVE_CARD_VERSION, "body": body, "msteams": {"width": "Full"}}
    if actions:
        content["actions"] = actions
    return {"contentType": "application/vnd.microsoft.card.adaptive", "content": content}


def without_bot_mention(activity: Dict[str, Any]) -> str:
    """The activity's text without the <at>…</at> mention of the bot; another person's name stays, untagged."""
    text = activity.get("text") or ""
    bot_id = (activity.get("recipient") or {}).get("id")
    for entity in activity.get("entities") or []:
        if entity.get("type") == "mention" and (entity.get("mentioned") or {}).get("id") == bot_id \
                and entity.get("text"):
            text = text.replace(entity["text"], " ")
    return " ".join(html.unescape(re.sub(r"</?at>", "", text)).split())


def language_of(locale: Optional[str]) -> Optional[str]:
    """The bot's language for a Teams client's locale (nb-NO, nn-NO, en-GB, …), where it has one."""
    prefix = (locale or "").lower().split("-")[0]
    return "en" if prefix == "en" else "nb" if prefix in ("nb", "nn", "no") else None


class Login:
    """The bot's token for the Bot Connector, from its tenant's token endpoint, renewed before it expires."""

    def __init__(self, app_id: str, app_password: str, tenant_id: Optional[str], login_url: Optional[str]):
        self.app_id, self.app_password = app_id, app_password
        self.token_url = f"{(login_url or LOGIN_URL).rstrip('/')}/{tenant_id or MULTI_TENANT}/oauth2/v2.0/token"
        self._token: Optional[str] = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._renew_at:
                form = {"grant_type": "client_credentials", "client_id": self.app_id,
                        "client_secret": self.app_password, "scope": SCOPE}
                async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                    async with session.post(self.token_url, data=form) as answer:
                        if answer.status != 200:
                            raise RuntimeError(f"the token endpoint {self.token_url} answered {answer.status}: "
                                               f"{(await answer.text())[:300]}")
                        granted = await answer.json(content_type=None)
                self._token = granted["access_token"]
                self._renew_at = time.monotonic() + int(granted["expires_in"]) - TOKEN_RENEWED_SECONDS_BEFORE_EXPIRY
            return self._token


class ConnectorKeys:
    """The keys the Bot Connector signs its requests with, from Bot Framework's OpenID metadata."""

    def __init__(self, metadata_url: Optional[str]):
        self.metadata_url = metadata_url or OPENID_METADATA_URL
        self._keys: Dict[str, Dict[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _fetch(self) -> None:
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            async with session.get(self.metadata_url) as answer:
                answer.raise_for_status()
                jwks_uri = (await answer.json(content_type=None))["jwks_uri"]
            async with session.get(jwks_uri) as answer:
                answer.raise_for_status()
                self._keys = {key["kid"]: key for key in (await answer.json(content_type=None))["keys"]}
        self._fetched_at = time.monotonic()

    async def key(self, key_id: str) -> Dict[str, Any]:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if age > KEYS_KEPT_SECONDS or (key_id not in self._keys and age > KEYS_REFETCHED_AT_MOST_EVERY_SECONDS):
                await self._fetch()
        if key_id not in self._keys:
            raise Unauthorized(f"unknown signing key {key_id!r}")
        return self._keys[key_id]


class TeamsOutput(BotFramework):
    def __init__(self, login: Login, conversation: Dict[Text, Any], bot: Dict[Text, Any], service_url: Text,
                 reply_to: Optional[Text] = None) -> None:
        super().__init__(login.app_id, login.app_password, conversation, bot, service_url)
        self.login, self.reply_to = login, reply_to

    def prepare_message(self, recipient_id: Text, message_data: Dict[Text, Any]) -> Dict[Text, Any]:
        message = super().prepare_message(recipient_id, message_data)
        if self.reply_to:
            message["replyToId"] = self.reply_to
        return message

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await super().send_response(channel_sender(TeamsInput.name(), recipient_id), message)

    async def send(self, message_data: Dict[Text, Any]) -> None:
        url = f"{self.global_uri}conversations/{self.conversation['id']}/activities"
        try:
            headers = {"Authorization": f"Bearer {await self.login.token()}"}
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                async with session.post(url, json=message_data, headers=headers) as answer:
                    if answer.status >= 300:
                        logger.error("the Bot Connector refused a reply (%s): %s", answer.status,
                                     (await answer.text())[:300])
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, KeyError) as error:
            logger.error("could not send a reply to Teams: %s", error)

    async def send_card(self, recipient_id: Text, card: Dict[str, Any], buttons: List[Dict[Text, Any]]) -> None:
        await self.send(self.prepare_message(recipient_id, {"attachments": [adaptive_card(card, buttons)],
                                                            "summary": card["title"]}))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        if kwargs.get("card"):
            await self.send_card(recipient_id, kwargs["card"], [])
        else:
            await super().send_text_message(recipient_id, text, **kwargs)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        if kwargs.get("card"):
            await self.send_card(recipient_id, kwargs["card"], buttons)
            return
        hero_card = {"contentType": "application/vnd.microsoft.card.hero",
                     "content": {"text": text, "buttons": card_actions(buttons)}}
        await self.send(self.prepare_message(recipient_id, {"attachments": [hero_card]}))


class TeamsInput(BotFrameworkInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials.get("app_id"), credentials.get("app_password"), credentials.get("tenant_id"),
                   credentials.get("login_url"), credentials.get("openid_metadata_url"), credentials.get("database_url"))

    def __init__(self, app_id: Text, app_password: Text, tenant_id: Optional[Text] = None,
                 login_url: Optional[Text] = None, openid_metadata_url: Optional[Text] = None,
                 database_url: Optional[Text] = None) -> None:
        # not BotFrameworkInput.__init__, which fetches Microsoft's keys while Rasa starts
        self.app_id, self.app_password = app_id, app_password
        self.thumbs = Thumbs(database_url)
        self.login = Login(app_id, app_password, tenant_id, login_url)
        self.keys = ConnectorKeys(openid_metadata_url)

    async def check_token(self, authorization: Optional[str], activity: Dict[str, Any]) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme != "Bearer" or not token:
            raise Unauthorized("no bearer token")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "RS256":
                raise Unauthorized(f"a token signed with {header.get('alg')!r}")
            key = await self.keys.key(header.get("kid", ""))
            claims = jwt.decode(token, RSAAlgorithm.from_jwk(json.dumps(key)), algorithms=["RS256"],
                                audience=self.app_id, issuer=TOKEN_ISSUER, leeway=CLOCK_SKEW_SECONDS,
                                options={"require": ["exp", "iss", "aud"]})
        except jwt.PyJWTError as error:
            raise Unauthorized(str(error)) from error
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise Unauthorized(f"Bot Framework's keys could not be fetched: {error}") from error
        if (claims.get("serviceUrl") or "").rstrip("/") != (activity.get("serviceUrl") or "").rstrip("/"):
            raise Unauthorized("the token is for another serviceUrl")
        if key.get("endorsements") and activity.get("channelId") not in key["endorsements"]:
            raise Unauthorized(f"the key is not endorsed for channel {activity.get('channelId')!r}")

    def output_for(self, activity: Dict[str, Any]) -> TeamsOutput:
        return TeamsOutput(self.login, activity["conversation"], activity["recipient"], activity["serviceUrl"],
                           activity.get("id"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        teams_webhook = Blueprint("teams_webhook", __name__)

        @teams_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @teams_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> response.HTTPResponse:
            activity = request.json or {}
            try:
                await self.check_token(request.headers.get("Authorization"), activity)
            except Unauthorized as refusal:
                logger.warning("refused a request to the Teams webhook: %s", refusal)
                return response.text("Unauthorized", status=401)
            try:
                if activity.get("type") == "messageReaction":
                    await self.take_reactions(activity)
                message = self.user_message(activity)
                if message:
                    await on_new_message(message)
            except (KeyError, TypeError) as error:
                logger.error("an activity Teams sent could not be read: %s", error)
            return response.text("", status=200)

        return teams_webhook

    async def take_reactions(self, activity: Dict[str, Any]) -> None:
        """Each 👍/👎 among the reactions added to a message, for the conversation of the user who reacted. Teams
        sends a bot the reactions to its own messages only (Microsoft's "conversation events in your Teams bot")."""
        sender = conversation_id(self.name(), activity["from"]["id"])
        for reaction in activity.get("reactionsAdded") or []:
            thumb = REACTIONS.get((reaction or {}).get("type", ""))
            if thumb:
                await self.thumbs.record(thumb, None, self.name(), sender)

    def user_message(self, activity: Dict[str, Any]) -> Optional[UserMessage]:
        """What the activity says to the bot: a message (typed, or a button's payload), or a greeting when
        the bot has just been added to the conversation; None for anything else."""
        bot_id = activity["recipient"]["id"]
        if activity.get("type") == "message":
            text = without_bot_mention(activity) or (activity.get("value") or {}).get("payload")
            metadata = self.add_attachments_to_metadata(activity, None)
        elif activity.get("type") == "conversationUpdate" and any(
                member.get("id") == bot_id for member in activity.get("membersAdded") or []):
            text, language = GREETING, language_of(activity.get("locale"))
            metadata = {"language": language} if language else {}
        else:
            return None
        if not text:
            return None
        return UserMessage(text, self.output_for(activity), conversation_id(self.name(), activity["from"]["id"]),
                           input_channel=self.name(), metadata=metadata)
