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
Every request, slash commands included, must carry a valid Slack signature.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.reading.language import detect_language
from bot.resources import LANGUAGES
from bot.saying.messages import message
from channels.senders import channel_sender, conversation_id

logger = logging.getLogger("klyngebot.slack")
REMEMBERED_EVENTS = 10_000  # in one process
REMEMBERED_SECONDS = 3600  # in Redis; Slack retries within minutes
START_A_CHECK = "/check_eligibility"  # what `/klyngebot` alone says to the bot
# Block Kit's limits (api.slack.com/reference/block-kit): characters in a section's text and a button's
# label and value, buttons in one actions block, blocks in one message.
SECTION_TEXT, BUTTON_TEXT, BUTTON_VALUE, BUTTONS_PER_BLOCK, BLOCKS = 3000, 75, 2000, 25, 50
HEADER_TEXT = 150


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


class SlackChannel(SlackInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.api_url = (credentials or {}).get("slack_api_url")
        redis_url = (credentials or {}).get("redis_url")
        channel.events_taken = RedisEventMemory(redis_url) if redis_url else ProcessEventMemory()
        return channel

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    def _get_conversation_id(self, sender_id: Optional[Text], channel_id: Optional[Text],
                             thread_id: Optional[Text]) -> Optional[Text]:
        """Rasa's id for the conversation's granularity, in Slack's own namespace."""
        slack_id = super()._get_conversation_id(sender_id, channel_id, thread_id)
        return conversation_id(self.name(), slack_id) if slack_id else None

    def web_client(self) -> AsyncWebClient:
        return AsyncWebClient(self.slack_token, base_url=self.api_url, proxy=self.proxy) if self.api_url \
            else AsyncWebClient(self.slack_token, proxy=self.proxy)

    def in_background(self, work: Awaitable[Any]) -> None:
        """Kept in Rasa's set of the channel's tasks, so that it is not collected before it is done."""
        task = asyncio.create_task(work)
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    async def process_message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                              text: Text, sender_id: Optional[Text], metadata: Optional[Dict]) -> Any:
        """Slack delivers an event again when it thinks the first try failed; Rasa ignores only retries
        after a timeout. Any event already taken is acknowledged here without a second reply."""
        content_type = request.headers.get("content-type")
        event_id = (request.json or {}).get("event_id") if content_type == "application/json" else None
        if event_id and not await self.events_taken.first_sight(event_id):
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        if metadata and direct(metadata.get("out_channel")):
            metadata = {**metadata, "thread_id": None}
        if content_type == "application/x-www-form-urlencoded":
            self.in_background(self.show_choice(json.loads(request.form["payload"][0])))
        return await super().process_message(request, on_new_message, text, sender_id, metadata)

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

    async def answer_command(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], user: str,
                             question: str, channel: str, response_url: Optional[str]) -> None:
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

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def url_verification(request: Request) -> Optional[response.HTTPResponse]:
            if request.method != "POST" or not request.path.endswith("/webhook") \
                    or request.headers.get("content-type") != "application/json":
                return None
            body = request.json or {}
            if body.get("type") == "url_verification" and self.is_request_from_slack_authentic(request):
                return response.json({"challenge": body.get("challenge")})
            return None

        @blueprint.route("/command", methods=["POST"], name="slack_command")
        async def command(request: Request) -> response.HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                return response.text("Message is not properly signed with a valid X-Slack-Signature header",
                                     status=400)
            user, channel = request.form.get("user_id"), request.form.get("channel_id")
            if not user or not channel:
                return response.text("A slash command names its user and channel.", status=400)
            self.in_background(self.answer_command(on_new_message, user, (request.form.get("text") or "").strip(),
                                                   channel, request.form.get("response_url")))
            return response.text("")  # at once: Slack shows an error after 3 seconds without an answer

        return blueprint
