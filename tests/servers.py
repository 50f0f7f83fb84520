"""Starts the real action server and Rasa on free loopback ports for end-to-end tests."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from deploy import rasa_config

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "klyngebot.tar.gz"
# Rasa as `make run` starts it: its command line with the project's fixes (deploy/rasa_server.py).
RASA = [sys.executable, "-m", "deploy.rasa_server"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up in {seconds} s")


class Bot:
    """A client for the running Rasa: REST channel messages and the HTTP API."""

    def __init__(self, base: str, pids: dict[str, int]):
        self.base = base
        self.pids = pids  # {"rasa": ..., "actions": ...}

    def _post(self, path: str, body) -> object:
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

    def say(self, sender: str, text: str) -> list[str]:
        """The bot's replies, as texts (a button list is appended to its message as [title | title])."""
        replies = self._post("/webhooks/rest/webhook", {"sender": sender, "message": text})
        return [reply.get("text", "") + (" [" + " | ".join(b["title"] for b in reply["buttons"]) + "]"
                                         if reply.get("buttons") else "") for reply in replies]

    def set_slots(self, sender: str, slots: dict) -> None:
        self._post(f"/conversations/{sender}/tracker/events",
                   [{"event": "slot", "name": name, "value": value} for name, value in slots.items()])

    def execute(self, sender: str, action: str) -> list[str]:
        result = self._post(f"/conversations/{sender}/execute", {"name": action})
        return [message.get("text", "") for message in result["messages"]]

    def parse(self, text: str) -> dict:
        return self._post("/model/parse", {"text": text})


@contextmanager
def running_bot(tmp_dir: Path, reference_date: str | None = None, database_url: str | None = None,
                redis_url: str | None = None, rasa_processes: int = 1):
    """One action server and `rasa_processes` Rasa servers sharing its stores (a SQLite file in tmp_dir
    unless database_url is given); the first Rasa's client is yielded, all of them as `.peers`."""
    action_port = free_port()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
                   "DATABASE_URL": database_url or f"sqlite:///{tmp_dir / 'klyngebot.db'}",
                   "ACTION_ENDPOINT": f"http://127.0.0.1:{action_port}/webhook"}
    if redis_url:
        environment["REDIS_URL"] = redis_url
    if reference_date:
        environment["KLYNGEBOT_DATE"] = reference_date
    endpoints, credentials = rasa_config.write(tmp_dir / "config", environment)
    logs = tmp_dir / "logs"
    logs.mkdir(exist_ok=True)
    processes = [subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port",
                                   str(action_port)], cwd=ROOT, env=environment,
                                  stdout=open(logs / "actions.log", "w"), stderr=subprocess.STDOUT)]
    rasa_ports = [free_port() for _ in range(rasa_processes)]
    for number, port in enumerate(rasa_ports):
        processes.append(subprocess.Popen(
            [*RASA, "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port), "--model", str(MODEL),
             "--endpoints", str(endpoints), "--credentials", str(credentials)],
            cwd=ROOT, env=environment, stdout=open(logs / f"rasa{number}.log", "w"), stderr=subprocess.STDOUT))
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", processes[0])
        for port, process in zip(rasa_ports, processes[1:]):
            wait_for(f"http://127.0.0.1:{port}/status", process)
        bots = [Bot(f"http://127.0.0.1:{port}", {"rasa": process.pid, "actions": processes[0].pid})
                for port, process in zip(rasa_ports, processes[1:])]
        bots[0].peers = bots
        yield bots[0]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
