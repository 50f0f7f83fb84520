"""The tracker store's copy of each conversation (deploy/tracker_store.py): a message reads the conversation from
memory when the database holds nothing newer, writes what Rasa's store writes, and never reads a copy that another
process or a deletion has overtaken. With Rasa's own classes and no server, on SQLite and on PostgreSQL."""
import asyncio

import sqlalchemy
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from deploy.tracker_store import FORGET_ME_SLOT
from tests.test_forget_me import DOMAIN, conversation, say, store_for, turn
from tests.test_storage import database_url, hash_key  # noqa: F401  (fixtures: SQLite and PostgreSQL)

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
