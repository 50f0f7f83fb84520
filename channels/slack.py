"""Slack: Rasa's Slack channel, made to work with an app created from deploy/apps/slack/manifest.yaml.

What is changed from Rasa 3.6, and why:
- Replies are Slack's own formatting (mrkdwn: `*bold*`, never a literal `**`) in Block Kit: one message per
  bot message, its paragraphs as sections, its buttons as an actions block, a verdict's `card` as a header,
  one section per call and a footer.
- Messages are posted without `as_user`, which Rasa always sends and Slack refuses (`invalid_arguments`)
  from every app created today.
- In a channel the bot answers in the thread of the message that mentioned it; in a direct message it
  answers directly (Rasa's `use_threads` threads direct messages too).
- A chosen button is replaced by the choice, so the conversation shows what was answered and the same
  question cannot be answered twice.
- The slash command `/klyngebot` (Rasa does not handle slash commands): `/klyngebot` alone starts a check,
  `/klyngebot <question>` asks it. Slack wants an answer within 3 seconds, so the request is acknowledged
  at once and the conversation goes on in the user's direct messages with the bot, where typed answers
  reach it and a project's details are not shown to a channel.
- A conversation's id is `slack:` and Slack's (channels/senders.py), so no other channel's sender reaches it.
- The Events API's URL check is answered in a form Slack documents (`{"challenge": …}`).
- The Web API's address is configurable (a local stand-in for tests), and every Events API delivery is
  answered once, whatever Slack's reason for retrying it. The event ids already taken are kept in Redis
  when REDIS_URL is set, so a retry that reaches another Rasa process is caught too; otherwise in this
  process.
- A reaction on one of the bot's messages, 👎 (`-1`, `thumbsdown`) or 👍 (`+1`, `thumbsup`, any skin tone), is
  the user's word on that answer (channels/thumbs.py), as under an answer in the web chat; the reaction_added
  event names only the message, so the conversation is marked and not its turn. Other reactions, and reactions
  on other people's messages, are no one's word on the bot.
- Two ways in, chosen by the settings (deploy/rasa_config.py), with one handling for both (take_event,
  take_interaction, take_command), so the answers, threads, buttons and slash command are the same:
  - Socket Mode, with the app-level token (xapp-…): each Rasa process opens Slack's WebSocket itself, from a
    task its blueprint starts once the server is up, and no public address is needed. In the Rasa process
    rather than a relay process of its own: there is nothing more to start, supervise or secure in make
    run, make serve and compose, and the envelopes go straight to the same handling as a request. With
    several Rasa processes each holds one connection (Slack takes up to 10 per app), Slack gives each
    envelope to one of them, and one process down leaves Slack the others; an Events API delivery that
    Slack sends again, perhaps to another connection, is caught by the event ids kept in Redis, which
    several processes need anyway (make serve requires it). Each envelope is acknowledged first, as Slack
    wants within 3 seconds. The HTTP routes for Slack's requests are then not served at all.
  - Over HTTP, at Slack's request URLs: every request, slash commands included, must carry a valid Slack
    signature.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Mapping, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.reading.language import detect_language
from bot.resources import LANGUAGES
from bot.saying.messages import message
from channels.senders import channel_sender, conversation_id
from channels.thumbs import Thumbs

logger = logging.getLogger("klyngebot.slack")
REMEMBERED_EVENTS = 10_000  # in one process
REMEMBERED_SECONDS = 3600  # in Redis; Slack retries within minutes
START_A_CHECK = "/check_eligibility"  # what `/klyngebot` alone says to the bot
NOT_SIGNED = "Message is not properly signed with a valid X-Slack-Signature header"
# Block Kit's limits (api.slack.com/reference/block-kit): characters in a section's text and a button's
# label and value, buttons in one actions block, blocks in one message.
SECTION_TEXT, BUTTON_TEXT, BUTTON_VALUE, BUTTONS_PER_BLOCK, BLOCKS = 3000, 75, 2000, 25, 50
HEADER_TEXT = 150
REACTIONS = {"-1": "thumbs_down", "thumbsdown": "thumbs_down", "+1": "thumbs_up", "thumbsup": "thumbs_up"}


def mrkdwn(text: str) -> str:
    """The bot's light markdown as Slack writes it: &, < and > escaped, **bold** as *bold*."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\*\*(.+?)\*\*", r"*\1*", escaped)


def pieces(text: str, size: int) -> Iterable[str]:
    """Text cut at line ends into pieces of at most `size` characters (a line longer than that is cut)."""
    piece = ""
    for line in text.split("\n"):
        while len(line) > size:
            if piece:
                yield piece
                piece = ""
            yield line[:size]
            line = line[size:]
        if piece and len(piece) + 1 + len(line) > size:
            yield piece
            piece = line
        else:
            piece = f"{piece}\n{line}" if piece else line
    if piece.strip():
        yield piece


def section(text: str) -> Dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def text_blocks(text: str) -> List[Dict[str, Any]]:
    return [section(piece) for paragraph in text.strip().split("\n\n")
            for piece in pieces(mrkdwn(paragraph), SECTION_TEXT)]


def card_blocks(card: Dict[str, Any]) -> List[Dict[str, Any]]:
    """A verdict card ({"title", "sections": [{"heading", "mark", "lines"}], "footer"}) as Block Kit."""
    blocks: List[Dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "emoji": True,
                                                                "text": card["title"][:HEADER_TEXT]}}]
    for part in card.get("sections") or []:
        lines = [f"{part['mark']} *{mrkdwn(part['heading'])}*"]
        lines += [mrkdwn(line if line.startswith("• ") else f"• {line}") for line in part.get("lines") or []]
        blocks += [section(piece) for piece in pieces("\n".join(lines), SECTION_TEXT)]
    if card.get("footer"):
        footer = {"type": "mrkdwn", "text": mrkdwn(card["footer"])[:SECTION_TEXT]}
        blocks.append({"type": "context", "elements": [footer]})
    return blocks


def button_blocks(buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    elements = [{"type": "button", "action_id": f"choice-{number}", "value": button["payload"][:BUTTON_VALUE],
                 "text": {"type": "plain_text", "emoji": True, "text": button["title"][:BUTTON_TEXT]}}
                for number, button in enumerate(buttons)]
    return [{"type": "actions", "elements": elements[start:start + BUTTONS_PER_BLOCK]}
            for start in range(0, len(elements), BUTTONS_PER_BLOCK)]


def message_blocks(text: str, buttons: Optional[List[Dict[str, Any]]] = None,
                   card: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    actions = button_blocks(buttons or [])
    content = card_blocks(card) if card else text_blocks(text)
    return content[:BLOCKS - len(actions)] + actions


def answered(blocks: List[Dict[str, Any]], choice: str) -> List[Dict[str, Any]]:
    """A message's blocks once one of its buttons is chosen: the buttons give way to the choice."""
    return [block for block in blocks if block.get("type") != "actions"] + [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"→ *{mrkdwn(choice)}*"}]}]


class ProcessEventMemory:
    """The latest REMEMBERED_EVENTS event ids this process has taken."""

    def __init__(self) -> None:
        self._seen: OrderedDict[str, bool] = OrderedDict()

    async def first_sight(self, event_id: str) -> bool:
        if event_id in self._seen:
            return False
        self._seen[event_id] = True
        if len(self._seen) > REMEMBERED_EVENTS:
            self._seen.popitem(last=False)
        return True


class RedisEventMemory:
    """Event ids taken by any Rasa process sharing the Redis server; one atomic SET NX per event."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)

    async def first_sight(self, event_id: str) -> bool:
        try:
            return bool(await self._redis.set(f"klyngebot:slack-event:{event_id}", 1, nx=True, ex=REMEMBERED_SECONDS))
        except Exception as error:  # a second reply is better than none
            logger.error("Redis unavailable, so a retried Slack event may be answered twice: %s", type(error).__name__)
            return True


class SlackOutput(SlackBot):
    def __init__(self, token: Text, slack_channel: Optional[Text], thread_id: Optional[Text], proxy: Optional[Text],
                 api_url: Optional[Text]) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_url:
            self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        kwargs.pop("as_user", None)
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        await self.client.chat_postMessage(channel=channel, **kwargs)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await super().send_response(channel_sender(SlackChannel.name(), recipient_id), message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post_message(self.slack_channel or recipient_id, text=mrkdwn(text),
                                 blocks=message_blocks(text, card=kwargs.get("card")))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._post_message(self.slack_channel or recipient_id, text=mrkdwn(text),
                                 blocks=message_blocks(text, buttons, kwargs.get("card")))


def direct(channel_id: Optional[str]) -> bool:
    """Slack's ids of direct-message conversations start with D."""
    return bool(channel_id) and channel_id.startswith("D")


def event_metadata(body: Dict[str, Any]) -> Dict[str, Any]:
    """Where an Events API delivery's message was said (Rasa's metadata for it): its channel, the thread it
    starts or is in, and the bot's own user (whose mention is taken out of the text)."""
    event = body.get("event") or {}
    users = body.get("authed_users") or [authorization.get("user_id")
                                          for authorization in (body.get("authorizations") or [])[:1]]
    return {"out_channel": event.get("channel"), "thread_id": event.get("thread_ts", event.get("ts")), "users": users}


def interaction_metadata(payload: Dict[str, Any]) -> Dict[str, Any]:
    """Where a clicked button's message is, as event_metadata."""
    message, user = payload.get("message") or {}, (payload.get("user") or {}).get("id")
    return {"out_channel": (payload.get("channel") or {}).get("id"),
            "thread_id": message.get("thread_ts", message.get("ts")), "users": [user] if user else []}


Handler = Callable[[UserMessage], Awaitable[Any]]


class SlackChannel(SlackInput):
    def __init__(self, *arguments: Any, app_token: Optional[str] = None, api_url: Optional[str] = None,
                 redis_url: Optional[str] = None, database_url: Optional[str] = None, **settings: Any) -> None:
        self.app_token, self.api_url = app_token, api_url
        self.thumbs = Thumbs(database_url)
        self.events_taken = RedisEventMemory(redis_url) if redis_url else ProcessEventMemory()
        self.socket: Optional[SocketModeClient] = None
        super().__init__(*arguments, **settings)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        settings = credentials or {}
        return cls(settings["slack_token"], slack_signing_secret=settings.get("slack_signing_secret", ""),
                   use_threads=settings.get("use_threads", False), app_token=settings.get("slack_app_token"),
                   api_url=settings.get("slack_api_url"), redis_url=settings.get("redis_url"),
                   database_url=settings.get("database_url"))

    def _validate_credentials(self) -> None:
        """Only Slack's requests over HTTP are signed; Socket Mode's come over the connection the bot opened."""
        if not self.app_token:
            super()._validate_credentials()

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    def _get_conversation_id(self, sender_id: Optional[Text], channel_id: Optional[Text],
                             thread_id: Optional[Text]) -> Optional[Text]:
        """Rasa's id for the conversation's granularity, in Slack's own namespace."""
        slack_id = super()._get_conversation_id(sender_id, channel_id, thread_id)
        return conversation_id(self.name(), slack_id) if slack_id else None

    def web_client(self, token: Optional[str] = None) -> AsyncWebClient:
        """Slack's Web API with the bot's token, or another (the app-level token opens the socket)."""
        token = token or self.slack_token
        return AsyncWebClient(token, base_url=self.api_url, proxy=self.proxy) if self.api_url \
            else AsyncWebClient(token, proxy=self.proxy)

    def in_background(self, work: Awaitable[Any]) -> None:
        """Kept in Rasa's set of the channel's tasks, so that it is not collected before it is done."""
        task = asyncio.create_task(work)
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    def hand_on(self, on_new_message: Handler, text: str, user: str, metadata: Dict[str, Any]) -> None:
        """The user's words to the bot, in the background; the answer goes where they were said: in a channel
        in its thread, in direct messages directly (Rasa's use_threads would thread those too)."""
        channel = metadata.get("out_channel")
        conversation = self._get_conversation_id(user, channel, metadata.get("thread_id"))
        if direct(channel):
            metadata = {**metadata, "thread_id": None}
        thread = metadata.get("thread_id") if self.use_threads else None
        self.in_background(on_new_message(UserMessage(text, self.get_output_channel(channel, thread), conversation,
                                                      input_channel=self.name(), metadata=metadata)))

    async def take_event(self, body: Dict[str, Any], on_new_message: Handler) -> bool:
        """An Events API delivery: a user's message or mention goes to the bot. False if it had been taken
        already: Slack delivers an event again when it thinks the first try failed (Rasa ignores only
        retries after a timeout)."""
        if (body.get("event") or {}).get("type") == "reaction_added":
            return await self.take_reaction(body)
        if not self._is_user_message(body):
            logger.debug("a Slack event that is no user's message: %s", (body.get("event") or {}).get("type"))
            return True
        metadata = event_metadata(body)
        if not self._is_supported_channel(body, metadata):
            logger.warning("a Slack message in a channel the bot does not answer in: %s", metadata["out_channel"])
            return True
        event_id = body.get("event_id")
        if event_id and not await self.events_taken.first_sight(event_id):
            return False
        event = body["event"]
        self.hand_on(on_new_message, self._sanitize_user_message(event.get("text", ""), metadata["users"]),
                     event.get("user", ""), metadata)
        return True

    async def take_reaction(self, body: Dict[str, Any]) -> bool:
        """A 👎 or 👍 on one of the bot's messages, recorded for the conversation of the user who reacted. False if
        the delivery had been taken already."""
        event = body["event"]
        thumb = REACTIONS.get((event.get("reaction") or "").split("::")[0])  # "+1::skin-tone-3"
        bot_users = event_metadata(body)["users"]
        if thumb is None or not event.get("user") or event.get("item_user") not in bot_users:
            return True
        event_id = body.get("event_id")
        if event_id and not await self.events_taken.first_sight(event_id):
            return False
        conversation = self._get_conversation_id(event["user"], (event.get("item") or {}).get("channel"), None)
        if conversation:  # always, as the event names its user
            self.in_background(self.thumbs.record(thumb, None, self.name(), conversation))
        return True

    async def take_interaction(self, payload: Dict[str, Any], on_new_message: Handler) -> bool:
        """A click on a button: its value goes to the bot, and the question shows the choice. False for an
        interaction the bot cannot read."""
        if not self._is_interactive_message(payload):
            return False
        action = payload["actions"][0]
        text = self._get_interactive_response(action)
        if text is None:
            return action["type"] == "button"  # a link button: nothing for the bot
        self.in_background(self.show_choice(payload))
        self.hand_on(on_new_message, text, payload["user"]["id"], interaction_metadata(payload))
        return True

    async def take_command(self, command: Mapping[str, Any], on_new_message: Handler) -> bool:
        """The slash command, answered in the background (Slack wants its answer within 3 seconds). False
        when it names no user or channel."""
        user, channel = command.get("user_id"), command.get("channel_id")
        if not user or not channel:
            return False
        self.in_background(self.answer_command(on_new_message, user, (command.get("text") or "").strip(), channel,
                                               command.get("response_url")))
        return True

    async def show_choice(self, payload: Dict[str, Any]) -> None:
        button, original = payload["actions"][0], payload.get("message") or {}
        if button.get("type") != "button" or not payload.get("response_url") or not original.get("blocks"):
            return
        try:
            await AsyncWebhookClient(payload["response_url"], proxy=self.proxy).send(
                replace_original=True, text=original.get("text") or button["text"]["text"],
                blocks=answered(original["blocks"], button["text"]["text"]))
        except Exception as error:  # the choice is taken all the same; only its echo is lost
            logger.error("could not show the chosen button in Slack: %s", error)

    async def answer_command(self, on_new_message: Handler, user: str, question: str, channel: str,
                             response_url: Optional[str]) -> None:
        try:
            opened = await self.web_client().conversations_open(users=user)
            direct_messages = opened["channel"]["id"]
            if direct_messages != channel and response_url:
                language = detect_language(question)
                note = message("slack.answer_in_direct_messages", language) if language else " / ".join(
                    message("slack.answer_in_direct_messages", each) for each in LANGUAGES)
                await AsyncWebhookClient(response_url, proxy=self.proxy).send(response_type="ephemeral", text=note)
            await on_new_message(UserMessage(
                question or START_A_CHECK, self.get_output_channel(direct_messages, None),
                self._get_conversation_id(user, direct_messages, None), input_channel=self.name(),
                metadata={"out_channel": direct_messages, "users": [user], "slash_command": True}))
        except Exception as error:
            logger.error("could not answer the slash command: %s", error)

    async def take_envelope(self, on_new_message: Handler, client: AsyncBaseSocketModeClient,
                            envelope: SocketModeRequest) -> None:
        """One of Slack's envelopes over the socket: acknowledged at once, then handled as the same payload
        over HTTP would be."""
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=envelope.envelope_id))
        if envelope.type == "events_api":
            await self.take_event(envelope.payload, on_new_message)
        elif envelope.type == "interactive":
            await self.take_interaction(envelope.payload, on_new_message)
        elif envelope.type == "slash_commands":
            await self.take_command(envelope.payload, on_new_message)
        else:
            logger.debug("a Slack envelope of a kind the bot does not read: %s", envelope.type)

    def over_the_socket(self, blueprint: Blueprint, on_new_message: Handler) -> None:
        """Socket Mode: the connection opens once Rasa serves (its agent is loaded before) and closes before it
        stops. The SDK's client keeps it: it opens another when Slack asks it to or a ping goes unanswered,
        and tries again every few seconds while Slack cannot be reached."""
        @blueprint.listener("after_server_start")
        async def connect(*_: Any) -> None:
            self.socket = SocketModeClient(self.app_token, logger=logging.getLogger("klyngebot.slack.socket"),
                                           web_client=self.web_client(self.app_token), proxy=self.proxy)
            self.socket.socket_mode_request_listeners.append(  # type: ignore[arg-type]
                lambda client, envelope: self.take_envelope(on_new_message, client, envelope))
            self.in_background(self.socket.connect())  # Slack out of reach holds up nothing else

        @blueprint.listener("before_server_stop")
        async def disconnect(*_: Any) -> None:
            if self.socket:
                await self.socket.close()

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        """Rasa's routes, with one handling for HTTP and Socket Mode in place of Rasa's webhook."""
        blueprint = Blueprint("slack_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        if self.app_token:
            self.over_the_socket(blueprint, on_new_message)
            return blueprint

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> response.HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                return response.text(NOT_SIGNED, status=400)
            content_type = request.headers.get("content-type")
            if content_type == "application/json":
                body = request.json or {}
                if body.get("type") == "url_verification":  # the form Slack documents
                    return response.json({"challenge": body.get("challenge")})
                if not await self.take_event(body, on_new_message):
                    return response.text("", headers={"X-Slack-No-Retry": "1"})
                return response.text("")
            if content_type == "application/x-www-form-urlencoded" and "payload" in request.form:
                if await self.take_interaction(json.loads(request.form["payload"][0]), on_new_message):
                    return response.text("")
                return response.text("The input message could not be processed.", status=500)
            return response.text("Bot message delivered.")

        @blueprint.route("/command", methods=["POST"], name="slack_command")
        async def command(request: Request) -> response.HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                return response.text(NOT_SIGNED, status=400)
            if not await self.take_command({key: request.form.get(key) for key in request.form}, on_new_message):
                return response.text("A slash command names its user and channel.", status=400)
            return response.text("")  # at once: Slack shows an error after 3 seconds without an answer

        return blueprint
