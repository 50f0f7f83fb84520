"""Rasa's Redis lock store with a lock lifetime from endpoints.yml (`lock_lifetime`, seconds).

Rasa lets one message of a conversation through at a time with a ticket lock in Redis. A ticket lasts as long
as TICKET_LOCK_LIFETIME, read once from the environment when Rasa is imported (60 s by default): a Rasa process
killed while it held a conversation's lock made that conversation's next message wait up to a minute. Here the
lifetime is a setting of the lock store itself, and the lock's key in Redis expires with its last ticket, so
that a lock nobody will release is gone from Redis too, not only ignored.

A waiting message's ticket lives while it waits: each look (every LOCK_POLL_SECONDS) moves its expiry to a
lifetime from then. In Rasa a ticket expires a lifetime after it was issued, waiting or not, so a message sent
just after the one whose process died would see its own ticket expire with the stale one and fail. A ticket
that is served lasts a lifetime from then; the lifetime must outlast the longest message, or a second message
of the same conversation may run beside a slow first one (the tracker store then writes both turns).
"""
from __future__ import annotations

import time
from contextlib import asynccontextmanager
from typing import AsyncIterator, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

LOCK_POLL_SECONDS = 0.1  # a GET to Redis, for each waiting message only


class ExpiringRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = dict(endpoint_config.kwargs)
        self.lock_lifetime = float(settings.pop("lock_lifetime", LOCK_LIFETIME))
        self._waiting: set[tuple[str, int]] = set()  # (conversation, ticket) of this process's waiting messages
        super().__init__(host=endpoint_config.url or "localhost", **settings)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: Optional[float] = None,
                   wait_time_in_seconds: float = LOCK_POLL_SECONDS) -> AsyncIterator[TicketLock]:
        """Rasa's lock (LockStore.lock), with this store's lifetime unless the caller gives one (Rasa's callers
        never do), and the ticket kept alive while it waits."""
        lifetime = self.lock_lifetime if lock_lifetime is None else lock_lifetime
        ticket = self.issue_ticket(conversation_id, lifetime)
        self._waiting.add((conversation_id, ticket))
        try:
            acquired = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
            self._waiting.discard((conversation_id, ticket))
            yield acquired
        finally:
            self._waiting.discard((conversation_id, ticket))
            self.cleanup(conversation_id, ticket)

    def update_lock(self, conversation_id: str) -> None:
        """Between a waiting message's looks (Rasa calls it nowhere else): its ticket lives on, stale ones go."""
        lock = self.get_lock(conversation_id)
        if lock:
            for ticket in lock.tickets:
                if (conversation_id, ticket.number) in self._waiting:
                    ticket.expires = max(ticket.expires, time.time() + self.lock_lifetime)
            lock.remove_expired_tickets()
            self.save_lock(lock)

    def save_lock(self, lock: TicketLock) -> None:
        expires = max((ticket.expires for ticket in lock.tickets), default=time.time())
        self.red.set(self.key_prefix + lock.conversation_id, lock.dumps(),
                     px=max(1, int((expires - time.time()) * 1000)))
