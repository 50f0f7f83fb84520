"""One address, several processes: the flat-out load of bench/dialogue.py (simulated users doing whole checks, each
sending its next message the moment the reply arrives) over REST through nginx with TLS, as
`make serve` runs it (PostgreSQL tracker store, Redis lock store), with one and with two Rasa processes,
side by side. Rasa's CPU per message is summed over its processes."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from pathlib import Path

from bench.load import Level, run_level, simulated
from deploy.processes import ROOT
from deploy.serve import ensure_database, running_stack
from simulation.profiles import make_profiles

PROCESSES = (1, 2)
CONCURRENCY = (10, 50)
DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/klyngebot_bench"
REDIS_URL = "redis://127.0.0.1:6379/6"


def _flat_out(stack, workers: int, run: str) -> Level:
    """One load level: `workers` simulated users at once, none pausing between messages."""
    day = dt.date.today()
    users = make_profiles(workers)
    return run_level([simulated(stack.send, user, number, f"scale-{run}-{workers}-{number}", day)
                      for number, user in enumerate(users)], workers,
                     [stack.processes.processes[name].pid for name in stack.rasa_ports])


def run() -> list[str]:
    subprocess.run([str(ROOT / "scripts" / "ensure-services"), "nginx", "postgresql", "redis"], check=True)
    ensure_database(DATABASE_URL)
    run_id = os.urandom(4).hex()  # a new conversation id each run, in the kept database
    environment = {**os.environ, "KLYNGEBOT_API_TOKEN": os.urandom(24).hex(), "KLYNGEBOT_HASH_KEY": os.urandom(32).hex(),
                   "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL}
    measured = {}
    for processes in PROCESSES:
        with tempfile.TemporaryDirectory() as directory, \
                running_stack(Path(directory), environment, rasa_processes=processes) as stack:
            for workers in CONCURRENCY:
                measured[processes, workers] = _flat_out(stack, workers, f"{run_id}-{processes}")
    load = os.getloadavg()[0]
    return [f"{workers} simulated users at once, flat out through nginx: "
            + "; ".join(f"{processes} Rasa process{'es' if processes > 1 else ''}: {measured[processes, workers].described()}"
                        for processes in PROCESSES)
            for workers in CONCURRENCY] + [f"{os.cpu_count()} cores; load average {load:.1f} at the end "
                                           "(other work on the machine slows every figure)"]
