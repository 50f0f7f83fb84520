"""Command line: `python -m bot assess|sme --json FILE` ('-' reads standard input), and
`python -m bot report [--since DATE] [--csv FILE]` for staff.

Bad input exits with status 2 and one line on standard error that names the field; never a traceback.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from typing import Any, Callable, Optional, Sequence

from bot.engine import assess, explain
from bot.profile import InvalidInput, parse_iso_date, profile_from_json
from bot.sme import classify_sme_json

EXIT_BAD_INPUT = 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print the usage too; one line is the contract
        raise UsageError(message)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _read_json(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        raise UsageError(f"{path}: invalid JSON: {error}") from None


def _assess(data: Any, today: dt.date) -> dict:
    return explain(assess(profile_from_json(data, today)))


def _sme(data: Any, today: dt.date) -> dict:
    return classify_sme_json(data, today).as_dict()


COMMANDS: dict[str, Callable[[Any, dt.date], dict]] = {"assess": _assess, "sme": _sme}


def _report(since: Optional[str], csv_path: Optional[str]) -> str:
    """Staff's view of the recorded checks: verdicts per call, the most common failing rules, budgets."""
    from sqlalchemy.exc import SQLAlchemyError  # SQLAlchemy is loaded only when a report is asked for

    from bot.storage import connect, report, report_rows

    day = parse_iso_date(since, "--since") if since else None
    try:
        result = report(connect(), day)
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        raise UsageError(f"cannot read the checks database: {' '.join(str(cause).split())}") from None
    if csv_path:
        try:
            with open(csv_path, "w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerows(report_rows(result))
        except OSError as error:
            raise UsageError(f"cannot write {csv_path}: {error.strerror}") from None
    lines = [f"Checks: {result.checks}" + (f" since {day.isoformat()}" if day else "")]
    for call, counts in sorted(result.verdicts.items()):
        lines.append(f"  {call}: " + ", ".join(f"{verdict} {count}" for verdict, count in sorted(counts.items())))
    lines.append("Most common failing rules:")
    lines += [f"  {count:>5}  {rule}" for rule, count in result.failing_rules[:10]] or ["  none"]
    budgets = result.budget_summary()
    lines.append("Budgets asked about: " + ("none" if budgets is None else
                 f"{budgets['count']} (min NOK {budgets['min']:,.0f}, median NOK {budgets['median']:,.0f}, "
                 f"max NOK {budgets['max']:,.0f})"))
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot", description="Klyngebot's eligibility engine.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, help_text in (("assess", "assess a profile against every call"),
                            ("sme", "classify an enterprise after the EU SME definition")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--json", required=True, metavar="FILE", help="the input object ('-' for stdin)")
    report_command = commands.add_parser("report", help="what staff should know about the recorded checks")
    report_command.add_argument("--since", metavar="DATE", help="only checks from this date (YYYY-MM-DD)")
    report_command.add_argument("--csv", metavar="FILE", help="also write the report as CSV")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        arguments = build_parser().parse_args(argv)
        if arguments.command == "report":
            print(_report(arguments.since, arguments.csv))
            return 0
        result = COMMANDS[arguments.command](_read_json(arguments.json), dt.date.today())
    except (UsageError, InvalidInput) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
