"""👍 and 👎 on the bot's answers, as every channel records them (records/review.py): a 👎 flags the conversation
for staff's review, a 👍 is kept beside it. The web chat knows the answer's text; Slack and Teams, whose users react
to a message, name only the message, so the conversation is marked and not its turn.

The records' database is opened when the first thumb comes, so that a channel starts without it; the writing runs
in a thread, as the database's driver blocks."""
from __future__ import annotations

import asyncio
from typing import Optional

from sqlalchemy.engine import Engine

from records.review import record_thumbs
from records.store import connect


class Thumbs:
    def __init__(self, database_url: Optional[str]) -> None:
        self.database_url = database_url  # None: records/store.py's default, as the action server has it
        self._engine: Optional[Engine] = None

    def _database(self) -> Engine:
        if self._engine is None:
            self._engine = connect(self.database_url)
        return self._engine

    async def record(self, thumb: str, answer: Optional[str], channel: str, sender_id: str) -> None:
        await asyncio.to_thread(lambda: record_thumbs(self._database(), thumb, answer, channel, sender_id))
