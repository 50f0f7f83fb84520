"""The layout holds: imports run one way (resources <- rules <- reading, saying <- dialogue <- cli), the domain core
imports no framework, and what is generated from the core's data is what the generator writes."""
import ast
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from bot.saying.rulebook import rulebook

ROOT = Path(__file__).resolve().parent.parent
# What each part of the code may import from the project; anything not listed is a wrong-way arrow.
MAY_IMPORT = {
    "bot": set(),
    "bot.resources": set(),
    "bot.rules": {"bot.resources", "bot.rules"},
    "bot.reading": {"bot.resources", "bot.rules", "bot.reading"},
    "bot.saying": {"bot.resources", "bot.rules", "bot.saying"},
    "bot.dialogue": {"bot.resources", "bot.rules", "bot.reading", "bot.saying", "bot.dialogue"},
    "bot.cli": {"bot.resources", "bot.rules", "bot.reading", "bot.saying", "bot.cli"},
    "bot.__main__": {"bot.cli"},
    "actions": {"bot", "records", "actions"},
    "records": {"bot", "records"},
    "channels": {"bot", "channels", "records"},  # the staff page shows what records/ keeps
    # deploy/ starts and supervises the processes; it names the plug-ins only as text (Rasa loads them) and the
    # app packages are built on their own, so neither folder below it is imported from it.
    "deploy": {"bot", "records", "channels", "deploy"},
    "deploy.rasa": {"bot", "records", "deploy.rasa", "deploy.rasa_config"},  # Rasa's settings, from one owner
    "deploy.apps": {"bot", "deploy.apps", "deploy.rasa_config"},  # the apps' words come from the message store
    "bench": {"bot", "records", "deploy", "simulation", "bench"},
    "simulation": {"bot", "channels", "deploy", "simulation"},  # it talks as a channel's user (channels.senders)
    "scripts": {"bot", "scripts"},
}
PROJECT = ("bot", "actions", "records", "channels", "deploy", "bench", "simulation", "scripts", "tests")
FRAMEWORKS = ("rasa", "rasa_sdk", "sanic", "sqlalchemy", "socketio", "slack_sdk")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part_of(module: str) -> str:
    """The most specific key of MAY_IMPORT the module belongs to."""
    return max((key for key in MAY_IMPORT if module == key or module.startswith(key + ".")), key=len)


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


SOURCES = sorted(path for folder in MAY_IMPORT.keys() if "." not in folder
                 for path in (ROOT / folder).rglob("*.py")) + sorted((ROOT / "bot").rglob("*.py"))


def may_import(module: str, name: str) -> bool:
    """Whether the module may import the name. A part's own sub-parts (deploy's deploy.rasa) are parts apart:
    allowed only where they are named, not by the part's own name."""
    part, target = part_of(module), part_of(name)
    if target.startswith(part + "."):
        return target in MAY_IMPORT[part]
    return any(name == ok or name.startswith(ok + ".") for ok in MAY_IMPORT[part])


@pytest.mark.parametrize("path", sorted(set(SOURCES)), ids=lambda path: str(path.relative_to(ROOT)))
def test_imports_run_one_way(path):
    module = module_name(path)
    wrong = {name for name in imports(path) if name.split(".")[0] in PROJECT and not may_import(module, name)}
    assert wrong == set(), f"{module} imports {sorted(wrong)}"


def test_a_part_may_not_import_its_own_sub_parts_unless_they_are_named():
    assert may_import("deploy.serve", "deploy.rasa_config") and may_import("deploy.rasa.rasa_server", "deploy.rasa_config")
    assert not may_import("deploy.serve", "deploy.rasa.tracker_store") and not may_import("deploy.local", "deploy.apps")
    assert may_import("bench.scale", "deploy.rasa.tracker_store") and may_import("actions.records", "bot.rules.engine")


@pytest.mark.parametrize("path", sorted((ROOT / "bot").rglob("*.py")), ids=lambda path: str(path.relative_to(ROOT)))
def test_the_domain_core_imports_no_framework(path):
    assert {name for name in imports(path) if name.split(".")[0] in FRAMEWORKS} == set()


def test_the_rasa_domain_and_rules_are_what_the_core_data_gives():
    done = subprocess.run([sys.executable, "scripts/build_domain.py", "--check"], cwd=ROOT, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr


def test_the_rulebook_is_what_the_catalogue_gives():
    """docs/rules.md is `python -m bot rules`: a figure or a rule changed in the catalogue is changed there too."""
    written = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert written == rulebook("en", dt.date.today()) + "\n", "make docs/rules.md"


# The facts are owned by bot/data/facts.yaml: Python names one by a literal only where it must (bot/rules/facts.py
# names the budget, which a computation reads, who is asking, and the countries type), and the readers, whose job is to map words to facts, name the
# ones they read. Everywhere else a fact's name is written this many times at most; a number here is lowered as
# literals give way to the data, never raised. (cli/input.py's "budget_nok" is an SME holding's field.)
FACT_LITERALS_AT_MOST = {
    "bot/rules/facts.py": 3, "bot/reading/statements.py": 59, "bot/reading/counts.py": 6,
    "bot/reading/user_answers.py": 4, "bot/reading/values.py": 3, "bot/reading/questions.py": 1,
    "bot/dialogue/respond.py": 2, "bot/dialogue/check.py": 1, "bot/dialogue/turn.py": 1,
    "bot/rules/profile.py": 7, "bot/rules/catalogue.py": 5, "bot/saying/conversation.py": 3,
    "bot/saying/verdicts.py": 1, "bot/saying/answers.py": 1, "bot/cli/input.py": 2,
}


def fact_literals(source: str) -> int:
    from bot.rules.facts import facts
    return sum(isinstance(node, ast.Constant) and node.value in facts() for node in ast.walk(ast.parse(source)))


def test_a_facts_name_is_written_in_python_only_where_it_must_be():
    found = {str(path.relative_to(ROOT)): fact_literals(path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / "bot").rglob("*.py"))}
    over = {path: count for path, count in found.items() if count > FACT_LITERALS_AT_MOST.get(path, 0)}
    assert over == {}, f"name these facts through bot/data/facts.yaml, not as literals: {over}"


def test_the_fact_literal_check_can_fail():
    assert fact_literals('wanted = {"companies": 3}') == 1 and fact_literals('wanted = {"company": 3}') == 0


# A public name of the core means one thing: defined in one module, imported by the others. The interviews' Turn is
# the turn's own face, a Protocol the interviews know it by (bot/dialogue/interview.py says why), not a second meaning.
TWINS = {"Turn": {"bot/dialogue/interview.py", "bot/dialogue/turn.py"}}


def public_definitions(path: Path) -> set[str]:
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            found.add(node.name)
        elif isinstance(node, ast.Assign):
            found |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
    return {name for name in found if not name.startswith("_")}


def test_a_public_name_of_the_core_is_defined_in_one_module():
    where: dict[str, set[str]] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for name in public_definitions(path):
            where.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    twice = {name: sorted(paths) for name, paths in where.items() if len(paths) > 1 and TWINS.get(name) != paths}
    assert twice == {}, "one name, one meaning: rename one, or import it from the other"
