"""Command line: `python -m bot assess|sme --json FILE` ('-' reads standard input), and
`python -m bot prioritise FILE [--format markdown|csv|xlsx] [--output FILE] [--scale MIN-MAX] [--language nb|en]
[--date YYYY-MM-DD]` (FILE a CSV, Excel .xlsx or YAML file of proposals, see docs/prioritise.md).

Bad input exits with status 2 and one line on standard error that names the field (for prioritise: the row and
the field); never a traceback.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any, Callable, Optional, Sequence

from bot.cli.input import (UsageError, classify_sme_json, drafts_from_csv, drafts_from_yaml, parse_iso_date,
                           parse_language, profile_from_json, read_json, read_text)
from bot.cli.xlsx import XLSX, drafts_from_xlsx, is_workbook, workbook_bytes
from bot.rules.catalogue import catalogue
from bot.rules.engine import assess
from bot.rules.prioritise import InvalidProposal, Scale, prioritise, prioritised_calls, weighted_criteria
from bot.rules.profile import InvalidInput
from bot.rules.sme_definition import SME_FIGURES
from bot.saying.messages import message
from bot.saying.money import why_standing_in
from bot.saying.prioritise import markdown, spreadsheet_rows
from bot.saying.spreadsheet import csv_text
from bot.saying.rulebook import rulebook
from bot.saying.sme import sme_reason_texts
from bot.saying.verdicts import explain

EXIT_BAD_INPUT = 2
FORMATS = ("markdown", "csv", "xlsx")  # of the ranking


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print the usage too; one line is the contract
        raise UsageError(message)


def _assess(data: Any, today: dt.date) -> dict:
    profile, ignored = profile_from_json(data, today)
    result = explain(assess(profile))
    if ignored:
        result["warnings"] = [message("cli.ignored_field", profile.language, field=name) for name in ignored]
    return result


def _sme(data: Any, today: dt.date) -> dict:
    result, language = classify_sme_json(data, today)
    return {"category": result.category, "sme": result.sme, "reasons": sme_reason_texts(result, language),
            "holdings": [{"relationship": holding.relationship, "counted_pct": holding.counted_pct}
                         for holding in result.holdings],
            "figures": {name: span.exact for name, span in zip(SME_FIGURES, result.figures)},
            "exchange_rates": [{"year": rate.year, "nok_per_eur": rate.nok_per_eur, "source": rate.source,
                                "stands_in_for": rate.stands_in_for,
                                "why": why_standing_in(rate, language) if rate.stands_in_for is not None else None}
                               for rate in result.exchange_rates]}


COMMANDS: dict[str, Callable[[Any, dt.date], dict]] = {"assess": _assess, "sme": _sme}


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m bot", description="Klyngebot's eligibility engine.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for name, help_text in (("assess", "assess a profile against every call"),
                            ("sme", "classify an enterprise after the EU SME definition")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--json", required=True, metavar="FILE", help="the input object ('-' for stdin)")
    command = commands.add_parser("prioritise", help="rank a cluster's proposals and say which to send")
    command.add_argument("file", metavar="FILE", help="the proposals, a .csv, .xlsx or .yaml file (docs/prioritise.md)")
    command.add_argument("--format", choices=FORMATS, help="markdown, csv or xlsx (by the --output file's suffix, "
                                                           "else markdown)")
    command.add_argument("--output", metavar="FILE", help="write the ranking to FILE (standard output)")
    command.add_argument("--scale", default="1-6", metavar="MIN-MAX", help="the cluster's scoring scale (1-6)")
    command.add_argument("--language", default="nb", help="nb or en")
    command.add_argument("--date", metavar="YYYY-MM-DD", help="the reference date (today)")
    command = commands.add_parser("rules", help="every call's figures, dates and rules with their sources, as "
                                                "markdown (docs/rules.md)")
    command.add_argument("--language", default="en", help="nb or en")
    return parser


def _prioritise(arguments: argparse.Namespace, today: dt.date) -> str | bytes:
    language = parse_language(arguments.language, default="nb")
    day = parse_iso_date(arguments.date, "--date") if arguments.date else today
    scale = Scale.parse(arguments.scale)
    calls = prioritised_calls(catalogue())
    if len(calls) != 1:
        raise UsageError(f"{len(calls)} calls have weighted criteria; prioritise needs exactly one")
    criteria = [criterion.id for criterion in weighted_criteria(calls[0])]
    path = arguments.file
    form = output_format(arguments)
    if is_workbook(path) or path.lower().endswith(XLSX):
        drafts, origins = drafts_from_xlsx(path, criteria)
    elif path.lower().endswith(".csv"):
        drafts, origins = drafts_from_csv(read_text(path), criteria)
    elif path.lower().endswith((".yaml", ".yml")):
        drafts, origins = drafts_from_yaml(read_text(path))
    else:
        raise UsageError(f"{path}: must be a .csv, .xlsx, .yaml or .yml file")
    try:
        result = prioritise(drafts, calls[0], scale, day)
    except InvalidProposal as error:
        raise UsageError(f"{origins[error.index]}, {error.field}: {error.reason}") from None
    if form == "xlsx":
        return workbook_bytes(spreadsheet_rows(result, language), message("prioritise.sheet", language))
    if form == "csv":  # a proposal's name is the cluster's, but may begin like a formula all the same
        return csv_text(spreadsheet_rows(result, language))
    return markdown(result, language)


def output_format(arguments: argparse.Namespace) -> str:
    """--format, or the one the --output file's suffix names; a workbook is no text for a terminal."""
    suffix = (arguments.output or "").lower().rsplit(".", 1)[-1]
    form = arguments.format or (suffix if suffix in FORMATS[1:] else "markdown")
    if form == "xlsx" and not arguments.output:
        raise UsageError("--format xlsx: give the workbook's file with --output FILE.xlsx")
    return form


def _write(content: str | bytes, path: Optional[str]) -> None:
    if path is None:
        sys.stdout.write(content if isinstance(content, str) else content.decode())
        return
    try:
        with open(path, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        arguments = build_parser().parse_args(argv)
        if arguments.command == "prioritise":
            _write(_prioritise(arguments, dt.date.today()), arguments.output)
            return 0
        if arguments.command == "rules":
            sys.stdout.write(rulebook(parse_language(arguments.language, default="en"), dt.date.today()) + "\n")
            return 0
        result = COMMANDS[arguments.command](read_json(arguments.json), dt.date.today())
    except (UsageError, InvalidInput) as error:
        # one line whatever the input held: a field name read from a JSON key or a CSV cell may hold line breaks
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_BAD_INPUT
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
