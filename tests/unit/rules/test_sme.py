"""The EU SME definition (tests/cases/sme.yaml), the goal-driven questions (tests/cases/sme_questions.yaml),
direct questions with their own figures, the words, and exchange rates by year."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reading.numbers import parse_amount, parse_count, parse_number, parse_yes_no
from bot.resources import LANGUAGES
from bot.rules.money import accounts_rate, budget_rate, exchange_rates, rate_of_year, stand_in_drift_per_year
from bot.cli.input import classify_sme_json
from bot.rules.sme import classify, classify_stated
from bot.rules.sme_definition import CATEGORIES, holder_kinds, sme_rules
from bot.rules.sme_questions import enterprise_from_facts, sme_questions_asked, sme_step
from bot.saying.messages import message, message_text
from bot.saying.money import converted_to_eur, rate_text
from bot.saying.sme import sme_choice, sme_question, sme_reason_texts, sme_verdict
from tests.cases import hand_worked

DAY = dt.date(2026, 11, 24)
ROWS = hand_worked("sme")
STEPS = hand_worked("sme_questions")


@pytest.mark.parametrize("row", ROWS, ids=[row["name"] for row in ROWS])
def test_the_definition_case_by_case(row):
    result, _ = classify_sme_json(row["input"], DAY)
    assert (result.category, result.sme) == (row["category"], row["sme"])
    assert any(row["article"] in reason.values.get("article", "") for reason in result.reasons), \
        [reason.values for reason in result.reasons]
    if "relationships" in row:
        assert [holding.relationship for holding in result.holdings] == row["relationships"]
    if "figures" in row:
        figures = dict(zip(("employees", "turnover_eur", "balance_sheet_eur"), (span.exact for span in result.figures)))
        assert figures == pytest.approx(row["figures"])
    if "rate_year" in row:
        assert [rate.year for rate in result.exchange_rates] == [row["rate_year"]]
    for language in LANGUAGES:  # every reason of every case has its words in both languages
        assert all(text.strip() for text in sme_reason_texts(result, language))


@pytest.mark.parametrize("row", STEPS, ids=[row["name"] for row in STEPS])
def test_the_next_question_is_the_one_that_can_still_change_the_verdict(row):
    step = sme_step(row["known"], DAY)
    if "needed" in row:
        assert step.result is None and list(step.needed) == row["needed"]
    else:
        assert step.needed == () and step.result.decided
        assert step.result.sme is row["sme"]
        assert step.result.category == row.get("category", step.result.category)


# A whole enterprise, every fact the questions can ask known: what a user would answer.
enterprises = st.fixed_dictionaries({
    "employees": st.integers(0, 400), "turnover_eur": st.sampled_from([0, 1.5e6, 2e6, 9e6, 10e6, 12e6, 49e6, 50e6, 80e6]),
    "balance_sheet_eur": st.sampled_from([0, 1e6, 2e6, 9e6, 10e6, 11e6, 43e6, 44e6]),
    "holding": st.booleans(), "holding_direction": st.sampled_from(["owned", "owner"]),
    "holder_kind": st.sampled_from(holder_kinds()), "holding_pct": st.sampled_from([25, 30, 50, 51, 100]),
    "angel_investment_eur": st.sampled_from([1e5, 1.25e6]), "authority_budget_eur": st.sampled_from([5e6, 2e7]),
    "authority_inhabitants": st.sampled_from([4999, 5000]), "holder_controls": st.booleans(),
    "holder_in_management": st.booleans(), "other_employees": st.integers(0, 400),
    "other_turnover_eur": st.sampled_from([0, 5e6, 60e6]), "other_balance_sheet_eur": st.sampled_from([0, 5e6, 50e6])})


@settings(max_examples=40, deadline=None)
@given(truth=enterprises)
def test_answering_the_questions_in_order_reaches_the_verdict_of_the_whole_truth(truth):
    known: dict = {}
    for _ in range(len(sme_questions_asked()) + 1):
        step = sme_step(known, DAY)
        if step.result is not None:
            break
        assert step.needed and step.needed[0] not in known
        known[step.needed[0]] = truth[step.needed[0]]
    else:
        pytest.fail(f"no verdict after asking {list(known)}")
    whole = classify(enterprise_from_facts(truth), DAY)
    assert whole.decided and step.result.outcomes == whole.outcomes


def test_every_question_has_words_a_reader_and_its_choices():
    readers = {"count": parse_count, "amount": parse_amount, "percent": parse_number, "yes_no": parse_yes_no}
    for question in sme_questions_asked():
        assert question.type in (*readers, "choice"), question
        assert question.type != "choice" or question.values
        for language in LANGUAGES:
            assert sme_question(question.fact, language, DAY).strip()
            assert all(sme_choice(question.fact, value, language) for value in question.values)
    assert "25%" in sme_question("holding", "en", DAY) and "25\u00a0%" in sme_question("holding", "nb", DAY)


def test_every_threshold_names_its_article():
    rules = sme_rules()
    assert [name for name, _ in rules.categories] == list(CATEGORIES[:3])
    assert all(rules.category_articles[name].startswith("2(") for name, _ in rules.categories)
    assert all(article.startswith("3(") for article, _ in rules.holdings.values())
    assert all(article.startswith("3(2)(") for article, _ in rules.investors.values())


def test_a_question_with_its_own_figures_is_answered_in_one_go():
    medium = classify_stated(employees=120, turnover_eur=60e6, balance_sheet_eur=40e6, day=DAY)
    assert (medium.category, medium.sme) == ("medium", True)
    text = sme_verdict(medium, "en")
    assert text.startswith("**medium-sized enterprise** – SME: yes.")
    assert "balance-sheet total of EUR 40,000,000 is not above EUR 43,000,000" in text and "(Art. 2(1))" in text
    assert "Read as an autonomous enterprise" in text
    large = classify_stated(employees=300, day=DAY)
    assert (large.category, large.sme) == ("large", False)
    assert "300 employees is not fewer than 250, the limit for a medium-sized enterprise (Art. 2(1))" in sme_verdict(large, "en")
    # a figure the question leaves out stays unknown: 40 employees alone do not decide
    assert classify_stated(employees=40, day=DAY).sme is None


def test_the_reasons_in_norwegian():
    result, language = classify_sme_json({"employees": 8, "turnover_eur": 5e5, "balance_sheet_eur": 5e5,
                                          "holdings": [{"share_pct": 25, "holder": "public_body"}],
                                          "language": "nb"}, DAY)
    texts = sme_reason_texts(result, language)
    assert texts[0] == ("Offentlige myndigheter eier 25\u00a0% av kapitalen eller stemmene, alene eller sammen; "
                        "fra 25\u00a0% er foretaket ikke en SMB (art. 3(4))")
    assert sme_verdict(result, language).startswith("**mikrobedrift** – SMB: nei.")


def test_a_holding_whose_figures_are_missing_says_so_instead_of_guessing():
    result, _ = classify_sme_json({"employees": 8, "turnover_eur": 5e5, "balance_sheet_eur": 5e5,
                                   "holdings": [{"share_pct": 30}]}, DAY)
    assert (result.category, result.sme) == (None, None)
    text = sme_verdict(result, "en")
    assert text.startswith("**Not decided yet**")
    assert "The owner's own figures (employees, turnover and balance-sheet total) are needed" in text
    assert "Only enterprises directly above or below yours are counted" in text


# --- exchange rates -------------------------------------------------------------------------------------

def test_each_rate_is_keyed_by_its_year_with_its_source():
    rates = exchange_rates()
    assert [rate.year for rate in rates] == sorted({rate.year for rate in rates})
    assert all(rate.nok_per_eur > 0 and "Norges Bank" in rate.source for rate in rates)


def test_the_rate_of_the_accounts_year_and_the_nearest_published_one_otherwise():
    assert accounts_rate(DAY, 2017).nok_per_eur == 9.3270  # data/exchange_rates.yaml: 2017
    assert accounts_rate(DAY, 2018).year == 2018
    assert accounts_rate(dt.date(2020, 3, 1)).year == 2019  # the last full year before the date
    assert accounts_rate(DAY).year == 2024  # 2025 is not in the data: the latest year that is
    assert rate_of_year(2010).year == 2015  # before every year in the data: the earliest
    assert budget_rate(dt.date(2019, 6, 1)).year == 2018  # the latest year before the date
    assert budget_rate(DAY).to_nok(1000) == pytest.approx(11629)


def test_a_conversion_names_its_rate_and_year():
    rate = rate_of_year(2019)
    assert rate_text(rate, "en") == "9.85 NOK per euro, Norges Bank's average for 2019"
    assert rate_text(rate, "nb") == "9,85 kr per euro, Norges Banks gjennomsnittskurs for 2019"
    assert converted_to_eur(45e6, rate, "en") == ("I converted NOK 45,000,000 to EUR 4,568,018 at 9.85 NOK per euro, "
                                                 "Norges Bank's average for 2019.")
    result, _ = classify_sme_json({"employees": 30, "turnover_nok": 480e6, "balance_sheet_nok": 480e6,
                                   "accounts_year": 2017}, DAY)
    assert sme_reason_texts(result, "en")[0] == ("Amounts in kroner are converted at 9.33 NOK per euro, "
                                                 "Norges Bank's average for 2017")


def test_the_previous_period_is_converted_at_its_own_year():
    result, _ = classify_sme_json({"employees": 30, "turnover_nok": 1e6, "balance_sheet_nok": 1e6,
                                   "accounts_year": 2019, "previous": {"employees": 30, "turnover_nok": 1e6,
                                                                       "balance_sheet_nok": 1e6}}, DAY)
    assert [rate.year for rate in result.exchange_rates] == [2019, 2018]


def test_every_message_the_rules_can_give_has_both_languages():
    for path in ("sme.verdict", "sme.verdict_not_sme", "sme.verdict_undecided", "money.rate"):
        assert message_text(path)


def test_the_command_line_prints_relationships_figures_and_the_rate(monkeypatch, capsys):
    import io
    import json
    import sys

    from bot.cli import main

    data = {"employees": 20, "turnover_nok": 40e6, "balance_sheet_nok": 40e6, "accounts_year": 2019,
            "holdings": [{"share_pct": 30, "employees": 100, "turnover_eur": 1e6, "balance_sheet_eur": 1e6}],
            "date": "2026-11-24", "language": "en"}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(data)))
    assert main(["sme", "--json", "-"]) == 0
    printed = json.loads(capsys.readouterr().out)
    # 20 + 0.3 x 100 = 50 staff: not small; 40 M NOK / 9.8511 = 4 060 460 EUR + 300 000 = 4 360 460 EUR
    assert (printed["category"], printed["sme"]) == ("medium", True)
    assert printed["holdings"] == [{"relationship": "partner", "counted_pct": 30.0}]
    assert printed["figures"]["employees"] == 50
    assert printed["figures"]["turnover_eur"] == pytest.approx(4_360_460, abs=1)
    assert [(rate["year"], rate["nok_per_eur"]) for rate in printed["exchange_rates"]] == [(2019, 9.8511)]
    assert printed["reasons"][0].startswith("Amounts in kroner are converted at 9.85 NOK per euro")


# --- a year whose average is not in the data ------------------------------------------------------------

# The case: 2014 accounts in kroner. At 2015's 8.95 the figures fit a medium-sized enterprise; at 2014's own
# average, some 7 % lower, both financial figures are over the medium limits.
NEAR_THE_MEDIUM_LIMITS_IN_2014 = {"employees": 100, "turnover_nok": 430e6, "balance_sheet_nok": 370e6,
                                  "date": "2015-06-01", "language": "en"}


def test_a_missing_year_is_never_replaced_silently():
    missing = min(rate.year for rate in exchange_rates()) - 1
    rate = rate_of_year(missing)
    assert (rate.stands_in_for, rate.year) == (missing, missing + 1)
    assert rate_of_year(rate.year).stands_in_for is None  # a year's own average stands in for nothing
    assert rate_text(rate, "en").endswith(f"standing in for {missing}, whose average is not in the bot's data")
    assert f"for {missing}" in rate_text(rate, "nb")


def test_the_drift_kept_in_data_covers_every_year_on_year_change_of_the_rates():
    """The margin a stand-in rate is given must be at least what a year's average has moved from the one before."""
    rates = exchange_rates()
    for before, after in zip(rates, rates[1:]):
        change = max(after.nok_per_eur / before.nok_per_eur, before.nok_per_eur / after.nok_per_eur) ** (
            1 / (after.year - before.year))
        assert change - 1 <= stand_in_drift_per_year(), (before.year, after.year)


def test_near_a_limit_a_stand_in_rate_leaves_the_answer_not_decided(monkeypatch, capsys):
    import io
    import json
    import sys

    from bot.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(NEAR_THE_MEDIUM_LIMITS_IN_2014)))
    assert main(["sme", "--json", "-"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["category"], printed["sme"]) == (None, None)
    rate, = printed["exchange_rates"]
    assert (rate["year"], rate["stands_in_for"]) == (2015, 2014) and "not in the bot's data" in rate["why"]
    assert "standing in for 2014" in printed["reasons"][0]
    assert printed["reasons"][1].startswith("Not decided until Norges Bank's average for 2014 is known")


def test_far_from_a_limit_a_stand_in_rate_decides_and_says_so():
    result, _ = classify_sme_json({**NEAR_THE_MEDIUM_LIMITS_IN_2014, "employees": 5, "turnover_nok": 1e6,
                                   "balance_sheet_nok": 1e6}, DAY)
    assert (result.category, result.sme) == ("micro", True)
    assert [(rate.year, rate.stands_in_for) for rate in result.exchange_rates] == [(2015, 2014)]
    assert "standing in for 2014" in sme_reason_texts(result, "en")[0]


def test_with_its_own_years_rate_the_same_figures_are_decided():
    result, _ = classify_sme_json({**NEAR_THE_MEDIUM_LIMITS_IN_2014, "accounts_year": 2015}, DAY)
    assert (result.category, result.sme) == ("medium", True)


def test_the_chat_too_leaves_a_stand_in_answer_near_a_limit_not_decided():
    from tests.unit.dialogue.test_conversation import Chat

    chat = Chat(day=DAY, language="en")  # accounts of 2025, whose average is not in the data
    reply = chat.say("Are we an SME? 100 employees, NOK 580 million turnover, NOK 500 million balance sheet",
                     "check_sme")
    assert "standing in for 2025" in reply
    assert message("sme.verdict_undecided", "en") in reply, reply
    far = Chat(day=DAY, language="en").say("Are we an SME? 5 employees, NOK 2 million turnover", "check_sme")
    assert "**micro enterprise** – SME: yes." in far and "standing in for 2025" in far


def test_kroner_within_their_maximum_are_read_whichever_way_a_stand_in_rate_drifts():
    rate = rate_of_year(2014)
    most = next(question.maximum for question in sme_questions_asked() if question.fact == "turnover_eur")
    just_under = {**NEAR_THE_MEDIUM_LIMITS_IN_2014, "turnover_nok": rate.to_nok(most) * 0.999}
    result, _ = classify_sme_json(just_under, DAY)  # refused at neither end of the drift
    assert result.exchange_rates[0].stands_in_for == 2014
