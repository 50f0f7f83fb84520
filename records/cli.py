"""Staff's command line:
  python -m records report [--since DATE] [--csv FILE]        what staff should know about the recorded checks
  python -m records purge [--days N]                          delete what is older than the retention
  python -m records export checks|unanswered|handoffs --csv FILE   ('-' for standard output)
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
from bot.resources import RETENTION_VARIABLE
from bot.rules.profile import InvalidInput
from records.checks import report, report_rows
from records.backup import BACKUPS_KEPT, backup, backup_into, restore
from records.export import EXPORTS, write_csv
from records.retention import purge, retention
from records.store import VAR_DIR, RecordsError, connect, database_url

DEFAULT_BACKUPS = VAR_DIR / "backups"


def _report(since: Optional[str], csv_path: Optional[str]) -> str:
    """Staff's view of the recorded checks: verdicts per call, the most common failing rules, budgets."""
    day = parse_iso_date(since, "--since") if since else None
    result = report(connect(), day)
    if csv_path:
        try:
            with open(csv_path, "w", newline="", encoding="utf-8") as handle:
                write_csv(report_rows(result), handle)
        except OSError as error:
            raise UsageError(f"cannot write {csv_path}: {error.strerror}") from None
    lines = [f"Checks: {result.checks}" + (f" since {day.isoformat()}" if day else "") + f", by {result.users} users"]
    for call, counts in sorted(result.verdicts.items()):
        lines.append(f"  {call}: " + ", ".join(f"{verdict} {count}" for verdict, count in sorted(counts.items())))
    lines.append("Most common failing rules:")
    lines += [f"  {count:>5}  {rule}" for rule, count in result.failing_rules[:10]] or ["  none"]
    budgets = result.budget_summary()
    lines.append("Budgets asked about: " + ("none" if budgets is None else
                 f"{budgets['count']} (min NOK {budgets['min']:,.0f}, median NOK {budgets['median']:,.0f}, "
                 f"max NOK {budgets['max']:,.0f})"))
    return "\n".join(lines)


def _purge(days: Optional[int]) -> str:
    if days is not None and days < 1:
        raise UsageError(f"--days: {days} is not 1 or more")
    keep = dt.timedelta(days=days) if days is not None else retention()
    now = dt.datetime.now(dt.timezone.utc)
    deleted = purge(connect(), keep, now)
    return (f"Deleted what was kept from before {(now - keep).isoformat(timespec='seconds')} ({keep.days} days): "
            f"{deleted['checks']} check(s), {deleted['unanswered']} unanswered question(s), "
            f"{deleted['handoffs']} request(s) for a person, {deleted['events']} conversation event(s).")


def _export(kind: str, csv_path: str) -> str:
    rows = EXPORTS[kind](connect())
    if csv_path == "-":
        write_csv(rows, sys.stdout)
        return ""
    try:
        with open(csv_path, "w", newline="", encoding="utf-8") as handle:
            write_csv(rows, handle)
    except OSError as error:
        raise UsageError(f"cannot write {csv_path}: {error.strerror}") from None
    return f"{len(rows) - 1} {kind} row(s) written to {csv_path}"


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
    purge_command = commands.add_parser("purge", help="delete everything older than the retention")
    purge_command.add_argument("--days", type=int, metavar="N",
                               help=f"keep the last N days (default: {RETENTION_VARIABLE}, else 90)")
    export_command = commands.add_parser("export", help="one CSV row per check, unanswered question or request")
    export_command.add_argument("kind", choices=sorted(EXPORTS))
    export_command.add_argument("--csv", required=True, metavar="FILE", help="where to write ('-': standard output)")
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
            output = _report(arguments.since, arguments.csv)
        elif arguments.command == "purge":
            output = _purge(arguments.days)
        elif arguments.command == "backup":
            output = _backup(arguments.file, arguments.directory, arguments.keep)
        elif arguments.command == "restore":
            output = _restore(arguments.file)
        else:
            output = _export(arguments.kind, arguments.csv)
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
