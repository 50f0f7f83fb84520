"""Faults while people are talking to the bot: the action server goes away and comes back, the database
goes away (at start or mid-check) and comes back, Rasa is killed mid-check. Each time the user is told
what is going on or notices nothing, the check goes on, and nothing stored is lost."""
import socket

import pytest
import sqlalchemy

from bot.saying.answers import service_unavailable
from tests.scripts import CHECK, VERDICT, finish
from deploy.local import running_bot
from tests.services import cuttable_postgres_database

pytestmark = pytest.mark.slow


def test_without_the_action_server_the_user_gets_an_apology_and_the_check_goes_on_after(tmp_path):
    with running_bot(tmp_path) as bot:
        sender = "action-server-down"
        finish(bot, sender, CHECK[:3])
        bot.say("english", "can we apply for funding?")
        bot.servers.stop("actions")
        replies = bot.say(sender, CHECK[3])
        assert replies == [service_unavailable("nb")], "one apology, with the contacts, and nothing else"
        assert bot.say("english", "we are a company") == [service_unavailable("en")]
        assert "could not run, so the user is told" in bot.servers.log("rasa0")
        bot.servers.start("actions")
        assert VERDICT in finish(bot, sender, CHECK[3:]), "the answer the apology met is given again, and counts"


def test_a_database_outage_and_a_killed_rasa_mid_check_lose_nothing(tmp_path):
    sender = "database-down-mid-check"
    with cuttable_postgres_database() as (url, proxy), running_bot(tmp_path, database_url=url) as bot:
        finish(bot, sender, CHECK[:5])
        proxy.cut()
        finish(bot, sender, CHECK[5:7])  # the companies and the SMEs, said while the database is away
        log = bot.servers.log("rasa0")
        assert log.count("database unavailable") == 1 and "database answers again" not in log
        proxy.restore()
        finish(bot, sender, CHECK[7:9])
        assert bot.servers.log("rasa0").count("database answers again: 1 waiting conversation(s) written") == 1
        bot.servers.stop("rasa0", "SIGKILL")
        bot.servers.start("rasa0")  # a new process: all it knows of the check, it reads from the database
        assert VERDICT in finish(bot, sender, CHECK[9:])


def test_a_database_away_at_start_gets_the_conversations_when_it_is_back(tmp_path):
    sender = "database-down-at-start"
    with cuttable_postgres_database() as (url, proxy):
        proxy.cut()
        with running_bot(tmp_path, database_url=url) as bot:
            finish(bot, sender, CHECK[:4])
            proxy.restore()
            assert VERDICT in finish(bot, sender, CHECK[4:])
            log = bot.servers.log("rasa0")
            assert log.count("database unavailable") == 1
            assert log.count("database answers again: 1 waiting conversation(s) written") == 1
            bot.servers.stop("rasa0")
            bot.servers.start("rasa0")
            stored = bot.slots(sender)
    assert (stored["cluster_programme"], stored["companies"], stored["budget_nok"]) == ("nce", 4, 400_000)


def test_the_cut_proxy_refuses_the_database_and_the_restored_one_passes_it():
    with cuttable_postgres_database() as (url, proxy):
        engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
        proxy.cut()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
        with pytest.raises(sqlalchemy.exc.OperationalError):
            engine.connect()
        proxy.restore()
        with engine.connect() as connection:
            assert connection.execute(sqlalchemy.text("SELECT 1")).scalar() == 1
