"""`rasa data validate` as the CLI runs it, and the NLU data against the one list of intents."""
import subprocess
import sys
from pathlib import Path

from rasa.shared.nlu.training_data.loading import load_data

from bot.dialogue.intents import intents

ROOT = Path(__file__).resolve().parents[3]  # from tests/<kind>/<part>/
RASA = str(Path(sys.executable).parent / "rasa")


def test_rasa_data_validate_finds_nothing_to_warn_about():
    done = subprocess.run([RASA, "data", "validate"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    warnings = [line for line in output.splitlines() if "UserWarning" in line or " WARNING " in line]
    assert warnings == []
    assert "No story structure conflicts found" in output


def test_every_intent_is_trained_in_both_languages_and_nothing_else_is():
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        trained = {example.get("intent") for example in load_data(str(path)).intent_examples}
        assert trained == set(intents()), path.name
