"""Under load and abuse: concurrent conversations keep their own facts; nonsense to every question gets a reply and
never breaks the next turn."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.scripts import CHECK, VERDICT, finish

pytestmark = pytest.mark.slow
CONVERSATIONS = 50


def one_check(bot, number: int) -> tuple[int, str]:
    """Each conversation has its own SME count and budget, so each has its own verdict and grant."""
    smes, budget = number % 3, 100_000 + 10_000 * number
    answers = [*CHECK[:3], str(smes), *CHECK[4:-1], f"{budget} kr"]
    return number, finish(bot, f"isolated-{number}", answers)


def test_concurrent_conversations_keep_their_own_facts(assistant):
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        results = list(pool.map(lambda number: one_check(assistant, number), range(CONVERSATIONS)))
    for number, reply in results:
        if number % 3 < 2:  # fewer than half of the 4 companies are SMEs: ruled out as soon as that is said
            assert "❌ **Innovasjonsrammen**: oppfyller ikke kravene." in reply, (number, reply[:300])
            continue
        grant = min(300_000, (100_000 + 10_000 * number) // 2)
        assert VERDICT in reply and f"Inntil {grant:,} kr".replace(",", "\u00a0") in reply, (number, reply[:600])


NONSENSE = ["", "🙈🙈", "<b>hei</b><script>alert(1)</script>", "'; DELETE FROM events; --", "\x00\x1b[31m",
            "ø" * 3000, "-1", "9" * 40, "undefined", "{\"json\": true}"]


def test_nonsense_to_every_question_gets_a_reply_and_the_check_goes_on(assistant):
    sender = "nonsense"
    replies = []
    for number, answer in enumerate(CHECK):
        for text in (NONSENSE[number % len(NONSENSE)], NONSENSE[(number + 5) % len(NONSENSE)]):
            assert assistant.say(sender, text) or not text.strip(), repr(text)
        replies = assistant.say(sender, answer)
        assert replies, answer
    assert VERDICT in "\n".join(replies)
