"""A restart of the servers continues every conversation where it was: the SQL tracker store keeps it."""
import pytest

from tests.scripts import CHECK, GRANT, VERDICT, finish
from deploy.local import running_bot

pytestmark = pytest.mark.slow


def test_a_check_continues_after_both_servers_restart(tmp_path):
    database = f"sqlite:///{tmp_path / 'conversations.db'}"
    halfway = len(CHECK) // 2
    for run, answers in (("before", CHECK[:halfway]), ("after", CHECK[halfway:])):
        (tmp_path / run).mkdir()
        with running_bot(tmp_path / run, database_url=database) as bot:
            last = finish(bot, "survives-restart", answers)
    assert VERDICT in last and GRANT in last
