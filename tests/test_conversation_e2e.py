"""End to end: the real action server and Rasa, talked to through the REST channel and the HTTP API.

The reference date is 1 June 2015, while BSR Innovation Express 2015 was open, so both calls can be
found eligible. Nothing here is skipped: without a trained model the fixture fails.
"""
import pytest

from bot.rules.catalogue import catalogue
from bot.saying.messages import message
from bot.saying.texts import format_nok
from tests.cases import assessment_cases, load_cases
from tests.servers import running_bot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    with running_bot(tmp_path_factory.mktemp("bot"), reference_date="2015-06-01") as running:
        yield running


def converse(bot, sender, turns):
    """Send each message; the bot's last reply must contain the first expected text, and the turn's
    replies every other one."""
    for user, *expected in turns:
        replies = bot.say(sender, user)
        assert replies, f"no reply to {user!r}"
        assert expected[0] in replies[-1], (user, replies)
        whole = "\n".join(replies)
        for text in expected[1:]:
            assert text in whole, (user, text, replies)


CONVERSATIONS = load_cases("conversations")["conversations"]


@pytest.mark.parametrize("script", CONVERSATIONS, ids=[script["name"] for script in CONVERSATIONS])
def test_a_scripted_conversation(bot, script):
    converse(bot, script["name"], script["turns"])
    if script["name"] == "small-talk":  # after "start over", nothing of the earlier facts remains
        assert "For a budget" not in "\n".join(bot.say(script["name"], "what is the max grant?"))


HELPFUL_FALLBACKS = ("Beklager, det forsto jeg ikke. Jeg kan sjekke", "Det kan jeg ikke svare på. Jeg hjelper med")


def test_garbage_gets_a_reply_that_says_what_the_bot_can_do(bot):
    for text in ("asdf qwer zxcv", "🙂🙂", "jjjjjjj"):
        reply = bot.say("garbage", text)[-1]
        assert reply.startswith(HELPFUL_FALLBACKS), (text, reply)


def test_every_reply_is_something(bot):
    for text in ["", " ", "😀😀😀", "<script>alert(1)</script>", "'; DROP TABLE events; --", "a" * 2000,
                 "\u0000\u0007 control", "????"]:
        assert bot.say("hostile", text) or text.strip() == "", repr(text)
    assert bot.say("hostile", "hei")


def test_the_http_api_parses_both_languages(bot):
    assert bot.parse("kan et universitet være partner?")["intent"]["name"] == "ask_partner_rules"
    assert bot.parse("when is the deadline?")["intent"]["name"] == "ask_deadline"


CASES = assessment_cases()


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_engines_table_through_the_bot(bot, case):
    """Each case's facts put into a conversation; the bot's result must state the table's verdict, the
    failing rules and the maximum grant for every call the case names."""
    facts = {name: value for name, value in case["profile"].items() if name != "date" and value is not None}
    sender = f"case-{case['name']}"
    bot.say(sender, "hello")  # a conversation starts with a message: the session then exists for the slots
    bot.set_slots(sender, {**facts, "language": "en"})
    blocks = bot.execute(sender, "action_show_result")
    for call in catalogue().calls:
        expected = case["expect"].get(call.id)
        if not expected:
            continue
        block = next(text for text in blocks if text.startswith(f"**{call.name('en')}**"))
        if "verdict" in expected:
            assert block.startswith(f"**{call.name('en')}**: {message('verdict.' + expected['verdict'], 'en')}.")
        if "failing" in expected:
            assert block.count("❌") == len(expected["failing"])
        if expected.get("max_grant_nok") is not None:
            assert f"up to {format_nok(expected['max_grant_nok'], 'en')}." in block
