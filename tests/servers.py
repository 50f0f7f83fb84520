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

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "klyngebot.tar.gz"
RASA = Path(sys.executable).parent / "rasa"


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
def running_bot(tmp_dir: Path, reference_date: str | None = None):
    """Both servers, with Rasa's default in-memory tracker store; stopped afterwards."""
    action_port, rasa_port = free_port(), free_port()
    endpoints = tmp_dir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    if reference_date:
        environment["KLYNGEBOT_DATE"] = reference_date
    logs = tmp_dir / "logs"
    logs.mkdir(exist_ok=True)
    actions = subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
                               cwd=ROOT, env=environment, stdout=open(logs / "actions.log", "w"),
                               stderr=subprocess.STDOUT)
    rasa = subprocess.Popen([str(RASA), "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(rasa_port),
                             "--model", str(MODEL), "--endpoints", str(endpoints),
                             "--credentials", str(ROOT / "credentials.yml")],
                            cwd=ROOT, env=environment, stdout=open(logs / "rasa.log", "w"), stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", actions)
        wait_for(f"http://127.0.0.1:{rasa_port}/status", rasa)
        yield Bot(f"http://127.0.0.1:{rasa_port}", {"rasa": rasa.pid, "actions": actions.pid})
    finally:
        for process in (rasa, actions):
            process.terminate()
        for process in (rasa, actions):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
