"""What the NLU pipeline's size and epochs cost and buy: each setting's NLU trained from scratch (`rasa train nlu`,
the part of `make train` the pipeline decides; the rules add a few seconds, measured by `make bench`) into a
temporary directory, then scored on the held-out set. Prints one table row per setting: training wall and CPU time,
the load average before it (the cores are shared), held-out intent macro-F1 per language, the two costly mistakes
per language (an answer that would interrupt the question asked; a question, command or small talk the dialogue
would read as an answer, see tests/nlu), median parse time per message and the most frequent confusions.

Not part of `make bench` (a row is a training, 1-4 minutes): run it when the pipeline or the data changes, alone,
since trainings compete for the cores:

    .venv/bin/python -m bench.nlu_pipeline [--keep DIR] [SETTING ...]   (default: every setting; names below)

--keep DIR keeps each trained model as DIR/SETTING.tar.gz; --rescore DIR scores the models kept there on the
held-out set as it is now, without training (after the held-out set changed).
"""
from __future__ import annotations

import argparse
import os
import shutil
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot.resources import LANGUAGES
from simulation.nlu_holdout import Score, load_parser, score_model

ROOT = Path(__file__).resolve().parent.parent
RASA = Path(sys.executable).parent / "rasa"
Pipeline = list[dict]


# What every setting starts from where another varies it: Rasa's DIET defaults, with config.yml's constrained
# similarities (Rasa's default is unconstrained).
DIET_DEFAULTS = {"transformer_size": 256, "hidden_layers_sizes": {"text": [], "label": []}, "embedding_dimension": 20,
                 "connection_density": 0.2, "constrain_similarities": True}
HIDDEN_128 = {"text": [128], "label": []}  # one hidden layer for the text, none for the intent label


FALLBACK = {"name": "FallbackClassifier", "threshold": 0.4, "ambiguity_threshold": 0.05}


def _featurizers(chars: tuple[int, int] = (2, 4), words: tuple[int, int] = (1, 1), lean: bool = False) -> Pipeline:
    """spaCy's blank Norwegian tokeniser, word and char_wb counts of `words` and `chars` n-grams, plus the regex and
    lexical featurizers unless `lean`."""
    extra = [] if lean else [{"name": "RegexFeaturizer", "case_sensitive": False},
                             {"name": "LexicalSyntacticFeaturizer"}]
    return [
        {"name": "SpacyNLP", "model": "build/spacy_nb", "case_sensitive": False},
        {"name": "SpacyTokenizer"},
        *extra,
        {"name": "CountVectorsFeaturizer", "min_ngram": words[0], "max_ngram": words[1]},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": chars[0], "max_ngram": chars[1]},
    ]


def _pipeline(layers: int, epochs: int, chars: tuple[int, int] = (2, 4), words: tuple[int, int] = (1, 1),
              lean: bool = False, **diet) -> Pipeline:
    """The whole NLU pipeline: the featurizers, DIET with `layers` transformer layers trained for `epochs` (other
    DIET settings as keywords, Rasa's defaults otherwise), and the fallback. Spelled out in full, so a row means the
    same whatever config.yml holds."""
    return [
        *_featurizers(chars, words, lean),
        {"name": "DIETClassifier", **DIET_DEFAULTS, "number_of_transformer_layers": layers, "epochs": epochs, **diet,
         "entity_recognition": False, "random_seed": 7},
        FALLBACK,
    ]


SETTINGS: dict[str, Pipeline | None] = {
    "config.yml": None,  # the pipeline as checked in (transformer0_e60_hidden128_embed40)
    "transformer2_e80": _pipeline(2, 80),  # the pipeline before this measurement
    "transformer1_e80": _pipeline(1, 80, transformer_size=128),
    "transformer0_e100": _pipeline(0, 100),
    "transformer0_e80": _pipeline(0, 80),
    "transformer0_e60": _pipeline(0, 60),
    "transformer0_e40": _pipeline(0, 40),
    "transformer0_e60_embed10": _pipeline(0, 60, embedding_dimension=10),
    "transformer0_e60_char1-5": _pipeline(0, 60, chars=(1, 5)),
    "transformer0_e60_char3-5": _pipeline(0, 60, chars=(3, 5)),
    "transformer0_e60_lean": _pipeline(0, 60, lean=True),
    "transformer0_e60_words1-2": _pipeline(0, 60, words=(1, 2)),
    "transformer0_e60_dense": _pipeline(0, 60, connection_density=1.0),
    "transformer0_e60_hidden128": _pipeline(0, 60, hidden_layers_sizes=HIDDEN_128),
    "transformer0_e40_hidden128": _pipeline(0, 40, hidden_layers_sizes=HIDDEN_128),
    "transformer0_e80_hidden128": _pipeline(0, 80, hidden_layers_sizes=HIDDEN_128),
    "transformer0_e60_hidden256": _pipeline(0, 60, hidden_layers_sizes={"text": [256], "label": []}),
    "transformer0_e60_hidden128_unconstrained": _pipeline(0, 60, hidden_layers_sizes=HIDDEN_128,
                                                          constrain_similarities=False),
    "transformer0_e60_hidden128_words1-2": _pipeline(0, 60, words=(1, 2), hidden_layers_sizes=HIDDEN_128),
    "transformer0_e60_hidden128_lean": _pipeline(0, 60, lean=True, hidden_layers_sizes=HIDDEN_128),
    "transformer0_e100_hidden128": _pipeline(0, 100, hidden_layers_sizes=HIDDEN_128),
    "transformer0_e60_hidden256-128": _pipeline(0, 60, hidden_layers_sizes={"text": [256, 128], "label": []}),
    "transformer0_e60_hidden128_char1-5": _pipeline(0, 60, chars=(1, 5), hidden_layers_sizes=HIDDEN_128),
    "transformer0_e60_hidden128_embed40": _pipeline(0, 60, embedding_dimension=40, hidden_layers_sizes=HIDDEN_128),
    "logistic_regression": [*_featurizers(), {"name": "LogisticRegressionClassifier", "max_iter": 1000}, FALLBACK],
}


def _config(pipeline: Pipeline | None) -> dict:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    if pipeline is not None:
        config["pipeline"] = pipeline
    return config


def measure(name: str, keep: Path | None = None) -> str:
    model_name = name.replace(".", "_")  # Rasa would take "config.yml" for a name with a suffix
    with tempfile.TemporaryDirectory() as directory:
        config = Path(directory) / "config.yml"
        config.write_text(yaml.safe_dump(_config(SETTINGS[name]), sort_keys=False), encoding="utf-8")
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([str(RASA), "train", "nlu", "--quiet", "--config", str(config), "--nlu", "data/nlu",
                               "--fixed-model-name", model_name, "--out", directory], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "RASA_MAX_CACHE_SIZE": "0"})  # no cache: every row trains afresh
        if done.returncode:
            raise SystemExit(f"training {name} failed:\n{done.stderr[-3000:]}")
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        model = Path(directory) / f"{model_name}.tar.gz"
        scores, parse_ms = score_model(load_parser(model))
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(model, keep / model.name)
    return f"| {name} | {wall:.0f} s | {cpu:.0f} s | {load:.1f} | {_quality(scores, parse_ms)} |"


def _quality(scores: list[Score], parse_ms: float) -> str:
    by_language = {score.language: score for score in scores}
    ordered = [by_language[language] for language in LANGUAGES]
    f1 = " | ".join(f"{score.macro_f1:.3f}" for score in ordered)
    costly = " | ".join("/".join(str(len(getattr(score, kind))) for score in ordered)
                        for kind in ("answers_interrupting", "digressions_missed"))
    worst = "; ".join(f"{score.language}: {score.worst(3)}" for score in ordered)
    return f"{f1} | {costly} | {parse_ms:.1f} ms | {worst}"


QUALITY_HEADER = ("macro-F1 nb | macro-F1 en | answers that would interrupt (nb/en) | questions read as answers (nb/en) "
                  "| parse (median) | worst confusions")


def rescore(directory: Path) -> None:
    print(f"| setting | {QUALITY_HEADER} |")
    print("|---|---|---|---|---|---|---|")
    for model in sorted(directory.glob("*.tar.gz")):
        print(f"| {model.name.removesuffix('.tar.gz')} | {_quality(*score_model(load_parser(model)))} |", flush=True)


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nlu_pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="directory to keep each trained model in")
    parser.add_argument("--rescore", type=Path, help="score the models kept in this directory, train nothing")
    parser.add_argument("settings", nargs="*", metavar="SETTING", help=", ".join(SETTINGS))
    options = parser.parse_args(arguments)
    names = options.settings
    unknown = [name for name in names if name not in SETTINGS]
    if unknown:
        parser.error(f"unknown setting {', '.join(unknown)}; known: {', '.join(SETTINGS)}")
    if options.rescore:
        rescore(options.rescore)
        return 0
    print(f"| setting | training (wall) | training (CPU) | load before | {QUALITY_HEADER} |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in names or SETTINGS:
        print(measure(name, options.keep), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
