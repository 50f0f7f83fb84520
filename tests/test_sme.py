"""The EU SME definition at its boundaries (tests/cases/sme.yaml)."""
import datetime as dt

import pytest

from bot.rules.money import nok_per_eur, nok_to_eur
from bot.rules.sme import classify_sme_json
from bot.saying.sme import sme_reason_texts
from tests.cases import load_cases

ROWS = load_cases("sme")


@pytest.mark.parametrize("row", ROWS, ids=[row["name"] for row in ROWS])
def test_category(row):
    result, _ = classify_sme_json(row["input"], dt.date(2026, 11, 24))
    assert (result.category, result.sme) == (row["category"], row["sme"])
    assert result.reasons


def test_reasons_explain_an_ownership_disqualification_in_norwegian():
    result, language = classify_sme_json({"employees": 8, "turnover_eur": 5e5, "balance_sheet_eur": 5e5,
                                          "large_owner_pct": 40, "language": "nb"}, dt.date(2026, 11, 24))
    assert sme_reason_texts(result, language)[-1].startswith("40 % eies av et stort foretak")


def test_nok_is_converted_at_the_rate_in_the_data():
    day = dt.date(2026, 11, 24)
    assert nok_to_eur(nok_per_eur(day) * 2_000_000, day) == pytest.approx(2_000_000)
