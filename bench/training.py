"""Training time: the whole model trained from scratch into a temporary directory, as `make train` does."""
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RASA = Path(sys.executable).parent / "rasa"


def run() -> list[str]:
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        subprocess.run([str(RASA), "train", "--force", "--quiet", "--fixed-model-name", "bench", "--out", directory],
                       check=True, capture_output=True)
        return [f"training from scratch (`rasa train --force`, NLU and rules): {time.perf_counter() - start:.0f} s"]
