"""Slack: Rasa's Slack channel, with the Web API's address configurable (a local stand-in for tests) and
every Events API delivery answered once, whatever Slack's reason for retrying it."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

REMEMBERED_EVENTS = 10_000


class SlackOutput(SlackBot):
    def __init__(self, token: Text, slack_channel: Optional[Text], thread_id: Optional[Text], proxy: Optional[Text],
                 api_url: Optional[Text]) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_url:
            self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)


class SlackChannel(SlackInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.api_url = (credentials or {}).get("slack_api_url")
        channel.seen_events = OrderedDict()  # the latest REMEMBERED_EVENTS event ids, oldest first
        return channel

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    async def process_message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                              text: Text, sender_id: Optional[Text], metadata: Optional[Dict]) -> Any:
        """Slack delivers an event again when it thinks the first try failed; Rasa ignores only retries
        after a timeout. Any event already taken is acknowledged here without a second reply."""
        event_id = (request.json or {}).get("event_id") if request.headers.get("content-type") == "application/json" \
            else None
        if event_id:
            if event_id in self.seen_events:
                return response.text("", headers={"X-Slack-No-Retry": "1"})
            self.seen_events[event_id] = True
            if len(self.seen_events) > REMEMBERED_EVENTS:
                self.seen_events.popitem(last=False)
        return await super().process_message(request, on_new_message, text, sender_id, metadata)
