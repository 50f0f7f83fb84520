"""`rasa data validate` and Rasa's own conversation tests (test stories), run as the CLI runs them."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")
ACTIONS_SOURCE = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "actions").glob("*.py"))
UNUSED_UTTERANCE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule\.")


def used_by_code(utterance: str) -> bool:
    """Responses the form asks (utter_ask_<slot>), Rasa's restart action says, or an action names, in
    full or by the prefix of a name it builds (utter_problem_{code})."""
    slots = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["slots"]
    if utterance.startswith("utter_ask_") and utterance[len("utter_ask_"):] in slots:
        return True
    if utterance == "utter_restart":
        return True
    return f'"{utterance}"' in ACTIONS_SOURCE or any(
        f'f"{prefix}{{' in ACTIONS_SOURCE for prefix in [utterance[:index + 1] for index in
                                                        [m.start() for m in re.finditer("_", utterance)]])


def test_rasa_data_validate_finds_nothing_but_responses_the_actions_use():
    done = subprocess.run([RASA, "data", "validate"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    warnings = [line for line in output.splitlines() if "UserWarning" in line or " WARNING " in line]
    unexplained = [line for line in warnings
                   if not (UNUSED_UTTERANCE.search(line) and used_by_code(UNUSED_UTTERANCE.search(line).group(1)))]
    assert unexplained == []
    assert "No story structure conflicts found" in output


@pytest.mark.slow
def test_rasa_conversation_tests_predict_every_action(tmp_path):
    """tests/stories: conversations spelled out turn by turn, every question of the form included;
    any wrong prediction fails."""
    done = subprocess.run([RASA, "test", "core", "--stories", str(ROOT / "tests" / "stories"),
                           "--model", str(ROOT / "models" / "klyngebot.tar.gz"), "--out", str(tmp_path),
                           "--fail-on-prediction-errors"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    failed = (tmp_path / "failed_test_stories.yml")
    details = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:] + details
    assert "Correct:" in done.stdout + done.stderr
