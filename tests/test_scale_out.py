"""Scale-out: two Rasa processes behind which one conversation alternates, sharing a PostgreSQL tracker
and check store and a Redis lock store, end with the same verdict a single process gives."""
import pytest

from records.checks import connect, report
from tests.cases import load_cases
from tests.services import postgres_database
from tests.servers import running_bot

pytestmark = pytest.mark.slow
REDIS_URL = "redis://127.0.0.1:6379/3"


def test_one_conversation_alternating_between_two_rasa_processes(tmp_path):
    script = next(item for item in load_cases("conversations")["conversations"] if item["name"] == "nb-full")
    with postgres_database() as url, running_bot(tmp_path, "2015-06-01", database_url=url, redis_url=REDIS_URL,
                                                 rasa_processes=2) as bot:
        first, second = bot.peers
        for turn, (user, *expected) in enumerate(script["turns"]):
            replies = (first if turn % 2 == 0 else second).say("shared-conversation", user)
            assert replies and expected[0] in replies[-1], (turn, user, replies)
            assert all(text in "\n".join(replies) for text in expected[1:]), (turn, user, replies)
        recorded = report(connect(url))
    assert recorded.checks == 1
    assert recorded.verdicts == {"innovasjonsrammen": {"eligible": 1}, "innovation_express_2015": {"not_eligible": 1}}
