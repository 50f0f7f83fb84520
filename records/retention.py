"""How long anything about a user is kept, and forgetting one user on request.

purge() deletes what is older than the retention (KLYNGEBOT_RETENTION_DAYS, 90 days unless set): checks,
unanswered questions, requests for a person, flags and staff's reviews (records/review.py), and Rasa's stored
conversation events (its SQL tracker store's `events` table, in the same database). forget() deletes one sender's
checks, questions, requests, flags and reviews; their
conversation in Rasa's tracker store goes when the tracker store saves the conversation that asked for it
(deploy/rasa/tracker_store.py), because Rasa writes the conversation back after the action has run.
"""
from __future__ import annotations

import datetime as dt
from typing import Mapping, Optional

from sqlalchemy import delete, inspect
from sqlalchemy.engine import Engine

from bot.resources import retention_days
from records.identity import sender_hash
from records.store import PERSONAL_TABLES, RecordsError, rasa_events, utc

def retention(environment: Optional[Mapping[str, str]] = None) -> dt.timedelta:
    try:
        return dt.timedelta(days=retention_days(environment))
    except ValueError as error:
        raise RecordsError(str(error)) from None


def forget(engine: Engine, sender_id: str) -> dict[str, int]:
    """Deletes every row of PERSONAL_TABLES of this sender; returns how many of each (by table name without its
    prefix)."""
    hashed = sender_hash(engine, sender_id)
    with engine.begin() as connection:
        return {_short(table.name): connection.execute(delete(table).where(table.c.user_hash == hashed)).rowcount
                for table in PERSONAL_TABLES}


def purge(engine: Engine, older_than: dt.timedelta, now: Optional[dt.datetime] = None) -> dict[str, int]:
    """Deletes everything kept from before now - older_than, Rasa's conversation events included; returns how
    many rows of each kind went (checks, unanswered, handoffs, flags, reviews, events)."""
    cutoff = utc(now) - older_than
    expired = [(table, table.c.created_at < cutoff) for table in PERSONAL_TABLES]
    expired.append((rasa_events, rasa_events.c.timestamp < cutoff.timestamp()))
    with engine.begin() as connection:
        present = set(inspect(connection).get_table_names())
        return {_short(table.name): connection.execute(delete(table).where(condition)).rowcount
                if table.name in present else 0 for table, condition in expired}


def _short(table_name: str) -> str:
    return table_name.removeprefix("klyngebot_")
