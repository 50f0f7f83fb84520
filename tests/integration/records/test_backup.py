"""`make backup` and `make restore` (python -m records backup/restore, records/backup.py): a round trip through
the file loses nothing, on SQLite, on PostgreSQL and from one to the other; every conversation as Rasa reads it and
every record are the same afterwards. A damaged file or a database that already holds something restores nothing;
nightly backups keep the newest N; bad input is one line and status 2."""
from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import subprocess
import sys

import pytest
import sqlalchemy
from sqlalchemy import func, select
from sqlalchemy.schema import CreateTable

from bot.rules.engine import assess
from bot.rules.profile import make_profile
from records.backup import TABLES, backup, backup_into, restore
from records.checks import record_check
from records.cli import main as records_main
from records.handoffs import record_handoff
from records.questions import record_question
from records.review import Review, keep_review, record_flag
from records.identity import HASH_KEY_VARIABLE, sender_hash
from records.sessions import open_session
from records.store import RecordsError, connect, rasa_events, utc
from records.unanswered import record_unanswered
from tests.services import postgres_database

SENDERS = ["slack:U0123ABC", "web:5f1c9e.aa", "rest:ø-sender"]
MOMENT = dt.datetime(2026, 3, 1, 12, 0, 30, 123456, tzinfo=dt.timezone.utc)
DAY = dt.date(2015, 6, 1)


@pytest.fixture
def make_database(tmp_path):
    """Makes an empty database of a kind, SQLite (each in its own directory, with its own key file) or PostgreSQL."""
    made = []

    def make(kind: str) -> str:
        if kind == "sqlite":
            directory = tmp_path / f"db{len(made)}"
            directory.mkdir()
            made.append(None)
            return f"sqlite:///{directory / 'klyngebot.db'}"
        context = postgres_database()
        made.append(context)
        return context.__enter__()

    yield make
    for context in made:
        if context is not None:
            context.__exit__(None, None, None)


def rasa_store(url: str):
    """Rasa's own SQL tracker store on the database, as deploy/rasa_config.py configures it."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    parsed = sqlalchemy.engine.make_url(url)
    return SQLTrackerStore(Domain.empty(), dialect=parsed.drivername, host=parsed.host, port=parsed.port,
                           db=parsed.database, username=parsed.username)


def converse(url: str) -> None:
    """Conversations through Rasa's store and records of each kind through records/, with what JSON and the
    databases could get wrong: non-ASCII, microseconds, nested JSON, nulls, a consent without contact details."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    store = rasa_store(url)
    for number, sender in enumerate(SENDERS):
        tracker = DialogueStateTracker(sender, [])
        moment = MOMENT.timestamp() + number
        tracker.update(UserUttered(f"kan vi søke? «{number}»", intent={"name": "ask", "confidence": 0.93},
                                   timestamp=moment))
        tracker.update(SlotSet("dialogue", {"facts": {"companies": 3 + number}, "asked": None}, timestamp=moment + 0.5))
        tracker.update(BotUttered("Hvor mange bedrifter er dere?", timestamp=moment + 0.75))
        tracker.update(ActionExecuted("action_listen", timestamp=moment + 1))
        asyncio.run(store.save(tracker))
    engine = connect(url)
    for number, sender in enumerate(SENDERS):
        facts = {"applicant": "company", "companies": 4 + number, "smes": 1, "budget_nok": 500000.5}
        record_check(engine, assess(make_profile(facts, date=DAY, language="nb")), "rest", sender, MOMENT)
        record_unanswered(engine, f"hva med «{number}»?", "nb", "webchat", sender, MOMENT + dt.timedelta(minutes=number))
    record_handoff(engine, "Kari Nordmann", "kari@example.no", "nb", "slack", SENDERS[0], "budsjett", consent=True,
                   when=MOMENT)
    record_handoff(engine, None, None, "en", "rest", SENDERS[1], consent=False, when=MOMENT)
    record_question(engine, "deadline", "answered", "nb", "rest", SENDERS[0], MOMENT)
    record_flag(engine, "said", "det stemmer ikke", "nb", "rest", SENDERS[0], MOMENT)
    keep_review(engine, Review(sender_hash(engine, SENDERS[0]), 1, fact="companies", value=3), MOMENT)
    open_session(engine, dt.datetime.now(dt.timezone.utc))
    engine.dispose()


def everything(url: str) -> dict:
    """Every row of every table in the database (as it finds them, not as the backup lists them), moments in UTC,
    and every conversation as Rasa reads it back."""
    engine = connect(url)
    found = sqlalchemy.MetaData()
    found.reflect(engine)
    with engine.connect() as connection:
        rows = {table.name: [tuple(utc(value) if isinstance(value, dt.datetime) else value for value in row)
                             for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
                for table in found.sorted_tables}
    engine.dispose()
    store = rasa_store(url)
    conversations = {sender: [event.as_dict() for event in asyncio.run(store.retrieve(sender)).events]
                     for sender in SENDERS}
    return {"rows": rows, "conversations": conversations}


@pytest.mark.parametrize("source_kind, target_kind", [("sqlite", "sqlite"), ("postgresql", "postgresql"),
                                                      ("sqlite", "postgresql")])
def test_a_round_trip_loses_nothing(make_database, tmp_path, monkeypatch, source_kind, target_kind):
    pytest.importorskip("rasa")
    if "postgresql" in (source_kind, target_kind):
        monkeypatch.setenv(HASH_KEY_VARIABLE, "a-backup-test-key-that-is-long-enough-0123")
    else:
        monkeypatch.delenv(HASH_KEY_VARIABLE, raising=False)  # each SQLite database's own key file, then
    source, target = make_database(source_kind), make_database(target_kind)
    converse(source)
    before = everything(source)
    assert set(before["rows"]) == {table.name for table in TABLES} | {"klyngebot_schema"}
    assert all(before["rows"].values()), "every table has rows to lose"
    assert all(len(events) == 4 for events in before["conversations"].values())
    path = tmp_path / "klyngebot.jsonl.gz"
    counts = backup(source, path)
    assert counts == {name: len(rows) for name, rows in before["rows"].items() if name != "klyngebot_schema"}
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # personal data, and maybe the key
    assert restore(target, path) == counts
    assert everything(target) == before
    # the same senders hash the same way, so "delete my data" still finds their records
    assert sender_hash(connect(target), SENDERS[0]) == sender_hash(connect(source), SENDERS[0])
    # new rows after a restore get ids of their own (PostgreSQL's sequences moved past the restored ones)
    record_unanswered(connect(target), "etter gjenoppretting", "nb", "rest", SENDERS[0])
    from rasa.shared.core.events import UserUttered
    tracker = asyncio.run(rasa_store(target).retrieve(SENDERS[0]))
    tracker.update(UserUttered("og en til"))
    asyncio.run(rasa_store(target).save(tracker))
    assert len(asyncio.run(rasa_store(target).retrieve(SENDERS[0])).events) == 5


def test_the_events_table_is_declared_as_rasa_makes_it():
    """records/ declares Rasa's events table so as to import no Rasa; a restore makes it as Rasa would."""
    pytest.importorskip("rasa")
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy.dialects import postgresql, sqlite
    rasas = SQLTrackerStore.SQLEvent.__table__
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert str(CreateTable(rasa_events).compile(dialect=dialect)) == str(CreateTable(rasas).compile(dialect=dialect))
    assert [(index.name, [column.name for column in index.columns]) for index in rasa_events.indexes] == \
        [(index.name, [column.name for column in index.columns]) for index in rasas.indexes]


def test_a_damaged_backup_restores_nothing(make_database, tmp_path, monkeypatch):
    monkeypatch.delenv(HASH_KEY_VARIABLE, raising=False)
    source, target = make_database("sqlite"), make_database("sqlite")
    engine = connect(source)
    for number in range(50):
        record_unanswered(engine, f"spørsmål {number} " + "x" * 200, "nb", "rest", f"rest:{number}")
    path = tmp_path / "backup.jsonl.gz"
    backup(source, path)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(RecordsError, match="damaged or cut short"):
        restore(target, cut)
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    short = tmp_path / "short.jsonl.gz"
    short.write_bytes(gzip.compress(("\n".join(lines[:-1]) + "\n").encode()))  # whole lines, one missing
    with pytest.raises(RecordsError, match="nothing was restored"):
        restore(target, short)
    with connect(target).connect() as connection:
        assert connection.execute(select(func.count()).select_from(TABLES[2])).scalar_one() == 0


def test_a_database_that_holds_something_is_not_restored_into(make_database, tmp_path, monkeypatch):
    monkeypatch.delenv(HASH_KEY_VARIABLE, raising=False)
    source, target = make_database("sqlite"), make_database("sqlite")
    record_unanswered(connect(source), "fra kopien", "nb", "rest", "rest:a")
    record_unanswered(connect(target), "allerede her", "nb", "rest", "rest:b")
    backup(source, tmp_path / "backup.jsonl.gz")
    with pytest.raises(RecordsError, match="already holds 1 row"):
        restore(target, tmp_path / "backup.jsonl.gz")


def test_nightly_backups_keep_the_newest(make_database, tmp_path, monkeypatch):
    monkeypatch.delenv(HASH_KEY_VARIABLE, raising=False)
    url = make_database("sqlite")
    directory = tmp_path / "backups"
    made = [backup_into(directory, url, keep=3, now=MOMENT + dt.timedelta(days=day))[0] for day in range(5)]
    assert sorted(directory.iterdir()) == made[2:]
    assert made[0].name == "klyngebot-20260301T120030Z.jsonl.gz"
    assert not list(directory.glob(".*")), "no partial file left behind"


def test_make_backup_and_restore_run_the_command_line():
    planned = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.installed", "backup", "restore",
                              "FILE=x.jsonl.gz"], capture_output=True, text=True, check=True).stdout.splitlines()
    assert ".venv/bin/python -m records backup --file x.jsonl.gz" in planned
    assert ".venv/bin/python -m records restore x.jsonl.gz" in planned
    default = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.installed", "backup"],
                             capture_output=True, text=True, check=True).stdout.splitlines()
    assert ".venv/bin/python -m records backup" in default


@pytest.fixture
def records_cli(monkeypatch, capsys):
    def run(arguments, url):
        monkeypatch.setenv("DATABASE_URL", url)
        code = records_main(arguments)
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


@pytest.mark.parametrize("arguments, expected", [
    (["restore", "{tmp}/none.jsonl.gz"], "error: no backup file "),
    (["restore", "{tmp}/not-gzip.jsonl.gz"], "error: "),
    (["restore"], "error: the following arguments are required: FILE"),
    (["backup", "--keep", "0"], "error: --keep: 0 is not 1 or more"),
    (["backup", "--file", "{tmp}/a.gz", "--directory", "{tmp}"], "error: argument --directory: not allowed with"),
    (["backup", "--file", "/no/such/dir/a.jsonl.gz"], "error: cannot write /no/such/dir/a.jsonl.gz"),
])
def test_bad_input_is_one_line_and_status_2(tmp_path, records_cli, monkeypatch, arguments, expected):
    monkeypatch.delenv(HASH_KEY_VARIABLE, raising=False)
    (tmp_path / "not-gzip.jsonl.gz").write_text("hello")
    code, out, err = records_cli([argument.format(tmp=tmp_path) for argument in arguments],
                                 f"sqlite:///{tmp_path / 'klyngebot.db'}")
    assert code == 2 and out == "" and err.startswith(expected) and err.count("\n") == 1, err


def test_the_command_line_backs_up_and_restores(tmp_path, monkeypatch):
    """As an operator runs it, in its own processes: one line each, saying what went where."""
    monkeypatch.delenv(HASH_KEY_VARIABLE, raising=False)
    source, target = (f"sqlite:///{tmp_path / name / 'klyngebot.db'}" for name in ("a", "b"))
    record_unanswered(connect(source), "hei", "nb", "rest", "rest:a")

    def run(arguments, url):
        return subprocess.run([sys.executable, "-m", "records", *arguments], capture_output=True, text=True,
                              env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, timeout=60)

    done = run(["backup", "--directory", str(tmp_path / "backups")], source)
    assert done.returncode == 0 and done.stdout.count("\n") == 1 and "1 row(s) of klyngebot_unanswered" in done.stdout
    file = next((tmp_path / "backups").iterdir())
    done = run(["restore", str(file)], target)
    assert done.returncode == 0 and done.stdout.startswith("Restored ") and "1 row(s) of klyngebot_unanswered" in done.stdout
