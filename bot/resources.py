"""The ground floor of the domain core: where the data files live, how they are read, and the bilingual
text that every layer above carries (a rule's requirement, a fact's label, a reply)."""
from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"  # the clusters' own language, until a message shows otherwise
# How long anything about a user is kept: records/ deletes by it, and the conversation tells the user (one owner).
RETENTION_VARIABLE = "KLYNGEBOT_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90


class DataError(Exception):
    """A data file is missing or malformed; the message names the file and the entry."""


def load_yaml(relative: str | Path) -> Any:
    path = DATA_DIR / relative
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise DataError(f"{path.name}: {error}") from error


@dataclass(frozen=True)
class Text:
    """One sentence in every supported language."""

    nb: str
    en: str

    def __call__(self, language: str) -> str:
        return self.en if language == "en" else self.nb

    @classmethod
    def from_mapping(cls, value: Any, where: str) -> "Text":
        if isinstance(value, Mapping) and set(value) - set(LANGUAGES):
            # a comma inside an unquoted YAML flow mapping splits a sentence into a stray key
            raise ValueError(f"{where}: unexpected key(s) {sorted(map(str, set(value) - set(LANGUAGES)))}")
        if not isinstance(value, Mapping) or not all(isinstance(value.get(lang), str) and value[lang].strip()
                                                     for lang in LANGUAGES):
            raise ValueError(f"{where}: needs a non-empty text for each of {', '.join(LANGUAGES)}")
        return cls(nb=value["nb"].strip(), en=value["en"].strip())


def placeholders(template: str) -> set[str]:
    """The names a template fills in: {ceiling_nok:nok} -> ceiling_nok."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


# Markup pasted or injected into a message: a script's or style's content is no part of what the user says.
_HIDDEN_MARKUP = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"</?[a-z][^<>]*>", re.I)


def unmarked(text: str) -> str:
    """The text without markup: "<b>3</b>" is 3, "<script>alert(1)</script>" says nothing."""
    return _TAG.sub(" ", _HIDDEN_MARKUP.sub(" ", text))


def fold(text: str, lower: bool = True) -> str:
    """Text as compared, not as shown: no markup, lower case, one kind of dash and apostrophe, single spaces.
    `lower=False` keeps the case and nothing else, so that its offsets are the folded text's ("NO, SE" as codes)."""
    folded = " ".join(unmarked(text).replace("–", "-").replace("’", "'").split())
    return folded.lower() if lower else folded


def plain(value: Any) -> Any:
    """A fact's value as JSON has it: read-only mappings and tuples as dicts and lists, all the way down."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def retention_days(environment: Optional[Mapping[str, str]] = None) -> int:
    """The days after which what is kept about a user is deleted; ValueError (one line) for a setting that is not
    a whole number of days, 1 or more."""
    value = (os.environ if environment is None else environment).get(RETENTION_VARIABLE, "").strip()
    if not value:
        return DEFAULT_RETENTION_DAYS
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{RETENTION_VARIABLE}={value!r} is not a whole number of days, 1 or more")
    return int(value)
