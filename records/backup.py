"""A backup of everything the bot keeps, and its restore: Rasa's conversations (its SQL tracker store's `events`
table) and every table of the records (records/store.py: checks, questions, requests for a person, flags, reviews,
staff's sessions), from the database DATABASE_URL names, SQLite or PostgreSQL alike (one may be restored into the
other).

The file is gzip'd JSON lines: a header with the schema version, each table's row count and, for a SQLite database
that hashes senders with its own key file (records/identity.py), that key; then one line per row. It holds personal
data and may hold the key, so it is written readable by its owner only, and under a temporary name until complete:
a backup cut short never looks like one. All tables are read in one transaction, so they agree with each other.

A restore goes into a database whose tables hold nothing (a new one, or one the bot has only started on), in one
transaction: it checks every table's row count against the header before it commits, so a damaged file restores
nothing. PostgreSQL's id sequences are moved past the restored ids, so new rows do not collide with them.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import zlib
from pathlib import Path
from typing import IO, Any, Iterator

from sqlalchemy import DateTime, Integer, event, func, insert, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import Table

from records.identity import HASH_KEY_VARIABLE, KEY_FILE_NAME
from records.store import SCHEMA_VERSION, RecordsError, connect, metadata, rasa_events, schema_version, utc

FORMAT = "klyngebot-backup"
FORMAT_VERSION = 1
# Every table that holds what the bot keeps, parents before children (none refers to another today). The schema
# version is the header's, and connect() writes it in the database restored into.
# Rasa's events and every table of the records' schema but its version, derived so that a table added to the schema
# is backed up without a word here (the round trip test fills each one)
TABLES: tuple[Table, ...] = (rasa_events, *(table for table in metadata.sorted_tables if table is not schema_version))
BATCH = 1000  # rows per INSERT on restore


def _snapshot_engine(url: str) -> Engine:
    """An engine whose transactions see one moment of the database. SQLite's driver starts no transaction for a
    SELECT, so each table would be read at another moment: its transactions are begun by hand (SQLAlchemy's
    recipe for pysqlite)."""
    engine = connect(url)  # the schema brought up to date first, so the backup has this program's version
    engine.dispose()  # the connections from here on are made with the settings below
    if engine.dialect.name != "sqlite":
        return engine.execution_options(isolation_level="REPEATABLE READ")

    @event.listens_for(engine, "connect")
    def no_driver_transactions(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def _local_key(engine: Engine) -> str | None:
    """The key file beside a SQLite database, which hashes its senders when KLYNGEBOT_HASH_KEY is not set."""
    if engine.dialect.name != "sqlite" or os.environ.get(HASH_KEY_VARIABLE, "").strip():
        return None
    database = engine.url.database
    path = Path(database).resolve().parent / KEY_FILE_NAME if database and database != ":memory:" else None
    return path.read_text().strip() if path and path.exists() else None


def _value(table: Table, row: Any) -> dict:
    """A row as JSON takes it: moments in UTC with their offset, so that a SQLite backup restores into
    PostgreSQL at the same moments whatever the server's time zone."""
    values = dict(row._mapping)
    for column in table.columns:
        if isinstance(column.type, DateTime) and values[column.name] is not None:
            values[column.name] = utc(values[column.name]).isoformat()
    return values


def backup(url: str, path: Path) -> dict[str, int]:
    """Writes the backup of the database at `url` to `path`; returns each table's row count."""
    engine = _snapshot_engine(url)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with engine.connect() as connection, connection.begin():
            present = set(inspect(connection).get_table_names())  # Rasa makes `events` on its first start
            tables = [table for table in TABLES if table.name in present]
            counts = {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                      for table in tables}
            header = {"format": FORMAT, "version": FORMAT_VERSION, "schema_version": SCHEMA_VERSION,
                      "made_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "rows": counts,
                      "hash_key": _local_key(engine)}
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as raw:
                with gzip.open(raw, "wt", encoding="utf-8") as handle:
                    handle.write(json.dumps(header) + "\n")
                    for table in tables:
                        rows = connection.execution_options(stream_results=True).execute(
                            select(table).order_by(*table.primary_key.columns))
                        for row in rows:
                            handle.write(json.dumps({"table": table.name, "row": _value(table, row)}) + "\n")
                raw.flush()
                os.fsync(raw.fileno())  # on the disk before it takes the backup's name
        partial.replace(path)
    except OSError as error:
        raise RecordsError(f"cannot write {path}: {error.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
        engine.dispose()
    return counts


def _lines(handle: IO[str], path: Path) -> Iterator[dict]:
    try:
        for number, line in enumerate(handle, start=1):
            try:
                yield json.loads(line)
            except ValueError:
                raise RecordsError(f"{path}: line {number} is not a backup line") from None
    except (EOFError, zlib.error, gzip.BadGzipFile, UnicodeDecodeError) as error:
        raise RecordsError(f"{path} is damaged or cut short ({error}); nothing was restored") from None


def _header(lines: Iterator[dict], path: Path) -> dict:
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise RecordsError(f"{path} is not a Klyngebot backup")
    if header.get("version") != FORMAT_VERSION or header.get("schema_version") != SCHEMA_VERSION:
        raise RecordsError(f"{path} is a backup of schema version {header.get('schema_version')}; this program "
                           f"restores version {SCHEMA_VERSION} (restore it with the version that made it)")
    return header


def _stored(table: Table, values: dict) -> dict:
    for column in table.columns:
        if isinstance(column.type, DateTime) and values.get(column.name) is not None:
            values[column.name] = dt.datetime.fromisoformat(values[column.name])
    return values


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from a sequence that knows nothing of the ids restored."""
    for table in TABLES:
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{keys[0].name}'), "
                f"COALESCE((SELECT MAX({keys[0].name}) FROM {table.name}), 0) + 1, false) "
                f"WHERE pg_get_serial_sequence('{table.name}', '{keys[0].name}') IS NOT NULL"))


def _restore_key(engine: Engine, key: str | None) -> None:
    if key is None or engine.dialect.name != "sqlite" or os.environ.get(HASH_KEY_VARIABLE, "").strip():
        return  # a shared database's key is KLYNGEBOT_HASH_KEY, kept with .env, not in the database
    database = engine.url.database
    if not database or database == ":memory:":
        return
    path = Path(database).resolve().parent / KEY_FILE_NAME
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)


def restore(url: str, path: Path) -> dict[str, int]:
    """Restores the backup at `path` into the database at `url`, whose tables must be empty; returns each
    table's row count."""
    if not path.is_file():
        raise RecordsError(f"no backup file {path}")
    engine = connect(url)
    by_name = {table.name: table for table in TABLES}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle, engine.begin() as connection:
            lines = _lines(handle, path)
            header = _header(lines, path)
            rasa_events.create(connection, checkfirst=True)  # Rasa makes it on its first start, which may be later
            occupied = {table.name: count for table in TABLES
                        if (count := connection.execute(select(func.count()).select_from(table)).scalar_one())}
            if occupied:
                raise RecordsError("the database already holds " + ", ".join(
                    f"{count} row(s) of {name}" for name, count in occupied.items()) +
                    "; restore into a new, empty database")
            restored = {name: 0 for name in header["rows"]}
            batch: list[dict] = []
            table: Table | None = None
            for line in lines:
                if line.get("table") not in by_name or line["table"] not in restored:
                    raise RecordsError(f"{path}: a row of an unknown table {line.get('table')!r}")
                if table is not None and (line["table"] != table.name or len(batch) == BATCH):
                    connection.execute(insert(table), batch)
                    batch = []
                table = by_name[line["table"]]
                batch.append(_stored(table, line["row"]))
                restored[table.name] += 1
            if table is not None and batch:
                connection.execute(insert(table), batch)
            if restored != header["rows"]:
                raise RecordsError(f"{path} holds {restored} rows, not the {header['rows']} it says; nothing was "
                                   "restored")
            if connection.dialect.name == "postgresql":
                _advance_sequences(connection)
        _restore_key(engine, header.get("hash_key"))
    except OSError as error:
        raise RecordsError(f"cannot read {path}: {error.strerror}") from None
    finally:
        engine.dispose()
    return restored


BACKUPS_KEPT = 14  # a fortnight of nightly backups
BACKUP_PATTERN = "klyngebot-*.jsonl.gz"


def backup_into(directory: Path, url: str, keep: int = BACKUPS_KEPT,
                now: dt.datetime | None = None) -> tuple[Path, dict[str, int], list[Path]]:
    """A backup named by its moment (UTC) in `directory`, and the older ones beyond the newest `keep` deleted:
    (the new file, its row counts, the files deleted)."""
    if keep < 1:
        raise RecordsError(f"--keep: {keep} is not 1 or more")
    moment = utc(now)
    path = directory / BACKUP_PATTERN.replace("*", moment.strftime("%Y%m%dT%H%M%SZ"))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RecordsError(f"cannot make {directory}: {error.strerror}") from None
    counts = backup(url, path)
    older = sorted(directory.glob(BACKUP_PATTERN))[:-keep]  # the names sort by their moment
    for stale in older:
        stale.unlink()
    return path, counts, older
