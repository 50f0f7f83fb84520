"""Staff's command line:
  python -m records report [--since DATE] [--csv FILE]        what staff should know about the recorded checks
  python -m records purge [--days N]                          delete what is older than the retention
  python -m records export checks|unanswered|handoffs --csv FILE   ('-' for standard output)
  python -m records export reviews --out FILE                 reviewed turns as test cases (YAML, tests/cases/people)
  python -m records backup [--file FILE | --directory DIR [--keep N]]   conversations and records, to one file
  python -m records restore FILE                              into an empty database (records/backup.py)

Settings (DATABASE_URL, KLYNGEBOT_RETENTION_DAYS, KLYNGEBOT_HASH_KEY) come from the environment or .env.
Bad input exits with status 2 and one line on standard error; never a traceback.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Optional, Sequence

from sqlalchemy.exc import SQLAlchemyError

from bot.cli import EXIT_BAD_INPUT, OneLineParser, UsageError
from bot.cli.input import parse_iso_date
from bot.resources import DEFAULT_LANGUAGE, LANGUAGES, RETENTION_VARIABLE
from bot.saying.messages import message
from bot.saying.spreadsheet import write_csv
from bot.rules.profile import InvalidInput
from records.checks import report, report_rows
from records.backup import BACKUPS_KEPT, backup, backup_into, restore
from records.export import EXPORTS
from records.retention import purge, retention
from records.review import cases_yaml, review_cases
from records.store import VAR_DIR, RecordsError, connect, database_url
from records.words import call_name, rule_text

DEFAULT_BACKUPS = VAR_DIR / "backups"


REVIEWS = "reviews"  # not a CSV: test cases in tests/cases/people/'s YAML (records/review.py)


def _report(since: Optional[str], csv_path: Optional[str], language: str) -> str:
    """Staff's view of the recorded checks, in words: verdicts per call, the rules that most often block, budgets.
    The CSV keeps the ids, for a spreadsheet to sort by."""
    day = parse_iso_date(since, "--since") if since else None
    result = report(connect(), day)
    if csv_path:
        try:
            with open(csv_path, "w", newline="", encoding="utf-8") as handle:
                write_csv(report_rows(result), handle)
        except OSError as error:
            raise UsageError(f"cannot write {csv_path}: {error.strerror}") from None
    today = dt.date.today()
    lines = [message("staff.report.checks_since" if day else "staff.report.checks", language, count=result.checks,
                     users=result.users, since=day)]
    for call, counts in sorted(result.verdicts.items()):
        lines.append(f"  {call_name(call, language)}: " + ", ".join(
            f"{message(f'verdict.{verdict}', language)} {count}" for verdict, count in sorted(counts.items())))
    lines.append(message("staff.report.blocking", language))
    blocking = [(failed.split(":", 1), count) for failed, count in result.failing_rules[:10]]
    lines += [f"  {count:>5}  {call_name(call, language)}: {rule_text(call, rule, language, today)}"
              for (call, rule), count in blocking] or [f"  {message('staff.report.none', language)}"]
    budgets = result.budget_summary()
    lines.append(message("staff.report.no_budgets", language) if budgets is None else message(
        "staff.report.budgets", language, count=budgets["count"], low=budgets["min"], median=budgets["median"],
        high=budgets["max"]))
    return "\n".join(lines)


def _purge(days: Optional[int]) -> str:
    if days is not None and days < 1:
        raise UsageError(f"--days: {days} is not 1 or more")
    keep = dt.timedelta(days=days) if days is not None else retention()
    now = dt.datetime.now(dt.timezone.utc)
    deleted = purge(connect(), keep, now)
    return (f"Deleted what was kept from before {(now - keep).isoformat(timespec='seconds')} ({keep.days} days): "
            f"{deleted['checks']} check(s), {deleted['unanswered']} unanswered question(s), "
            f"{deleted['handoffs']} request(s) for a person, {deleted['flags']} flag(s), {deleted['reviews']} "
            f"review(s), {deleted['events']} conversation event(s).")


def _export(kind: str, path: str) -> str:
    if kind == REVIEWS:
        cases = review_cases(connect())
        written, count = (lambda handle: handle.write(cases_yaml(cases))), len(cases)
    else:
        rows = EXPORTS[kind](connect())
        written, count = (lambda handle: write_csv(rows, handle)), len(rows) - 1
    if path == "-":
        written(sys.stdout)
        return ""
    try:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            written(handle)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
    return f"{count} {kind} row(s) written to {path}"


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} row(s) of {table}" for table, count in counts.items()) or "no tables"


def _backup(file: Optional[str], directory: Optional[str], keep: int) -> str:
    if file:
        return f"Backed up {_counted(backup(database_url(), Path(file)))} to {file}"
    path, counts, removed = backup_into(Path(directory) if directory else DEFAULT_BACKUPS, database_url(), keep)
    return f"Backed up {_counted(counts)} to {path}; deleted {len(removed)} older backup(s), keeping {keep}"


def _restore(file: str) -> str:
    return f"Restored {_counted(restore(database_url(), Path(file)))} from {file}"


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="python -m records", description="What Klyngebot keeps for staff.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    report_command = commands.add_parser("report", help="what staff should know about the recorded checks")
    report_command.add_argument("--since", metavar="DATE", help="only checks from this date (YYYY-MM-DD)")
    report_command.add_argument("--csv", metavar="FILE", help="also write the report as CSV")
    report_command.add_argument("--language", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
                                help=f"the report's language (default: {DEFAULT_LANGUAGE})")
    purge_command = commands.add_parser("purge", help="delete everything older than the retention")
    purge_command.add_argument("--days", type=int, metavar="N",
                               help=f"keep the last N days (default: {RETENTION_VARIABLE}, else 90)")
    export_command = commands.add_parser("export", help="one CSV row per check, unanswered question or request; "
                                                        "the reviewed turns as test cases (YAML)")
    export_command.add_argument("kind", choices=sorted([*EXPORTS, REVIEWS]))
    export_command.add_argument("--csv", "--out", dest="out", required=True, metavar="FILE",
                                help="where to write ('-': standard output)")
    backup_command = commands.add_parser("backup", help="every conversation and record, to one gzip'd file")
    where = backup_command.add_mutually_exclusive_group()
    where.add_argument("--file", metavar="FILE", help="the file to write")
    where.add_argument("--directory", metavar="DIR",
                       help=f"a file named by the time in DIR (default {DEFAULT_BACKUPS}), the oldest beyond --keep deleted")
    backup_command.add_argument("--keep", type=int, default=BACKUPS_KEPT, metavar="N",
                                help=f"how many backups DIR keeps (default {BACKUPS_KEPT})")
    restore_command = commands.add_parser("restore", help="a backup, into a database that holds nothing yet")
    restore_command.add_argument("file", metavar="FILE")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        arguments = build_parser().parse_args(argv)
        if arguments.command == "report":
            output = _report(arguments.since, arguments.csv, arguments.language)
        elif arguments.command == "purge":
            output = _purge(arguments.days)
        elif arguments.command == "backup":
            output = _backup(arguments.file, arguments.directory, arguments.keep)
        elif arguments.command == "restore":
            output = _restore(arguments.file)
        else:
            output = _export(arguments.kind, arguments.out)
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        print(f"error: cannot use the records database: {' '.join(str(cause).split())}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (UsageError, InvalidInput, RecordsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if output:
        print(output)
    return 0
