"""The conversations and questions written by people who had not read the reader (tests/cases/people/), through the
real NLU and action server: each class of conversation passes at least as many cases as it did when its floor was
last raised (tests/cases/people/floors.yaml), no "not eligible" is reversed without the user changing anything, and
the one-off questions the call texts do not answer are said to be unanswered. A failure lists the cases that fail
and why; `make bench` reports every figure."""
import pytest
import yaml

from simulation.people import PEOPLE, People, conversations, questions, summary

pytestmark = pytest.mark.slow
FLOORS = yaml.safe_load((PEOPLE / "floors.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def played(assistant):
    people = People(assistant.say, assistant.slots)
    return [people.play(case) for case in conversations()]


@pytest.fixture(scope="module")
def asked(assistant):
    people = People(assistant.say, assistant.slots)
    return [(case, *people.ask(case)) for case in questions()]


@pytest.mark.parametrize("name", sorted(FLOORS["conversations"]))
def test_each_class_of_conversation_passes_at_least_its_floor(played, name):
    results = [result for result in played if result.case["class"] == name]
    failed = [result for result in results if not result.passed]
    passed = len(results) - len(failed)
    assert len(results) >= 20 and passed >= FLOORS["conversations"][name], \
        f"{name}: {passed}/{len(results)} pass, the floor is {FLOORS['conversations'][name]}:\n" + \
        "\n".join(f"{result.case['id']}: {result.problems[:3]}" for result in failed)


def test_no_not_eligible_is_reversed_without_the_user_changing_anything(played):
    assert summary(played)["reversed"] == 0, [result.case["id"] for result in played if result.reversed]


def test_the_one_off_questions_pass_at_least_their_floor(asked):
    failed = [(case["id"], case["q"], problems) for case, good, _, problems in asked if not good]
    passed = len(asked) - len(failed)
    assert len(asked) >= 150 and passed >= FLOORS["questions"]["all"], \
        f"{passed}/{len(asked)} pass, the floor is {FLOORS['questions']['all']}:\n" + \
        "\n".join(f"{case_id} {question!r}: {problems}" for case_id, question, problems in failed)


def test_questions_the_texts_do_not_answer_are_said_to_be_unanswered(asked):
    silent = [(case, good) for case, good, _, _ in asked if not case.get("answered", True)]
    assert len(silent) >= 50 and sum(good for _, good in silent) >= FLOORS["questions"]["texts_silent"]
