"""End to end: the real action server and Rasa, talked to through the REST channel and the HTTP API.

The reference date is 1 June 2015, while BSR Innovation Express 2015 was open, so both calls can be
found eligible. Nothing here is skipped: without a trained model the fixture fails.
"""
import pytest

from bot.catalogue import catalogue
from bot.messages import message
from bot.texts import format_nok
from tests.cases import assessment_cases
from tests.servers import running_bot

pytestmark = pytest.mark.slow
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    with running_bot(tmp_path_factory.mktemp("bot"), reference_date="2015-06-01") as running:
        yield running


def converse(bot, sender, script):
    """Send each message; the bot's last reply must contain the expected text (and the whole turn must
    contain every extra expected text)."""
    transcript = []
    for user, *expected in script:
        replies = bot.say(sender, user)
        transcript.append((user, replies))
        assert replies, f"no reply to {user!r}"
        whole = "\n".join(replies)
        assert expected[0] in replies[-1], (user, replies)
        for text in expected[1:]:
            assert text in whole, (user, text, replies)
    return transcript


def test_a_full_check_in_norwegian(bot):
    converse(bot, "nb-full", [
        ("kan vi søke om støtte?", "Hvem søker", "La oss sjekke"),
        ("vi er en bedrift", "Handler prosjektet mest om"),
        ("innovasjon", "Hvilket klyngeprogram"),
        ("NCE", "Kommer initiativet"),
        ("ja", "Hvor mange bedrifter"),
        ("tre", "Hvor mange av dem er små"),
        ("2", "utenlandske"),
        ("0", "offentlige foretak"),
        ("nei", "uavhengige"),
        ("ja", "komplementær"),
        ("ja", "norske budsjettet"),
        ("kr 1,2 mill", "Skriv «hvorfor?»",
         f"Best egnet: Innovasjonsrammen (oppfyller kravene). Inntil 300{NBSP}000 kr for budsjettet deres.",
         "Neste steg for Innovasjonsrammen"),
        ("hvorfor?", "Begrunnelse for BSR Innovation Express 2015", "Begrunnelse for Innovasjonsrammen",
         "kilde: innovasjonsrammen.txt"),
    ])


def test_a_full_check_in_english_with_a_correction(bot):
    converse(bot, "en-full", [
        ("which call fits us?", "Who is applying"),
        ("we are a business network", "mainly about developing"),
        ("internationalisation", "Which countries"),
        ("Norway, Sweden and Finland", "How many SMEs take part from each country"),
        ("3 in Norway, 4 in Sweden and 3 in Finland", "Which activities"),
        ("workshops and technology transfer", "Norwegian budget"),
        ("NOK 180,000", "Type \"why?\"", "Raise the Norwegian budget to at least NOK 200,000"),
        ("sorry, the budget is NOK 400,000", "Type \"why?\"",
         "Best fit: BSR Innovation Express 2015 (eligible). Up to NOK 200,000 for your budget.",
         "open (deadline 30 October 2015)"),
    ])


def test_several_facts_at_once_interruptions_corrections_and_a_skip(bot):
    converse(bot, "nb-mixed", [
        ("Vi er tre bedrifter i en NCE-klynge, to er SMB-er, budsjettet er 500 000 kr", "Handler prosjektet mest om"),
        ("hva er maks tilskudd?", "Handler prosjektet mest om", f"inntil 300{NBSP}000 kr"),
        ("kan et universitet være partner?", "Handler prosjektet mest om", "**Innovasjonsrammen**: Nei."),
        ("innovasjon", "Kommer initiativet"),
        ("nei, vi er fire bedrifter", "Kommer initiativet"),
        ("ehh", "Kommer initiativet", "Svar gjerne ja eller nei"),
        ("🙂", "Kommer initiativet", "hoppe over spørsmålet"),
        ("hopp over", "utenlandske", "Greit, det lar vi stå åpent."),
        ("ingen", "offentlige foretak"),
        ("nei", "uavhengige"),
        ("hvorfor spør du om det?", "uavhengige", "Jeg spør om"),
        ("ja", "komplementær"),
        ("ja", "Skriv «hvorfor?»", "**Innovasjonsrammen**: ikke avgjort ennå.",
         "Ubesvart (hoppet over): om initiativet kommer fra en aktiv klyngebedrift."),
        ("hvorfor?", "Begrunnelse", "companies=4"),
    ])


def test_the_reply_language_follows_the_user(bot):
    converse(bot, "switch", [
        ("kan vi søke?", "Hvem søker"),
        ("we are a cluster organisation", "mainly about developing"),
        ("internasjonalisering, takk", "Hvilke land"),
    ])


HELPFUL_FALLBACKS = ("Beklager, det forsto jeg ikke. Jeg kan sjekke", "Det kan jeg ikke svare på. Jeg hjelper med")


def test_garbage_gets_a_reply_that_says_what_the_bot_can_do(bot):
    for text in ("asdf qwer zxcv", "🙂🙂", "jjjjjjj"):
        reply = bot.say("garbage", text)[-1]
        assert reply.startswith(HELPFUL_FALLBACKS), (text, reply)


def test_small_talk_fallbacks_and_restart(bot):
    converse(bot, "small-talk", [
        ("hei", "Hei! Jeg er Klyngebot"),
        ("are you a bot?", "Yes, I am a bot"),
        ("what's the weather tomorrow?", "outside what I know"),
        ("we are 3 companies with a budget of NOK 500,000", "mainly about developing"),
        ("start over", "Starting over"),
        ("what is the max grant?", "**BSR Innovation Express 2015**"),
        ("thanks", "You're welcome"),
        ("bye", "Goodbye"),
    ])
    assert "For a budget" not in "\n".join(bot.say("small-talk", "what is the max grant?"))


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
