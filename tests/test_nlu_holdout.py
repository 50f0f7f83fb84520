"""The held-out NLU test set stays held out, covers every intent, and is well-formed."""
from pathlib import Path

import yaml
from rasa.shared.nlu.training_data.loading import load_data

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = sorted((ROOT / "tests" / "nlu").glob("holdout_*.yml"))


def texts(paths):
    return {example.get("text").lower() for path in paths for example in load_data(str(path)).intent_examples}


def test_holdout_shares_no_example_with_the_training_data():
    assert texts(HOLDOUT) & texts(sorted((ROOT / "data" / "nlu").glob("*.yml"))) == set()


def test_holdout_covers_every_intent_in_each_language():
    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    for path in HOLDOUT:
        assert {example.get("intent") for example in load_data(str(path)).intent_examples} == intents, path.name
