"""Rasa's SQL tracker store, made to carry conversations through a database outage.

Rasa wraps its tracker store in a fail-safe that answers a failed read with a blank conversation, so a
database that goes away mid-check makes the bot forget everything the user has said. This store keeps
the conversations this process served last in memory. When the database can't be read, a conversation
goes on from a copy; when it can't be written, the conversation waits (deploy/rasa/outage_copies.py), and every
waiting conversation is written as soon as the database answers again: the events the database does not hold
yet, counted under a lock on the sender in PostgreSQL, so that two processes writing the same conversation
write each event once. With `redis_url` (several Rasa processes) the copies are in Redis, written with every
message, so that during an outage each message goes on from the newest copy, whichever process served the
last; without, this process's own. At most UNSAVED_CONVERSATIONS wait; beyond that the one that waited
longest is dropped, and said. An outage and its end are logged once each; nothing already stored is touched.

What the database can never take is refused, not taken for an outage: a sender id it cannot store (longer than
its column, or with a NUL) is neither read nor saved, and a conversation whose values it refuses (a data or
integrity error) is not saved, nor kept for later; both are logged without the sender or any text. Other
conversations are saved as before.

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
from typing import Optional, Union

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError, StatementError

from deploy.rasa.outage_copies import Copy, MemoryCopies, RedisCopies
from records.retention import purge

logger = logging.getLogger("klyngebot.tracker_store")
RECENT_CONVERSATIONS = 1000  # kept in memory for an outage; about 0.1 MB each
UNSAVED_CONVERSATIONS = 1000  # the most that wait for the database in an outage (in memory, or in Redis)
UNEXPIRING_SESSION_SECONDS = 24 * 60 * 60  # how long Redis keeps a copy when the domain's sessions never expire
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
    copied: int = 0  # how many of tracker.events the outage copy holds

    @property
    def last_id(self) -> Optional[int]:
        """The highest id of the sender's stored events in the stamp; 0: none; None: not known."""
        return (self.stamp[1] or 0) if self.stamp else None


def _write_ahead(connection, _record) -> None:
    """SQLite commits through its write-ahead log without waiting for the disk (synchronous=NORMAL): a commit costs
    0.02 ms instead of 0.9 ms, in the event loop that every conversation shares. A crash of the bot loses nothing; a
    power cut may lose the last commits, never the file. Production runs on PostgreSQL (make serve)."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


def _cause(error: Exception) -> str:
    return " ".join(str(getattr(error, "orig", None) or error).split())[:300]


def _refused_data(error: SQLAlchemyError) -> bool:
    """Whether the database (or SQLAlchemy before it) refused the values, not the connection: such a write fails
    the same way however often it is tried. A StatementError that is no DBAPIError was raised before the
    statement reached the database (a value it could not bind)."""
    return isinstance(error, (DataError, IntegrityError)) or (
        isinstance(error, StatementError) and not isinstance(error, DBAPIError))


def _kind(error: SQLAlchemyError) -> str:
    """The error's class and the database's: the message may quote the values, which may be what a user said."""
    original = getattr(error, "orig", None)
    return type(error).__name__ + (f"/{type(original).__name__}" if original is not None else "")


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, recent_conversations: int = RECENT_CONVERSATIONS, retention_days: Optional[int] = None,
                 unsaved_conversations: int = UNSAVED_CONVERSATIONS, redis_url: Optional[str] = None,
                 key_prefix: str = "klyngebot", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._keep_sqlite_open()
        self._recent: OrderedDict[str, _Kept] = OrderedDict()
        events = self.SQLEvent
        self._stamp_query = sa.select(sa.func.count(events.id), sa.func.max(events.id)).where(
            events.sender_id == sa.bindparam("sender_id"))
        self._written_since_query = sa.select(sa.func.count(events.id)).where(
            events.sender_id == sa.bindparam("sender_id"), events.id > sa.bindparam("last_id"))
        self._sender_length = events.__table__.c.sender_id.type.length
        self._recent_limit = recent_conversations
        self._copies: Union[MemoryCopies, RedisCopies]
        if redis_url:
            session_minutes = self.domain.session_config.session_expiration_time if self.domain else 0
            self._copies = RedisCopies(redis_url, key_prefix, unsaved_conversations,
                                       int(session_minutes * 60) or UNEXPIRING_SESSION_SECONDS)
        else:
            self._copies = MemoryCopies(unsaved_conversations)
        self._dropped = 0  # waiting conversations dropped in this outage
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

    @staticmethod
    def _row(sender_id: str, data: dict) -> dict:
        """The row SQLTrackerStore.save writes for an event, from the event's dict."""
        return {"sender_id": sender_id, "type_name": data["event"], "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"), "data": json.dumps(data)}

    def _refuses_sender(self, sender_id: str) -> bool:
        """A sender id the database cannot store, refused before any query. Logged without it: logs are kept
        beyond the retention, and a sender id can name a person."""
        if len(sender_id) > self._sender_length:
            problem = f"is longer than the {self._sender_length} characters the database stores"
        elif "\x00" in sender_id:
            problem = "holds a NUL character"
        else:
            try:
                sender_id.encode("utf-8")
                return False
            except UnicodeEncodeError:
                problem = "is not text (a lone surrogate)"
        logger.warning("refused a conversation whose sender id (%d characters) %s: neither read nor saved",
                       len(sender_id), problem)
        return True

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
        self._copies.forgotten(sender_id)
        logger.info("deleted a conversation (%d events) at the user's request", deleted)  # not whose: no sender id

    async def _write_waiting(self) -> int:
        """Makes the tables if Rasa could not at start, deletes the conversations users asked to have deleted
        during an outage, and writes the conversations that waited."""
        if not self._tables_made:
            self.Base.metadata.create_all(self.engine)
            self._tables_made = True
        for sender_id in self._copies.to_forget():
            self._delete_conversation(sender_id)
        written = 0
        for sender_id in self._copies.waiting():
            written += self._write_copy(sender_id)
        return written

    def _write_copy(self, sender_id: str) -> bool:
        """Writes the events of a waiting copy that the database does not hold: the copy says how many it held and
        the highest id then; rows written since (by another process that wrote the same copy) hold the next. The
        copy is read under a lock on the sender, so that of two processes the second counts the first's rows."""
        try:
            with self.engine.begin() as connection:
                if self.engine.dialect.name == "postgresql":
                    connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:sender_id))"),
                                       {"sender_id": sender_id})
                copy = self._copies.read(sender_id)
                if copy is None:  # written and gone since the list was read
                    return False
                if copy.last_id is None:  # began in the outage, its start in the database unknown: it is now
                    copy.last_id = self._stamp(connection, sender_id)[1] or 0
                    self._copies.settle(sender_id, copy.last_id)
                held = copy.stored + connection.execute(
                    self._written_since_query, {"sender_id": sender_id, "last_id": copy.last_id}).scalar_one()
                new = [self._row(sender_id, json.loads(entry)) for entry in copy.entries[held:]]
                if new:
                    connection.execute(sa.insert(self.SQLEvent.__table__), new)
                last_id = self._stamp(connection, sender_id)[1]
        except SQLAlchemyError as error:
            if not _refused_data(error):
                raise
            logger.error("the database refused a waiting conversation's data (%s): it is dropped", _kind(error))
            self._copies.drop(sender_id)
            return False
        self._copies.written(sender_id, len(copy.entries), last_id)
        self._recent.pop(sender_id, None)  # what it holds is counted by the next read
        return True

    def _answered(self, written: int) -> None:
        if self._down:
            dropped = f", {self._dropped} dropped" if self._dropped else ""
            logger.warning("database answers again: %d waiting conversation(s) written%s", written, dropped)
            self._down = False
            self._dropped = 0

    def _copy(self, kept: _Kept, waiting: bool) -> None:
        """Brings the outage copy up to kept's tracker: the events it does not hold yet, or all of them when it
        holds another number (it went, or another process wrote it). Waiting: the database has not taken them."""
        if not (waiting or self._copies.shared):
            return
        sender_id, events = kept.tracker.sender_id, kept.tracker.events
        for start in (kept.copied, 0):
            entries = [json.dumps(event.as_dict()) for event in itertools.islice(events, start, None)]
            held = self._copies.keep(sender_id, start, entries, kept.stored, kept.last_id, waiting)
            if held is not None:
                kept.copied = held
                return

    def _from_copy(self, sender_id: str, kept: Optional[_Kept]) -> Optional[DialogueStateTracker]:
        """The conversation to go on from while the database cannot be read: the shared copy, which is the newest
        whichever process wrote last; in one process, its own."""
        if not self._copies.shared and kept is not None:
            return kept.tracker
        copy: Optional[Copy] = self._copies.read(sender_id)
        if copy is None:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(entry) for entry in copy.entries],
                                                 self.domain.slots)
        stamp = () if copy.last_id is None else (None, copy.last_id)
        self._remember(_Kept(tracker, copy.stored, stamp, reusable=False, copied=len(copy.entries)))
        return tracker

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        self._start_purging()
        if self._refuses_sender(sender_id):
            return None
        kept = self._recent.get(sender_id)
        try:
            written = await self._write_waiting()
            with self.engine.connect() as connection:
                stamp = self._stamp(connection, sender_id)
            if kept is None or not kept.reusable or kept.stamp != stamp:
                tracker = await super().retrieve(sender_id)
                kept = _Kept(tracker, len(tracker.events), stamp) if tracker is not None else None
                if kept is not None:
                    self._copy(kept, waiting=False)
        except SQLAlchemyError as error:
            self._failed(error, "reading a conversation")  # no sender id: logs are kept beyond the retention
            return self._from_copy(sender_id, kept)
        self._answered(written)
        if kept is None:
            self._recent.pop(sender_id, None)
            return None
        kept.reusable = False
        self._remember(kept)
        return kept.tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self._refuses_sender(tracker.sender_id):
            return
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
            if _refused_data(error):
                logger.error("the database refused a conversation's data (%s): this turn is not saved, nor kept "
                             "for later", _kind(error))  # not whose, nor what was said
                self._recent.pop(tracker.sender_id, None)
                return
            self._failed(error, "writing a conversation")
            self._wait(tracker, kept)
            return
        self._answered(written)
        self._copy(kept, waiting=False)
        self._remember(kept)

    def _wait(self, tracker: DialogueStateTracker, kept: Optional[_Kept]) -> None:
        """Keeps a conversation the database could not take until it can, within the limit."""
        if kept is not None and kept.tracker is tracker:
            kept = _Kept(tracker, kept.stored, kept.stamp, reusable=False, copied=kept.copied)
        else:  # what the database holds of it is not known
            kept = _Kept(tracker, 0, (), reusable=False)
        self._copy(kept, waiting=True)
        self._remember(kept)  # read during the outage, never after it
        dropped = self._copies.bound()
        if dropped:
            if not self._dropped:
                logger.error("%d conversations wait unsaved, the most kept: the one that waited longest is dropped "
                             "for each new one", self._copies.limit)
            self._dropped += dropped

    def _write_new_events(self, kept: _Kept) -> None:
        """Writes the events the database does not hold yet. When they start a new session, the next message reads
        the conversation again, as Rasa reads only the latest session."""
        sender_id = kept.tracker.sender_id
        new = list(itertools.islice(kept.tracker.events, kept.stored, None))
        if new:
            with self.engine.begin() as connection:
                connection.execute(sa.insert(self.SQLEvent.__table__),
                                   [self._row(sender_id, event.as_dict()) for event in new])
                kept.stamp = self._stamp(connection, sender_id)
            kept.stored = len(kept.tracker.events)
        kept.reusable = not any(isinstance(event, SessionStarted) for event in new)

    async def _forget(self, sender_id: str) -> None:
        """Deletes the sender's stored conversation, now or, while the database is down, when it answers."""
        self._recent.pop(sender_id, None)
        self._copies.drop(sender_id)
        self._copies.forget_later(sender_id)
        try:
            written = await self._write_waiting()
        except SQLAlchemyError as error:
            self._failed(error, "deleting a conversation at the user's request")
            return
        self._answered(written)
