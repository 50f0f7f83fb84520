"""A request for a person, posted to the staff's Slack channel when Slack is configured (SLACK_BOT_TOKEN and
SLACK_STAFF_CHANNEL; SLACK_API_URL for another address, such as a test's stand-in). A post that fails is
logged and never stops the conversation."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import urllib.request
from typing import Mapping, Optional

from records.handoffs import Delivery, Handoff, staff_text

logger = logging.getLogger("klyngebot.records.slack")
SLACK_API_URL = "https://slack.com/api/"
TIMEOUT_SECONDS = 10


def _post(url: str, token: str, body: dict) -> Optional[str]:
    """Slack's chat.postMessage; None when Slack took the message, else why not."""
    request = urllib.request.Request(url.rstrip("/") + "/chat.postMessage", data=json.dumps(body).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError) as error:  # URLError, HTTPError and timeouts are OSErrors; bad JSON a ValueError
        return " ".join(str(getattr(error, "reason", None) or error).split())
    return None if answer.get("ok") else str(answer.get("error") or "no 'ok' in Slack's answer")


async def announce_handoff(handoff: Handoff, environment: Optional[Mapping[str, str]] = None) -> Delivery:
    """Posts the request to SLACK_STAFF_CHANNEL. Without Slack configured it does nothing (OFF); a failure is
    logged (without the token)."""
    settings = os.environ if environment is None else environment
    token, channel = settings.get("SLACK_BOT_TOKEN"), settings.get("SLACK_STAFF_CHANNEL")
    if not (token and channel):
        return Delivery.OFF
    failure = await asyncio.to_thread(_post, settings.get("SLACK_API_URL") or SLACK_API_URL, token,
                                      {"channel": channel, "text": staff_text(handoff), "unfurl_links": False})
    if failure:
        logger.warning("could not post a request for a person to Slack channel %s: %s", channel, failure)
        return Delivery.FAILED
    return Delivery.SENT
