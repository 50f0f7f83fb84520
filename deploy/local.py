"""The bot on this machine for the end-to-end tests and the benchmarks: the real action server and Rasa on free
loopback ports, with a SQLite file as store unless a database is given, and a client for each Rasa."""
from __future__ import annotations

import json
import os
import secrets
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from channels.senders import conversation_id
from deploy import rasa_config
from deploy.processes import ROOT, Processes, action_server_command, free_port, rasa_command, reply_texts

__all__ = ["ROOT", "Bot", "Servers", "free_port", "running_bot"]


class Bot:
    """A client for the running Rasa: REST channel messages and the HTTP API, for the conversation of a REST
    sender (`rest:<sender>` in Rasa, channels/senders.py)."""

    def __init__(self, name: str, servers: "Servers"):
        self.name, self.servers = name, servers
        self.base = f"http://127.0.0.1:{servers.ports[name]}"

    @property
    def pids(self) -> dict[str, int]:
        """The process ids of this Rasa and of the action server, as they run now."""
        return {"rasa": self.servers.processes[self.name].pid, "actions": self.servers.processes["actions"].pid}

    def _post(self, path: str, body) -> object:
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

    def send(self, sender: str, text: str) -> list[dict]:
        """The bot's replies to one message over REST, as the REST channel gives them (text, buttons, custom)."""
        return self._post("/webhooks/rest/webhook", {"sender": sender, "message": text})

    def say(self, sender: str, text: str) -> list[str]:
        """The bot's replies, as texts (a button list is appended to its message as [title | title])."""
        return reply_texts(self.send(sender, text))

    @staticmethod
    def conversation(sender: str) -> str:
        """The REST sender's conversation in Rasa's HTTP API's paths."""
        return urllib.parse.quote(conversation_id("rest", sender), safe=":")

    def tracker(self, sender: str) -> dict:
        """The conversation as Rasa's tracker store gives it (slots, events)."""
        with urllib.request.urlopen(f"{self.base}/conversations/{self.conversation(sender)}/tracker",
                                    timeout=60) as response:
            return json.loads(response.read())

    def slots(self, sender: str) -> dict:
        return self.tracker(sender)["slots"]

    def set_slots(self, sender: str, slots: dict) -> None:
        self._post(f"/conversations/{self.conversation(sender)}/tracker/events",
                   [{"event": "slot", "name": name, "value": value} for name, value in slots.items()])

    def execute(self, sender: str, action: str) -> list[str]:
        result = self._post(f"/conversations/{self.conversation(sender)}/execute", {"name": action})
        return [message.get("text", "") for message in result["messages"]]

    def parse(self, text: str) -> dict:
        return self._post("/model/parse", {"text": text})


class Servers(Processes):
    """The processes behind a running bot, which a fault test can stop, kill and start again."""

    def __init__(self, environment: dict, action_port: int, endpoints: Path, credentials: Path, logs: Path,
                 rasa_processes: int):
        super().__init__(environment, logs)
        self.ports = {"actions": action_port, **{f"rasa{number}": free_port() for number in range(rasa_processes)}}
        self.add("actions", action_server_command(action_port), f"http://127.0.0.1:{action_port}/health")
        for name, port in list(self.ports.items())[1:]:
            self.add(name, rasa_command(port, endpoints, credentials), f"http://127.0.0.1:{port}/status")


@contextmanager
def running_bot(tmp_dir: Path, reference_date: str | None = None, database_url: str | None = None,
                redis_url: str | None = None, rasa_processes: int = 1):
    """One action server and `rasa_processes` Rasa servers sharing its stores (a SQLite file in tmp_dir
    unless database_url is given); the first Rasa's client is yielded, all of them as `.peers`, and the
    processes as `.servers`."""
    action_port = free_port()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
                   "DATABASE_URL": database_url or f"sqlite:///{tmp_dir / 'klyngebot.db'}",
                   "ACTION_ENDPOINT": f"http://127.0.0.1:{action_port}/webhook",
                   "ACTIONS_TOKEN": secrets.token_hex(24),  # as `make run` makes one
                   # records of a shared database keep senders as keyed hashes, and need the key to
                   "KLYNGEBOT_HASH_KEY": os.environ.get("KLYNGEBOT_HASH_KEY", "a-test-key-that-is-long-enough-0123456789")}
    if redis_url:
        environment["REDIS_URL"] = redis_url
    if reference_date:
        environment["KLYNGEBOT_DATE"] = reference_date
    endpoints, credentials = rasa_config.write(tmp_dir / "config", environment)
    servers = Servers(environment, action_port, endpoints, credentials, tmp_dir / "logs", rasa_processes)
    try:
        servers.start()
        bots = [Bot(f"rasa{number}", servers) for number in range(rasa_processes)]
        bots[0].peers = bots
        yield bots[0]
    finally:
        servers.stop_all()
