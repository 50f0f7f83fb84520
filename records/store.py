"""The database behind records/: its tables, the connection and the migrations between schema versions.

SQLite by default (var/klyngebot.db), PostgreSQL or any SQLAlchemy URL with DATABASE_URL; Rasa's SQL tracker
store keeps its `events` table in the same database (deploy/rasa_config.py).

Version 1: completed checks. Version 2: checks carry the sender's keyed hash; questions the bot did not
understand; requests for a person. Version 3: staff's sign-in sessions (records/sessions.py). Version 4: a request
for a person's status and who took it; one-off questions by topic and what became of them; conversations
flagged by their users and staff's reviews of what the bot misread (records/review.py).
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Callable, Optional

from sqlalchemy import (JSON, Boolean, Column, DateTime, Float, Index, Integer, MetaData, Sequence, String, Table,
                        Text, create_engine, func, inspect, insert, select, text, update)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

VAR_DIR = Path(__file__).resolve().parent.parent / "var"
DEFAULT_DATABASE = VAR_DIR / "klyngebot.db"
SCHEMA_VERSION = 4
USER_HASH = String(64)  # hex HMAC-SHA256 of the sender id (records/identity.py); never the id itself

metadata = MetaData()
schema_version = Table("klyngebot_schema", metadata, Column("version", Integer, nullable=False))
checks = Table(
    "klyngebot_checks", metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("channel", String(32)),
    Column("language", String(2)),
    Column("facts", JSON, nullable=False),
    Column("verdicts", JSON, nullable=False),  # {call id: verdict}
    Column("failing", JSON, nullable=False),  # ["call id:rule id", ...]
    Column("best_fit", String(64)),
    Column("max_grant_nok", Integer),
    Column("budget_nok", Float),
    Column("user_hash", USER_HASH),  # version 2
)
checks_by_user = Index("ix_klyngebot_checks_user_hash", checks.c.user_hash)
unanswered = Table(
    "klyngebot_unanswered", metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("language", String(2)),
    Column("channel", String(32)),
    Column("user_hash", USER_HASH, index=True),
)
handoffs = Table(
    "klyngebot_handoffs", metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("name", Text),  # name and e-mail only with the user's consent
    Column("email", Text),
    Column("consent", Boolean, nullable=False),
    Column("language", String(2)),
    Column("channel", String(32)),
    Column("user_hash", USER_HASH, index=True),
    Column("topic", Text),  # the project in words: the calls, their verdicts, what is still open
    Column("status", String(8), nullable=False, server_default="new"),  # version 4: HANDOFF_STATUSES
    Column("taken_by", Text),  # version 4: the staff member who took it, as they wrote their name
    Column("status_at", DateTime(timezone=True)),  # version 4: when the status was last set
)
HANDOFF_STATUSES = ("new", "taken", "done")
questions = Table(  # version 4
    "klyngebot_questions", metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("topic", String(64)),  # an intent's topic (bot/data/intents.yaml); None: the bot could not place it
    Column("outcome", String(16), nullable=False),  # answered | texts_silent | not_placed (bot/dialogue/effects.py)
    Column("language", String(2)),
    Column("channel", String(32)),
    Column("user_hash", USER_HASH, index=True),
)
# Rasa's SQLTrackerStore.SQLEvent, the columns records/ reads (rasa/core/tracker_store.py): `timestamp` is Unix
# seconds, `data` the event as JSON. Declared here so that records/ needs no Rasa import; Rasa creates it.
rasa_events = Table("events", MetaData(), Column("id", Integer, primary_key=True), Column("sender_id", String(255)),
                    Column("type_name", String(255)), Column("timestamp", Float), Column("data", Text))

staff_sessions = Table(  # version 3; nothing about a user, so not among PERSONAL_TABLES
    "klyngebot_staff_sessions", metadata,
    Column("session_hash", String(64), primary_key=True),  # hex SHA-256 of the cookie's value, never the value
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

flags = Table(  # version 4
    "klyngebot_flags", metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("reason", String(16), nullable=False),  # records/review.py's FLAG_REASONS
    Column("text", Text),  # the user's words, when they said it
    Column("language", String(2)),
    Column("channel", String(32)),
    Column("user_hash", USER_HASH, index=True),
)
reviews = Table(  # version 4
    "klyngebot_reviews", metadata,
    Column("id", Integer, primary_key=True),
    # when the conversation began, not when staff reviewed it: the review goes with the conversation it quotes
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
    Column("user_hash", USER_HASH, index=True),
    Column("turn", Integer, nullable=False),  # the misread user turn, counted from 1
    Column("language", String(2)),
    Column("said", JSON, nullable=False),  # the user's messages up to and including that turn, as written
    Column("fact", String(64)),  # the right reading: a fact and its value, or the right topic (an intent)
    Column("value", JSON),
    Column("intent", String(64)),
)


# Rasa's SQL tracker store's table of conversation events (SQLTrackerStore.SQLEvent, rasa/core/tracker_store.py;
# `timestamp` is Unix seconds), which shares this database: purged with the records (records/retention.py) and
# backed up with them (records/backup.py). Declared here so that records/ needs no Rasa import; a test compares
# it with Rasa's own.
rasa_events = Table(
    "events", MetaData(),
    Column("id", Integer, Sequence("events_seq", optional=True), primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


class RecordsError(Exception):
    """The records cannot be kept as configured; the message is one line for the log or the command line."""


# Every table that holds something about a user, each with `created_at` and `user_hash`.
PERSONAL_TABLES = (checks, unanswered, handoffs, questions, flags, reviews)


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}"


def connect(url: Optional[str] = None) -> Engine:
    """An engine for the database, its schema created or brought up to date."""
    url = url or database_url()
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True, future=True)
    migrate(engine)
    return engine


def utc(when: Optional[dt.datetime]) -> dt.datetime:
    """A moment as stored: aware, in UTC (SQLite keeps no zone, so every row must be in the same one). A naive
    time read back from SQLite is UTC; None is now."""
    if when is None:
        return dt.datetime.now(dt.timezone.utc)
    return when.replace(tzinfo=dt.timezone.utc) if when.tzinfo is None else when.astimezone(dt.timezone.utc)


def _to_version_2(connection: Connection) -> None:
    if "user_hash" not in {column["name"] for column in inspect(connection).get_columns(checks.name)}:
        connection.execute(text(f"ALTER TABLE {checks.name} ADD COLUMN user_hash VARCHAR(64)"))
    checks_by_user.create(connection, checkfirst=True)
    metadata.create_all(connection, tables=[unanswered, handoffs])


def _to_version_3(connection: Connection) -> None:
    metadata.create_all(connection, tables=[staff_sessions])


def _to_version_4(connection: Connection) -> None:
    columns = {column["name"] for column in inspect(connection).get_columns(handoffs.name)}
    for name, extra in (("status", " NOT NULL DEFAULT 'new'"), ("taken_by", ""), ("status_at", "")):
        if name not in columns:
            kind = handoffs.c[name].type.compile(dialect=connection.dialect)
            connection.execute(text(f"ALTER TABLE {handoffs.name} ADD COLUMN {name} {kind}{extra}"))
    metadata.create_all(connection, tables=[questions, flags, reviews])


# Each step brings the schema from the version before to the version it is keyed by; every step may run
# again after a crash half-way (SQLite does not roll DDL back) and finds its work done.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _to_version_2, 3: _to_version_3, 4: _to_version_4}


def _version(connection: Connection) -> int:
    tables = inspect(connection)
    if not tables.has_table(schema_version.name):
        return 1 if tables.has_table(checks.name) else 0
    stored = connection.execute(select(func.max(schema_version.c.version))).scalar()
    return stored if stored is not None else (1 if tables.has_table(checks.name) else 0)


def _migrate(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":  # one process migrates, the others wait and find it done
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('klyngebot_schema'))"))
    version = _version(connection)
    if version > SCHEMA_VERSION:
        raise RecordsError(f"the database has schema version {version}, newer than this program's {SCHEMA_VERSION}")
    if version == 0:
        metadata.create_all(connection)
    else:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[target](connection)
        schema_version.create(connection, checkfirst=True)
    if connection.execute(select(func.count()).select_from(schema_version)).scalar_one() == 0:
        connection.execute(insert(schema_version).values(version=SCHEMA_VERSION))
    else:
        connection.execute(update(schema_version).values(version=SCHEMA_VERSION))


def migrate(engine: Engine) -> None:
    """Creates the schema, or brings an older one up to SCHEMA_VERSION keeping its rows."""
    try:
        with engine.begin() as connection:
            _migrate(connection)
    except SQLAlchemyError:
        # SQLite: another process (the action server, Rasa's staff page) may have migrated at the same moment
        with engine.connect() as connection:
            if _version(connection) != SCHEMA_VERSION:
                raise
