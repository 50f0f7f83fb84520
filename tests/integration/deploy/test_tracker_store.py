"""The tracker store's copy of each conversation (deploy/rasa/tracker_store.py): a message reads the conversation from
memory when the database holds nothing newer, writes what Rasa's store writes, and never reads a copy that another
process or a deletion has overtaken. With Rasa's own classes and no server, on SQLite and on PostgreSQL."""
import asyncio
import json
import uuid

import pytest
import redis
import sqlalchemy
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from deploy.rasa.tracker_store import FORGET_ME_SLOT
from tests.services import REDIS_SERVER, cuttable_postgres_database, postgres_database
from tests.integration.deploy.test_forget_me import DOMAIN, conversation, say, store_for, turn
from tests.integration.records.test_storage import database_url, hash_key  # noqa: F401  (fixtures: SQLite and PostgreSQL)

TURNS = [("kan vi søke?", "Hvilken klynge?"), ("NCE", "Hvor mange bedrifter?"), ("tre", "Hvor mange er SMB?")]


def rows(url, sender):
    engine = sqlalchemy.create_engine(url, future=True)
    with engine.connect() as connection:
        stored = connection.execute(sqlalchemy.text(
            "SELECT type_name, intent_name, action_name, data FROM events WHERE sender_id = :sender ORDER BY id"),
            {"sender": sender}).all()
    engine.dispose()
    return [tuple(row) for row in stored]


def handle(store, sender, text, answer, *events):
    """What Rasa does with a message: read the conversation, add the turn, save it."""
    tracker = asyncio.run(store.retrieve(sender)) or conversation(sender)
    say(tracker, text, answer, *events)
    asyncio.run(store.save(tracker))
    return tracker


def texts(tracker):
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


def test_turn_by_turn_the_database_holds_what_rasas_own_store_writes(database_url):  # noqa: F811
    stores = {"ours": store_for(database_url), "rasa's": store_for(database_url, SQLTrackerStore)}
    start = conversation("first").events
    for text, answer in TURNS:
        events = turn(text, answer, SlotSet(FORGET_ME_SLOT, False))
        for sender, store in stores.items():
            tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker.from_events(sender, start, DOMAIN.slots)
            tracker.update_with_events(events, DOMAIN, override_timestamp=False)
            asyncio.run(store.save(tracker))
    assert rows(database_url, "ours") == rows(database_url, "rasa's")
    assert len(rows(database_url, "ours")) == 3 + 5 * len(TURNS)  # each event once


def test_the_next_message_gets_the_saved_copy_without_reading_the_events(database_url, monkeypatch):  # noqa: F811
    store = store_for(database_url)
    first = handle(store, "web-1", *TURNS[0])
    monkeypatch.setattr(SQLTrackerStore, "retrieve", lambda *_: (_ for _ in ()).throw(AssertionError("read")))
    second = handle(store, "web-1", *TURNS[1])
    assert second is first and texts(second) == ["kan vi søke?", "NCE"]
    assert len(rows(database_url, "web-1")) == len(second.events)


def test_what_another_process_wrote_is_read_from_the_database(database_url):  # noqa: F811
    here, there = store_for(database_url), store_for(database_url)
    handle(here, "web-1", *TURNS[0])
    handle(there, "web-1", *TURNS[1])
    mine = handle(here, "web-1", *TURNS[2])
    assert texts(mine) == [text for text, _ in TURNS]
    assert len(rows(database_url, "web-1")) == 3 + 4 * len(TURNS)  # each event once


def test_a_conversation_deleted_by_another_process_is_not_read_from_memory(database_url):  # noqa: F811
    here, there = store_for(database_url), store_for(database_url)
    handle(here, "web-1", *TURNS[0])
    handle(there, "web-1", "slett samtalen min", "Slettet.", SlotSet(FORGET_ME_SLOT, True))
    assert rows(database_url, "web-1") == [] and asyncio.run(here.retrieve("web-1")) is None


def test_a_message_that_did_not_save_leaves_nothing_for_the_next(database_url):  # noqa: F811
    store = store_for(database_url)
    handle(store, "web-1", *TURNS[0])
    failed = asyncio.run(store.retrieve("web-1"))
    say(failed, "en melding som feilet", "aldri lagret")  # Rasa raised before saving
    again = asyncio.run(store.retrieve("web-1"))
    assert again is not failed and texts(again) == ["kan vi søke?"]


def test_a_tracker_made_elsewhere_is_read_back_as_rasas_store_reads_it(database_url):  # noqa: F811
    store = store_for(database_url)
    for text, answer in TURNS:
        handle(store, "web-1", text, answer)
    replacement = conversation("web-1", "bare dette")  # the HTTP API's PUT .../tracker/events makes a new tracker
    asyncio.run(store.save(replacement))
    as_rasa_reads_it = asyncio.run(store_for(database_url, SQLTrackerStore).retrieve("web-1"))
    assert texts(asyncio.run(store.retrieve("web-1"))) == texts(as_rasa_reads_it)


def test_a_new_session_is_read_again_as_rasa_reads_it_the_latest_session_only(database_url):  # noqa: F811
    store = store_for(database_url)
    tracker = handle(store, "web-1", *TURNS[0])
    tracker = asyncio.run(store.retrieve("web-1"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    say(tracker, "hei igjen", "Hei!")
    asyncio.run(store.save(tracker))
    assert texts(asyncio.run(store.retrieve("web-1"))) == ["hei igjen"]


def test_sqlite_writes_through_its_write_ahead_log(tmp_path):
    url = f"sqlite:///{tmp_path / 'klyngebot.db'}"
    handle(store_for(url), "web-1", *TURNS[0])
    with sqlalchemy.create_engine(url, future=True).connect() as connection:
        assert connection.execute(sqlalchemy.text("PRAGMA journal_mode")).scalar_one() == "wal"


# Storage that one bad conversation cannot stop (issue 23): a value the database refuses is refused at the door
# and never taken for an outage; an outage's unsaved conversations are bounded, and shared by the processes.

@pytest.fixture
def shared_copies():
    """The settings that make stores keep their outage copies in Redis, under a prefix of this test's own."""
    prefix = f"test{uuid.uuid4().hex[:12]}"
    yield {"redis_url": REDIS_SERVER, "key_prefix": prefix}
    client = redis.Redis.from_url(REDIS_SERVER)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def stored_senders(url):
    engine = sqlalchemy.create_engine(url, future=True)
    with engine.connect() as connection:
        senders = set(connection.execute(sqlalchemy.text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    return senders


def test_a_sender_id_too_long_to_store_is_refused_and_the_others_are_still_saved(caplog):
    with postgres_database() as url:
        store = store_for(url)
        too_long = "x" * 300  # the events table's sender_id is character varying(255)
        handle(store, too_long, "en melding fra en lang avsender", "Svar")
        for number in range(3):
            handle(store, f"web-{number}", *TURNS[0])
        assert stored_senders(url) == {"web-0", "web-1", "web-2"}
        assert asyncio.run(store.retrieve(too_long)) is None
    assert "database unavailable" not in caplog.text
    assert "refused" in caplog.text and too_long not in caplog.text and "lang avsender" not in caplog.text


def test_a_value_the_database_refuses_is_dropped_not_retried_as_an_outage(caplog):
    with postgres_database() as url:
        store = store_for(url)
        tracker = conversation("web-bad")
        intent = "i" * 300  # Rasa takes "/<intent>" from the user as an intent name; intent_name is varchar(255)
        for event in [UserUttered("hemmelig tekst", {"name": intent, "confidence": 1.0}),
                      ActionExecuted("action_listen")]:
            tracker.update(event)
        asyncio.run(store.save(tracker))
        for number in range(3):
            handle(store, f"web-{number}", *TURNS[0])
        assert stored_senders(url) == {"web-0", "web-1", "web-2"}
        handle(store, "web-bad", *TURNS[0])  # the refused turn is not in memory either: the conversation starts again
        assert texts(asyncio.run(store.retrieve("web-bad"))) == [TURNS[0][0]]
    assert "database unavailable" not in caplog.text
    assert "refused" in caplog.text and "hemmelig" not in caplog.text and "web-bad" not in caplog.text


def test_an_outage_keeps_a_bounded_number_of_unsaved_conversations_and_writes_them_when_it_ends(caplog):
    with cuttable_postgres_database() as (url, proxy):
        store = store_for(url, unsaved_conversations=3)
        handle(store, "web-0", *TURNS[0])
        proxy.cut()
        for number in range(5):  # web-0 and web-1 waited longest: they are dropped for web-3 and web-4
            handle(store, f"web-{number}", *TURNS[1])
        assert "3 conversations wait unsaved" in caplog.text
        proxy.restore()
        handle(store, "web-5", *TURNS[0])
        assert "database answers again: 3 waiting conversation(s) written, 2 dropped" in caplog.text
        assert stored_senders(url) == {"web-0", "web-2", "web-3", "web-4", "web-5"}
        assert texts(asyncio.run(store_for(url).retrieve("web-0"))) == [TURNS[0][0]]
        assert texts(asyncio.run(store_for(url).retrieve("web-4"))) == [TURNS[1][0]]


def test_two_processes_through_an_outage_store_every_event_of_every_conversation_once(shared_copies):
    """As `make serve` runs it: two Rasa processes, one PostgreSQL, one Redis; the messages of each conversation
    alternate between the processes, before, during and after a cut of the database."""
    senders = [f"web-{number}" for number in range(10)]
    said = [(f"melding {number}", f"svar {number}") for number in range(6)]
    with cuttable_postgres_database() as (url, proxy):
        processes = [store_for(url, **shared_copies), store_for(url, **shared_copies)]
        for number, (text, answer) in enumerate(said):
            if number == 2:
                proxy.cut()
            if number == 5:
                proxy.restore()
            for sender in senders:
                handle(processes[number % 2], sender, text, answer)
        for sender in senders:
            stored = rows(url, sender)
            assert [json.loads(data).get("text") for kind, _, _, data in stored if kind == "user"] == \
                [text for text, _ in said]
            assert [json.loads(data).get("text") for kind, _, _, data in stored if kind == "bot"] == \
                [answer for _, answer in said]
            assert len(stored) == 3 + 4 * len(said)  # each event once
