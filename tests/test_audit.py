"""`make audit` (scripts/audit.py): known flaws of the pinned versions, from the committed OSV snapshot, offline."""
import datetime
import importlib.util
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
audit = importlib.util.module_from_spec(_spec)
sys.modules["audit"] = audit  # dataclasses look their module up while the class is made
_spec.loader.exec_module(audit)

TODAY = datetime.date(2026, 12, 4)


def advisory(events=None, versions=(), package="Demo_Pkg", aliases=("CVE-2099-0001",)) -> dict:
    """A synthetic OSV advisory for one package, as the database writes them."""
    affected = {"package": {"name": package, "ecosystem": "PyPI"}, "versions": list(versions)}
    if events is not None:
        affected["ranges"] = [{"type": "ECOSYSTEM", "events": events}]
    return {"id": "PYSEC-2099-1", "aliases": list(aliases), "summary": "a synthetic flaw", "affected": [affected]}


def snapshot(*advisories: dict, packages=("demo-pkg",)) -> "audit.Snapshot":
    return audit.Snapshot("test", "0" * 40, "2099-01-01", frozenset(packages),
                          {"demo-pkg": [audit.Advisory.read(data) for data in advisories]})


def allowance(ids=("CVE-2099-0001",), package="demo-pkg", review_by=TODAY) -> "audit.Allowance":
    return audit.Allowance(frozenset(ids), package, "it cannot move", "it is not reachable", review_by)


@pytest.mark.parametrize("events, version, affected", [
    ([{"introduced": "0"}, {"fixed": "1.10.13"}], "1.10.9", True),
    ([{"introduced": "0"}, {"fixed": "1.10.13"}], "1.10.13", False),
    ([{"introduced": "0"}, {"fixed": "1.10.13"}], "1.9.0", True),  # as strings, "1.9.0" > "1.10.13"
    ([{"introduced": "2.0"}, {"fixed": "2.4"}], "1.9", False),
    ([{"introduced": "0"}, {"fixed": "1.10.13"}, {"introduced": "2.0.0"}, {"fixed": "2.4.0"}], "2.3.1", True),
    ([{"introduced": "0"}, {"fixed": "1.10.13"}, {"introduced": "2.0.0"}, {"fixed": "2.4.0"}], "1.10.14", False),
    ([{"introduced": "0"}, {"last_affected": "3.0"}], "3.0", True),
    ([{"introduced": "0"}, {"last_affected": "3.0"}], "3.0.1", False),
    ([{"introduced": "1.0"}, {"limit": "2.0"}], "2.0", False),
    ([{"introduced": "0"}, {"fixed": "2.13.1rc0"}], "2.12.0", True),  # pre-releases order before their release
    ([{"introduced": "0"}], "99.0", True),  # no fix yet: every version from the first
])
def test_ecosystem_ranges_are_compared_as_versions(events, version, affected):
    assert audit.Advisory.read(advisory(events)).affects("demo-pkg", version) is affected


def test_the_versions_list_counts_without_a_range_and_names_are_compared_as_pypi_does():
    listed = audit.Advisory.read(advisory(versions=["0.1", "1.0"]))
    assert listed.affects("demo-pkg", "1.0") and listed.affects("demo-pkg", "1.0.0")
    assert not listed.affects("demo-pkg", "1.1") and not listed.affects("other", "1.0")


def test_a_range_it_cannot_order_is_flagged_rather_than_let_through():
    assert audit.Advisory.read(advisory([{"introduced": "0"}, {"fixed": "not a version"}])).affects("demo-pkg", "1.0")


def test_an_advisory_affecting_a_pinned_version_fails_the_audit():
    report = audit.audit({"demo-pkg": "1.0"}, snapshot(advisory([{"introduced": "0"}, {"fixed": "1.1"}])), [], TODAY)
    assert report.fails and [finding.status for finding in report.findings] == ["NEW: not allowed"]
    assert "FAILED" in audit.render(report, snapshot(), {"demo-pkg": "1.0"})


def test_a_fixed_version_passes():
    report = audit.audit({"demo-pkg": "1.1"}, snapshot(advisory([{"introduced": "0"}, {"fixed": "1.1"}])), [], TODAY)
    assert not report.fails and report.findings == []


def test_an_allowance_by_alias_passes_until_its_review_date():
    flawed = snapshot(advisory([{"introduced": "0"}]))
    assert not audit.audit({"demo-pkg": "1.0"}, flawed, [allowance()], TODAY).fails
    overdue = audit.audit({"demo-pkg": "1.0"}, flawed, [allowance(review_by=TODAY - datetime.timedelta(days=1))],
                          TODAY)
    assert overdue.fails and overdue.findings[0].status.startswith("REVIEW OVERDUE")


def test_an_allowance_is_for_its_own_package_only():
    flawed = snapshot(advisory([{"introduced": "0"}]))
    assert audit.audit({"demo-pkg": "1.0"}, flawed, [allowance(package="another")], TODAY).fails


def test_an_allowance_left_after_its_fix_is_reported_without_failing():
    report = audit.audit({"demo-pkg": "1.1"}, snapshot(advisory([{"introduced": "0"}, {"fixed": "1.1"}])),
                         [allowance()], TODAY)
    assert not report.fails and report.unused == [("demo-pkg", "CVE-2099-0001")]


def test_a_pinned_package_the_snapshot_was_not_taken_for_fails():
    report = audit.audit({"demo-pkg": "1.0", "new-pkg": "2.0"}, snapshot(), [], TODAY)
    assert report.fails and report.uncovered == ["new-pkg"]


def test_a_withdrawn_advisory_is_ignored(tmp_path):
    (tmp_path / "demo-pkg").mkdir()
    (tmp_path / "demo-pkg" / "PYSEC-2099-1.yaml").write_text(
        yaml.safe_dump({**advisory([{"introduced": "0"}]), "withdrawn": "2099-02-01T00:00:00Z"}))
    (tmp_path / audit.SNAPSHOT).write_text(yaml.safe_dump(
        {"source": "test", "commit": "0" * 40, "date": "2099-01-01", "packages": ["demo-pkg"]}))
    assert audit.audit({"demo-pkg": "1.0"}, audit.read_snapshot(tmp_path), [], TODAY).findings == []


def test_an_allowance_without_its_reasons_is_refused(tmp_path):
    path = tmp_path / "allowed.yaml"
    path.write_text(yaml.safe_dump([{"id": "CVE-2099-0001", "package": "demo-pkg", "review_by": TODAY}]))
    with pytest.raises(audit.AuditError, match="why, mitigation"):
        audit.read_allowed(path)


def test_every_line_of_the_lock_must_be_an_exact_pin(tmp_path):
    path = tmp_path / "constraints.txt"
    path.write_text("# comment\nPyYAML==6.0.3\nrequests>=2\n")
    with pytest.raises(audit.AuditError, match="constraints.txt:3"):
        audit.read_pins(path)


def test_the_snapshot_was_taken_for_every_pinned_package():
    """A package with no advisory has no directory, so SNAPSHOT.yaml's list is what says it was looked up."""
    pins = audit.read_pins(audit.CONSTRAINTS)
    taken = audit.read_snapshot(audit.ADVISORIES)
    assert set(pins) <= taken.packages
    assert {path.name for path in audit.ADVISORIES.iterdir() if path.is_dir()} <= taken.packages
    assert {"pip", "setuptools", "wheel"} <= set(pins)  # the lock holds the tools pip freeze leaves out by default


def test_the_committed_snapshot_flags_the_known_flaws_of_the_pins():
    """The flaws the issue found by hand (keras, pydantic, protobuf, scikit-learn, dnspython, setuptools, aiohttp)
    are in the snapshot and found for the pinned versions: the audit is not a silent all-clear."""
    report = audit.audit(audit.read_pins(audit.CONSTRAINTS), audit.read_snapshot(audit.ADVISORIES), [], TODAY)
    found = {(finding.package, alias) for finding in report.findings for alias in finding.advisory.names()}
    assert {("keras", "CVE-2024-3660"), ("pydantic", "CVE-2024-3772"), ("protobuf", "CVE-2025-4565"),
            ("scikit-learn", "CVE-2024-5206"), ("dnspython", "CVE-2023-29483"), ("setuptools", "CVE-2025-47273"),
            ("aiohttp", "CVE-2024-52304"), ("aiohttp", "CVE-2025-53643")} <= found


def test_the_check_needs_no_network(monkeypatch, capsys):
    """pip-audit said "No known vulnerabilities found" when it could not reach its database; this check never
    tries: any connection attempt fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the audit tried to use the network")
    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert audit.check(TODAY) == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("OK:")


def test_make_audit_runs_the_check():
    # -o: a changed constraints.txt must not make this test reinstall the shared .venv
    done = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "audit"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("OK:")


def test_security_md_lists_the_allow_list_as_it_is():
    text = audit.SECURITY_MD.read_text(encoding="utf-8")
    shown = text[text.index(audit.LIST_START):text.index(audit.LIST_END) + len(audit.LIST_END)]
    assert shown == audit.allowed_markdown(audit.read_allowed(audit.ALLOWED), audit.read_pins(audit.CONSTRAINTS)), \
        "run: .venv/bin/python scripts/audit.py security-md"


def test_without_the_allow_list_the_real_check_fails_with_exit_1(monkeypatch, tmp_path, capsys):
    empty = tmp_path / "allowed.yaml"
    empty.write_text("[]\n")
    monkeypatch.setattr(audit, "ALLOWED", empty)
    assert audit.check(TODAY) == 1
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("FAILED:")


def test_refresh_copies_the_pinned_packages_advisories_and_records_the_snapshot(monkeypatch, tmp_path):
    database = tmp_path / "database"
    for path, text in {"vulns/jw.util/PYSEC-1.yaml": "id: PYSEC-1\n", "vulns/other/PYSEC-2.yaml": "id: PYSEC-2\n",
                       "README.md": "db\n"}.items():
        (database / path).parent.mkdir(parents=True, exist_ok=True)
        (database / path).write_text(text)
    git = ["git", "-C", str(database), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(database)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], check=True)
    (tmp_path / "constraints.txt").write_text("# lock\nJW_Util==1.0\nunflawed==2.0\n")
    monkeypatch.setattr(audit, "CONSTRAINTS", tmp_path / "constraints.txt")
    monkeypatch.setattr(audit, "ADVISORIES", tmp_path / "security" / "advisories")
    audit.refresh(database, "test:database")
    copied = sorted(str(path.relative_to(audit.ADVISORIES)) for path in audit.ADVISORIES.rglob("*.yaml"))
    assert copied == ["SNAPSHOT.yaml", "jw-util/PYSEC-1.yaml"]  # a pinned package's advisories, no other's
    taken = audit.read_snapshot(audit.ADVISORIES)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert (taken.source, taken.commit, taken.packages) == ("test:database", commit, {"jw-util", "unflawed"})
    assert commit in (audit.ADVISORIES / "README.md").read_text()
