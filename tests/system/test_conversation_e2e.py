"""End to end: the real action server and Rasa with the trained NLU, through the REST channel and the HTTP API.
What the dialogue does is tested turn by turn in tests/unit/dialogue; here, that it does it with the real NLU in front.
Nothing here is skipped: without a trained model the fixture fails."""
import pytest

from bot.rules.facts import facts

pytestmark = pytest.mark.slow


def say(bot, sender, *texts):
    replies = []
    for text in texts:
        replies = bot.say(sender, text)
        assert replies, text
    return "\n".join(replies)


def test_a_short_answer_is_read_as_the_answer_even_when_it_looks_like_small_talk(assistant):
    say(assistant, "begge", "kan vi søke?", "NCE", "to")
    assert facts()["foreign_companies"].question("nb") in say(assistant, "begge", "Begge.")
    assert assistant.slots("begge")["smes"] == 2


def test_a_passing_mention_of_a_partner_country_is_no_reason_for_a_no(assistant):
    reply = say(assistant, "danish", "Vi er en klyngeorganisasjon og jobber med en dansk klynge om workshops")
    assert "oppfyller ikke" not in reply and "passet for prosjekter som dette" in reply
    assert assistant.slots("danish")["countries"] == ["NO", "DK"]


def test_a_question_about_an_sme_with_its_figures_is_answered_at_once(assistant):
    reply = say(assistant, "sme", "Are we an SME? 120 employees, EUR 60 M turnover, EUR 40 M balance sheet")
    assert reply.startswith("**medium-sized enterprise** – SME: yes.")


def test_start_over_forgets_the_project(assistant):
    say(assistant, "restart", "we are 3 companies in an NCE cluster")
    assert say(assistant, "restart", "start over").startswith("Starting over")
    assert assistant.slots("restart")["companies"] is None


def test_delete_my_data_leaves_a_blank_conversation(assistant):
    say(assistant, "forget", "vi er tre bedrifter i en NCE-klynge")
    assert "slettet" in say(assistant, "forget", "slett samtalen min")
    say(assistant, "forget", "hei")
    assert assistant.slots("forget")["companies"] is None


HELPFUL_FALLBACKS = ("Beklager, det forsto jeg ikke. Jeg kan sjekke", "Det kan jeg ikke svare på. Jeg hjelper med",
                     "Sorry, I did not understand that.", "That is outside what I know.")


def test_garbage_gets_a_reply_that_says_what_the_bot_can_do(assistant):
    for text in ("asdf qwer zxcv", "🙂🙂", "jjjjjjj"):
        reply = assistant.say("garbage", text)[-1]
        assert reply.startswith(HELPFUL_FALLBACKS), (text, reply)


def test_every_reply_is_something(assistant):
    for text in ["", " ", "😀😀😀", "<script>alert(1)</script>", "'; DROP TABLE events; --", "a" * 2000,
                 "\u0000\u0007 control", "????"]:
        assert assistant.say("hostile", text) or text.strip() == "", repr(text)
    assert assistant.say("hostile", "hei")


def test_the_http_api_parses_both_languages(assistant):
    assert assistant.parse("kan et universitet være partner?")["intent"]["name"] == "ask_partner_rules"
    assert assistant.parse("when is the deadline?")["intent"]["name"] == "ask_deadline"
