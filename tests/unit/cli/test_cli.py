"""The CLI contract: JSON in, JSON out; bad input exits 2 with one line naming the field."""
import io
import json
import subprocess
import sys

import pytest

from bot.cli import main
from bot.rules.catalogue import catalogue
from tests.cases import load_cases

BAD = load_cases("bad_input")
CONTRACT_KEYS = {"call", "name", "verdict", "status", "ceiling_nok", "floor_nok", "max_grant_nok",
                 "max_aid_intensity", "reasons", "missing"}


def run_main(monkeypatch, capsys, arguments, stdin_text):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin_text))
    code = main(arguments)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", ["assess", "sme"])
def test_bad_input_exits_2_with_one_line_naming_the_field(monkeypatch, capsys, command):
    for row in BAD[command]:
        code, out, err = run_main(monkeypatch, capsys, [command, "--json", "-"], row["text"])
        assert code == 2, row["name"]
        assert out == "", row["name"]
        assert err.count("\n") == 1 and "Traceback" not in err, row["name"]
        expected = f"error: {row['field']}: " if "field" in row else row["says"]
        assert expected in err, (row["name"], err)


@pytest.mark.parametrize("row", BAD["prioritise"], ids=[f"{row['format']}-{row['name']}" for row in BAD["prioritise"]])
def test_bad_proposals_exit_2_with_one_line(capsys, tmp_path, row):
    path = tmp_path / f"proposals.{row['format']}"
    path.write_text(row["text"], encoding="utf-8")
    code = main(["prioritise", str(path), "--date", "2015-06-01"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, ""), captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.err.startswith(f"error: {row['says']}"), captured.err


@pytest.mark.parametrize("command", ["assess", "sme"])
def test_input_nested_beyond_any_reader_is_one_line(monkeypatch, capsys, command):
    """100 000 open brackets, the issue's reproduction: the JSON reader's recursion gives out, the CLI does not."""
    code, out, err = run_main(monkeypatch, capsys, [command, "--json", "-"], "[" * 100_000)
    assert (code, out) == (2, "") and err == "error: input: nested too deeply to read\n"


@pytest.mark.parametrize("command, text", [
    ("assess", json.dumps({"applicant": "x" * 100_000})),
    ("assess", json.dumps({"companies": "3\n" * 50_000})),
    ("sme", json.dumps({"employees": 2, "turnover_eur": 1, "balance_sheet_eur": 1, "previous_category": "y" * 100_000})),
], ids=["long_enum", "lines_as_count", "long_category"])
def test_a_huge_value_is_refused_in_a_short_line(monkeypatch, capsys, command, text):
    code, _, err = run_main(monkeypatch, capsys, [command, "--json", "-"], text)
    assert code == 2 and err.count("\n") == 1 and len(err) < 200, err[:300]


def test_assess_prints_the_contract(monkeypatch, capsys):
    profile = {"date": "2015-06-01", "applicant": "cluster_organisation",
               "countries": ["NO", "SE"], "smes_per_country": {"NO": 3, "SE": 3},
               "activities": ["training"], "budget_nok": 300000, "language": "en"}
    code, out, _ = run_main(monkeypatch, capsys, ["assess", "--json", "-"], json.dumps(profile))
    result = json.loads(out)
    assert code == 0
    assert {"calls", "best_fit", "summary"} <= set(result)
    assert all(CONTRACT_KEYS <= set(item) for item in result["calls"])
    express = result["calls"][1]
    assert (express["verdict"], express["status"], express["ceiling_nok"], express["floor_nok"],
            express["max_grant_nok"], express["max_aid_intensity"]) == ("eligible", "open", 250000, 100000,
                                                                         150000, 0.5)
    assert all({"rule", "ok", "text", "source"} <= set(reason) for reason in express["reasons"])
    assert result["best_fit"] == "innovation_express_2015"


def test_the_retired_goal_is_accepted_and_ignored_with_a_warning(monkeypatch, capsys):
    profile = {"date": "2026-11-24", "cluster_programme": "nce", "goal": "profit", "language": "en"}
    code, out, err = run_main(monkeypatch, capsys, ["assess", "--json", "-"], json.dumps(profile))
    result = json.loads(out)
    assert code == 0 and err == ""
    assert result["warnings"] == ['"goal" is no longer used and was ignored: the call texts make no such requirement.']
    _, without, _ = run_main(monkeypatch, capsys, ["assess", "--json", "-"],
                             json.dumps({key: value for key, value in profile.items() if key != "goal"}))
    assert {key: value for key, value in result.items() if key != "warnings"} == json.loads(without)


def test_missing_file_is_bad_input(monkeypatch, capsys, tmp_path):
    code, _, err = run_main(monkeypatch, capsys, ["assess", "--json", str(tmp_path / "none.json")], "")
    assert code == 2 and "cannot read" in err and err.count("\n") == 1


def test_unknown_command_is_bad_input(monkeypatch, capsys):
    code, _, err = run_main(monkeypatch, capsys, ["judge", "--json", "-"], "{}")
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1


def test_the_module_runs_as_a_program(tmp_path):
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"employees": 12, "turnover_eur": 3e6, "balance_sheet_eur": 1e6}))
    done = subprocess.run([sys.executable, "-m", "bot", "sme", "--json", str(profile)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and json.loads(done.stdout)["category"] == "small"
    bad = subprocess.run([sys.executable, "-m", "bot", "assess", "--json", "-"], input='{"companies": -1}',
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and bad.stderr == "error: companies: must be 0 or more, not -1\n"


@pytest.mark.parametrize("language", ["en", "nb"])
def test_the_rulebook_cites_every_rule_and_marks_every_interpretation(capsys, language):
    """Every rule's requirement is shown with its quoted sentence; every reading beyond the text, of a rule, a
    partner or the list of countries, appears marked as an interpretation."""
    assert main(["rules", "--language", language]) == 0
    book = capsys.readouterr().out
    marker = {"en": "*Interpretation:*", "nb": "*Tolkning:*"}[language]
    interpretations = 0
    for call in catalogue().calls:
        for rule in call.rules:
            assert f"(`{rule.id}`)" in book and f"«{rule.source.quote}»" in book
            interpretations += rule.interpretation is not None
        interpretations += sum(partner.interpretation is not None for partner in call.partners.values())
        interpretations += call.participating_countries is not None
    assert book.count(marker) == interpretations > 0


def test_the_rulebook_refuses_an_unknown_language(capsys):
    assert main(["rules", "--language", "de"]) == 2
    assert capsys.readouterr().err.strip() == "error: language: 'de' is not one of nb, en"
