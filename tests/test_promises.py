"""What the docs promise is proved by tests that are there: every test that SECURITY.md, docs/production.md and the
README name (`tests/…/test_x.py::test_name`, and `::test_name` after it for the same file) exists, so a test renamed
or moved cannot leave a promise pointing at nothing."""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("SECURITY.md", "docs/production.md", "README.md", "docs/staff.md")
REFERENCE = re.compile(r"(tests/[\w/]+\.py)(?:::(\w+))?|(?<![\w/.])::(\w+)")


def named_tests(document: str) -> list[tuple[str, str | None]]:
    """(file, test or None) for every test the document names, a bare ::name taking the file named before it."""
    found, current = [], None
    for line in (ROOT / document).read_text(encoding="utf-8").splitlines():
        for match in REFERENCE.finditer(line):
            if match.group(1):
                current = match.group(1)
                found.append((current, match.group(2)))
            elif current:
                found.append((current, match.group(3)))
    return found


def defined(path: Path) -> set[str]:
    return {node.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_test_a_document_names_is_there(document):
    references = named_tests(document)
    missing = [f"{path}::{name}" if name else path for path, name in references
               if not (ROOT / path).is_file() or (name and name not in defined(ROOT / path))]
    assert not missing, f"{document} names tests that are not there: {missing}"


def test_the_check_finds_references_and_would_fail_on_a_wrong_one(tmp_path):
    assert len(named_tests("SECURITY.md")) > 40
    assert ("tests/system/test_bounded_messages.py", "test_the_longest_message_read_is_read") in named_tests(
        "SECURITY.md")
    assert "test_no_such_test" not in defined(ROOT / "tests/system/test_bounded_messages.py")
