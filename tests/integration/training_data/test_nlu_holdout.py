"""The NLU's training data and its held-out set (tests/nlu): both cover every intent of bot/data/intents.yaml in
each language, the held-out set shares no example with the training data even with its numbers changed, and the
trained model reaches the target intent macro-F1 on it in each language (the gate)."""
from collections import Counter

import pytest

from bot.dialogue.intents import intents
from bot.resources import LANGUAGES
from simulation.nlu_holdout import (
    TARGET_MACRO_F1, examples, holdout_paths, load_parser, masked, score_model, training_paths,
)

TRAINING_PER_INTENT = 20  # the brief's floor per intent and language; the confusable intents have more
HOLDOUT_PER_INTENT = 6


def test_each_language_has_training_data_and_a_held_out_set():
    assert set(training_paths()) == set(LANGUAGES)
    assert set(holdout_paths()) == set(LANGUAGES)


@pytest.mark.parametrize("paths, floor", [(training_paths, TRAINING_PER_INTENT), (holdout_paths, HOLDOUT_PER_INTENT)],
                         ids=["training", "holdout"])
def test_every_intent_has_enough_examples_in_each_language(paths, floor):
    for language, path in paths().items():
        counts = Counter(example.intent for example in examples(path))
        assert set(counts) == set(intents()), f"{path.name}: intents differ from bot/data/intents.yaml"
        assert {intent: n for intent, n in counts.items() if n < floor} == {}, f"{path.name}: fewer than {floor}"


def test_no_example_carries_entity_annotations():
    """The NLU only tells intents apart; facts are read by bot/reading, so an annotation would train nothing."""
    for path in [*training_paths().values(), *holdout_paths().values()]:
        text = path.read_text(encoding="utf-8")
        assert "](" not in text and "]{" not in text, path.name


@pytest.mark.parametrize("same, other", [
    ("Vi er 3 bedrifter!", "vi er tre bedrifter"),
    ("budsjettet er 500 000 kr", "Budsjettet er fem hundre tusen kr."),
    ("NOK 1.2m in total", "nok 300k in total"),
    ("Hvor mye kan vi få?", "hvor mye kan vi få"),
])
def test_masking_makes_examples_that_differ_only_in_numbers_case_or_punctuation_equal(same, other):
    assert masked(same) == masked(other)


@pytest.mark.parametrize("one, other", [("vi er tre bedrifter", "vi er tre klynger"), ("ja", "nei")])
def test_masking_keeps_examples_that_differ_in_words_apart(one, other):
    assert masked(one) != masked(other)


def test_holdout_shares_no_example_with_the_training_data_once_numbers_are_masked():
    trained = {masked(example.text): example.text for path in training_paths().values() for example in examples(path)}
    leaked = [(example.text, trained[masked(example.text)]) for path in holdout_paths().values()
              for example in examples(path) if masked(example.text) in trained]
    assert leaked == [], "held-out examples equal to a training example (held out, trained):"


@pytest.fixture(scope="module")
def scores():
    """The trained model (models/klyngebot.tar.gz, made by `make train`) on every held-out set, loaded once."""
    found, median_ms = score_model(load_parser())
    print(f"median parse time {median_ms:.1f} ms per message")
    return {score.language: score for score in found}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_model_reaches_the_target_intent_macro_f1_on_the_held_out_set(scores, language):
    score = scores[language]
    print(f"{score.summary()}; {score.costly()}")
    errors = "\n".join(f"  {text!r}: {gold} -> {predicted}" for text, gold, predicted in score.errors)
    assert score.macro_f1 >= TARGET_MACRO_F1, \
        f"{score.summary()} < {TARGET_MACRO_F1}; worst confusions: {score.worst()}\n{errors}"
