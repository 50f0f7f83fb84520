"""What the command line reads, validated field by field into the domain's own types: the `assess` profile and the
`sme` enterprise as JSON objects, the `prioritise` proposals as a CSV or YAML file. Anything it cannot read is
refused with the field (or row) it is about, for the command line's one line and exit code 2."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from dataclasses import replace
from typing import Any, Iterable, Mapping, Optional, Sequence

import yaml

from bot.reading.numbers import ParseError, parse_number, parse_yes_no
from bot.resources import LANGUAGES
from bot.rules.facts import facts
from bot.rules.money import ExchangeRate, accounts_rate
from bot.rules.prioritise import ProposalDraft
from bot.rules.profile import InvalidInput, Profile, bounded_number, make_profile, shown
from bot.rules.sme import Enterprise, Figures, Holding, SmeReason, SmeResult, classify_at_rates
from bot.rules.sme_definition import CATEGORIES, DIRECTIONS, ENTERPRISE, holder_kinds
from bot.rules.sme_questions import sme_questions_asked
from bot.rules.timeline import parse_date


class UsageError(Exception):
    pass


NESTED_TOO_DEEPLY = "nested too deeply to read"
# The deepest input the command line reads is an enterprise's holdings inside a profile, a few levels down; beyond
# this the nesting is refused before parsing, the same on every Python (3.10's decoder runs out of stack on
# `[` x 100 000, 3.13's does not, and would report the text as merely invalid).
MOST_NESTING = 64



# --- JSON --------------------------------------------------------------------------------------------------

def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    if _nesting(text) > MOST_NESTING:
        raise InvalidInput("input", NESTED_TOO_DEEPLY)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        raise UsageError(f"{path}: invalid JSON: {error}") from None
    except RecursionError:  # the decoder recurses once per level: `[` x 100 000 exhausts the stack
        raise InvalidInput("input", NESTED_TOO_DEEPLY) from None



def _nesting(text: str) -> int:
    """How deep JSON text nests arrays and objects, strings' contents aside; one pass, whatever the text is."""
    deepest = depth = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (character == "\\", character != '"')
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "]}":
            depth -= 1
    return deepest


def parse_iso_date(value: Any, field_name: str = "date") -> dt.date:
    """A date the user typed (not a YAML date): a string YYYY-MM-DD naming a real day."""
    try:
        if isinstance(value, str):
            return parse_date(value, field_name)
    except ValueError:
        pass
    raise InvalidInput(field_name, f"{shown(value)} is not a real date in the form YYYY-MM-DD")


def parse_language(value: Any, default: str) -> str:
    """The language asked for, `default` only when none is given: {}, "" or false is a mistake, not a choice."""
    language = default if value is None else value
    if not isinstance(language, str) or language not in LANGUAGES:
        raise InvalidInput("language", f"{shown(language)} is not one of {', '.join(LANGUAGES)}")
    return language


# Fields an older version of the CLI took and that no rule reads any more: accepted and ignored, with a warning,
# so that a caller of the old contract keeps working. `goal` asked for a choice the call texts never make.
RETIRED_FIELDS = ("goal",)


def profile_from_json(data: Any, today: dt.date) -> tuple[Profile, tuple[str, ...]]:
    """The CLI's profile object: the facts plus optional `date` (ISO), `language` and `inferred` (the facts the
    caller worked out rather than was told). Returns the profile and the retired fields it ignored."""
    if not isinstance(data, Mapping):
        raise InvalidInput("profile", f"must be a JSON object, not {type(data).__name__}")
    values = dict(data)
    ignored = tuple(name for name in RETIRED_FIELDS if name in values)
    for name in ignored:
        del values[name]
    language = parse_language(values.pop("language", None), default="nb")
    raw_date = values.pop("date", None)
    day = today if raw_date is None else parse_iso_date(raw_date)
    inferred = values.pop("inferred", None)
    inferred = [] if inferred is None else inferred
    if not isinstance(inferred, list) or not all(isinstance(name, str) and name in facts() and name in values
                                                 for name in inferred):
        raise InvalidInput("inferred", "must be a list naming facts the profile gives")
    return make_profile(values, date=day, language=language, inferred=frozenset(inferred)), ignored



# --- the sme command's enterprise ----------------------------------------------------------------------

_TOP_FIELDS = {"employees", "turnover_eur", "turnover_nok", "balance_sheet_eur", "balance_sheet_nok",
               "large_owner_pct", "holdings", "previous", "previous_category", "accounts_year", "date", "language"}
_HOLDING_FIELDS = {"share_pct", "voting_pct", "direction", "holder", "employees", "turnover_eur", "turnover_nok",
                   "balance_sheet_eur", "balance_sheet_nok", "large", "controls", "involved_in_management",
                   "investment_eur", "investment_nok", "budget_eur", "budget_nok", "inhabitants"}
_PREVIOUS_FIELDS = {"employees", "turnover_eur", "turnover_nok", "balance_sheet_eur", "balance_sheet_nok"}


# The question of data/sme.yaml each figure of the command line's objects answers: its maximum is the field's.
_OWN_FIGURES = {"employees": "employees", "turnover": "turnover_eur", "balance_sheet": "balance_sheet_eur"}
_OTHER_FIGURES = {"employees": "other_employees", "turnover": "other_turnover_eur",
                  "balance_sheet": "other_balance_sheet_eur", "investment": "angel_investment_eur",
                  "budget": "authority_budget_eur", "inhabitants": "authority_inhabitants"}


class _Fields:
    """Reads one JSON object's fields, naming each by its path ("holdings[0].share_pct") when refusing it,
    bounding each figure by its question's maximum (`figures`: field to question), and converting kroner to euro
    at `rate` (which it records as used) moved `direction` within its drift."""

    def __init__(self, data: Any, path: str, allowed: set[str], figures: Mapping[str, str], rate: ExchangeRate,
                 used: list[ExchangeRate], direction: int):
        if not isinstance(data, Mapping):
            raise InvalidInput(path or "input", f"must be a JSON object, not {type(data).__name__}")
        for name in data:
            if name not in allowed:
                raise InvalidInput(self._name(path, name), "is not a known field")
        self.data, self.path, self.figures, self.rate, self.used = data, path, figures, rate, used
        self.direction = direction

    @staticmethod
    def _name(path: str, name: str) -> str:
        return f"{path}.{name}" if path else name

    def name(self, field_name: str) -> str:
        return self._name(self.path, field_name)

    def most(self, base: str) -> int:
        return next(question.maximum for question in sme_questions_asked()
                    if question.fact == self.figures[base] and question.maximum is not None)

    def number(self, field_name: str, maximum: float, required: bool = False, whole: bool = False,
               above_zero: bool = False) -> Optional[float]:
        value = self.data.get(field_name)
        if value is None:
            if required:
                raise InvalidInput(self.name(field_name), "is required")
            return None
        return bounded_number(self.name(field_name), value, maximum, whole=whole, above_zero=above_zero)

    def euro(self, base: str, required: bool = False) -> Optional[float]:
        """`base`_eur, or `base`_nok converted at the accounts' rate; not both. The kroner are bounded by the
        euro maximum at that rate as it is, so that a figure refused is refused whichever way the rate drifts."""
        in_eur = self.number(f"{base}_eur", self.most(base))
        in_nok = self.number(f"{base}_nok", round(self.rate.to_nok(self.most(base))))
        if in_eur is not None and in_nok is not None:
            raise InvalidInput(self.name(f"{base}_nok"), f"give {base}_eur or {base}_nok, not both")
        if in_nok is None:
            if in_eur is None and required:
                raise InvalidInput(self.name(f"{base}_eur"), f"is required (or {base}_nok)")
            return in_eur
        if self.rate not in self.used:
            self.used.append(self.rate)
        return self.rate.drifted(self.direction).to_eur(in_nok)

    def flag(self, field_name: str) -> Optional[bool]:
        value = self.data.get(field_name)
        if value is not None and not isinstance(value, bool):
            raise InvalidInput(self.name(field_name), f"must be true or false, not {shown(value)}")
        return value

    def choice(self, field_name: str, choices: tuple[str, ...], default: Optional[str] = None) -> Optional[str]:
        value = self.data.get(field_name, default)
        if value is not None and value not in choices:
            raise InvalidInput(self.name(field_name), f"{shown(value)} is not one of {', '.join(choices)}")
        return value


def _holding(reader: _Fields) -> Holding:
    direction = reader.choice("direction", DIRECTIONS, default="owned")
    kind = reader.choice("holder", holder_kinds(), default=ENTERPRISE)
    if direction == "owner" and kind != ENTERPRISE:
        raise InvalidInput(reader.name("holder"), "is the enterprise's own holding in another: leave it out")
    large = bool(reader.flag("large"))
    figures = Figures(reader.number("employees", reader.most("employees")), reader.euro("turnover"),
                      reader.euro("balance_sheet"))
    if large and figures != Figures():
        raise InvalidInput(reader.name("large"), "stands for figures that are not known: give one or the other")
    return Holding(share_pct=reader.number("share_pct", 100, required=True),
                      voting_pct=reader.number("voting_pct", 100), direction=direction, kind=kind,
                      figures=figures, large=large, controls=bool(reader.flag("controls")),
                      involved_in_management=reader.flag("involved_in_management"),
                      investment_eur=reader.euro("investment", required=kind == "business_angel"),
                      budget_eur=reader.euro("budget", required=kind == "local_authority"),
                      inhabitants=reader.number("inhabitants", reader.most("inhabitants"), whole=True,
                                                required=kind == "local_authority"))


def _part(holding: Holding, share: str) -> float:
    """A holding's share_pct or voting_pct, the votes as the capital where the input gives no figure of its own."""
    part = getattr(holding, share)
    if part is None:
        part = holding.share_pct
    assert part is not None  # every holding read from the input has its share_pct (required above)
    return part


def classify_sme_json(data: Any, today: dt.date) -> tuple[SmeResult, str]:
    """The CLI's `sme` input object, validated field by field: the result, and the language its reasons are
    to be given in. Figures in kroner (`*_nok`) are converted at Norges Bank's average for the accounts' year
    (`accounts_year`, by default the last full year before `date`); the previous period's at the year before.
    A year whose average is not in the data is converted at the nearest one's, which the result names; near a
    limit the verdict then waits for the right year's (bot.rules.sme.classify_at_rates)."""
    if not isinstance(data, Mapping):
        raise InvalidInput("input", f"must be a JSON object, not {type(data).__name__}")
    language = parse_language(data.get("language"), default="en")
    day = today if data.get("date") is None else parse_iso_date(data["date"])
    year = data.get("accounts_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= day.year):
        raise InvalidInput("accounts_year", f"must be a year up to {day.year}, not {shown(year)}")
    _, used = _enterprise(data, day, year, 0)
    result = classify_at_rates(lambda direction: _enterprise(data, day, year, direction)[0], used, day)
    if used:
        converted = tuple(SmeReason("converted", {"rate": rate}) for rate in used)
        result = replace(result, reasons=(*converted, *result.reasons), exchange_rates=tuple(used))
    return result, language


def _enterprise(data: Mapping, day: dt.date, year: Optional[int], direction: int) -> tuple[Enterprise, list[ExchangeRate]]:
    """The enterprise the object describes, its kroner converted at each rate moved `direction` within its drift
    (0: as it is), and the rates (as they are) it converted at."""
    rate = accounts_rate(day, year)
    used: list[ExchangeRate] = []
    top = _Fields(data, "", _TOP_FIELDS, _OWN_FIGURES, rate, used, direction)
    figures = Figures(top.number("employees", top.most("employees"), required=True),
                      top.euro("turnover", required=True), top.euro("balance_sheet", required=True))
    holdings = []
    raw_holdings = data.get("holdings") if data.get("holdings") is not None else []
    if not isinstance(raw_holdings, list):
        raise InvalidInput("holdings", "must be a list of objects")
    for index, raw in enumerate(raw_holdings):
        holdings.append(_holding(_Fields(raw, f"holdings[{index}]", _HOLDING_FIELDS, _OTHER_FIGURES, rate, used,
                                         direction)))
    large_owner = top.number("large_owner_pct", 100)
    if large_owner:
        # the field of the first version: a holding by an enterprise known to be large, its figures unknown
        holdings.append(Holding(share_pct=large_owner, large=True))
    for share in ("share_pct", "voting_pct"):
        held = sum(_part(holding, share) for holding in holdings if holding.direction == "owned")
        if held > 100:
            raise InvalidInput("holdings", f"the enterprise's owners hold {held:g} % of it in all ({share}), more than 100 %")
    previous = None
    if data.get("previous") is not None:
        before = accounts_rate(day, (year if year is not None else day.year - 1) - 1)
        reader = _Fields(data["previous"], "previous", _PREVIOUS_FIELDS, _OWN_FIGURES, before, used, direction)
        previous = Figures(reader.number("employees", reader.most("employees"), required=True),
                           reader.euro("turnover", required=True), reader.euro("balance_sheet", required=True))
    status = top.choice("previous_category", CATEGORIES)
    return Enterprise(figures=figures, holdings=tuple(holdings), previous_figures=previous,
                      previous_category=status), used


# --- the prioritise command's proposals ----------------------------------------------------------------

def read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig") as handle:  # -sig: spreadsheets often start with a BOM
            return handle.read()
    except UnicodeDecodeError as error:
        raise UsageError(f"cannot read {path}: it is not UTF-8 text (byte {error.object[error.start]:#04x}); "
                         f"save it as CSV UTF-8 or as an Excel workbook (.xlsx)") from None
    except OSError as error:
        raise UsageError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None


def _cell_value(kind: str, text: str, where: str) -> Any:
    """A CSV cell as the fact's or score's type: numbers and yes/no read as the bot reads them in chat."""
    try:
        if kind in ("count", "amount", "score"):
            number = parse_number(text)
            if number.denominator == 1:
                return int(number)
            try:
                return float(number)
            except OverflowError:  # beyond any float, so beyond every maximum: its whole part is refused as such
                return int(number)
        if kind == "bool":
            return parse_yes_no(text)
    except (ParseError, ValueError):  # ValueError: more digits than Python converts (4 300)
        expected = "ja/nei or yes/no" if kind == "bool" else "a number"
        raise UsageError(f"{where}: {shown(text)} is not {expected}") from None
    if kind in ("enum_list", "countries"):
        return [item.strip().lower() for item in text.split(";") if item.strip()]
    if kind == "country_counts":
        raise UsageError(f"{where}: cannot be given in a CSV file; use YAML")
    return text.lower()


def drafts_from_csv(text: str, criteria: Sequence[str]) -> tuple[list[ProposalDraft], list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return drafts_from_rows(((reader.line_num, cells) for cells in reader), criteria, "line")


def drafts_from_rows(rows: Iterable[tuple[int, Sequence[str]]], criteria: Sequence[str],
                     unit: str) -> tuple[list[ProposalDraft], list[str]]:
    """Proposals from a table's rows, each with its number in the file, the first the header; `unit` is what the
    file calls a row in an error ("line" in a CSV file, "row" in a workbook)."""
    rows = iter(rows)
    first, header = next(rows, (1, []))
    columns = [column.strip().lower() for column in header]
    kinds = {name: fact.type for name, fact in facts().items()}
    kinds.update({criterion: "score" for criterion in criteria})
    for column in columns:
        if column != "name" and column not in kinds:
            raise UsageError(f"{unit} {first}, column {column!r}: is not name, a fact of facts.yaml or a criterion "
                             f"({', '.join(criteria)})")
    if "name" not in columns:
        raise UsageError(f"{unit} {first}: there is no column 'name'")
    drafts, origins = [], []
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        where = f"{unit} {number}"
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


def _mapping(value: Any, where: str) -> Mapping:
    """A YAML mapping that may be left out (None); anything else, false or [] among them, is a mistake."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise UsageError(f"{where}: must be a mapping")
    return value


def drafts_from_yaml(text: str) -> tuple[list[ProposalDraft], list[str]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UsageError(f"invalid YAML: {' '.join(str(error).split())}") from None
    except ValueError as error:  # an integer of more digits than Python converts
        raise UsageError(f"invalid YAML: {error}") from None
    except RecursionError:  # the composer recurses once per level of nesting
        raise InvalidInput("input", NESTED_TOO_DEEPLY) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("proposals"), list):
        raise UsageError("the file needs a list `proposals:`")
    shared = _mapping(data.get("facts"), "facts")
    drafts, origins = [], []
    for index, item in enumerate(data["proposals"]):
        where = f"proposals[{index}]"
        if not isinstance(item, Mapping) or set(item) - {"name", "facts", "scores"}:
            raise UsageError(f"{where}: must be a mapping of name, facts and scores")
        own_facts, scores = _mapping(item.get("facts"), f"{where}.facts"), _mapping(item.get("scores"), f"{where}.scores")
        drafts.append(ProposalDraft(name=str(item.get("name") or ""), facts={**shared, **own_facts}, scores=scores))
        origins.append(f"{where} ({item.get('name') or ''})")
    return drafts, origins
