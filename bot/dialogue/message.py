"""What comes in (a user's message with the NLU's reading of it) and what goes out (the bot's replies)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from bot.reading.language import detect_language
from bot.resources import DEFAULT_LANGUAGE
from bot.saying.conversation import say

# A button's payload: "/affirm", or '/inform{"choice": "nce"}' (Rasa reads these without the NLU)
_PAYLOAD = re.compile(r'^/(?P<intent>\w+)(?P<entities>\{.*\})?$', re.S)
CONFIDENT = 0.8  # an intent below this is no reason to leave the question asked
# The longest message read. A project told in full fits in a few hundred characters; every reader is linear in the
# text (tests/unit/rules/test_properties.py), so this bounds a message's work to about a fifth of a second of one core, and
# stops a pasted document from holding up everyone else's answers or being stored for months.
MAX_CHARS = 2000
TOO_LONG, UNREADABLE = "too_long", "unreadable"


def refusal(text: str) -> Optional[str]:
    """Why a message is not read at all (TOO_LONG, UNREADABLE), or None. Unreadable is text no channel sends from a
    keyboard and the readers and the database cannot take: half of a surrogate pair, or a NUL character."""
    if len(text) > MAX_CHARS:
        return TOO_LONG
    if "\x00" in text:
        return UNREADABLE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return UNREADABLE
    return None


def not_read(text: str, language: Optional[str] = None) -> Optional[str]:
    """The polite re-ask for a message that is not read at all, in the language it is written in (or the channel's);
    None for a message to read."""
    reason = refusal(text)
    if reason is None:
        return None
    legible = text[:MAX_CHARS].encode("utf-8", "replace").decode("utf-8")
    return say(reason, detect_language(legible) or language or DEFAULT_LANGUAGE, length=len(text), limit=MAX_CHARS)


@dataclass(frozen=True)
class Message:
    text: str
    intent: Optional[str] = None
    confidence: float = 0.0
    entities: tuple[Mapping[str, Any], ...] = ()
    language: Optional[str] = None  # a channel that knows the user's language (a web page's lang) says so

    @property
    def is_payload(self) -> bool:
        """A button click or a command typed as a payload ("/start_over")."""
        return bool(_PAYLOAD.match(self.text.strip()))

    @property
    def choice(self) -> Optional[str]:
        """The value a choice button carries."""
        for entity in self.entities:
            if entity.get("entity") == "choice":
                return str(entity.get("value"))
        match = _PAYLOAD.match(self.text.strip())
        if match and match.group("entities"):
            try:
                return str(json.loads(match.group("entities")).get("choice"))
            except (ValueError, AttributeError):
                return None
        return None

    def is_confidently(self, *names: str) -> bool:
        return self.intent in names and (self.is_payload or self.confidence >= CONFIDENT)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Download:
    """A file the user can save from the chat page (the ranking as CSV); channels without downloads leave it out."""
    file_name: str
    media_type: str
    content: str


@dataclass(frozen=True)
class Reply:
    """One message of the bot: text with light markdown (**bold**, line breaks), quick-reply buttons, for a verdict
    a card the channels that can draw one (Teams) show instead of the text, and a file to download (the text is
    then its link's label)."""
    text: str
    buttons: tuple[Button, ...] = ()
    card: Optional[Mapping[str, Any]] = field(default=None)
    download: Optional[Download] = None
