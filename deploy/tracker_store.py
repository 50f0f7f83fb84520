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
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger("klyngebot.tracker_store")
RECENT_CONVERSATIONS = 1000  # kept in memory for an outage; about 0.1 MB each


def _cause(error: Exception) -> str:
    return " ".join(str(getattr(error, "orig", None) or error).split())[:300]


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, recent_conversations: int = RECENT_CONVERSATIONS, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._recent: OrderedDict[str, DialogueStateTracker] = OrderedDict()
        self._recent_limit = recent_conversations
        self._unsaved: dict[str, DialogueStateTracker] = {}
        self._tables_made = False
        self._down = False

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

    async def _write_waiting(self) -> int:
        """Makes the tables if Rasa could not at start, and writes the conversations that waited."""
        if not self._tables_made:
            self.Base.metadata.create_all(self.engine)
            self._tables_made = True
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
        try:
            written = await self._write_waiting()
            tracker = await super().retrieve(sender_id)
        except SQLAlchemyError as error:
            self._failed(error, f"reading conversation {sender_id!r}")
            return self._unsaved.get(sender_id) or self._recent.get(sender_id)
        self._answered(written)
        if tracker is not None:
            self._remember(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._remember(tracker)
        try:
            written = await self._write_waiting()
            await super().save(tracker)
        except SQLAlchemyError as error:
            self._failed(error, f"writing conversation {tracker.sender_id!r}")
            self._unsaved[tracker.sender_id] = tracker
            return
        self._answered(written)
