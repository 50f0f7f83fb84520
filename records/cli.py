"""Staff's command line: `python -m records report [--since DATE] [--csv FILE]`.

Bad input exits with status 2 and one line on standard error; never a traceback.
"""
from __future__ import annotations

import csv
import sys
from typing import Optional, Sequence

from sqlalchemy.exc import SQLAlchemyError

from bot.cli import EXIT_BAD_INPUT, OneLineParser, UsageError
from bot.rules.profile import InvalidInput, parse_iso_date
from records.checks import connect, report, report_rows


def _report(since: Optional[str], csv_path: Optional[str]) -> str:
    """Staff's view of the recorded checks: verdicts per call, the most common failing rules, budgets."""
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


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="python -m records", description="What Klyngebot keeps for staff.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    report_command = commands.add_parser("report", help="what staff should know about the recorded checks")
    report_command.add_argument("--since", metavar="DATE", help="only checks from this date (YYYY-MM-DD)")
    report_command.add_argument("--csv", metavar="FILE", help="also write the report as CSV")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        arguments = build_parser().parse_args(argv)
        print(_report(arguments.since, arguments.csv))
    except (UsageError, InvalidInput) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
