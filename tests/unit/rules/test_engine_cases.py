"""The engine against its table of cases (tests/cases/assess.yaml)."""
import datetime as dt

import pytest

from bot.resources import fold
from bot.rules.catalogue import SOURCES_DIR, catalogue
from bot.rules.engine import assess
from bot.saying.verdicts import explain
from bot.cli.input import profile_from_json
from tests.cases import hand_worked

CASES = hand_worked("assess")
CALL_IDS = [call.id for call in catalogue().calls]
TODAY = dt.date(2026, 11, 24)


def check_call(explained_call: dict, expected: dict) -> None:
    for key in ("verdict", "status", "missing"):
        if key in expected:
            assert explained_call[key] == expected[key], key
    if "max_grant_nok" in expected:
        assert explained_call["max_grant_nok"] == expected["max_grant_nok"]
    if "failing" in expected:
        failing = [reason["rule"] for reason in explained_call["reasons"] if reason["ok"] is False]
        assert failing == expected["failing"]


def check_assessment(explained: dict, expected: dict) -> None:
    by_call = {item["call"]: item for item in explained["calls"]}
    for call_id in CALL_IDS:
        if call_id in expected:
            check_call(by_call[call_id], expected[call_id])
    if "best_fit" in expected:
        assert explained["best_fit"] == expected["best_fit"]
    if "next_facts" in expected:
        assert explained["next_facts"] == expected["next_facts"]


def profile_of(case, language="nb"):
    profile, _ = profile_from_json({**case["profile"], "language": language}, TODAY)
    return profile


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
@pytest.mark.parametrize("language", ["nb", "en"])
def test_case(case, language):
    check_assessment(explain(assess(profile_of(case, language))), case["expect"])


CALL_TEXTS = fold(" ".join(path.read_text(encoding="utf-8") for path in SOURCES_DIR.glob("*.txt")))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_each_case_names_a_sentence_of_the_call_texts(case):
    assert fold(case["rests_on"]) in CALL_TEXTS


def test_every_rule_is_seen_both_passing_and_failing_in_the_table():
    seen = {(call.id, rule.id): set() for call in catalogue().calls for rule in call.rules}
    for case in CASES:
        for item in assess(profile_of(case)).calls:
            for result in item.results:
                seen[(item.call.id, result.rule.id)].add(result.ok)
    assert {key: outcomes for key, outcomes in seen.items() if not {True, False} <= outcomes} == {}


def test_every_reason_cites_its_call_text_and_every_failure_says_how_to_pass():
    for case in CASES:
        for language in ("nb", "en"):
            explained = explain(assess(profile_of(case, language)))
            for item in explained["calls"]:
                source_file = catalogue().call(item["call"]).source_file
                for reason in item["reasons"]:
                    assert reason["source"].startswith(source_file) and "«" in reason["source"]
                    assert reason["text"] and "{" not in reason["text"]
                    assert ("fix" in reason) == (reason["ok"] is False)
                    if reason["ok"] is False:
                        assert reason["fix"] and "{" not in reason["fix"]


def test_the_fix_names_what_is_short():
    profile, _ = profile_from_json({"date": "2015-06-01", "applicant": "cluster_organisation",
                                    "budget_nok": 150000, "countries": ["NO", "SE", "US"],
                                    "smes_per_country": {"NO": 1, "SE": 3}, "language": "en"}, TODAY)
    reasons = {reason["rule"]: reason for reason in explain(assess(profile))["calls"][1]["reasons"]}
    assert reasons["norwegian_funding_floor"]["fix"] == ("The lowest funding is NOK 100,000, and Innovation Norway covers "
                                                         "at most 50%: raise the Norwegian budget to at least NOK 200,000.")
    assert reasons["smes_from_each_country"]["fix"] == ("At least 3 SMEs must take part from each participating "
                                                         "country; short from: Norway (+2).")
    alone, _ = profile_from_json({"date": "2015-06-01", "countries": ["NO"], "language": "nb"}, TODAY)
    reasons = {reason["rule"]: reason for reason in explain(assess(alone))["calls"][1]["reasons"]}
    assert reasons["enough_countries"]["fix"].startswith("Finn 1 klynge-/nettverkspartner")
    short_profile, _ = profile_from_json({"companies": 4, "smes": 1, "language": "nb"}, TODAY)
    reasons = {reason["rule"]: reason for reason in explain(assess(short_profile))["calls"][0]["reasons"]}
    assert reasons["half_are_smes"]["fix"].startswith("Minst 50\u00a0% av deltakerne må være SMB-er, og det mangler 1")


def test_summary_speaks_the_profiles_language():
    profile = {"date": "2026-11-24", "cluster_programme": "nce", "initiator_in_cluster": True, "companies": 3,
               "smes": 2, "foreign_companies": 0, "public_or_research_partners": False, "independent": True,
               "complementary": True, "early_phase": True, "budget_nok": 500000}
    english = explain(assess(profile_from_json({**profile, "language": "en"}, TODAY)[0]))["summary"]
    norwegian = explain(assess(profile_from_json({**profile, "language": "nb"}, TODAY)[0]))["summary"]
    assert english == "Best fit: Innovasjonsrammen (the Innovation Framework) (eligible). Up to NOK 250,000 for your budget."
    assert norwegian == "Best egnet: Innovasjonsrammen (oppfyller kravene). Inntil 250\u00a0000 kr for budsjettet deres."


def test_a_closed_call_is_never_the_best_fit_but_the_summary_says_it_would_have_fitted():
    profile, _ = profile_from_json({"date": "2026-11-24", "cluster_programme": "none", "countries": ["NO", "SE"],
                                    "smes_per_country": {"NO": 3, "SE": 3}, "activities": ["training"],
                                    "budget_nok": 400000, "language": "en"}, TODAY)
    explained = explain(assess(profile))
    assert explained["best_fit"] is None
    assert explained["summary"] == ("None of the calls open for applications fits the project as described so far. "
                                    "BSR Innovation Express 2015 would have fitted, but its deadline was "
                                    "30 October 2015.")


def test_status_text_gives_the_calls_dates():
    closed = explain(assess(profile_from_json({"date": "2026-11-24", "language": "en"}, TODAY)[0]))
    assert closed["calls"][1]["status_text"] == "closed (opened 1 May 2015, deadline was 30 October 2015)"
    upcoming = explain(assess(profile_from_json({"date": "2015-01-01", "language": "nb"}, TODAY)[0]))
    assert upcoming["calls"][1]["status_text"] == "ikke åpnet ennå (åpner 1. mai 2015, frist 30. oktober 2015)"


def test_assess_takes_the_reference_date_over_the_profiles():
    profile, _ = profile_from_json({"date": "2015-06-01"}, TODAY)
    assert assess(profile, today=dt.date(2016, 1, 1)).for_call("innovation_express_2015").status == "closed"
