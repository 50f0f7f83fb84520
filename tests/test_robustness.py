"""Under load and abuse: concurrent conversations keep their own facts; nonsense to every question of the
form gets a reply and a re-ask, and never breaks the next turn."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.saying.messages import message
from bot.saying.texts import format_nok
from tests.servers import running_bot

pytestmark = pytest.mark.slow
CONVERSATIONS = 50


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    with running_bot(tmp_path_factory.mktemp("robust"), "2015-06-01") as running:
        yield running


def one_check(bot, number: int) -> tuple[int, str]:
    """Each conversation has its own budget and SME count, so each has its own verdict and grant."""
    sender, companies, smes, budget = f"isolated-{number}", 4, number % 3, 100_000 + 10_000 * number
    for text in ("kan vi søke?", "vi er en bedrift", "innovasjon", "NCE", "ja", str(companies), str(smes), "0",
                 "nei", "ja", "ja"):
        bot.say(sender, text)
    return number, "\n".join(bot.say(sender, f"{budget} kr"))


def test_concurrent_conversations_keep_their_own_facts(bot):
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        results = list(pool.map(lambda number: one_check(bot, number), range(CONVERSATIONS)))
    for number, reply in results:
        eligible = number % 3 >= 2  # at least half of 4 companies must be SMEs
        verdict = message("verdict.eligible" if eligible else "verdict.not_eligible", "nb")
        assert f"**Innovasjonsrammen**: {verdict}." in reply, (number, reply[:300])
        grant = min(300_000, (100_000 + 10_000 * number) // 2)
        assert f"inntil {format_nok(grant, 'nb')}." in reply, (number, reply[:600])


NONSENSE = ["", "🙈🙈", "<b>hei</b><script>alert(1)</script>", "'; DELETE FROM events; --", "\x00\x1b[31m",
            "ø" * 3000, "-1", "9" * 40, "null", "{\"json\": true}"]


def test_nonsense_to_every_question_gets_a_reply_and_the_check_goes_on(bot):
    answers = ["vi er en klyngeorganisasjon", "internasjonalisering", "Norge og Sverige", "3 i Norge og 4 i Sverige",
               "workshops", "400 000 kr"]
    sender = "nonsense"
    bot.say(sender, "kan vi søke?")
    for number, answer in enumerate(answers):
        garbage = NONSENSE[number % len(NONSENSE)], NONSENSE[(number + 5) % len(NONSENSE)]
        for text in garbage:
            replies = bot.say(sender, text)
            assert replies or not text.strip(), repr(text)
        replies = bot.say(sender, answer)
        assert replies, answer
    assert "Best egnet: BSR Innovation Express 2015 (oppfyller kravene)." in "\n".join(replies)
