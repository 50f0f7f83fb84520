"""Sender ids as keyed hashes: staff's reports count users and a user's "forget me" finds their rows, but no
row names the sender (a Slack user id, a Teams id, a web chat session).

The key is KLYNGEBOT_HASH_KEY (from the environment or .env). Without it, a local SQLite database gets a key
made once and kept beside the database file (var/ by default, never committed); a shared database needs the
variable, as every process that writes to it must hash a sender the same way.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Optional

from sqlalchemy.engine import Engine

from records.store import VAR_DIR, RecordsError

HASH_KEY_VARIABLE = "KLYNGEBOT_HASH_KEY"
MINIMUM_KEY_LENGTH = 32
KEY_FILE_NAME = "klyngebot-hash.key"


@lru_cache(maxsize=None)
def local_key(path: Path) -> bytes:
    """The key kept in `path`, made (random, 256 bits, readable by the owner only) the first time. It is written
    aside and linked into place, so a process starting at the same moment never reads a half-written key."""
    if not path.exists():
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first; its key is the key
        finally:
            draft.unlink()
    key = path.read_bytes().strip()
    if len(key) < MINIMUM_KEY_LENGTH:
        raise RecordsError(f"{path} holds no usable key; remove it to have a new one made (old hashes then "
                           f"no longer match)")
    return key


def hash_key(engine: Engine) -> bytes:
    configured = os.environ.get(HASH_KEY_VARIABLE, "").strip()
    if configured:
        if len(configured) < MINIMUM_KEY_LENGTH:
            raise RecordsError(f"{HASH_KEY_VARIABLE} is shorter than {MINIMUM_KEY_LENGTH} characters; make one with "
                               f"python -c 'import secrets; print(secrets.token_hex(32))'")
        return configured.encode("utf-8")
    if engine.dialect.name != "sqlite":
        raise RecordsError(f"{HASH_KEY_VARIABLE} must be set when the database is shared ({engine.dialect.name}): "
                           f"every process must hash a sender the same way")
    database = engine.url.database
    directory = Path(database).resolve().parent if database and database != ":memory:" else VAR_DIR
    directory.mkdir(parents=True, exist_ok=True)
    return local_key(directory / KEY_FILE_NAME)


def user_hash(sender_id: str, key: bytes) -> str:
    """HMAC-SHA256 of the sender id, in hex."""
    return hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()


def sender_hash(engine: Engine, sender_id: Optional[str]) -> Optional[str]:
    """The hash stored for a sender in this database; None when the sender is not known."""
    return None if sender_id is None else user_hash(str(sender_id), hash_key(engine))
