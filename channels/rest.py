"""The REST channel, an integration API: POST /webhooks/rest/webhook with {"sender": …, "message": …} answers
with the bot's replies as Rasa's own REST channel gives them ([{"recipient_id", "text", "buttons"?, …}]).

What is changed from Rasa 3.6's `rest`, and why:
- With a token (REST_TOKEN, in credentials.yml as `token`) a request must carry `Authorization: Bearer <token>`,
  else 401: the production set-up (`make serve`, compose) requires one, as the route is public there. Without one
  the channel is open, which deploy.rasa_config allows on loopback only (`make run`).
- The conversation is `rest:<sender>` (channels/senders.py), so a sender that is another channel's user id (a
  Slack user's, seen by everyone in the workspace) cannot continue or delete that user's conversation.
- A request without a sender (Rasa's would all share one conversation, `default`), with a sender too long to be
  stored, with a message that is not text, or whose body is not a JSON object gets 400 with one JSON error
  ({"error": …}) instead of a 500 or a conversation that cannot be saved.
- The request cannot choose its `input_channel`: the records say "rest" for every REST conversation.
- No streaming (`?stream=true`): nothing here uses it, and it is one more way in.
- A failure is logged without the message's text.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from channels.senders import channel_sender, conversation_id, longest_sender

logger = logging.getLogger("klyngebot.rest")


class Refused(Exception):
    """A request the channel does not take; the message says why, for the caller."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class RestOutput(CollectingOutputChannel):
    """The replies collected for the response, addressed to the sender as the request gave it."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await super().send_response(channel_sender(RestChannel.name(), recipient_id), message)


class RestChannel(RestInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls((credentials or {}).get("token"))

    def __init__(self, token: Optional[str] = None) -> None:
        self._token = token.encode("utf-8") if token else None

    def check_token(self, request: Request) -> None:
        if self._token is None:
            return
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8"), self._token):
            raise Refused(401, "this API needs its token: Authorization: Bearer <REST_TOKEN>")

    @staticmethod
    def request_body(request: Request) -> Dict[str, Any]:
        """The request's JSON object, with a sender that can be stored and a message that is text."""
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
            raise Refused(400, "the body is not JSON")
        if not isinstance(body, dict):
            raise Refused(400, 'the body must be a JSON object: {"sender": "…", "message": "…"}')
        sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
        longest = longest_sender(RestChannel.name())
        if not isinstance(sender, str) or not sender.strip():
            raise Refused(400, "sender is required: a string that names the conversation")
        if len(sender) > longest:
            raise Refused(400, f"sender is at most {longest} characters")
        if not isinstance(text, str):
            raise Refused(400, "message is required: a string")
        if metadata is not None and not isinstance(metadata, dict):
            raise Refused(400, "metadata, when given, is a JSON object")
        return body

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("klyngebot_rest", __name__)

        @rest.route("/", methods=["GET"], name="rest_health")
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"], name="rest_webhook")
        async def receive(request: Request) -> response.HTTPResponse:
            try:
                self.check_token(request)
                body = self.request_body(request)
            except Refused as refusal:
                headers = {"WWW-Authenticate": "Bearer"} if refusal.status == 401 else None
                return response.json({"error": str(refusal)}, status=refusal.status, headers=headers)
            collector = RestOutput()
            try:
                await on_new_message(UserMessage(body["message"], collector,
                                                 conversation_id(self.name(), body["sender"]),
                                                 input_channel=self.name(), metadata=body.get("metadata")))
            except (asyncio.CancelledError, Exception) as error:  # the replies so far, as Rasa's channel gives them; never the user's text
                logger.error("a REST message could not be answered: %s", type(error).__name__)
            return response.json(collector.messages)

        return rest
