"""The tables of cases worked by hand for the rules (the engine's, the SME definition's and its questions') have
one shape, so one loader reads them all: `cases`, each with a name of its own, and `bases` that cases share
through YAML anchors."""
import pytest

from tests.cases import HAND_WORKED, load_cases


@pytest.mark.parametrize("name", HAND_WORKED)
def test_a_table_of_hand_worked_cases_has_the_one_shape(name):
    table = load_cases(name)
    assert isinstance(table, dict) and set(table) <= {"bases", "cases"} and table["cases"]
    names = [case["name"] for case in table["cases"]]
    assert len(set(names)) == len(names)
