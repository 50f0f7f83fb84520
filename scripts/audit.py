"""Checks every version pinned in constraints.txt against a dated snapshot of the PyPA advisory database (OSV
format) committed in security/advisories/, so the check needs no network and gives the same answer on every
machine. It fails (exit 1) on an advisory that affects a pinned version and is not in security/allowed.yaml,
on an allowance whose review date has passed, and on a pinned package the snapshot was not taken for; a
tool that cannot reach its database must not say "nothing found".

Usage: python scripts/audit.py                 check; prints a table, exit 0 or 1 (2: unreadable input)
       python scripts/audit.py refresh GIT_DIR SOURCE
                                               rewrite security/advisories/ from a git directory of the
                                               advisory database (SOURCE names it, e.g. github:pypa/advisory-database)
       python scripts/audit.py security-md    rewrite SECURITY.md's list of allowed advisories from allowed.yaml
"""
from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
SECURITY = ROOT / "security"
ADVISORIES = SECURITY / "advisories"
ALLOWED = SECURITY / "allowed.yaml"
SECURITY_MD = ROOT / "SECURITY.md"
# SECURITY.md lists the allowances between these lines, written from allowed.yaml (a test checks it is current).
LIST_START = "<!-- allowed advisories: written by `python scripts/audit.py security-md` from security/allowed.yaml -->"
LIST_END = "<!-- end of allowed advisories -->"
# The snapshot's own record of where it came from and which packages it was taken for: a package with no
# advisory has no directory, and this list is how "none known" differs from "never looked".
SNAPSHOT = "SNAPSHOT.yaml"
ALLOWANCE_FIELDS = ("id", "package", "why", "mitigation", "review_by")
# The C loader reads the ~700 files in well under a second; the pure-Python one takes several.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AuditError(Exception):
    """An input the check cannot read: it says which and why, and the check stops with exit 2."""


def normalise(name: str) -> str:
    """A package's name as PyPI compares names (PEP 503), for constraints.txt, OSV and the allow-list alike."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, str]:
    """constraints.txt as {normalised name: version}; every line must be an exact pin, or there is nothing to
    check it against."""
    pins = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if not match:
            raise AuditError(f"{path.name}:{number}: not an exact pin (name==version): {line}")
        pins[normalise(match[1])] = match[2]
    return pins


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(version: Version, events: list[dict]) -> bool | None:
    """OSV's ECOSYSTEM range: walked in version order, an `introduced` at or below the version opens it, a
    `fixed` or `limit` at or below it, or a `last_affected` below it, closes it. None: an event's version is not
    one PEP 440 can order, so the range cannot be decided."""
    ordered = []
    for event in events:
        (kind, text), = event.items()
        bound = _version(str(text))
        if bound is None:
            return None
        ordered.append((bound, kind))
    affected = False
    for bound, kind in sorted(ordered, key=lambda pair: pair[0]):
        if kind == "introduced" and version >= bound:
            affected = True
        elif kind in ("fixed", "limit") and version >= bound:
            affected = False
        elif kind == "last_affected" and version > bound:
            affected = False
    return affected


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    affected: tuple[dict, ...]

    @classmethod
    def read(cls, data: dict) -> Advisory:
        return cls(str(data["id"]), tuple(str(alias) for alias in data.get("aliases") or ()),
                   tuple(data.get("affected") or ()))

    def _entries(self, package: str) -> list[dict]:
        return [entry for entry in self.affected if entry.get("package", {}).get("ecosystem") == "PyPI"
                and normalise(entry["package"].get("name", "")) == package]

    def affects(self, package: str, version: str) -> bool:
        """Whether the advisory names this version: in an entry's `versions` list or inside one of its ECOSYSTEM
        ranges (GIT ranges name commits, which a pin does not have). A range that cannot be ordered counts as
        affecting: a flag to look at is better than a flaw let through unread."""
        parsed = _version(version)
        for entry in self._entries(package):
            listed = [str(text) for text in entry.get("versions") or ()]
            if version in listed or (parsed is not None and parsed in filter(None, map(_version, listed))):
                return True
            for span in entry.get("ranges") or ():
                if span.get("type") == "ECOSYSTEM":
                    inside = None if parsed is None else _in_range(parsed, span.get("events") or [])
                    if inside is None or inside:
                        return True
        return False

    def fixed_in(self, package: str, version: str) -> str:
        """The lowest version above the pin that a range names as fixed, for the table; '' when there is none."""
        parsed = _version(version)
        fixes = [fix for entry in self._entries(package) for span in entry.get("ranges") or ()
                 if span.get("type") == "ECOSYSTEM" for event in span.get("events") or ()
                 if (fix := _version(str(event.get("fixed", "")))) is not None and (parsed is None or fix > parsed)]
        return str(min(fixes)) if fixes else ""

    def names(self) -> set[str]:
        """The advisory's id and aliases: an allowance may name any of them, so it survives a refresh from a
        mirror that numbered the same flaw differently."""
        return {self.id, *self.aliases}

    def label(self) -> str:
        cve = next((alias for alias in self.aliases if alias.startswith("CVE-")), "")
        return f"{self.id} ({cve})" if cve else self.id


@dataclass(frozen=True)
class Allowance:
    """Advisories of one package that stay, for one reason and with one mitigation: `id` in the file is one
    advisory's id or alias, or a list of them."""
    ids: frozenset[str]
    package: str
    why: str
    mitigation: str
    review_by: datetime.date


def read_allowed(path: Path) -> list[Allowance]:
    """security/allowed.yaml: a list of entries, each with every field of ALLOWANCE_FIELDS filled in."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
    if not isinstance(entries, list):
        raise AuditError(f"{path.name}: must be a list of allowances")
    allowed = []
    for number, entry in enumerate(entries, 1):
        missing = [field for field in ALLOWANCE_FIELDS if not isinstance(entry, dict) or not entry.get(field)]
        if missing:
            raise AuditError(f"{path.name}: allowance {number} lacks {', '.join(missing)}")
        if not isinstance(entry["review_by"], datetime.date):
            raise AuditError(f"{path.name}: allowance {number}: review_by must be a date (YYYY-MM-DD)")
        ids = entry["id"] if isinstance(entry["id"], list) else [entry["id"]]
        allowed.append(Allowance(frozenset(map(str, ids)), normalise(str(entry["package"])),
                                 str(entry["why"]).strip(), str(entry["mitigation"]).strip(), entry["review_by"]))
    return allowed


@dataclass(frozen=True)
class Snapshot:
    source: str
    commit: str
    date: str
    packages: frozenset[str]
    advisories: dict[str, list[Advisory]]


def read_snapshot(directory: Path) -> Snapshot:
    record = directory / SNAPSHOT
    if not record.exists():
        raise AuditError(f"{record.relative_to(directory.parent)} is missing: run the refresh (its README)")
    meta = yaml.safe_load(record.read_text(encoding="utf-8"))
    advisories: dict[str, list[Advisory]] = {}
    for path in sorted(directory.glob("*/*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
        if data.get("withdrawn"):
            continue
        advisories.setdefault(path.parent.name, []).append(Advisory.read(data))
    return Snapshot(str(meta["source"]), str(meta["commit"]), str(meta["date"]),
                    frozenset(meta["packages"]), advisories)


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: Advisory
    allowance: Allowance | None
    overdue: bool

    @property
    def fails(self) -> bool:
        return self.allowance is None or self.overdue

    @property
    def status(self) -> str:
        if self.allowance is None:
            return "NEW: not allowed"
        if self.overdue:
            return f"REVIEW OVERDUE since {self.allowance.review_by}"
        return f"allowed until {self.allowance.review_by}"


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    uncovered: list[str]
    unused: list[tuple[str, str]]  # (package, id) of allowances that match no advisory of the pinned version

    @property
    def fails(self) -> bool:
        return bool(self.uncovered) or any(finding.fails for finding in self.findings)


def audit(pins: dict[str, str], snapshot: Snapshot, allowed: list[Allowance], today: datetime.date) -> Report:
    findings, used = [], set()
    for package, version in sorted(pins.items()):
        for advisory in snapshot.advisories.get(package, []):
            if not advisory.affects(package, version):
                continue
            allowance = next((entry for entry in allowed
                              if entry.package == package and entry.ids & advisory.names()), None)
            if allowance is not None:
                used |= {(package, name) for name in allowance.ids & advisory.names()}
            findings.append(Finding(package, version, advisory, allowance,
                                    allowance is not None and allowance.review_by < today))
    unused = sorted({(entry.package, name) for entry in allowed for name in entry.ids} - used)
    return Report(findings, sorted(set(pins) - snapshot.packages), unused)


def table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def render(report: Report, snapshot: Snapshot, pins: dict[str, str]) -> str:
    lines = [f"Advisories: {snapshot.source} at {snapshot.commit[:12]} ({snapshot.date}); "
             f"{len(pins)} pinned packages checked."]
    if report.findings:
        lines += ["", table([("package", "pinned", "advisory", "fixed in", "status")]
                            + [(finding.package, finding.version, finding.advisory.label(),
                                finding.advisory.fixed_in(finding.package, finding.version) or "-", finding.status)
                               for finding in report.findings])]
    lines += [f"NOT IN THE SNAPSHOT (refresh it, security/advisories/README.md): {package}"
              for package in report.uncovered]
    lines += [f"note: allowance {name} ({package}) matches no advisory of the pinned version; "
              "remove it from security/allowed.yaml" for package, name in report.unused]
    failing = sum(finding.fails for finding in report.findings)
    lines.append(f"FAILED: {failing} advisories not allowed or overdue, {len(report.uncovered)} packages unchecked"
                 if report.fails else
                 f"OK: {len(report.findings)} advisories affect pinned versions, all allowed (security/allowed.yaml)")
    return "\n".join(lines)


def allowed_markdown(allowed: list[Allowance], pins: dict[str, str]) -> str:
    """The allow-list as SECURITY.md shows it: per entry the pinned version, the advisories, why and mitigation."""
    blocks = [f"- **{entry.package} {pins.get(entry.package, '(not pinned)')}**: {', '.join(sorted(entry.ids))} "
              f"(review by {entry.review_by}).\n  *Why it stays:* {entry.why}\n  *What mitigates it:* {entry.mitigation}"
              for entry in allowed]
    return "\n".join([LIST_START, *blocks, LIST_END])


def write_security_md() -> None:
    text = SECURITY_MD.read_text(encoding="utf-8")
    start, end = text.index(LIST_START), text.index(LIST_END) + len(LIST_END)
    block = allowed_markdown(read_allowed(ALLOWED), read_pins(CONSTRAINTS))
    SECURITY_MD.write_text(text[:start] + block + text[end:], encoding="utf-8")


def check(today: datetime.date) -> int:
    try:
        pins = read_pins(CONSTRAINTS)
        snapshot = read_snapshot(ADVISORIES)
        report = audit(pins, snapshot, read_allowed(ALLOWED), today)
    except AuditError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    print(render(report, snapshot, pins))
    return 1 if report.fails else 0


def _git(git_dir: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(git_dir), *args], capture_output=True, text=True,
                          check=True).stdout


def refresh(git_dir: Path, source: str) -> None:
    """Copies vulns/<package>/*.yaml of the pinned packages from the database's HEAD and records the snapshot's
    source, commit, date and the packages it was taken for (README.md and SNAPSHOT.yaml)."""
    pins = read_pins(CONSTRAINTS)
    commit = _git(git_dir, "rev-parse", "HEAD").strip()
    date = _git(git_dir, "log", "-1", "--format=%cs", "HEAD").strip()
    # The database names a few directories unnormalised (jw.util), so they are matched as PyPI matches names.
    directories = {normalise(path.removeprefix("vulns/")): path
                   for path in _git(git_dir, "ls-tree", "--name-only", "HEAD", "vulns/").split()}
    if ADVISORIES.exists():
        shutil.rmtree(ADVISORIES)
    ADVISORIES.mkdir(parents=True)
    counts = {}
    for package in sorted(pins):
        files = _git(git_dir, "ls-tree", "--name-only", "HEAD", f"{directories[package]}/").split() \
            if package in directories else []
        for path in files:
            target = ADVISORIES / package / Path(path).name
            target.parent.mkdir(exist_ok=True)
            target.write_text(_git(git_dir, "show", f"HEAD:{path}"), encoding="utf-8")
        counts[package] = len(files)
    (ADVISORIES / SNAPSHOT).write_text(yaml.safe_dump({"source": source, "commit": commit, "date": date,
                                                       "packages": sorted(pins)}, sort_keys=False),
                                       encoding="utf-8")
    (ADVISORIES / "README.md").write_text(
        README.format(source=source, commit=commit, date=date, pinned=len(pins),
                      with_advisories=sum(1 for count in counts.values() if count),
                      files=sum(counts.values())), encoding="utf-8")


README = """\
# Advisory snapshot (written by `python scripts/audit.py refresh`; do not edit by hand)

The advisories of the PyPA advisory database (OSV format) for every package pinned in `constraints.txt`,
copied from `vulns/<package>/` so that `make audit` works offline and gives the same answer everywhere.

- source: {source}
- commit: {commit}
- date of that commit: {date}
- {pinned} pinned packages looked up (`SNAPSHOT.yaml`), {with_advisories} of them with advisories, {files} files;
  a package with none has no directory here.

SECURITY.md ("What `make audit` covers") says why this source was used and what the check does not cover.

A flaw published after that date is not known to `make audit`: refresh at least every three months, and
whenever `constraints.txt` gains a package (the audit then says the package is not in the snapshot).

Refresh: bring a copy of the database's git repository (`git clone --bare
https://github.com/pypa/advisory-database`, or the search tool's `fetch github:pypa/advisory-database`), then

    .venv/bin/python scripts/audit.py refresh <its git directory> github:pypa/advisory-database
    make audit

and review each new advisory that `make audit` flags (SECURITY.md says how).
"""


def main(argv: list[str]) -> int:
    if argv[:1] == ["refresh"] and len(argv) == 3:
        refresh(Path(argv[1]), argv[2])
        return 0
    if argv == ["security-md"]:
        write_security_md()
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    return check(datetime.date.today())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
