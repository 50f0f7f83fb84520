"""NLU quality on the held-out set (tests/nlu), per language: the trained pipeline against a simple
baseline (TF-IDF + logistic regression) trained on the same training data."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.log_utils import configure_structlog
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline, make_union

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "klyngebot.tar.gz"


def _examples(path: Path):
    return [(example.get("text"), example.get("intent"), example.get("entities") or [])
            for example in load_data(str(path)).intent_examples]


def _entity_f1(gold: list[set], predicted: list[set]) -> float:
    true_positives = sum(len(g & p) for g, p in zip(gold, predicted))
    found, expected = sum(map(len, predicted)), sum(map(len, gold))
    if not found or not expected:
        return 0.0
    precision, recall = true_positives / found, true_positives / expected
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _spans(entities) -> set:
    return {(entity["entity"], entity["start"], entity["end"]) for entity in entities}


def _baseline():
    training = [example for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for example in _examples(path)]
    features = make_union(TfidfVectorizer(analyzer="word", ngram_range=(1, 2)),
                          TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)))
    model = make_pipeline(features, LogisticRegression(max_iter=2000, C=10))
    model.fit([text for text, _, _ in training], [intent for _, intent, _ in training])
    return model


async def _parse_all(agent: Agent, texts: list[str]) -> list[dict]:
    return [await agent.parse_message(text) for text in texts]


def run() -> list[str]:
    configure_structlog(logging.WARNING)  # Rasa's structured log would print every parse at debug level
    logging.getLogger().setLevel(logging.WARNING)
    agent = Agent.load(str(MODEL))
    baseline = _baseline()
    lines = []
    for path in sorted((ROOT / "tests" / "nlu").glob("holdout_*.yml")):
        language = path.stem.split("_")[1]
        examples = _examples(path)
        texts = [text for text, _, _ in examples]
        gold = [intent for _, intent, _ in examples]
        parsed = asyncio.run(_parse_all(agent, texts))
        predicted = [result["intent"]["name"] for result in parsed]
        # macro over the intents of the test set: a fallback is an error against its gold intent, not a class
        intents = sorted(set(gold))
        macro = f1_score(gold, predicted, labels=intents, average="macro", zero_division=0)
        base = f1_score(gold, baseline.predict(texts), labels=intents, average="macro", zero_division=0)
        # spans found by both DIET and the spaCy patterns count once
        entity = _entity_f1([_spans(entities) for _, _, entities in examples],
                            [_spans(result.get("entities", [])) for result in parsed])
        confusions = Counter((g, p) for g, p in zip(gold, predicted) if g != p).most_common(4)
        lines.append(f"NLU {language}: intent macro-F1 {macro:.3f} (target >= 0.95), baseline TF-IDF+LR {base:.3f} "
                     f"(pipeline/baseline {macro / base if base else float('inf'):.2f}), entity F1 {entity:.3f}, "
                     f"{len(examples)} held-out examples")
        lines.append("  most confused: " + (", ".join(f"{g}->{p} x{n}" for (g, p), n in confusions) or "none"))
    return lines
