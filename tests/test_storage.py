"""Completed checks in SQLite and in PostgreSQL, and staff's report of them."""
import csv
import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.rules.engine import assess
from bot.rules.profile import make_profile
from records.checks import checks, connect, record_check, report
from tests.services import postgres_database

DAY = dt.date(2015, 6, 1)
PROFILES = [
    {"applicant": "company", "companies": 4, "smes": 1, "budget_nok": 500000},
    {"applicant": "company", "companies": 3, "smes": 1, "budget_nok": 200000},
    {"applicant": "cluster_organisation", "countries": ["NO"], "budget_nok": 150000},
]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'checks.db'}"
    else:
        with postgres_database() as url:
            yield url


def record_all(url, when=None):
    engine = connect(url)
    for facts in PROFILES:
        record_check(engine, assess(make_profile(facts, date=DAY, language="nb")), "rest", when)
    return engine


def test_a_check_is_stored_without_anything_but_the_projects_facts(database_url):
    engine = record_all(database_url)
    with engine.connect() as connection:
        row = connection.execute(select(checks).order_by(checks.c.id)).first()
    assert row.facts == PROFILES[0] and row.channel == "rest" and row.language == "nb"
    assert row.verdicts == {"innovasjonsrammen": "not_eligible", "innovation_express_2015": "not_eligible"}
    assert "innovasjonsrammen:half_are_smes" in row.failing
    assert set(checks.c.keys()) == {"id", "created_at", "channel", "language", "facts", "verdicts", "failing",
                                    "best_fit", "max_grant_nok", "budget_nok"}


def test_the_report_counts_verdicts_failing_rules_and_budgets(database_url):
    result = report(record_all(database_url))
    assert result.checks == 3
    assert result.verdicts["innovasjonsrammen"] == {"not_eligible": 3}
    assert result.failing_rules[0] == ("innovasjonsrammen:half_are_smes", 2) or \
        result.failing_rules[0][1] == 3
    assert result.budget_summary() == {"count": 3, "min": 150000, "median": 200000, "max": 500000}


def test_the_report_can_start_at_a_date(database_url):
    engine = record_all(database_url, when=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert report(engine, since=dt.date(2026, 1, 2)).checks == 0
    assert report(engine, since=dt.date(2025, 12, 31)).checks == 3


def test_connecting_twice_keeps_the_data(database_url):
    record_all(database_url)
    assert report(connect(database_url)).checks == 3


def run_cli(arguments, url):
    return subprocess.run([sys.executable, "-m", "records", "report", *arguments], capture_output=True, text=True,
                          env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, timeout=60)


def test_the_report_command_prints_and_writes_csv(tmp_path):
    url = f"sqlite:///{tmp_path / 'checks.db'}"
    record_all(url)
    done = run_cli(["--csv", str(tmp_path / "report.csv")], url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Checks: 3"
    assert "innovasjonsrammen: not_eligible 3" in done.stdout
    assert "Budgets asked about: 3 (min NOK 150,000, median NOK 200,000, max NOK 500,000)" in done.stdout
    rows = list(csv.reader(open(tmp_path / "report.csv", encoding="utf-8")))
    assert rows[0] == ["section", "key", "value"] and ["checks", "total", "3"] in rows


def test_the_report_command_refuses_bad_input_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'checks.db'}"
    for arguments, expected in ((["--since", "2026-02-30"], "error: --since: "),
                                (["--csv", str(tmp_path / "no" / "such" / "dir.csv")], "error: cannot write")):
        done = run_cli(arguments, url)
        assert done.returncode == 2 and done.stderr.startswith(expected) and done.stderr.count("\n") == 1, done.stderr
    unreachable = run_cli([], "postgresql://postgres@127.0.0.1:1/none")
    assert unreachable.returncode == 2 and unreachable.stderr.startswith("error: cannot read the checks database")
    assert unreachable.stderr.count("\n") == 1 and "Traceback" not in unreachable.stderr
