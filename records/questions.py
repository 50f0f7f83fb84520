"""One-off questions by topic and what became of them (answered, the call texts silent, not placed), for staff's
count of what people ask. No text: the questions not answered keep theirs in records/unanswered.py."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from records.identity import sender_hash
from records.store import questions, utc


def record_question(engine: Engine, topic: Optional[str], outcome: str, language: Optional[str],
                    channel: Optional[str], sender_id: Optional[str], when: Optional[dt.datetime] = None) -> None:
    with engine.begin() as connection:
        connection.execute(insert(questions).values(created_at=utc(when), topic=topic, outcome=outcome,
                                                    language=language, channel=channel,
                                                    user_hash=sender_hash(engine, sender_id)))
