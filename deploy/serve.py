"""`make serve`: the production set-up on one machine, in the foreground until Ctrl-C or SIGTERM.

nginx (TLS; only the public routes, deploy/nginx/) in front of several Rasa processes on loopback ports, each
with the HTTP API behind its token, sharing one model file, PostgreSQL as tracker store and Redis as lock
store, and the action server. A Rasa process or the action server that dies is started again (nginx sends
its requests to the others meanwhile); if nginx dies, or a process dies again right after starting, everything
stops.

Settings come from the environment and .env (a variable set in the shell wins); see .env.example:
KLYNGEBOT_API_TOKEN, REST_TOKEN and ACTIONS_TOKEN (required: the HTTP API's, the public REST channel's and the
action server's), DATABASE_URL (postgresql://, required), REDIS_URL (required),
KLYNGEBOT_ALLOWED_ORIGINS, STAFF_TOKEN (refused when short), KLYNGEBOT_TLS_CERT + KLYNGEBOT_TLS_KEY (else a
self-signed certificate for local tries, under var/tls/), KLYNGEBOT_HTTPS_PORT (443), KLYNGEBOT_HTTP_PORT (80,
redirects to https), KLYNGEBOT_RASA_PROCESSES (2), RASA_PORT (5005: the first Rasa process; the others on the next ports),
ACTIONS_PORT (5055). Bad settings stop it before anything starts, with one line and status 2.
"""
from __future__ import annotations

import json
import logging
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Mapping, Optional, Sequence

import sqlalchemy
from sqlalchemy.engine import make_url

from deploy import proxy, rasa_config
from deploy.processes import ROOT, Processes, action_server_command, free_port, rasa_command, reply_texts
from deploy.rasa_config import (ACTIONS_TOKEN, API_TOKEN, DEFAULT_PORTS, REST_TOKEN, SettingError, allowed_origins,
                                 check_staff_token)
from records.identity import HASH_KEY_VARIABLE, MINIMUM_KEY_LENGTH

logger = logging.getLogger("klyngebot.serve")
SHORTEST_TOKEN = 24
STARTUP_SECONDS = 360  # Rasa loads its model in 30-40 s on an idle 2-core machine, in minutes on a busy one
RESTARTS_AT_MOST = 3, 600  # restarts of one process in so many seconds; one more means it would only die again
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def checked_settings(environment: Mapping[str, str]) -> dict[str, str]:
    """The environment with serve's defaults, or SettingError naming every problem in one line."""
    settings = {"KLYNGEBOT_HTTPS_PORT": "443", "KLYNGEBOT_HTTP_PORT": "80", "KLYNGEBOT_RASA_PROCESSES": "2",
                **{name: str(port) for name, port in DEFAULT_PORTS.items()},
                **{name: value for name, value in environment.items() if value != ""}}
    problems = []
    for name, why in ((API_TOKEN, "the HTTP API can read and rewrite every conversation"),
                      (REST_TOKEN, "the REST channel is public behind nginx"),
                      (ACTIONS_TOKEN, "the action server can delete any conversation's records")):
        if len(settings.get(name, "")) < SHORTEST_TOKEN:
            problems.append(f"{name} must be set to a secret of at least {SHORTEST_TOKEN} characters, as {why} "
                            "(make one: openssl rand -hex 24)")
    if not settings.get("DATABASE_URL", "").startswith("postgresql"):
        problems.append("DATABASE_URL must be a postgresql:// URL, the tracker store all Rasa processes share")
    if not settings.get("REDIS_URL", "").startswith(("redis://", "rediss://")):
        problems.append("REDIS_URL must be a redis:// URL, the lock store that keeps one conversation in order "
                        "across processes")
    if len(settings.get(HASH_KEY_VARIABLE, "")) < MINIMUM_KEY_LENGTH:
        problems.append(f"{HASH_KEY_VARIABLE} must be set to a secret of at least {MINIMUM_KEY_LENGTH} characters, as "
                        "every process hashes a sender the same way (make one: openssl rand -hex 32)")
    if bool(settings.get("KLYNGEBOT_TLS_CERT")) != bool(settings.get("KLYNGEBOT_TLS_KEY")):
        problems.append("KLYNGEBOT_TLS_CERT and KLYNGEBOT_TLS_KEY go together (or neither, for a self-signed "
                        "certificate for local tries)")
    for name in ("KLYNGEBOT_TLS_CERT", "KLYNGEBOT_TLS_KEY"):
        if settings.get(name):
            settings[name] = str(ROOT / settings[name])  # nginx would read a relative path from its own directory
            if not Path(settings[name]).is_file():
                problems.append(f"{name}: no file {settings[name]}")
    for name in ("KLYNGEBOT_HTTPS_PORT", "KLYNGEBOT_HTTP_PORT", "KLYNGEBOT_RASA_PROCESSES", "RASA_PORT", "ACTIONS_PORT"):
        if not settings[name].isdigit() or int(settings[name]) < 1:
            problems.append(f"{name} must be a positive whole number")
    for check in (allowed_origins, check_staff_token):
        try:
            check(settings)
        except SettingError as error:
            problems.append(str(error))
    if problems:
        raise SettingError("make serve: " + "; ".join(problems))
    return settings


def ensure_database(url: str) -> None:
    """Makes the database if its server answers but does not have it (as Rasa's own login_db would)."""
    engine = sqlalchemy.create_engine(url, future=True)
    try:
        with engine.connect():
            return
    except sqlalchemy.exc.OperationalError as error:
        if "does not exist" not in str(error):
            raise SettingError(f"the database at DATABASE_URL does not answer: {' '.join(str(error.orig).split())}")
    finally:
        engine.dispose()
    parsed = make_url(url)
    admin = sqlalchemy.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{parsed.database}"'))
    except sqlalchemy.exc.SQLAlchemyError as error:
        raise SettingError(f"database {parsed.database!r} does not exist and could not be made: "
                          f"{' '.join(str(getattr(error, 'orig', error)).split())}")
    finally:
        admin.dispose()
    logger.warning("made the database %r", parsed.database)


def ensure_redis(url: str) -> None:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(url, socket_connect_timeout=5).ping()
    except RedisError as error:
        raise SettingError(f"Redis at REDIS_URL does not answer: {error}")


class Stack:
    """The processes of the set-up, their files under run_directory; `settings` as checked_settings gives them."""

    def __init__(self, settings: Mapping[str, str], run_directory: Path, rasa_ports: Optional[Sequence[int]] = None):
        """Rasa listens on RASA_PORT and the ports after it, or on rasa_ports when given."""
        self.run_directory = run_directory
        self.https_port = int(settings["KLYNGEBOT_HTTPS_PORT"])
        self.actions_port = int(settings["ACTIONS_PORT"])
        first = int(settings["RASA_PORT"])
        ports = rasa_ports or range(first, first + int(settings["KLYNGEBOT_RASA_PROCESSES"]))
        self.rasa_ports = {f"rasa{number}": port for number, port in enumerate(ports, start=1)}
        environment = {**settings, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
                       "SANIC_HOST": "127.0.0.1",  # the action server's interface; Rasa's is on its command line
                       "ACTION_ENDPOINT": f"http://127.0.0.1:{self.actions_port}/webhook"}
        if not settings.get("KLYNGEBOT_TLS_CERT"):
            certificate, key = proxy.self_signed_certificate(ROOT / "var" / "tls")
            environment.update(KLYNGEBOT_TLS_CERT=str(certificate), KLYNGEBOT_TLS_KEY=str(key))
        self.certificate = Path(environment["KLYNGEBOT_TLS_CERT"])
        self._client_context = self.client_context()  # made once: loading the certificate costs a few ms
        self.environment = environment
        # nginx's health check only asks whether nginx answers on this machine, whatever name the certificate has
        reachable = ssl.create_default_context()
        reachable.check_hostname, reachable.verify_mode = False, ssl.CERT_NONE
        self.processes = Processes(environment, run_directory / "logs", reachable)
        self.restarts: dict[str, list[float]] = {}

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def client_context(self) -> ssl.SSLContext:
        """TLS as a client checks the self-signed certificate: verified, as its own authority (a certificate
        from a real authority is for its host name, not for 127.0.0.1)."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def send(self, sender: str, text: str) -> list[dict]:
        """The bot's replies to one message over REST, through nginx, as the REST channel gives them."""
        request = urllib.request.Request(f"{self.url}/webhooks/rest/webhook",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {self.environment[REST_TOKEN]}"},
                                         data=json.dumps({"sender": sender, "message": text}).encode())
        with urllib.request.urlopen(request, timeout=120, context=self._client_context) as response:
            return json.loads(response.read())

    def say(self, sender: str, text: str) -> list[str]:
        """The bot's replies to one message, as texts (deploy.processes.reply_texts)."""
        return reply_texts(self.send(sender, text))

    def tracker(self, conversation: str) -> dict:
        """The stored conversation of that id in Rasa (`rest:<sender>`, channels/senders.py), through the HTTP API of a Rasa process on loopback, with the token: the first
        that answers (one started again after a crash runs a while before it listens)."""
        query = urllib.parse.urlencode({"token": self.environment[API_TOKEN]})
        running = [name for name in self.rasa_ports if name in self.processes.processes
                   and self.processes.processes[name].poll() is None]
        for name in running:
            url = f"http://127.0.0.1:{self.rasa_ports[name]}/conversations/{urllib.parse.quote(conversation, safe=':')}/tracker?{query}"
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    return json.loads(response.read())
            except urllib.error.URLError as error:
                if not isinstance(error.reason, ConnectionRefusedError) or name == running[-1]:
                    raise
        raise RuntimeError("no Rasa process is running")

    def prepare(self) -> None:
        """Writes Rasa's endpoints and credentials and nginx's configuration, and has nginx check it."""
        endpoints, credentials = rasa_config.write(self.run_directory / "rasa", self.environment)
        nginx_directory = self.run_directory / "nginx"
        proxy.write_config(nginx_directory, self.environment, [f"127.0.0.1:{port}" for port in self.rasa_ports.values()])
        proxy.check_config(nginx_directory)
        self.processes.add("actions", action_server_command(self.actions_port),
                           f"http://127.0.0.1:{self.actions_port}/health")
        for name, port in self.rasa_ports.items():
            self.processes.add(name, rasa_command(port, endpoints, credentials), f"http://127.0.0.1:{port}/")
        self.processes.add("nginx", proxy.nginx_command(nginx_directory), f"{self.url}/webhooks/webchat/")

    def start(self, *names: str) -> None:
        """Starts the named processes, or all; nginx last, once Rasa answers."""
        self.processes.start(*(names or ("actions", *self.rasa_ports)), seconds=STARTUP_SECONDS)
        if "nginx" not in self.processes.processes:
            self.processes.start("nginx", seconds=30)

    def stop(self) -> None:
        self.processes.stop_all()

    def restart_exited(self) -> list[str]:
        """Starts again each Rasa process or action server that has died; raises RuntimeError when nginx died
        or a process has been restarted too often of late (RESTARTS_AT_MOST)."""
        exited = self.processes.exited()
        most, seconds = RESTARTS_AT_MOST
        for name, status in exited.items():
            logger.error("%s exited with status %s", name, status)
            recent = [moment for moment in self.restarts.get(name, []) if time.monotonic() - moment < seconds]
            if name == "nginx" or len(recent) >= most:
                raise RuntimeError(f"{name} exited with status {status}: see {self.processes.logs / (name + '.log')}")
            self.restarts[name] = [*recent, time.monotonic()]
            del self.processes.processes[name]
        if exited:
            self.start(*exited)
            logger.warning("started again: %s", ", ".join(exited))
        return list(exited)


@contextmanager
def running_stack(run_directory: Path, environment: Mapping[str, str], rasa_processes: int = 2):
    """The whole set-up on free loopback ports, with a self-signed certificate in run_directory unless the
    environment names one (for tests and benchmarks); yields the started Stack and stops it afterwards."""
    certificate, key = (environment.get("KLYNGEBOT_TLS_CERT"), environment.get("KLYNGEBOT_TLS_KEY")) if \
        environment.get("KLYNGEBOT_TLS_CERT") else proxy.self_signed_certificate(run_directory / "tls")
    settings = checked_settings({**environment, "KLYNGEBOT_TLS_CERT": str(certificate), "KLYNGEBOT_TLS_KEY": str(key),
                                 "KLYNGEBOT_HTTPS_PORT": str(free_port()), "KLYNGEBOT_HTTP_PORT": str(free_port()),
                                 "ACTIONS_PORT": str(free_port())})
    stack = Stack(settings, run_directory, rasa_ports=[free_port() for _ in range(rasa_processes)])
    stack.prepare()
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def _services_for(settings: Mapping[str, str]) -> list[str]:
    """What scripts/ensure-services must provide here: nginx, and PostgreSQL and Redis when they are local."""
    wanted = ["nginx"]
    if make_url(settings["DATABASE_URL"]).host in LOOPBACK_HOSTS:
        wanted.append("postgresql")
    if make_url(settings["REDIS_URL"].replace("rediss://", "redis://", 1)).host in LOOPBACK_HOSTS:
        wanted.append("redis")
    return wanted


def main(run_directory: Optional[Path] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        settings = checked_settings(rasa_config.environment_with_dotenv(ROOT / ".env"))
        subprocess.run([str(ROOT / "scripts" / "ensure-services"), *_services_for(settings)], check=True)
        ensure_database(settings["DATABASE_URL"])
        ensure_redis(settings["REDIS_URL"])
        stack = Stack(settings, run_directory or ROOT / "var" / "serve")
        stack.prepare()
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError:
        return 1  # ensure-services has said why
    for stop_signal in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C or a supervisor: everything stops in order
        signal.signal(stop_signal, signal.default_int_handler)  # SIGINT too: a background start ignores it
    try:
        stack.start()
        logger.info("serving %s (chat page: %s/webhooks/webchat/chat/); Rasa's HTTP API on %s with the token",
                    stack.url.replace("127.0.0.1", "localhost"), stack.url,
                    ", ".join(f"127.0.0.1:{port}" for port in stack.rasa_ports.values()))
        while True:
            stack.restart_exited()
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, TimeoutError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
