"""Where a conversation stands: the project's facts and where each came from, the question waiting for an answer,
how often each question was asked, and the helpers' own facts. Immutable; `to_json`/`from_json` carry it between
turns (the Rasa adapter keeps the facts in one slot each and the rest in one slot)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping, Optional

from bot.reading.counts import Portion
from bot.resources import DEFAULT_LANGUAGE, plain

VERSION = 2


@dataclass(frozen=True)
class Asked:
    """The question the bot is waiting on. `kind` says which interview reads the answer (a fact of the check,
    the confirmation of an inferred fact, an offer, an SME figure, ...), `key` which of its questions it is,
    and `options` the choices as they were shown, in order, so that "2" picks the second."""
    kind: str
    key: str
    options: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.key}"


@dataclass(frozen=True)
class Conversation:
    language: str = DEFAULT_LANGUAGE
    facts: Mapping[str, Any] = field(default_factory=dict)  # the project's facts
    inferred: frozenset[str] = frozenset()  # facts the bot worked out, not yet confirmed by the user
    previous: Mapping[str, Any] = field(default_factory=dict)  # a stated fact changed without a correction: what it was
    supposed: Mapping[str, Any] = field(default_factory=dict)  # a what-if's facts, until the user keeps them or not
    waiting: Mapping[str, Portion] = field(default_factory=dict)  # "alle er SMB-er" before the total is known
    left_open: tuple[str, ...] = ()  # facts skipped, or not readable after three tries: unknown on purpose
    task: Optional[str] = None  # the interview running: "check", "sme", "handoff", "prioritise"
    resume: Optional[str] = None  # the interview to go back to when this one ends
    asked: Optional[Asked] = None
    times_asked: Mapping[str, int] = field(default_factory=dict)  # Asked.id -> how often it was shown
    failures: Mapping[str, int] = field(default_factory=dict)  # Asked.id -> answers that could not be read
    explained: tuple[str, ...] = ()  # Asked.id of questions whose reason was given (never twice word for word)
    closed_to_check: tuple[str, ...] = ()  # closed calls the user chose to be checked against
    offered: tuple[str, ...] = ()  # closed calls already offered
    checked_anyway: tuple[str, ...] = ()  # calls set aside as not for this kind of project, checked on request
    verdict_given: bool = False
    sme: Mapping[str, Any] = field(default_factory=dict)  # the SME helper's figures for one enterprise
    handoff: Mapping[str, Any] = field(default_factory=dict)  # name and e-mail for a person to call back
    proposals: tuple[Mapping[str, Any], ...] = ()  # the cluster's proposals entered for prioritising
    proposal: Mapping[str, Any] = field(default_factory=dict)  # the proposal being entered

    def with_(self, **changes: Any) -> "Conversation":
        return replace(self, **changes)

    def count(self, counter: str, asked: Asked) -> int:
        return getattr(self, counter).get(asked.id, 0)

    def counted(self, counter: str, asked: Asked) -> "Conversation":
        counts = dict(getattr(self, counter))
        counts[asked.id] = counts.get(asked.id, 0) + 1
        return self.with_(**{counter: MappingProxyType(counts)})

    def meta_json(self) -> dict[str, Any]:
        """Everything but the facts, as JSON."""
        data = {name: plain(getattr(self, name)) for name in self.__dataclass_fields__ if name != "facts"}
        data["inferred"] = sorted(self.inferred)
        data["waiting"] = {fact: asdict(portion) for fact, portion in self.waiting.items()}
        data["asked"] = plain(asdict(self.asked)) if self.asked else None
        data["version"] = VERSION
        return data

    @classmethod
    def from_json(cls, meta: Optional[Mapping[str, Any]], facts: Mapping[str, Any],
                  language: Optional[str] = None) -> "Conversation":
        """The conversation from its stored meta and facts; a meta from another version starts afresh, facts kept."""
        meta = dict(meta or {})
        if meta.pop("version", None) != VERSION:
            meta = {}
        asked = meta.pop("asked", None)
        known = {name for name in cls.__dataclass_fields__}
        values = {key: value for key, value in meta.items() if key in known}
        for key in ("left_open", "explained", "closed_to_check", "offered", "checked_anyway"):
            values[key] = tuple(values.get(key) or ())
        values["proposals"] = tuple(values.get("proposals") or ())
        values["inferred"] = frozenset(values.get("inferred") or ()) & frozenset(facts)
        values["waiting"] = {fact: Portion(**portion) for fact, portion in (values.get("waiting") or {}).items()}
        values["asked"] = Asked(asked["kind"], asked["key"], tuple(asked.get("options") or ())) if asked else None
        if language:
            values["language"] = language
        return cls(facts=dict(facts), **values)
