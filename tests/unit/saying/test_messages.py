"""The message store has no dead sentences: every message in bot/data/messages/ is addressed by some code.

Code addresses a message by a literal path ("result.grant"), by a path under a prefix its helper adds
(say("trace.header") reads "conversation.trace.header"), or by an f-string that fills in part of the path
(f"answer.topic.{topic}"). A message none of these reach is a sentence nobody can be shown, and the next
person edits it in vain."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any, Iterator, Mapping

from bot.saying.messages import messages

ROOT = Path(__file__).resolve().parents[3]  # from tests/<kind>/<part>/
CODE = ("bot", "actions", "records", "channels", "deploy")
# The widget's labels are read by the widget's script, as texts.NAME, from channels/webchat.py's JSON of them.
WIDGET_SCRIPT, WIDGET_SECTION = ROOT / "web" / "widget.js", "widget."

# f"conversation.{path}" and the like: a helper's prefix over a path its callers give literally.
WHOLE_PATH_NAMES = {"path", "key", "name"}


def message_paths(node: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and not set(value) <= {"nb", "en"}:
            yield from message_paths(value, path + ".")
        else:
            yield path


def addresses() -> tuple[set[str], list[re.Pattern], set[str]]:
    """Literal strings of the code; the f-strings that could build a message path (a literal start, dots, no
    spaces), as patterns; and the prefixes helpers put before the paths their callers give."""
    literals, patterns, prefixes = set(), [], set()
    for package in CODE:
        for source in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    literals.add(node.value)
                elif isinstance(node, ast.JoinedStr):
                    parts = node.values
                    tail = parts[-1] if parts else None
                    if (len(parts) == 2 and isinstance(tail, ast.FormattedValue) and isinstance(tail.value, ast.Name)
                            and tail.value.id in WHOLE_PATH_NAMES and isinstance(parts[0], ast.Constant)):
                        prefixes.add(parts[0].value)
                        continue
                    regex = "".join(re.escape(part.value) if isinstance(part, ast.Constant) else r"[\w-]+"
                                    for part in parts)
                    constants = "".join(part.value for part in parts if isinstance(part, ast.Constant))
                    if isinstance(parts[0], ast.Constant) and "." in constants and " " not in constants:
                        patterns.append(re.compile(regex))
    literals |= {WIDGET_SECTION + name for name in re.findall(r"\btexts\.(\w+)", WIDGET_SCRIPT.read_text())}
    return literals, patterns, prefixes


def test_every_message_is_addressed_by_the_code():
    literals, patterns, prefixes = addresses()

    def addressed(path: str) -> bool:
        suffixes, stripped = {path}, [path]
        while stripped:  # helpers call helpers: say("button.check") is conversation. + button. + check
            rest = stripped.pop()
            for prefix in prefixes:
                if rest.startswith(prefix) and rest[len(prefix):] not in suffixes:
                    suffixes.add(rest[len(prefix):])
                    stripped.append(rest[len(prefix):])
        return any(suffix in literals or any(pattern.fullmatch(suffix) for pattern in patterns)
                   for suffix in suffixes)

    dead = [path for path in message_paths(messages()) if not addressed(path)]
    assert not dead, f"messages no code can show: {dead}"


def test_the_scan_finds_a_dead_message():
    """The check can fail: a path no code names is reported."""
    literals, patterns, prefixes = addresses()
    assert "result.grant_for_budget" in literals and "conversation." in prefixes
    assert not any(pattern.fullmatch("result.no_such_sentence") for pattern in patterns)
