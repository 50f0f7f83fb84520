"""Throwaway PostgreSQL databases on the loopback server that scripts/ensure-services provides."""
from __future__ import annotations

import uuid
from contextlib import contextmanager

import sqlalchemy

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


@contextmanager
def postgres_database():
    """A new, empty database for one test, dropped afterwards. A server that is not there fails the test
    (run scripts/ensure-services), it never skips it."""
    name = f"klyngebot_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(f"{POSTGRES_SERVER}/test", isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            connection.execute(sqlalchemy.text(f'DROP DATABASE "{name}"'))
        admin.dispose()
