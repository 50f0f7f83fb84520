"""Starts the bot's processes and waits until each answers: the action server and Rasa with the command lines
every start uses (`make serve`, the scale benchmark, the tests), and a group of named processes that can be
stopped, killed and started again."""
from __future__ import annotations

import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "klyngebot.tar.gz"
# Rasa always through the project's fixes (deploy/rasa/rasa_server.py), never plain `rasa run`.
RASA = [sys.executable, "-m", "deploy.rasa.rasa_server"]
# The action server behind its token (ACTIONS_TOKEN), in several workers (deploy/action_server.py).
ACTION_SERVER = [sys.executable, "-m", "deploy.action_server", "--actions", "actions"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def action_server_command(port: int) -> list[str]:
    """The action server; it listens where SANIC_HOST says (default 127.0.0.1)."""
    return [*ACTION_SERVER, "--port", str(port)]


def rasa_command(port: int, endpoints: Path, credentials: Path, interface: str = "127.0.0.1",
                 model: Path = MODEL) -> list[str]:
    """Rasa with the HTTP API on; its token and CORS origins come from the environment (deploy.rasa.rasa_server)."""
    return [*RASA, "run", "--enable-api", "--interface", interface, "--port", str(port), "--model", str(model),
            "--endpoints", str(endpoints), "--credentials", str(credentials)]


def reply_texts(replies: list[dict]) -> list[str]:
    """The REST channel's replies as texts, a button list appended to its message as [title | title]."""
    return [reply.get("text", "") + (" [" + " | ".join(button["title"] for button in reply["buttons"]) + "]"
                                     if reply.get("buttons") else "") for reply in replies]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 180,
                  context: Optional[ssl.SSLContext] = None) -> None:
    """Returns once `url` answers 2xx; fails as soon as the process has exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2, context=context):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up in {seconds} s")


class Processes:
    """Named processes, each with a command and the URL that answers once it is up; each writes its output
    to `logs/NAME.log`."""

    def __init__(self, environment: Mapping[str, str], logs: Path, context: Optional[ssl.SSLContext] = None):
        self.environment, self.logs, self.context = dict(environment), logs, context
        self.commands: dict[str, list[str]] = {}
        self.health: dict[str, str] = {}
        self.processes: dict[str, subprocess.Popen] = {}
        logs.mkdir(parents=True, exist_ok=True)

    def add(self, name: str, command: list[str], health: str) -> None:
        self.commands[name], self.health[name] = command, health

    def start(self, *names: str, seconds: float = 180) -> None:
        """Starts the named processes (all when none is named) side by side and waits for each."""
        for name in names or self.commands:
            log = open(self.logs / f"{name}.log", "a")
            self.processes[name] = subprocess.Popen(self.commands[name], cwd=ROOT, env=self.environment,
                                                    stdout=log, stderr=subprocess.STDOUT)
            log.close()  # the child has its own copy
        for name in names or self.commands:
            wait_until_up(self.health[name], self.processes[name], seconds, self.context)

    def stop(self, name: str, signal_name: str = "SIGTERM") -> None:
        process = self.processes.pop(name)
        process.send_signal(getattr(signal, signal_name))
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)

    def exited(self) -> dict[str, int]:
        """The processes that have ended on their own, with their exit status."""
        return {name: process.returncode for name, process in self.processes.items() if process.poll() is not None}

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")
