"""Where the tracker store (deploy/rasa/tracker_store.py) keeps the conversations the database could not take, until
it can: a copy of each as Rasa's event dicts in JSON (one string per event), with how many of them the database
holds and the highest id of the sender's stored events then (rows with a higher id were written since, by
anyone, and hold the copy's next events).

- In memory (`make run`, one Rasa process): only the conversations that wait; in normal operation the process's
  own copy is the newest, so nothing is kept here.
- In Redis (`make serve`, compose: several Rasa processes behind one load balancer): every recent conversation,
  as every process writes it, so that during an outage the next message reads the newest copy whichever process
  wrote it, and any process writes what waited once the database answers. A copy not written for a session's
  length (the domain's session expiration) goes, unless it waits.

Both hold at most `limit` waiting conversations; a new one beyond it drops the one that waited longest.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

import redis


@dataclass
class Copy:
    entries: list[str]  # the conversation's events, each as Rasa's event dict in JSON
    stored: int  # how many of the entries the database held when last written or read
    last_id: Optional[int]  # the highest id of the sender's stored events then; 0: none; None: unknown


class MemoryCopies:
    """The conversations that wait, in this process."""

    shared = False

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._waiting: OrderedDict[str, Copy] = OrderedDict()
        self._to_forget: set[str] = set()

    def keep(self, sender_id: str, start: int, entries: list[str], stored: int, last_id: Optional[int],
             waiting: bool) -> Optional[int]:
        """Keeps `entries` as the copy's entries from `start` on (with the database's `stored` and `last_id`
        when start is 0, or when the database has just taken them all); waiting: to be written when the database
        answers. Returns how many entries the copy holds, or None if it did not hold `start` (keep them all)."""
        if not waiting:
            return 0
        copy = self._waiting.get(sender_id)
        if start == 0:
            self._waiting[sender_id] = Copy(list(entries), stored, last_id)
        elif copy is None or len(copy.entries) != start:
            return None
        else:
            copy.entries += entries
        self._waiting.move_to_end(sender_id)
        return len(self._waiting[sender_id].entries)

    def bound(self) -> int:
        """Drops the conversations that waited longest beyond the limit; returns how many."""
        dropped = 0
        while len(self._waiting) > self.limit:
            self._waiting.popitem(last=False)
            dropped += 1
        return dropped

    def read(self, sender_id: str) -> Optional[Copy]:
        return self._waiting.get(sender_id)

    def waiting(self) -> list[str]:
        return list(self._waiting)

    def settle(self, sender_id: str, last_id: int) -> None:
        """Where an unknown start is taken to be: the sender's stored events before the first writer's."""
        copy = self._waiting.get(sender_id)
        if copy is not None and copy.last_id is None:
            copy.last_id = last_id

    def written(self, sender_id: str, length: int, last_id: int) -> None:
        """The database holds the copy's first `length` entries, the last with id `last_id`."""
        copy = self._waiting.get(sender_id)
        if copy is not None and len(copy.entries) == length:
            del self._waiting[sender_id]
        elif copy is not None:
            copy.stored, copy.last_id = length, last_id

    def drop(self, sender_id: str) -> None:
        self._waiting.pop(sender_id, None)

    def forget_later(self, sender_id: str) -> None:
        self._to_forget.add(sender_id)

    def to_forget(self) -> list[str]:
        return list(self._to_forget)

    def forgotten(self, sender_id: str) -> None:
        self._to_forget.discard(sender_id)


# KEYS: entries, state, waiting. ARGV: start, stored, last_id ("" unknown), waiting (1/0), now, ttl, sender, entries…
_KEEP = """
local start = tonumber(ARGV[1])
if start > 0 and redis.call('LLEN', KEYS[1]) ~= start then return -1 end
if start == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
if start == 0 or ARGV[4] == '0' then
  redis.call('HSET', KEYS[2], 'stored', ARGV[2])
  if ARGV[3] == '' then redis.call('HDEL', KEYS[2], 'id') else redis.call('HSET', KEYS[2], 'id', ARGV[3]) end
end
for i = 8, #ARGV, 1000 do redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[7])
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[2])
elseif not redis.call('ZSCORE', KEYS[3], ARGV[7]) then
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
end
return redis.call('LLEN', KEYS[1])
"""
# KEYS: waiting. ARGV: limit, the prefix of the entries' and states' keys.
_BOUND = """
local dropped = 0
while redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[1]) do
  local oldest = redis.call('ZPOPMIN', KEYS[1])
  redis.call('DEL', ARGV[2] .. 'entries:' .. oldest[1], ARGV[2] .. 'state:' .. oldest[1])
  dropped = dropped + 1
end
return dropped
"""
# KEYS: entries, state, waiting. ARGV: length, last_id, ttl, sender.
_WRITTEN = """
redis.call('HSET', KEYS[2], 'stored', ARGV[1], 'id', ARGV[2])
if redis.call('LLEN', KEYS[1]) == tonumber(ARGV[1]) then
  redis.call('ZREM', KEYS[3], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
"""


class RedisCopies:
    """Every recent conversation, in Redis, shared by all Rasa processes. Each change is one script, so a copy
    is never half written; the tracker store's writes of one conversation follow each other, as Rasa's lock
    store lets one message of a conversation through at a time."""

    shared = True

    def __init__(self, url: str, key_prefix: str, limit: int, ttl_seconds: int) -> None:
        self.limit = limit
        self._red = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
        self._prefix = f"{key_prefix}:conversation:"
        self._waiting_key = f"{self._prefix}waiting"
        self._forget_key = f"{self._prefix}forget"
        self._ttl = ttl_seconds
        self._keep, self._bound, self._written = (self._red.register_script(script)
                                                  for script in (_KEEP, _BOUND, _WRITTEN))

    def _keys(self, sender_id: str) -> list[str]:
        return [f"{self._prefix}entries:{sender_id}", f"{self._prefix}state:{sender_id}", self._waiting_key]

    def keep(self, sender_id: str, start: int, entries: list[str], stored: int, last_id: Optional[int],
             waiting: bool) -> Optional[int]:
        held = self._keep(keys=self._keys(sender_id), args=[
            start, stored, "" if last_id is None else last_id, int(waiting), time.time(), self._ttl, sender_id,
            *entries])
        return None if held < 0 else held

    def bound(self) -> int:
        return self._bound(keys=[self._waiting_key], args=[self.limit, self._prefix])

    def read(self, sender_id: str) -> Optional[Copy]:
        entries_key, state_key, _ = self._keys(sender_id)
        with self._red.pipeline() as pipeline:
            entries, state = pipeline.lrange(entries_key, 0, -1).hgetall(state_key).execute()
        if not state:
            return None
        return Copy(entries, int(state["stored"]), int(state["id"]) if "id" in state else None)

    def waiting(self) -> list[str]:
        return self._red.zrange(self._waiting_key, 0, -1)

    def settle(self, sender_id: str, last_id: int) -> None:
        self._red.hsetnx(self._keys(sender_id)[1], "id", last_id)

    def written(self, sender_id: str, length: int, last_id: int) -> None:
        self._written(keys=self._keys(sender_id), args=[length, last_id, self._ttl, sender_id])

    def drop(self, sender_id: str) -> None:
        entries_key, state_key, waiting_key = self._keys(sender_id)
        with self._red.pipeline() as pipeline:
            pipeline.delete(entries_key, state_key).zrem(waiting_key, sender_id).execute()

    def forget_later(self, sender_id: str) -> None:
        self._red.sadd(self._forget_key, sender_id)

    def to_forget(self) -> list[str]:
        return list(self._red.smembers(self._forget_key))

    def forgotten(self, sender_id: str) -> None:
        self._red.srem(self._forget_key, sender_id)
