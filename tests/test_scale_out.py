"""Scale-out: two Rasa processes between which one conversation moves, sharing a PostgreSQL tracker and check
store and a Redis lock store, end with the same verdict a single process gives. The first process answers two
messages in a row (the second from its copy of the conversation), then the second process one: the first's copy
is then behind the database and must not be used."""
import pytest

from records.checks import report
from records.store import connect
from tests.scripts import CHECK, VERDICT
from tests.services import postgres_database
from deploy.local import running_bot

pytestmark = pytest.mark.slow
REDIS_URL = "redis://127.0.0.1:6379/3"


def test_one_conversation_moving_between_two_rasa_processes(tmp_path):
    with postgres_database() as url, running_bot(tmp_path, database_url=url, redis_url=REDIS_URL,
                                                 rasa_processes=2) as bot:
        first, second = bot.peers
        for turn, answer in enumerate(CHECK):
            replies = (second if turn % 3 == 2 else first).say("shared-conversation", answer)
            assert replies, (turn, answer)
        assert VERDICT in "\n".join(replies)
        recorded = report(connect(url))
    assert recorded.checks == 1
    assert recorded.verdicts == {"innovasjonsrammen": {"eligible": 1}, "innovation_express_2015": {"unknown": 1}}
