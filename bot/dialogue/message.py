"""What comes in (a user's message with the NLU's reading of it) and what goes out (the bot's replies)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

# A button's payload: "/affirm", or '/inform{"choice": "nce"}' (Rasa reads these without the NLU)
_PAYLOAD = re.compile(r'^/(?P<intent>\w+)(?P<entities>\{.*\})?$', re.S)
CONFIDENT = 0.8  # an intent below this is no reason to leave the question asked


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
class Reply:
    """One message of the bot: text with light markdown (**bold**, line breaks), quick-reply buttons, and for a
    verdict a card the channels that can draw one (Teams) show instead of the text."""
    text: str
    buttons: tuple[Button, ...] = ()
    card: Optional[Mapping[str, Any]] = field(default=None)
