"""Microsoft Teams through Rasa's Bot Framework channel, with buttons Teams can click.

Rasa 3.6 puts its own button objects ({"title", "payload"}) into the hero card, but a Bot Framework card
action needs a "type" and a "value", so Teams shows the buttons and nothing happens on a click. Here every
button becomes a messageBack action: Teams shows the title in the chat and sends the payload to the bot.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Text

from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint


def card_actions(buttons: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    return [{"type": "messageBack", "title": button["title"], "displayText": button["title"],
             "text": button["payload"], "value": {"payload": button["payload"]}} for button in buttons]


class TeamsOutput(BotFramework):
    @classmethod
    def replacing(cls, original: BotFramework) -> "TeamsOutput":
        """The same conversation, service URL and credentials as Rasa's own output channel."""
        output = cls.__new__(cls)
        output.__dict__.update(original.__dict__)
        return output

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        hero_card = {"contentType": "application/vnd.microsoft.card.hero",
                     "content": {"text": text, "buttons": card_actions(buttons)}}
        await self.send(self.prepare_message(recipient_id, {"attachments": [hero_card]}))


def with_clickable_buttons(on_new_message: Callable[[UserMessage], Awaitable[Any]]):
    async def handle(message: UserMessage) -> Any:
        if isinstance(message.output_channel, BotFramework):
            message.output_channel = TeamsOutput.replacing(message.output_channel)
        return await on_new_message(message)
    return handle


class TeamsInput(BotFrameworkInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(with_clickable_buttons(on_new_message))
