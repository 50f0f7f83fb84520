"""Properties over the whole input space (hypothesis): the grant's bounds and monotonicity, and that no
input makes the engine or the parsers raise anything but their own validation error."""
import datetime as dt
import json
import time

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogue.message import MAX_CHARS, Message
from bot.dialogue.respond import respond
from bot.dialogue.state import Conversation
from bot.rules.catalogue import catalogue
from bot.rules.engine import assess, max_grant
from bot.saying.verdicts import explain
from bot.reading.numbers import ParseError, parse_amount, parse_count, parse_yes_no
from bot.rules.facts import facts
from bot.cli.input import classify_sme_json, profile_from_json
from bot.rules.profile import InvalidInput
from bot.rules.sme import Enterprise, Figures, Holding, classify
from bot.rules.sme_definition import CATEGORIES, RELATIONSHIPS, UNKNOWN
from bot.saying.sme import sme_reason_texts

DAY = dt.date(2015, 6, 1)
budgets = st.floats(min_value=0.01, max_value=1e12, allow_nan=False)


@given(budget=budgets)
def test_the_grant_never_exceeds_the_ceiling_or_the_aid_intensity(budget):
    for call in catalogue().calls:
        figures = call.figures(DAY)
        grant = max_grant(call, figures, budget)
        if grant is not None:
            assert grant <= figures[call.ceiling]
            assert grant <= budget * figures[call.intensity]
            assert grant >= (figures[call.floor] if call.floor else 0)


@given(low=budgets, high=budgets)
def test_the_grant_never_falls_as_the_budget_rises(low, high):
    low, high = sorted((low, high))
    for call in catalogue().calls:
        figures = call.figures(DAY)
        smaller, larger = max_grant(call, figures, low), max_grant(call, figures, high)
        if smaller is not None:
            assert larger is not None and larger >= smaller


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=10)
field_names = st.sampled_from(list(facts()) + ["date", "language", "stray"])
profiles = st.dictionaries(field_names, json_values | st.sampled_from(["NO", "SE", "nce", "company", "training"]),
                           max_size=8)


@settings(max_examples=400)
@given(data=profiles | json_values)
def test_any_json_either_assesses_or_is_refused_with_invalid_input(data):
    try:
        profile, _ = profile_from_json(data, DAY)
    except InvalidInput:
        return
    explained = explain(assess(profile))
    json.dumps(explained)
    assert {item["verdict"] for item in explained["calls"]} <= {"eligible", "not_eligible", "unknown"}


sme_holdings = st.lists(st.dictionaries(
    st.sampled_from(["share_pct", "voting_pct", "direction", "holder", "employees", "turnover_eur", "turnover_nok",
                     "balance_sheet_eur", "large", "controls", "involved_in_management", "investment_eur",
                     "budget_eur", "inhabitants", "y"]),
    json_values | st.sampled_from(["owned", "owner", "enterprise", "public_body", "business_angel", "local_authority",
                                   "university", 30, 60, 24.9]), max_size=6), max_size=3)
sme_inputs = st.dictionaries(
    st.sampled_from(["employees", "turnover_eur", "turnover_nok", "balance_sheet_eur", "balance_sheet_nok",
                     "large_owner_pct", "previous", "previous_category", "accounts_year", "date", "language", "x"]),
    json_values | st.sampled_from(["micro", "large", 2017, 2030, "2019-05-01"]), max_size=7)


@settings(max_examples=300, deadline=None)  # speed is for `make bench`, not a timed assertion
@given(data=sme_inputs, holdings=st.none() | sme_holdings | json_values)
def test_any_sme_input_classifies_or_is_refused(data, holdings):
    if holdings is not None:
        data = {**data, "holdings": holdings}
    try:
        result, language = classify_sme_json(data, DAY)
    except InvalidInput:
        return
    assert result.category in (*CATEGORIES, None) and result.sme in (True, False, None)
    assert all(holding.relationship in (*RELATIONSHIPS, UNKNOWN) for holding in result.holdings)
    assert all(text.strip() for text in sme_reason_texts(result, language))


# The Recommendation's Article 2 table, written here from the text, not read from the code's data.
ARTICLE_2 = (("micro", 10, 2_000_000, 2_000_000), ("small", 50, 10_000_000, 10_000_000),
             ("medium", 250, 50_000_000, 43_000_000))
staff = st.integers(0, 300) | st.sampled_from([9, 10, 49, 50, 249, 250]) | st.floats(0, 300)
money = st.floats(0, 1e8) | st.sampled_from([2e6, 2e6 + 1, 10e6, 10e6 + 1, 43e6, 43e6 + 1, 50e6, 50e6 + 1])


@settings(deadline=None)
@given(employees=staff, turnover=money, balance=money)
def test_an_autonomous_enterprise_is_classified_by_the_article_2_table(employees, turnover, balance):
    expected = next((name for name, below, turnover_max, balance_max in ARTICLE_2
                     if employees < below and (turnover <= turnover_max or balance <= balance_max)), "large")
    result = classify(Enterprise(Figures(employees, turnover, balance)), DAY)
    assert (result.category, result.sme) == (expected, expected != "large")


@settings(deadline=None)
@given(own=st.tuples(staff, money, money), other=st.tuples(staff, money, money),
       share=st.floats(25, 100), controls=st.booleans(), direction=st.sampled_from(["owned", "owner"]))
def test_a_partner_or_linked_enterprise_never_makes_the_figures_smaller(own, other, share, controls, direction):
    alone = classify(Enterprise(Figures(*own)), DAY)
    together = classify(Enterprise(Figures(*own), holdings=(
        Holding(share_pct=share, direction=direction, figures=Figures(*other), controls=controls),)), DAY)
    assert together.holdings[0].relationship in ("partner", "linked")
    assert all(joint.low >= single.low for joint, single in zip(together.figures, alone.figures))
    assert CATEGORIES.index(together.category) >= CATEGORIES.index(alone.category)


@settings(max_examples=600)
@given(text=st.text(max_size=60) | st.from_regex(r"[-\d .,kmr€a-zæøå]{0,30}", fullmatch=True))
def test_the_parsers_raise_only_their_own_error(text):
    for parse in (parse_amount, parse_count, parse_yes_no):
        try:
            parse(text)
        except ParseError:
            pass


asked_facts = {name: fact for name, fact in facts().items() if fact.asked}


def fact_values(fact):
    kinds = {
        "bool": st.booleans(), "count": st.integers(0, 12), "amount": st.integers(1, 3_000_000),
        "enum": st.sampled_from(fact.values or ("x",)), "enum_list": st.lists(st.sampled_from(fact.values or ("x",)), max_size=3),
        "countries": st.lists(st.sampled_from(["NO", "SE", "DK", "US", "FI"]), max_size=3, unique=True),
        "country_counts": st.dictionaries(st.sampled_from(["NO", "SE", "DK"]), st.integers(0, 6), max_size=3),
    }
    return kinds[fact.type]


project_facts = st.fixed_dictionaries({}, optional={name: fact_values(fact) for name, fact in asked_facts.items()})


@settings(max_examples=300)
@given(facts_given=project_facts, day=st.sampled_from(["2015-06-01", "2026-11-24"]),
       askers=st.lists(st.sampled_from(facts()["asker"].values), min_size=2, max_size=2))
def test_who_is_asking_never_changes_a_verdict(facts_given, day, askers):
    """The verdict is about the project: the same project gets the same verdict whoever asks."""
    try:
        profiles = [profile_from_json({**facts_given, "date": day, "asker": asker}, DAY)[0] for asker in askers]
    except InvalidInput:
        return  # facts that contradict each other (more SMEs than companies) are refused whoever asks
    first, second = (assess(profile) for profile in profiles)
    assert [(item.verdict, item.max_grant_nok, [r.ok for r in item.results]) for item in first.calls] == \
           [(item.verdict, item.max_grant_nok, [r.ok for r in item.results]) for item in second.calls]
    assert (first.best_fit and first.best_fit.call.id) == (second.best_fit and second.best_fit.call.id)


# --- work per message ------------------------------------------------------------------------------------------------

# Texts that reach every reader: numbers (the readers once re-scanned the text at each one, so time grew with the
# square of the length), counts with nouns, money, yes/no, negations, what-ifs, countries, programmes, and plain text.
REPEATED = ["1 ", "1,5 ", "4 bedrifter og 2 SMB-er, ", "400 000 kr ", "€ 100 000 ", "ja nei ", "ikke ",
            "hvis vi var 5 ", "Norge Sverige Danmark ", "NCE Arena ", "a", "We are 4 companies, 2 SMEs. ",
            "glem den svenske partneren ", "vi kan data og de kan "]
STATES = [Conversation(), Conversation(task="check")]


def _cpu_seconds(text: str, state: Conversation) -> float:
    """The best of three runs of a whole turn (every reader, the interview, the replies), in CPU time so that other
    work on the machine does not count."""
    message = Message(text, intent="inform", confidence=0.9)
    times = []
    for _ in range(3):
        start = time.process_time()
        respond(state, message, DAY)
        times.append(time.process_time() - start)
    return min(times)


@pytest.mark.parametrize("unit", REPEATED)
def test_doubling_a_message_at_most_doubles_the_work(unit):
    """Linear in the text, so the longest message read (MAX_CHARS) bounds one message's cost. Measured over two
    doublings, up to twice the longest message, so that a reader quadratic in the text shows (16 times the work, where
    a linear one does 4) even where its linear part dominates at these lengths; 6, not 4, leaves room for timer noise."""
    short, long = ((unit * (length // len(unit) + 1))[:length] for length in (MAX_CHARS // 2, 2 * MAX_CHARS))
    for state in STATES:
        assert _cpu_seconds(long, state) <= 6 * _cpu_seconds(short, state) + 0.01, (unit, state.task)
