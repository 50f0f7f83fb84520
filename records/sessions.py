"""Staff's sign-in: how long the token must be, the proxies whose word on the client is believed, and the sessions
a signed-in browser holds.

A session is a random id in the browser's cookie, known to the records database by its SHA-256 only: every Rasa
process behind nginx sees the same sessions, signing out ends one on all of them, and a copy of the database
opens no session. A session ends SESSION_LIFETIME after signing in, whatever the browser keeps.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets
from typing import Optional, Union

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from records.store import staff_sessions, utc

# A token of 32 random characters cannot be guessed at any rate a server answers; the rate limit on the staff
# routes (channels/staff.py) is for tokens that were not made at random.
MINIMUM_TOKEN_LENGTH = 32
SESSION_LIFETIME = dt.timedelta(hours=8)  # one working day
SESSION_ID_BYTES = 32


Networks = tuple[Union[ipaddress.IPv4Network, ipaddress.IPv6Network], ...]


def proxy_networks(text: Optional[str]) -> Networks:
    """KLYNGEBOT_TRUSTED_PROXIES: the addresses or networks ("172.30.57.10", "10.0.0.0/8") of the proxies in front
    of Rasa whose X-Forwarded-For and X-Forwarded-Proto are believed, besides loopback (`make serve`'s nginx).
    ValueError names what is not one."""
    networks = []
    for item in (text or "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{item.strip()!r} is not an address or a network such as 10.0.0.0/8") from None
    return tuple(networks)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def open_session(engine: Engine, now: Optional[dt.datetime] = None) -> str:
    """A new session's id, for the cookie; sessions that have ended are deleted on the way."""
    now = utc(now)
    session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
    with engine.begin() as connection:
        connection.execute(delete(staff_sessions).where(staff_sessions.c.expires_at <= now))
        connection.execute(insert(staff_sessions).values(session_hash=_hash(session_id), created_at=now,
                                                         expires_at=now + SESSION_LIFETIME))
    return session_id


def session_is_open(engine: Engine, session_id: str, now: Optional[dt.datetime] = None) -> bool:
    with engine.connect() as connection:
        expires = connection.execute(select(staff_sessions.c.expires_at)
                                     .where(staff_sessions.c.session_hash == _hash(session_id))).scalar()
    return expires is not None and utc(expires) > utc(now)


def close_session(engine: Engine, session_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(staff_sessions).where(staff_sessions.c.session_hash == _hash(session_id)))
