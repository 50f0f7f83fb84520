"""Requests to talk to a person. The name and e-mail are kept only when the user consented to it; without
consent the request is still counted (staff see that someone asked), with no way to contact them."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Optional

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from records.identity import sender_hash
from records.store import handoffs, utc


@dataclass(frozen=True)
class Handoff:
    created_at: dt.datetime
    name: Optional[str]
    email: Optional[str]
    consent: bool
    language: Optional[str]
    channel: Optional[str]
    topic: Optional[str]


def record_handoff(engine: Engine, name: Optional[str], email: Optional[str], language: Optional[str],
                   channel: Optional[str], sender_id: Optional[str], topic: Optional[str] = None, *, consent: bool,
                   when: Optional[dt.datetime] = None) -> Handoff:
    """Keep a request for a person and return it as kept (for announce_handoff)."""
    handoff = Handoff(created_at=utc(when), name=name if consent else None, email=email if consent else None,
                      consent=bool(consent), language=language, channel=channel, topic=topic)
    hashed = sender_hash(engine, sender_id)
    with engine.begin() as connection:
        connection.execute(insert(handoffs).values(user_hash=hashed, **asdict(handoff)))
    return handoff
