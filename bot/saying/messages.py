"""Everything the bot says in its own words, in both languages: one store, the files of data/messages/.

Each file holds the messages of one topic under top-level keys of its own; a key found in two files is an
error, so a message has exactly one place. A message is addressed by its path: "result.grant".
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from bot.resources import DATA_DIR, DataError, Text, load_yaml
from bot.saying.texts import render

MESSAGES_DIR = DATA_DIR / "messages"


@lru_cache(maxsize=None)
def messages() -> Mapping[str, Any]:
    """The whole store: every file's top-level keys in one mapping."""
    store: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for path in sorted(MESSAGES_DIR.glob("*.yaml")):
        for key, value in (load_yaml(path.relative_to(DATA_DIR)) or {}).items():
            if key in store:
                raise DataError(f"{path.name}: {key!r} is also in {owner[key]}")
            store[key], owner[key] = value, path.name
    return store


@lru_cache(maxsize=None)
def message_text(path: str) -> Text:
    node: Any = messages()
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise DataError(f"messages: no message {path!r}")
        node = node[part]
    return Text.from_mapping(node, f"messages: {path}")


def message(path: str, language: str, **values: Any) -> str:
    return render(message_text(path)(language), language, values)
