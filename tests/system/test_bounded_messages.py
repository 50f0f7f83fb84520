"""The door every message passes, through the real channels: a message too long to read or that cannot be decoded
is answered with the polite re-ask in the writer's language, stored nowhere, and costs nobody else any time; Rasa's
own commands are answered like the bot's."""
import threading
import time

from bot.dialogue.message import MAX_CHARS, TOO_LONG, UNREADABLE
from bot.rules.facts import facts
from bot.saying.conversation import say
from tests.scripts import CHECK, GRANT, VERDICT, finish

# Rasa strips a message's ends before anything reads it, so these have none to strip.
LONG_NB = " ".join(["Vi er fire bedrifter i klyngen og har 2 SMB-er, budsjettet er 400 000 kr."] * 40)
LONG_EN = " ".join(["We are four companies in the cluster, 2 of them SMEs, with a budget of 400 000 kr."] * 40)


def stated_facts(bot, sender: str) -> dict:
    return {name: value for name, value in bot.slots(sender).items() if name in facts() and value is not None}


def user_texts(bot, sender: str) -> list[str]:
    return [event.get("text") or "" for event in bot.tracker(sender)["events"] if event["event"] == "user"]


def test_a_message_too_long_is_answered_in_its_language_stored_nowhere_and_the_check_goes_on(assistant):
    sender = "bounded-long"
    assistant.say(sender, CHECK[0])
    assert assistant.say(sender, LONG_NB) == [say(TOO_LONG, "nb", length=len(LONG_NB), limit=MAX_CHARS)]
    assert assistant.say(sender, LONG_EN) == [say(TOO_LONG, "en", length=len(LONG_EN), limit=MAX_CHARS)]
    assert stated_facts(assistant, sender) == {}, "nothing in a message not read may set a fact"
    assert all(len(text) <= MAX_CHARS for text in user_texts(assistant, sender))
    reply = finish(assistant, sender, CHECK[1:])
    assert VERDICT in reply and GRANT in reply


def test_the_longest_message_read_is_read(assistant):
    sender = "bounded-limit"
    text = ("Vi er 4 bedrifter. " * (MAX_CHARS // 19 + 1))[:MAX_CHARS - 1] + "!"
    replies = assistant.say(sender, text)
    assert replies and replies != [say(TOO_LONG, "nb", length=MAX_CHARS, limit=MAX_CHARS)]
    assert text in user_texts(assistant, sender)


def test_a_ten_kilobyte_message_does_not_hold_up_another_user(assistant):
    """Reading it once took 14 s of the one action server while another user's "hei" waited."""
    def hello_seconds() -> float:
        start = time.perf_counter()
        assert assistant.say("bounded-bystander", "hei")
        return time.perf_counter() - start

    before = min(hello_seconds() for _ in range(3))
    attack = threading.Thread(target=lambda: [assistant.say(f"bounded-attacker-{n}", "1 " * 5000) for n in range(5)])
    attack.start()
    during = max(hello_seconds() for _ in range(5))
    attack.join()
    assert during - before <= 0.5, (before, during)


def test_undecodable_text_gets_the_polite_re_ask_and_is_not_stored(assistant):
    sender = "bounded-surrogate"
    for text in ("hva er fristen? \ud800", "vi er 4\x00 bedrifter"):
        assert assistant.say(sender, text) == [say(UNREADABLE, "nb")]
    assert user_texts(assistant, sender) == []
    assert assistant.say(sender, "hva er fristen?"), "the conversation goes on"


def test_rasa_commands_typed_by_a_user_are_answered(assistant):
    sender = "bounded-commands"
    assistant.say(sender, "Can we apply? We are 4 companies")
    assert stated_facts(assistant, sender)
    assert assistant.say(sender, "/restart")[0].startswith(say("restart", "en"))
    assert stated_facts(assistant, sender) == {}
    assert assistant.say(sender, "/session_start")[0].startswith(say("greet", "en")), "in the language spoken so far"
