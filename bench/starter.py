"""The yardstick: the bot `rasa init` makes (the "moodbot"), built and trained in a temporary folder in the same run
and served by the same Rasa, stock: its own config, its in-memory tracker store, no action server."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from deploy.processes import Processes, free_port
from simulation.harness import RestBot

# A conversation of the starter bot's own intents (greet, moods, affirm, deny, goodbye, bot challenge), as long as
# a check here: twelve messages.
SCRIPT = ("hello", "I am sad", "yes", "great", "bye", "hi there", "not good", "no", "good morning", "very good",
          "are you a bot?", "goodbye")


@dataclass
class StarterBot:
    client: RestBot
    processes: Processes
    training_seconds: float
    startup_seconds: float

    @property
    def pid(self) -> int:
        return self.processes.processes["rasa"].pid


@contextmanager
def running_starter_bot(directory: Path) -> Iterator[StarterBot]:
    environment = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(directory)],
                   cwd=directory, env=environment, check=True, capture_output=True)
    trained = time.perf_counter() - start
    model = next((directory / "models").glob("*.tar.gz"))
    port = free_port()
    processes = Processes(environment, directory / "logs")
    processes.add("rasa", [sys.executable, "-m", "rasa", "run", "--enable-api", "--interface", "127.0.0.1",
                           "--port", str(port), "--model", str(model), "--credentials",
                           str(directory / "credentials.yml"), "--endpoints", str(directory / "endpoints.yml")],
                  f"http://127.0.0.1:{port}/status")
    start = time.perf_counter()
    try:
        processes.start()
        yield StarterBot(RestBot(f"http://127.0.0.1:{port}"), processes, trained, time.perf_counter() - start)
    finally:
        processes.stop_all()
