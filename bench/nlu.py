"""NLU quality on the held-out set (tests/nlu, scored by simulation/nlu_holdout.py), per language: the trained pipeline against a simple baseline
(TF-IDF + logistic regression trained on the same training data), and the pipeline's parse time per message."""
from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union

from simulation.nlu_holdout import (
    TARGET_MACRO_F1, examples, holdout_paths, load_parser, score, score_model, training_paths,
)


def _baseline():
    training = [example for path in training_paths().values() for example in examples(path)]
    features = make_union(TfidfVectorizer(analyzer="word", ngram_range=(1, 2)),
                          TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)))
    model = make_pipeline(features, LogisticRegression(max_iter=2000, C=10))
    model.fit([example.text for example in training], [example.intent for example in training])
    return model


def run() -> list[str]:
    scores, parse_ms = score_model(load_parser())
    baseline = _baseline()
    lines = []
    for pipeline in scores:
        gold = examples(holdout_paths()[pipeline.language])
        predicted = baseline.predict_proba([example.text for example in gold])
        readings = [(baseline.classes_[row.argmax()], row.max()) for row in predicted]
        base = score(pipeline.language, gold, readings).macro_f1
        lines.append(f"{pipeline.summary()} (target >= {TARGET_MACRO_F1}); baseline TF-IDF+LR {base:.3f}")
        lines.append(f"  {pipeline.costly()}")
        lines.append(f"  most confused: {pipeline.worst(4)}")
    lines.append(f"parse time per message (median over every held-out example): {parse_ms:.1f} ms")
    return lines
