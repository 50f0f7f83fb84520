"""Slack: Rasa's Slack channel, with the Web API's address configurable (a local stand-in for tests) and
every Events API delivery answered once, whatever Slack's reason for retrying it. The event ids already
taken are kept in Redis when REDIS_URL is set, so a retry that reaches another Rasa process is caught
too; otherwise in this process."""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger("klyngebot.slack")
REMEMBERED_EVENTS = 10_000  # in one process
REMEMBERED_SECONDS = 3600  # in Redis; Slack retries within minutes


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

    async def process_message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                              text: Text, sender_id: Optional[Text], metadata: Optional[Dict]) -> Any:
        """Slack delivers an event again when it thinks the first try failed; Rasa ignores only retries
        after a timeout. Any event already taken is acknowledged here without a second reply."""
        event_id = (request.json or {}).get("event_id") if request.headers.get("content-type") == "application/json" \
            else None
        if event_id and not await self.events_taken.first_sight(event_id):
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        return await super().process_message(request, on_new_message, text, sender_id, metadata)
