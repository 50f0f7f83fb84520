"""'Delete my data' in Rasa's tracker store, with Rasa's own classes and no server: when the conversation Rasa
saves carries the marker the action sets (SlotSet forget_me), every stored event of that sender goes and the
next message starts a blank conversation; an outage only postpones it. And the daily retention purge."""
import asyncio
import datetime as dt
import time

import pytest
import sqlalchemy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from deploy.rasa_config import tracker_store
from deploy.rasa.tracker_store import FORGET_ME_SLOT, ResilientSQLTrackerStore, asks_to_forget
from records.store import connect
from records.unanswered import record_unanswered
from tests.services import cuttable_postgres_database
from tests.integration.records.test_storage import database_url, hash_key  # noqa: F401  (fixtures: SQLite and PostgreSQL)

# The slot as the lead adds it to domain.yml.
DOMAIN = Domain.from_dict({"slots": {FORGET_ME_SLOT: {"type": "bool", "influence_conversation": False,
                                                      "mappings": [{"type": "custom"}]}}})


def store_for(url, kind=ResilientSQLTrackerStore, **settings):
    """The store as Rasa makes it from the endpoints.yml that deploy/rasa_config.py writes."""
    config = tracker_store(url, 90)
    config.pop("type"), config.pop("retention_days")
    return kind(DOMAIN, host=config.pop("url", None), **config, **settings)


def conversation(sender, *texts):
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_session_start"), SessionStarted(),
                                                        ActionExecuted("action_listen")], DOMAIN.slots)
    for text in texts:
        say(tracker, text, "Svar på " + text)
    return tracker


def turn(text, answer, *action_events):
    return [UserUttered(text, {"name": "inform", "confidence": 1.0}), ActionExecuted("action_answer"),
            BotUttered(answer), *action_events, ActionExecuted("action_listen")]


def say(tracker, text, answer, *action_events):
    for event in turn(text, answer, *action_events):
        tracker.update(event)


def stored_texts(url, sender):
    engine = sqlalchemy.create_engine(url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT data FROM events WHERE sender_id = :sender"),
                                  {"sender": sender}).scalars().all()
    engine.dispose()
    return rows


def test_the_marker_deletes_the_senders_whole_conversation_and_no_one_elses(database_url):  # noqa: F811
    store = store_for(database_url)
    mine, theirs = conversation("slack:U1", "kan vi søke?", "vi er tre bedrifter"), conversation("slack:U2", "hei")
    for tracker in (mine, theirs):
        asyncio.run(store.save(tracker))
    assert len(stored_texts(database_url, "slack:U1")) == len(mine.events) == 11

    say(mine, "slett samtalen min", "Samtalen din er slettet.", SlotSet(FORGET_ME_SLOT, True))
    asyncio.run(store.save(mine))

    assert stored_texts(database_url, "slack:U1") == []
    assert len(stored_texts(database_url, "slack:U2")) == len(theirs.events) == 7
    assert asyncio.run(store.retrieve("slack:U1")) is None
    assert set(asyncio.run(store.keys())) == {"slack:U2"}
    fresh = store_for(database_url)  # another Rasa process sees the same
    assert asyncio.run(fresh.retrieve("slack:U1")) is None

    asyncio.run(store.save(conversation("slack:U1", "hva er maks tilskudd?")))  # the next message: a blank start
    texts = [event.text for event in asyncio.run(store.retrieve("slack:U1")).events if isinstance(event, UserUttered)]
    assert texts == ["hva er maks tilskudd?"]


def test_without_the_marker_nothing_is_deleted(database_url):  # noqa: F811
    store = store_for(database_url)
    tracker = conversation("web-1", "hei")
    say(tracker, "vi vil ikke slette noe", "Greit.", SlotSet(FORGET_ME_SLOT, False))
    asyncio.run(store.save(tracker))
    assert len(stored_texts(database_url, "web-1")) == len(tracker.events) == 12


def test_only_the_latest_turn_counts():
    tracker = conversation("web-1", "hei")
    say(tracker, "slett samtalen min", "Slettet.", SlotSet(FORGET_ME_SLOT, True))
    assert asks_to_forget(tracker)
    say(tracker, "hei igjen", "Hei!")
    assert not asks_to_forget(tracker)


def test_a_request_during_an_outage_is_carried_out_when_the_database_answers():
    with cuttable_postgres_database() as (url, proxy):
        store = store_for(url)
        tracker = conversation("teams:abc", "kan vi søke?")
        asyncio.run(store.save(tracker))
        proxy.cut()
        say(tracker, "delete my data", "Your conversation is deleted.", SlotSet(FORGET_ME_SLOT, True))
        asyncio.run(store.save(tracker))
        assert asyncio.run(store.retrieve("teams:abc")) is None  # not from the memory copy either
        proxy.restore()
        asyncio.run(store.retrieve("someone else"))  # the first use after the outage carries it out
        assert stored_texts(url, "teams:abc") == []


def test_the_store_deletes_what_is_older_than_the_retention_once_a_day(tmp_path):
    url = f"sqlite:///{tmp_path / 'klyngebot.db'}"
    records = connect(url)
    old = time.time() - 100 * 24 * 3600
    record_unanswered(records, "gammelt spørsmål", "nb", "rest", "a",
                      dt.datetime.fromtimestamp(old, dt.timezone.utc))
    record_unanswered(records, "nytt spørsmål", "nb", "rest", "a")
    store_for(url)  # made outside a server: no loop, no purge
    tracker = DialogueStateTracker.from_events("web-old", [UserUttered("gammel melding", timestamp=old)])
    asyncio.run(store_for(url).save(tracker))
    asyncio.run(store_for(url).save(conversation("web-new", "ny melding")))

    async def made_at_start():
        return store_for(url, retention_days=90)  # as Rasa makes it, in an event loop

    store = asyncio.run(made_at_start())  # ... which may not be the loop that serves

    async def serving():
        await store.retrieve("web-new")
        for _ in range(100):
            await asyncio.sleep(0.05)
            if not stored_texts(url, "web-old"):
                break
        store._purging.cancel()

    asyncio.run(serving())
    assert stored_texts(url, "web-old") == [] and len(stored_texts(url, "web-new")) == 7
    with records.connect() as connection:
        left = connection.execute(sqlalchemy.text("SELECT text FROM klyngebot_unanswered")).scalars().all()
    assert left == ["nytt spørsmål"]


@pytest.mark.parametrize("value", [None, 0])
def test_no_retention_means_no_purge(tmp_path, value):
    async def made_in_a_loop():
        return store_for(f"sqlite:///{tmp_path / 'x.db'}", retention_days=value)._purging
    assert asyncio.run(made_in_a_loop()) is None
