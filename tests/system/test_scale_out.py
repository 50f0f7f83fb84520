"""Scale-out: two Rasa processes between which one conversation moves, sharing a PostgreSQL tracker and check
store and a Redis lock store, end with the same verdict a single process gives. The first process answers two
messages in a row (the second from its copy of the conversation), then the second process one: the first's copy
is then behind the database and must not be used. And ten conversations spread over both go on through a database
outage without losing or re-asking anything."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from records.checks import report
from records.store import connect
from tests.scripts import CHECK, GRANT, VERDICT
from tests.services import CuttableProxy, postgres_database
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


CONVERSATIONS, OUTAGE_SECONDS, PAUSE_SECONDS = 10, 12, 1.5


def test_a_database_outage_under_ten_conversations_on_two_processes_loses_nothing_and_asks_nothing_again(tmp_path):
    """Each conversation alternates between the two processes, as nginx spreads a channel's requests, and goes on
    through a 12-second PostgreSQL outage. Each process once kept its own copy meanwhile: the copies drifted, and 49
    of 51 conversations lost answers. Every answer must be stored once, and each check end on its verdict after its
    eleven answers (a question asked again would shift every answer after it)."""
    with postgres_database() as url:
        database = CuttableProxy(5432)
        database.restore()
        proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{database.port}")
        with running_bot(tmp_path, database_url=proxied, redis_url=REDIS_URL, rasa_processes=2) as bot:
            def converse(number: int) -> str:
                replies = []
                for turn, answer in enumerate(CHECK):
                    time.sleep(PAUSE_SECONDS)
                    replies = bot.peers[(turn + number) % 2].say(f"outage-{number}", answer)
                    assert replies, (number, turn, answer)
                return "\n".join(replies)

            with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
                endings = [pool.submit(converse, number) for number in range(CONVERSATIONS)]
                time.sleep(2 * PAUSE_SECONDS)
                database.cut()
                time.sleep(OUTAGE_SECONDS)
                database.restore()
                verdicts = [ending.result() for ending in endings]
            bot.say("outage-after", "hei")  # a write after the outage, so every process has written what waited
            stored = {number: [event["text"] for event in bot.tracker(f"outage-{number}")["events"]
                               if event["event"] == "user"] for number in range(CONVERSATIONS)}
    for number, verdict in enumerate(verdicts):
        assert VERDICT in verdict and GRANT in verdict, (number, verdict[:300])
        assert stored[number] == CHECK, (number, stored[number])
