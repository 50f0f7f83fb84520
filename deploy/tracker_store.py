"""Rasa's SQL tracker store, made to carry conversations through a database outage.

Rasa wraps its tracker store in a fail-safe that answers a failed read with a blank conversation, so a
database that goes away mid-check makes the bot forget everything the user has said. This store keeps
the conversations this process served last in memory. When the database can't be read, a conversation
goes on from that copy; when it can't be written, the conversation waits in memory, and every waiting
conversation is written as soon as the database answers again (Rasa's SQL store writes whatever events
the database does not hold yet, so nothing is written twice). An outage and its end are logged once
each; nothing already stored is touched.

The same copy saves reading and replaying the conversation for every message, which was a fifth of Rasa's CPU
per message (docs/performance.md), and a cost that grew with the conversation. Before a copy is used, one query
asks the database how many events it holds for the sender and the highest event id; if another Rasa process has
written to the conversation since, or it was deleted, the two differ and the conversation is read from the
database as Rasa reads it. A copy is lent to one message at a time: a message that ends without saving (an
error, an API read) leaves no copy behind for the next, which reads from the database. Saving writes the events
the copy does not hold yet, the rows Rasa writes, without first counting the stored events again. A tracker the
store did not hand out (a conversation's first message, the HTTP API's replacement of the events) is saved by
Rasa's own code; only a new conversation's becomes the copy, as Rasa's save only appends.

Two duties for personal data:
- "Delete my data": the action that handles it returns SlotSet("forget_me", True). Rasa saves the conversation
  after the action has run (so deleting it from the action server would be undone by that save); when this
  store is asked to save a conversation whose latest turn set that slot, it deletes every stored event of the
  sender instead, and drops its memory copies. The next message starts a blank conversation.
- Retention: with `retention_days` (endpoints.yml, from KLYNGEBOT_RETENTION_DAYS) it deletes, once a day from
  the first conversation on, the conversation events and the records (checks, unanswered questions, requests
  for a person) older than that; they share the database (records/retention.py).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import SQLAlchemyError

from records.retention import purge

logger = logging.getLogger("klyngebot.tracker_store")
RECENT_CONVERSATIONS = 1000  # kept in memory for an outage; about 0.1 MB each
FORGET_ME_SLOT = "forget_me"
PURGE_INTERVAL_SECONDS = 24 * 60 * 60


def asks_to_forget(tracker: DialogueStateTracker) -> bool:
    """Whether the latest turn set the forget_me slot: the user asked to have their data deleted."""
    for event in reversed(tracker.events):
        if isinstance(event, SlotSet) and event.key == FORGET_ME_SLOT:
            return bool(event.value)
        if isinstance(event, UserUttered):
            return False
    return False


@dataclass
class _Kept:
    """A conversation as this process last read or wrote it."""
    tracker: DialogueStateTracker
    stored: int  # how many of tracker.events the database holds
    stamp: tuple  # (rows, highest id) of the sender's events in the database when this process last read or wrote
    reusable: bool = True  # False while a message holds it unsaved, and after it started a new session


def _write_ahead(connection, _record) -> None:
    """SQLite commits through its write-ahead log without waiting for the disk (synchronous=NORMAL): a commit costs
    0.02 ms instead of 0.9 ms, in the event loop that every conversation shares. A crash of the bot loses nothing; a
    power cut may lose the last commits, never the file. Production runs on PostgreSQL (make serve)."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


def _cause(error: Exception) -> str:
    return " ".join(str(getattr(error, "orig", None) or error).split())[:300]


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, recent_conversations: int = RECENT_CONVERSATIONS, retention_days: Optional[int] = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._keep_sqlite_open()
        self._recent: OrderedDict[str, _Kept] = OrderedDict()
        events = self.SQLEvent
        self._stamp_query = sa.select(sa.func.count(events.id), sa.func.max(events.id)).where(
            events.sender_id == sa.bindparam("sender_id"))
        self._recent_limit = recent_conversations
        self._unsaved: dict[str, DialogueStateTracker] = {}
        self._to_forget: set[str] = set()  # asked while the database was down
        self._tables_made = False
        self._down = False
        self._retention = dt.timedelta(days=int(retention_days)) if retention_days else None
        self._purging: Optional[asyncio.Task] = None
        self._start_purging()

    def _keep_sqlite_open(self) -> None:
        """SQLAlchemy 1.4 opens and closes the SQLite file for every session, and closing the last connection
        copies the write-ahead log back into the file: a pool keeps the connections open. The daily purge uses
        them from a worker thread, one at a time, hence check_same_thread off."""
        self.engine.dispose()
        self.engine = sa.create_engine(self.engine.url, future=True, poolclass=sa.pool.QueuePool,
                                       connect_args={"check_same_thread": False})
        sa.event.listen(self.engine, "connect", _write_ahead)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _start_purging(self) -> None:
        """Runs the daily purge in the event loop that uses the store (again if the loop it was made in has gone);
        a store used outside one (a script) has none."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._retention is not None and (self._purging is None or self._purging.done()
                                            or self._purging.get_loop() is not loop):
            self._purging = loop.create_task(self._purge_daily())

    async def _purge_daily(self) -> None:
        while True:
            try:
                deleted = await asyncio.get_running_loop().run_in_executor(None, purge, self.engine, self._retention)
            except SQLAlchemyError as error:
                logger.error("could not delete what is older than %d days: %s", self._retention.days, _cause(error))
            else:
                if any(deleted.values()):
                    logger.info("deleted what is older than %d days: %s", self._retention.days,
                                ", ".join(f"{count} {kind}" for kind, count in deleted.items()))
            await asyncio.sleep(PURGE_INTERVAL_SECONDS)

    def _remember(self, kept: _Kept) -> None:
        self._recent[kept.tracker.sender_id] = kept
        self._recent.move_to_end(kept.tracker.sender_id)
        while len(self._recent) > self._recent_limit:
            self._recent.popitem(last=False)

    def _stamp(self, connection, sender_id: str) -> tuple:
        """What changes whenever the sender's stored events change: their number and the highest id. On a plain
        connection, with the query built once: an ORM session costs six times as much for this one query."""
        return tuple(connection.execute(self._stamp_query, {"sender_id": sender_id}).one())

    def _row(self, sender_id: str, event: Event) -> dict:
        """The row SQLTrackerStore.save writes for an event."""
        data = event.as_dict()
        return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"), "data": json.dumps(data)}

    def _failed(self, error: SQLAlchemyError, what: str) -> None:
        if not self._down:
            logger.error("database unavailable (%s): %s; conversations go on from memory and are written when "
                         "it answers again", _cause(error), what)
        self._down = True

    def _delete_conversation(self, sender_id: str) -> None:
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False)
            session.commit()
        self._to_forget.discard(sender_id)
        logger.info("deleted a conversation (%d events) at the user's request", deleted)  # not whose: no sender id

    async def _write_waiting(self) -> int:
        """Makes the tables if Rasa could not at start, deletes the conversations users asked to have deleted
        during an outage, and writes the conversations that waited."""
        if not self._tables_made:
            self.Base.metadata.create_all(self.engine)
            self._tables_made = True
        for sender_id in list(self._to_forget):
            self._delete_conversation(sender_id)
        written = 0
        for sender_id, tracker in list(self._unsaved.items()):
            await super().save(tracker)
            del self._unsaved[sender_id]
            self._recent.pop(sender_id, None)  # what it holds is counted by the next read
            written += 1
        return written

    def _answered(self, written: int) -> None:
        if self._down:
            logger.warning("database answers again: %d waiting conversation(s) written", written)
            self._down = False

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        self._start_purging()
        kept = self._recent.get(sender_id)
        try:
            written = await self._write_waiting()
            with self.engine.connect() as connection:
                stamp = self._stamp(connection, sender_id)
            if kept is None or not kept.reusable or kept.stamp != stamp:
                tracker = await super().retrieve(sender_id)
                kept = _Kept(tracker, len(tracker.events), stamp) if tracker is not None else None
        except SQLAlchemyError as error:
            self._failed(error, "reading a conversation")  # no sender id: logs are kept beyond the retention
            return self._unsaved.get(sender_id) or (kept.tracker if kept is not None else None)
        self._answered(written)
        if kept is None:
            self._recent.pop(sender_id, None)
            return None
        kept.reusable = False
        self._remember(kept)
        return kept.tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        if asks_to_forget(tracker):
            await self._forget(tracker.sender_id)
            return
        kept = self._recent.get(tracker.sender_id)
        try:
            written = await self._write_waiting()
            if kept is not None and kept.tracker is tracker and self.event_broker is None:
                self._write_new_events(kept)  # Rasa's save would stream to the broker by reading the conversation
            else:  # a conversation's first save, or a tracker made elsewhere (the HTTP API's replacement of events)
                with self.engine.connect() as connection:
                    new_conversation = self._stamp(connection, tracker.sender_id)[0] == 0
                await super().save(tracker)
                with self.engine.connect() as connection:  # Rasa's save appends: only a new one matches its copy
                    kept = _Kept(tracker, len(tracker.events), self._stamp(connection, tracker.sender_id),
                                 reusable=new_conversation)
        except SQLAlchemyError as error:
            self._failed(error, "writing a conversation")
            self._unsaved[tracker.sender_id] = tracker
            self._remember(_Kept(tracker, 0, (), reusable=False))  # read during the outage, never after it
            return
        self._answered(written)
        self._remember(kept)

    def _write_new_events(self, kept: _Kept) -> None:
        """Writes the events the database does not hold yet. When they start a new session, the next message reads
        the conversation again, as Rasa reads only the latest session."""
        sender_id = kept.tracker.sender_id
        new = list(itertools.islice(kept.tracker.events, kept.stored, None))
        if new:
            with self.engine.begin() as connection:
                connection.execute(sa.insert(self.SQLEvent.__table__), [self._row(sender_id, event) for event in new])
                kept.stamp = self._stamp(connection, sender_id)
            kept.stored = len(kept.tracker.events)
        kept.reusable = not any(isinstance(event, SessionStarted) for event in new)

    async def _forget(self, sender_id: str) -> None:
        """Deletes the sender's stored conversation, now or, while the database is down, when it answers."""
        self._recent.pop(sender_id, None)
        self._unsaved.pop(sender_id, None)
        self._to_forget.add(sender_id)
        try:
            written = await self._write_waiting()
        except SQLAlchemyError as error:
            self._failed(error, "deleting a conversation at the user's request")
            return
        self._answered(written)
