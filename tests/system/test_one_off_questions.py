"""One-off questions through the real trained assistant (tests/cases/questions.yaml): each answer says what the call
texts say, with their numbers, and claims nothing they do not."""
import pytest

from tests.cases import load_cases

pytestmark = pytest.mark.slow
QUESTIONS = load_cases("questions")["questions"]


@pytest.mark.parametrize("row", QUESTIONS, ids=[row["q"] for row in QUESTIONS])
def test_a_one_off_question_gets_the_answer_the_call_texts_give(assistant, row):
    replies = "\n".join(assistant.say(f"question-{QUESTIONS.index(row)}", row["q"]))
    missing = [text for text in row.get("contains", []) if text not in replies]
    wrong = [text for text in row.get("not", []) if text in replies]
    assert not missing and not wrong, f"missing {missing}, must not say {wrong}:\n{replies}"


def test_the_table_is_large_and_in_both_languages():
    english = [row for row in QUESTIONS if any(word in row["q"].lower().split() for word in ("the", "what", "how", "can", "is", "who", "when"))]
    assert len(QUESTIONS) >= 80 and 30 <= len(english) <= len(QUESTIONS) - 30
