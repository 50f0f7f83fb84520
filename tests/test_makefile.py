"""`make help` lists every target a person may call with its purpose: each .PHONY target has its `## ` line."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def phony_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return {name for line in re.findall(r"^\.PHONY:(.*)$", text, re.M) for name in line.split()}


def test_every_phony_target_has_a_help_line():
    listing = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    described = dict(re.findall(r"^  (\S+) +(\S.*)$", listing, re.M))
    assert phony_targets() - described.keys() == set()


def test_make_test_runs_the_audit():
    """The audit takes under a second and reads no network (tests/test_audit.py), so CI runs it on every change."""
    # -o: a changed constraints.txt must not make this dry run plan a reinstall of the shared .venv
    planned = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.installed", "test"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    assert ".venv/bin/python scripts/audit.py" in planned.splitlines()
