"""The held-out NLU set (tests/nlu/holdout_<language>.yml, never trained on) and how a model is scored on it, shared by
tests/integration/training_data/test_nlu_holdout.py (the gate) and bench/nlu.py (the numbers)."""
from __future__ import annotations

import asyncio
import logging
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.log_utils import configure_structlog
from sklearn.metrics import f1_score

from bot.dialogue.intents import kind_of
from bot.dialogue.message import CONFIDENT
from bot.dialogue.turn import NOT_ANSWERS
from bot.reading.numbers import HALF, HUNDRED, MULTIPLIERS, UNITS

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT_DIR = ROOT / "tests" / "nlu"
TRAINING_DIR = ROOT / "data" / "nlu"
MODEL = ROOT / "models" / "klyngebot.tar.gz"
TARGET_MACRO_F1 = 0.95

# The number words bot/reading understands, article-like ones ("en", "a", "to") included: masking too much can only
# find more near-copies, never hide one.
_NUMBER_WORDS = set(UNITS) | HUNDRED | set(MULTIPLIERS) | set(HALF)
_DIGITS = re.compile(r"\d+(?:[.,\s]\d+)*\w*")  # "500 000", "1,2", "300k", "2MNOK"
_WORD = re.compile(r"[^\W\d_]+|#", re.UNICODE)


@dataclass(frozen=True)
class Example:
    text: str
    intent: str


def examples(path: Path) -> list[Example]:
    return [Example(example.get("text"), example.get("intent")) for example in load_data(str(path)).intent_examples]


def holdout_paths() -> dict[str, Path]:
    """{language: held-out file}."""
    return {path.stem.split("_", 1)[1]: path for path in sorted(HOLDOUT_DIR.glob("holdout_*.yml"))}


def training_paths() -> dict[str, Path]:
    """{language: training file}."""
    return {path.stem: path for path in sorted(TRAINING_DIR.glob("*.yml"))}


def masked(text: str) -> str:
    """The text as a near-copy check sees it: lower case, no punctuation, every number (digits or words) one token,
    so "Vi er 3 bedrifter!" and "vi er tre bedrifter" are the same example."""
    words = _WORD.findall(_DIGITS.sub(" # ", text.lower()))
    words = ["#" if word in _NUMBER_WORDS else word for word in words]
    return " ".join(word for index, word in enumerate(words) if not (word == "#" and index and words[index - 1] == "#"))


def interrupts(intent: str, confidence: float) -> bool:
    """Whether the dialogue leaves a pending question for a message read so: a question, command or small talk
    predicted confidently (bot/dialogue); anything else is read as the answer."""
    return kind_of(intent) in NOT_ANSWERS and confidence >= CONFIDENT


@dataclass(frozen=True)
class Score:
    language: str
    macro_f1: float
    size: int
    confusions: list[tuple[str, str, int]]  # (gold, predicted, count), most frequent first
    errors: list[tuple[str, str, str]]  # (text, gold, predicted)
    # The two costly mistakes: an answer or statement that would interrupt the question asked, and a question,
    # command or small talk that would be read as an answer (predicted as one, or not confidently enough).
    answers_interrupting: list[str]
    digressions_missed: list[str]

    def summary(self) -> str:
        return f"NLU {self.language}: intent macro-F1 {self.macro_f1:.3f} over {self.size} held-out examples"

    def costly(self) -> str:
        return (f"answers that would interrupt the question asked: {len(self.answers_interrupting)}; questions, "
                f"commands and small talk read as answers: {len(self.digressions_missed)}")

    def worst(self, count: int = 8) -> str:
        return ", ".join(f"{gold}->{predicted} x{n}" for gold, predicted, n in self.confusions[:count]) or "none"


def score(language: str, gold: Sequence[Example], predicted: Sequence[tuple[str, float]]) -> Score:
    """Intent macro-F1 over the intents of the held-out set (a prediction outside them, nlu_fallback, is an error),
    and the costly mistakes, from each example's predicted (intent, confidence)."""
    truth = [example.intent for example in gold]
    guesses = [intent for intent, _ in predicted]
    macro = f1_score(truth, guesses, labels=sorted(set(truth)), average="macro", zero_division=0)
    wrong = [(example.text, example.intent, guess) for example, guess in zip(gold, guesses) if guess != example.intent]
    confusions = Counter((intent, guess) for _, intent, guess in wrong).most_common()
    digression = [kind_of(example.intent) in NOT_ANSWERS for example in gold]
    interrupting = [interrupts(*reading) for reading in predicted]
    return Score(language, float(macro), len(gold), [(g, p, n) for (g, p), n in confusions], wrong,
                 answers_interrupting=[example.text for example, is_digression, interrupt
                                       in zip(gold, digression, interrupting) if interrupt and not is_digression],
                 digressions_missed=[example.text for example, is_digression, interrupt
                                     in zip(gold, digression, interrupting) if is_digression and not interrupt])


def load_parser(model: Path = MODEL) -> Callable[[str], dict]:
    """The trained model, loaded once, as a plain function from text to Rasa's parse result (intent, ranking)."""
    configure_structlog(logging.WARNING)  # Rasa's structured log would print every parse at debug level
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def score_model(parse: Callable[[str], dict]) -> tuple[list[Score], float]:
    """Every held-out set through `parse` (text -> Rasa's parse result): the scores per language and the median
    parse time per message in milliseconds."""
    scores, seconds = [], []
    for language, path in holdout_paths().items():
        gold = examples(path)
        predicted = []
        for example in gold:
            start = time.perf_counter()
            intent = parse(example.text)["intent"]
            predicted.append((intent["name"], intent["confidence"]))
            seconds.append(time.perf_counter() - start)
        scores.append(score(language, gold, predicted))
    return scores, statistics.median(seconds) * 1000
