"""Rasa's SQL tracker store, made to carry conversations through a database outage.

Rasa wraps its tracker store in a fail-safe that answers a failed read with a blank conversation, so a
database that goes away mid-check makes the bot forget everything the user has said. This store keeps
the conversations this process served last in memory. When the database can't be read, a conversation
goes on from that copy; when it can't be written, the conversation waits in memory, and every waiting
conversation is written as soon as the database answers again (Rasa's SQL store writes whatever events
the database does not hold yet, so nothing is written twice). An outage and its end are logged once
each; nothing already stored is touched.

With several Rasa processes the memory copy can lag behind what another process stored; it is only
used while the database is down.

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
import logging
from collections import OrderedDict
from typing import Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
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


def _cause(error: Exception) -> str:
    return " ".join(str(getattr(error, "orig", None) or error).split())[:300]


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, recent_conversations: int = RECENT_CONVERSATIONS, retention_days: Optional[int] = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._recent: OrderedDict[str, DialogueStateTracker] = OrderedDict()
        self._recent_limit = recent_conversations
        self._unsaved: dict[str, DialogueStateTracker] = {}
        self._to_forget: set[str] = set()  # asked while the database was down
        self._tables_made = False
        self._down = False
        self._retention = dt.timedelta(days=int(retention_days)) if retention_days else None
        self._purging: Optional[asyncio.Task] = None
        self._start_purging()

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

    def _remember(self, tracker: DialogueStateTracker) -> None:
        self._recent[tracker.sender_id] = tracker
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > self._recent_limit:
            self._recent.popitem(last=False)

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
            written += 1
        return written

    def _answered(self, written: int) -> None:
        if self._down:
            logger.warning("database answers again: %d waiting conversation(s) written", written)
            self._down = False

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        self._start_purging()
        try:
            written = await self._write_waiting()
            tracker = await super().retrieve(sender_id)
        except SQLAlchemyError as error:
            self._failed(error, "reading a conversation")  # no sender id: logs are kept beyond the retention
            return self._unsaved.get(sender_id) or self._recent.get(sender_id)
        self._answered(written)
        if tracker is not None:
            self._remember(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        if asks_to_forget(tracker):
            await self._forget(tracker.sender_id)
            return
        self._remember(tracker)
        try:
            written = await self._write_waiting()
            await super().save(tracker)
        except SQLAlchemyError as error:
            self._failed(error, "writing a conversation")
            self._unsaved[tracker.sender_id] = tracker
            return
        self._answered(written)

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
