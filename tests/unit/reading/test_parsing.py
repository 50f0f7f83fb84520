"""Amounts, counts and yes/no as people type them (tests/cases/parsing.yaml)."""
import datetime as dt
from fractions import Fraction

import pytest

from bot.reading.user_answers import read_answer
from bot.reading.statements import facts_in
from bot.reading.numbers import ParseError, is_hedge, parse_amount, parse_count, parse_yes_no
from tests.cases import load_cases

TABLE = load_cases("parsing")


def ids(rows):
    return [row["text"] or "<empty>" for row in rows]


@pytest.mark.parametrize("row", TABLE["amounts"], ids=ids(TABLE["amounts"]))
def test_amount(row):
    amount = parse_amount(row["text"])
    assert amount.value == Fraction(str(row["value"]))
    assert amount.currency == row.get("currency")


@pytest.mark.parametrize("row", TABLE["counts"], ids=ids(TABLE["counts"]))
def test_count(row):
    assert parse_count(row["text"], allow_zero=row.get("allow_zero", False)) == row["value"]


@pytest.mark.parametrize("row", TABLE["yes_no"], ids=ids(TABLE["yes_no"]))
def test_yes_no(row):
    assert parse_yes_no(row["text"]) is row["value"]


@pytest.mark.parametrize("row", TABLE["hedges"], ids=ids(TABLE["hedges"]))
def test_thinking_aloud_is_no_answer(row):
    assert is_hedge(row["text"]) is row["hedge"]


REFUSED = ([(parse_amount, row) for row in TABLE["bad_amounts"]] + [(parse_count, row) for row in TABLE["bad_counts"]]
           + [(parse_yes_no, {**row, "code": "not_yes_no"}) for row in TABLE["bad_yes_no"]])


@pytest.mark.parametrize("parse, row", REFUSED, ids=[f"{parse.__name__}:{row['text'] or '<empty>'}" for parse, row in REFUSED])
def test_what_cannot_be_read_is_refused_with_its_reason(parse, row):
    with pytest.raises(ParseError) as raised:
        parse(row["text"])
    assert raised.value.code == row["code"]


@pytest.mark.parametrize("row", TABLE["statements"], ids=ids(TABLE["statements"]))
def test_facts_stated_in_free_text(row):
    statement = facts_in(row["text"], row.get("known", {}), dt.date(2026, 11, 24))
    assert dict(statement.facts) == row["facts"]
    assert sorted(statement.inferred) == row.get("inferred", [])
    assert {fact: portion.kind for fact, portion in statement.portions.items()} == row.get("portions", {})
    assert dict(statement.deltas) == row.get("deltas", {})


@pytest.mark.parametrize("row", TABLE["answers"], ids=ids(TABLE["answers"]))
def test_an_answer_to_the_question_about_a_fact(row):
    answer = read_answer(row["fact"], row["text"], row.get("known", {}), dt.date(2026, 11, 24), row.get("options", ()))
    assert (answer.value, answer.problem) == (row.get("value"), row.get("problem"))
