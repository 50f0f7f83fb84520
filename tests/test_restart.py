"""A restart of the servers continues every conversation where it was: the SQL tracker store keeps it."""
import pytest

from tests.cases import load_cases
from tests.servers import running_bot

pytestmark = pytest.mark.slow


def test_a_check_continues_after_both_servers_restart(tmp_path):
    script = next(item for item in load_cases("conversations")["conversations"] if item["name"] == "en-full")
    database = f"sqlite:///{tmp_path / 'conversations.db'}"
    halfway = len(script["turns"]) // 2
    for run, turns in (("before", script["turns"][:halfway]), ("after", script["turns"][halfway:])):
        (tmp_path / run).mkdir()
        with running_bot(tmp_path / run, "2015-06-01", database_url=database) as bot:
            for user, *expected in turns:
                replies = bot.say("survives-restart", user)
                assert replies and expected[0] in replies[-1], (run, user, replies)
                assert all(text in "\n".join(replies) for text in expected[1:]), (run, user, replies)
