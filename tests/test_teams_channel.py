"""Teams (Bot Framework): the outgoing activity's buttons are card actions Teams can click.

What is tested: the activity the bot sends for a reply with buttons (hero card, messageBack actions
carrying the payload), and that the Teams input channel puts this output in place of Rasa's own. What is
not: getting a token from login.microsoftonline.com and checking incoming requests' JWT against
Microsoft's published keys. Rasa 3.6 hard-codes both addresses, so no local stand-in can answer them.
"""
import asyncio

from rasa.core.channels.botframework import BotFramework
from rasa.core.channels.channel import UserMessage

from channels.teams import TeamsOutput, with_clickable_buttons


def rasa_output():
    return BotFramework("app-id", "app-password", {"id": "conversation-1"}, {"id": "bot", "name": "Klyngebot"},
                        "http://127.0.0.1:1/")


def test_buttons_become_messageback_card_actions(monkeypatch):
    sent = []
    output = TeamsOutput.replacing(rasa_output())

    async def capture(self, message_data):
        sent.append(message_data)
    monkeypatch.setattr(TeamsOutput, "send", capture)
    asyncio.run(output.send_text_with_buttons("user-1", "Er partnerne uavhengige?",
                                              [{"title": "Ja", "payload": "/affirm"}, {"title": "Nei", "payload": "/deny"}]))
    card = sent[0]["attachments"][0]
    assert sent[0]["type"] == "message" and sent[0]["recipient"] == {"id": "user-1"}
    assert card["contentType"] == "application/vnd.microsoft.card.hero"
    assert card["content"]["text"] == "Er partnerne uavhengige?"
    assert card["content"]["buttons"] == [
        {"type": "messageBack", "title": "Ja", "displayText": "Ja", "text": "/affirm", "value": {"payload": "/affirm"}},
        {"type": "messageBack", "title": "Nei", "displayText": "Nei", "text": "/deny", "value": {"payload": "/deny"}}]
    assert all({"type", "title"} <= set(button) and ("value" in button or "text" in button)
               for button in card["content"]["buttons"])


def test_the_teams_input_replaces_rasas_output_keeping_its_conversation():
    received = []

    async def on_new_message(message):
        received.append(message)
    message = UserMessage("hei", rasa_output(), "user-1", input_channel="botframework")
    asyncio.run(with_clickable_buttons(on_new_message)(message))
    output = received[0].output_channel
    assert isinstance(output, TeamsOutput)
    assert output.conversation == {"id": "conversation-1"} and output.global_uri.startswith("http://127.0.0.1:1/")
