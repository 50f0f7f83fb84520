"""Throwaway PostgreSQL databases on the loopback server that scripts/ensure-services provides, and a proxy
to cut a test's connection to them; the loopback Redis server it provides; what a running bot's records keep."""
from __future__ import annotations

import socket
import threading
import uuid
from contextlib import contextmanager

import sqlalchemy

from deploy.local import free_port
from records.store import flags

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
REDIS_SERVER = "redis://127.0.0.1:6379/0"


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


class CuttableProxy:
    """A TCP proxy to a service that a test can cut, like a database server going down: cut() drops every
    connection and refuses new ones; restore() lets them through again, on the same port."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._connections = self._connections, []
        if listener is not None:
            try:
                # close() alone leaves the socket listening while the accept thread is blocked on it
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@contextmanager
def cuttable_postgres_database():
    """A throwaway PostgreSQL database (as postgres_database) and a proxy to it: (URL through the proxy, proxy)."""
    with postgres_database() as url:
        direct = sqlalchemy.engine.make_url(url)
        proxy = CuttableProxy(direct.port, direct.host)
        proxy.restore()
        try:
            yield direct.set(port=proxy.port).render_as_string(hide_password=False), proxy
        finally:
            proxy.cut()


def thumbs_kept(bot, hashed: str) -> list:
    """The rows of the records' flags table (👍/👎 among them) of a sender hash, read from a running bot's database
    without migrating it: its own processes do that, and two migrations at once would collide in SQLite."""
    engine = sqlalchemy.create_engine(bot.servers.environment["DATABASE_URL"])
    with engine.connect() as connection:
        if not sqlalchemy.inspect(connection).has_table(flags.name):
            return []
        return connection.execute(sqlalchemy.select(flags).where(flags.c.user_hash == hashed)).all()
