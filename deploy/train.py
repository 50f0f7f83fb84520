"""`make train`: Rasa's training with its progress shown one stage at a time and the known noise left out
(deploy/console.py); the model goes to models/klyngebot.tar.gz. The exit status is Rasa's."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from deploy.console import Console, lines_of, show
from deploy.processes import ROOT

QUIETER = {"TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "RASA_TELEMETRY_ENABLED": "false"}


def main() -> int:
    print("==> Training the model: the NLU in bokmål and English, and the rules (about two minutes on two cores)",
          flush=True)
    start = time.monotonic()
    command = [sys.executable, "-m", "rasa", "train", "--force", "--fixed-model-name", "klyngebot", "--out", "models"]
    with subprocess.Popen(command, cwd=ROOT, env={**os.environ, **QUIETER}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, bufsize=1) as training:
        show(lines_of(training.stdout), Console(lambda text: print(text, flush=True), progress=True))
    if training.returncode == 0:
        print(f"==> Model trained in {time.monotonic() - start:.0f} s: models/klyngebot.tar.gz", flush=True)
    return training.returncode


if __name__ == "__main__":
    sys.exit(main())
