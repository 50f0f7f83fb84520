"""One address, several processes: the flat-out load of bench/dialogue.py (the scripted checks, each
conversation sending its next message the moment the reply arrives) over REST through nginx with TLS, as
`make serve` runs it (PostgreSQL tracker store, Redis lock store), with one and with two Rasa processes,
side by side. Rasa's CPU per message is summed over its processes."""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from bench.load import cpu_seconds, percentile, play
from deploy.processes import ROOT
from deploy.serve import ensure_database, running_stack

PROCESSES = (1, 2)
CONCURRENCY = (10, 50)
DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/klyngebot_bench"
REDIS_URL = "redis://127.0.0.1:6379/6"
# The scripted checks the end-to-end tests run too; they assume Innovation Express 2015 is open.
SCRIPTS = ROOT / "tests" / "cases" / "conversations.yaml"
REFERENCE_DATE = "2015-06-01"


def _checks() -> list[dict]:
    return [script for script in yaml.safe_load(SCRIPTS.read_text(encoding="utf-8"))["conversations"]
            if script["verdict"]]


def _flat_out(stack, scripts: list[dict], workers: int, run: str) -> dict:
    """One load level: every conversation at once, `workers` at a time, none pausing between messages."""
    jobs = [(scripts[number % len(scripts)], f"scale-{run}-{workers}-{number}") for number in range(workers)]
    rasa = [stack.processes.processes[name].pid for name in stack.rasa_ports]
    start, cpu = time.perf_counter(), sum(map(cpu_seconds, rasa))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda job: play(stack.say, *job), jobs))
    elapsed, cpu = time.perf_counter() - start, sum(map(cpu_seconds, rasa)) - cpu
    latencies = [latency for _, timings in results for latency in timings]
    return {"right": sum(ok for ok, _ in results), "checks": len(results),
            "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95), "p99": percentile(latencies, 0.99),
            "rate": len(latencies) / elapsed, "cpu": cpu / len(latencies)}


def _described(processes: int, result: dict) -> str:
    return (f"{processes} Rasa process{'es' if processes > 1 else ''}: p50 {result['p50'] * 1000:.0f} ms, "
            f"p95 {result['p95'] * 1000:.0f} ms, p99 {result['p99'] * 1000:.0f} ms, {result['rate']:.1f} messages/s, "
            f"Rasa's CPU {result['cpu'] * 1000:.1f} ms per message, {result['right']}/{result['checks']} checks right")


def run() -> list[str]:
    subprocess.run([str(ROOT / "scripts" / "ensure-services"), "nginx", "postgresql", "redis"], check=True)
    ensure_database(DATABASE_URL)
    scripts, run_id = _checks(), os.urandom(4).hex()  # a new conversation id each run, in the kept database
    environment = {**os.environ, "KLYNGEBOT_API_TOKEN": os.urandom(24).hex(), "DATABASE_URL": DATABASE_URL,
                   "REDIS_URL": REDIS_URL, "KLYNGEBOT_DATE": REFERENCE_DATE}
    measured = {}
    for processes in PROCESSES:
        with tempfile.TemporaryDirectory() as directory, \
                running_stack(Path(directory), environment, rasa_processes=processes) as stack:
            for workers in CONCURRENCY:
                measured[processes, workers] = _flat_out(stack, scripts, workers, f"{run_id}-{processes}")
    load = os.getloadavg()[0]
    return [f"{workers} concurrent conversations flat out through nginx: "
            + "; ".join(_described(processes, measured[processes, workers]) for processes in PROCESSES)
            for workers in CONCURRENCY] + [f"{os.cpu_count()} cores; load average {load:.1f} at the end "
                                           "(other work on the machine slows every figure)"]
