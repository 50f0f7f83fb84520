"""Everything the bot says in its own words, in both languages: one store, data/messages.yaml."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot.resources import Text, load_yaml
from bot.saying.texts import render


@lru_cache(maxsize=None)
def _messages() -> dict:
    return load_yaml("messages.yaml")


@lru_cache(maxsize=None)
def message_text(path: str) -> Text:
    node: Any = _messages()
    for part in path.split("."):
        node = node[part]
    return Text.from_mapping(node, f"messages.yaml: {path}")


def message(path: str, language: str, **values: Any) -> str:
    return render(message_text(path)(language), language, values)
