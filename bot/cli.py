"""Command line: `python -m bot assess|sme --json FILE` ('-' reads standard input).

Bad input exits with status 2 and one line on standard error that names the field; never a traceback.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any, Callable, Optional, Sequence

from bot.rules.engine import assess
from bot.rules.profile import InvalidInput, profile_from_json
from bot.rules.sme import SME_FIGURES, classify_sme_json
from bot.saying.messages import message
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
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        arguments = build_parser().parse_args(argv)
        result = COMMANDS[arguments.command](_read_json(arguments.json), dt.date.today())
    except (UsageError, InvalidInput) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
