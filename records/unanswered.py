"""Questions the bot did not understand, kept so staff can see what people ask that it cannot answer yet:
the text as written, its language and channel, when, and the sender as a keyed hash."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from records.identity import sender_hash
from records.store import unanswered, utc


def record_unanswered(engine: Engine, text: str, language: Optional[str], channel: Optional[str],
                      sender_id: Optional[str], when: Optional[dt.datetime] = None) -> None:
    hashed = sender_hash(engine, sender_id)
    with engine.begin() as connection:
        connection.execute(insert(unanswered).values(created_at=utc(when), text=text, language=language,
                                                     channel=channel, user_hash=hashed))
