"""Command line: `python -m bot assess|sme --json FILE` ('-' reads standard input), and
`python -m bot prioritise FILE [--format markdown|csv] [--scale MIN-MAX] [--language nb|en] [--date YYYY-MM-DD]`
(FILE a CSV or YAML file of proposals, see docs/prioritise.md).

Bad input exits with status 2 and one line on standard error that names the field (for prioritise: the row and
the field); never a traceback.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
from typing import Any, Callable, Mapping, Optional, Sequence

import yaml

from bot.reading.numbers import ParseError, parse_number, parse_yes_no
from bot.rules.catalogue import catalogue
from bot.rules.engine import assess
from bot.rules.facts import facts
from bot.rules.prioritise import (InvalidProposal, ProposalDraft, Scale, prioritise, prioritised_calls,
                                  weighted_criteria)
from bot.rules.profile import InvalidInput, parse_iso_date, parse_language, profile_from_json
from bot.rules.sme import SME_FIGURES, classify_sme_json
from bot.saying.messages import message
from bot.saying.prioritise import csv_rows, markdown
from bot.saying.rulebook import rulebook
from bot.saying.sme import sme_reason_texts
from bot.saying.verdicts import explain

EXIT_BAD_INPUT = 2


class UsageError(Exception):
    pass


class OneLineParser(argparse.ArgumentParser):
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
            "exchange_rates": [{"year": rate.year, "nok_per_eur": rate.nok_per_eur, "source": rate.source}
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
    command.add_argument("file", metavar="FILE", help="the proposals, a .csv or .yaml file (docs/prioritise.md)")
    command.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    command.add_argument("--scale", default="1-6", metavar="MIN-MAX", help="the cluster's scoring scale (1-6)")
    command.add_argument("--language", default="nb", help="nb or en")
    command.add_argument("--date", metavar="YYYY-MM-DD", help="the reference date (today)")
    command = commands.add_parser("rules", help="every call's figures, dates and rules with their sources, as "
                                                "markdown (docs/rules.md)")
    command.add_argument("--language", default="en", help="nb or en")
    return parser


# --- prioritise: proposals from a CSV or YAML file -----------------------------------------------------

def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig") as handle:  # -sig: spreadsheets often start with a BOM
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None


def _cell_value(kind: str, text: str, where: str) -> Any:
    """A CSV cell as the fact's or score's type: numbers and yes/no read as the bot reads them in chat."""
    try:
        if kind in ("count", "amount", "score"):
            number = parse_number(text)
            return int(number) if number.denominator == 1 else float(number)
        if kind == "bool":
            return parse_yes_no(text)
    except ParseError:
        expected = "ja/nei or yes/no" if kind == "bool" else "a number"
        raise UsageError(f"{where}: {text!r} is not {expected}") from None
    if kind in ("enum_list", "countries"):
        return [item.strip().lower() for item in text.split(";") if item.strip()]
    if kind == "country_counts":
        raise UsageError(f"{where}: cannot be given in a CSV file; use YAML")
    return text.lower()


def _drafts_from_csv(text: str, criteria: Sequence[str]) -> tuple[list[ProposalDraft], list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    columns = [column.strip().lower() for column in next(reader, [])]
    kinds = {name: fact.type for name, fact in facts().items()}
    kinds.update({criterion: "score" for criterion in criteria})
    for column in columns:
        if column != "name" and column not in kinds:
            raise UsageError(f"line 1, column {column!r}: is not name, a fact of facts.yaml or a criterion "
                             f"({', '.join(criteria)})")
    if "name" not in columns:
        raise UsageError("line 1: there is no column 'name'")
    drafts, origins = [], []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        where = f"line {reader.line_num}"
        if len(cells) > len(columns):
            raise UsageError(f"{where}: {len(cells)} cells under {len(columns)} columns")
        row = dict(zip(columns, (cell.strip() for cell in cells)))
        where = f"{where} ({row.get('name', '')})"
        values = {column: _cell_value(kinds[column], text, f"{where}, {column}")
                  for column, text in row.items() if column != "name" and text}
        drafts.append(ProposalDraft(name=row.get("name", ""),
                                    facts={key: value for key, value in values.items() if key not in criteria},
                                    scores={key: value for key, value in values.items() if key in criteria}))
        origins.append(where)
    return drafts, origins


def _drafts_from_yaml(text: str) -> tuple[list[ProposalDraft], list[str]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UsageError(f"invalid YAML: {' '.join(str(error).split())}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("proposals"), list):
        raise UsageError("the file needs a list `proposals:`")
    shared = data.get("facts") or {}
    if not isinstance(shared, Mapping):
        raise UsageError("facts: must be a mapping of facts every proposal shares")
    drafts, origins = [], []
    for index, item in enumerate(data["proposals"]):
        where = f"proposals[{index}]"
        if not isinstance(item, Mapping) or set(item) - {"name", "facts", "scores"}:
            raise UsageError(f"{where}: must be a mapping of name, facts and scores")
        own_facts, scores = item.get("facts") or {}, item.get("scores") or {}
        if not isinstance(own_facts, Mapping) or not isinstance(scores, Mapping):
            raise UsageError(f"{where}: facts and scores must be mappings")
        drafts.append(ProposalDraft(name=str(item.get("name") or ""), facts={**shared, **own_facts}, scores=scores))
        origins.append(f"{where} ({item.get('name') or ''})")
    return drafts, origins


def _prioritise(arguments: argparse.Namespace, today: dt.date) -> str:
    language = parse_language(arguments.language, default="nb")
    day = parse_iso_date(arguments.date, "--date") if arguments.date else today
    scale = Scale.parse(arguments.scale)
    calls = prioritised_calls(catalogue())
    if len(calls) != 1:
        raise UsageError(f"{len(calls)} calls have weighted criteria; prioritise needs exactly one")
    criteria = [criterion.id for criterion in weighted_criteria(calls[0])]
    text = _read_text(arguments.file)
    if arguments.file.lower().endswith(".csv"):
        drafts, origins = _drafts_from_csv(text, criteria)
    elif arguments.file.lower().endswith((".yaml", ".yml")):
        drafts, origins = _drafts_from_yaml(text)
    else:
        raise UsageError(f"{arguments.file}: must be a .csv, .yaml or .yml file")
    try:
        result = prioritise(drafts, calls[0], scale, day)
    except InvalidProposal as error:
        raise UsageError(f"{origins[error.index]}, {error.field}: {error.reason}") from None
    if arguments.format == "csv":
        output = io.StringIO()
        csv.writer(output, lineterminator="\n").writerows(csv_rows(result, language))
        return output.getvalue()
    return markdown(result, language)


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        arguments = build_parser().parse_args(argv)
        if arguments.command == "prioritise":
            sys.stdout.write(_prioritise(arguments, dt.date.today()))
            return 0
        if arguments.command == "rules":
            sys.stdout.write(rulebook(parse_language(arguments.language, default="en"), dt.date.today()) + "\n")
            return 0
        result = COMMANDS[arguments.command](_read_json(arguments.json), dt.date.today())
    except (UsageError, InvalidInput) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
