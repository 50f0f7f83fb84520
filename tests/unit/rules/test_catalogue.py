"""The catalogue loads, validates, fails loudly on malformed files and grows by data files alone."""
import datetime as dt
import shutil

import pytest
import yaml

from bot.rules.catalogue import CALLS_DIR, CatalogueError, catalogue, load_catalogue
from bot.rules.engine import assess
from bot.rules.profile import make_profile


def test_shipped_catalogue_holds_both_calls_with_their_figures():
    calls = {call.id: call for call in catalogue().calls}
    assert set(calls) == {"innovasjonsrammen", "innovation_express_2015"}
    day = dt.date(2015, 6, 1)
    assert calls["innovasjonsrammen"].figures(day)["ceiling_nok"] == 300000
    express = calls["innovation_express_2015"].figures(day)
    assert (express["floor_nok"], express["ceiling_nok"], express["max_aid_intensity"]) == (100000, 250000, 0.5)
    assert express["deadline"] == dt.date(2015, 10, 30)
    weights = [criterion.weight for criterion in calls["innovasjonsrammen"].assessment_criteria]
    assert weights == [0.25, 0.35, 0.20, 0.20]


def copy_catalogue(tmp_path):
    target = tmp_path / "calls"
    shutil.copytree(CALLS_DIR, target)
    return target


def edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_new_call_round_is_one_data_file(tmp_path):
    directory = copy_catalogue(tmp_path)
    new_round = directory / "innovation_express_2016.yaml"
    shutil.copy(directory / "innovation_express_2015.yaml", new_round)

    def next_year(data):
        data["id"] = "innovation_express_2016"
        data["name"] = {"nb": "BSR Innovation Express 2016", "en": "BSR Innovation Express 2016"}
        data["dates"]["opens"]["date"] = dt.date(2016, 5, 1)
        data["dates"]["deadline"]["date"] = dt.date(2016, 10, 30)
    edit(new_round, next_year)
    calls = load_catalogue(directory)
    assert [call.id for call in calls.calls][-1] == "innovation_express_2016"
    result = assess(make_profile({"asker": "cluster_organisation"}, date=dt.date(2016, 6, 1)), calls=calls)
    assert result.for_call("innovation_express_2015").status == "closed"
    assert result.for_call("innovation_express_2016").status == "open"
    assert result.best_fit.call.id == "innovation_express_2016"


def set_first_rule(key, value):
    def change(data):
        data["rules"][0][key] = value
    return change


MALFORMED = {
    "unknown_criterion": (set_first_rule("criterion", "is_lucky"), "criterion"),
    "unknown_fact": (set_first_rule("facts", ["shoe_size"]), "facts"),
    "figure_outside_parameters": (set_first_rule("args", {"minimum": 3}), "parameters"),
    "quote_not_in_call_text": (set_first_rule("source", {"section": "X", "quote": "made up"}), "does not occur"),
    "missing_english": (set_first_rule("requirement", {"nb": "Bare norsk"}), "requirement"),
    "unknown_placeholder": (set_first_rule("requirement", {"nb": "{nope}", "en": "{nope}"}), "placeholder"),
    "weights_not_adding_up": (lambda d: d["assessment"]["criteria"][0].update(weight=0.5), "add up"),
    "id_not_file_name": (lambda d: d.update(id="other"), "file name"),
    "bad_date": (lambda d: d["parameters"]["ceiling_nok"].update(values={"soon": 1}), "not a date"),
    "non_numeric_figure": (lambda d: d["parameters"]["ceiling_nok"].update(values={"2015-01-01": "lots"}),
                           "not a number"),
    "allowed_not_a_list": (set_first_rule("args", {"allowed": "company"}), "list of values"),
    "argument_missing": (set_first_rule("args", {}), "takes allowed"),
    "too_many_facts": (set_first_rule("facts", ["applicant", "companies"]), "reads 1 fact"),
    "unasked_fact_left_undecided": (set_first_rule("criterion", "is_one_of"), "never asked"),
    "parameter_not_defined": (lambda d: d["grant"].update(ceiling="roof_nok"), "grant.ceiling"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_call_file_fails_loudly(tmp_path, name):
    change, message = MALFORMED[name]
    directory = copy_catalogue(tmp_path)
    edit(directory / "innovasjonsrammen.yaml", change)
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(directory)
    assert str(raised.value).startswith("innovasjonsrammen.yaml: ")
    assert message in str(raised.value)


def test_a_file_that_is_not_yaml_fails_loudly(tmp_path):
    directory = copy_catalogue(tmp_path)
    (directory / "innovasjonsrammen.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogueError, match="cannot be read"):
        load_catalogue(directory)


def test_an_empty_catalogue_fails_loudly(tmp_path):
    with pytest.raises(CatalogueError, match="no call files"):
        load_catalogue(tmp_path)
