"""Each channel's conversations in a namespace of their own.

A conversation's id in Rasa (tracker store, lock store, the records' keyed hashes, "delete my data") is the
channel's prefix followed by the id the channel knows its user by: `slack:U0123ABC`, `teams:29:1f…`,
`web:<signed session id>`, `rest:<the integration's sender>`. So an id given on one channel never reaches
another channel's conversation: a Slack user id sent as the REST API's sender is `rest:U0123ABC`, another
conversation than that Slack user's. The input channels add the prefix; their output channels take it off
again (`channel_sender`) before they address the user, who never sees it.
"""
from __future__ import annotations

# the input channel's name (what Rasa calls it, and the records' `channel`) -> the prefix of its conversations
PREFIXES = {"rest": "rest:", "webchat": "web:", "slack": "slack:", "botframework": "teams:"}
STORED_ID_LENGTH = 255  # Rasa's SQL tracker store keeps a conversation's id as character varying(255)


def conversation_id(channel: str, sender: str) -> str:
    """The conversation's id in Rasa for the channel's own id of its user."""
    return PREFIXES[channel] + sender


def channel_sender(channel: str, conversation: str) -> str:
    """The channel's own id of the user of a conversation (an id without the prefix is taken as it is)."""
    return conversation.removeprefix(PREFIXES[channel])


def longest_sender(channel: str) -> int:
    """The most characters a channel's own id may have, so that its conversation's id can be stored."""
    return STORED_ID_LENGTH - len(PREFIXES[channel])
