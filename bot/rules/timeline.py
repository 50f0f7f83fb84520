"""Values that change over time, keyed by the date each takes effect (as OpenFisca parameters are)."""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Timeline:
    starts: tuple[dt.date, ...]
    values: tuple[Any, ...]

    @classmethod
    def from_mapping(cls, raw: Any, where: str) -> "Timeline":
        if not isinstance(raw, Mapping) or not raw:
            raise ValueError(f"{where}: needs at least one value keyed by the date it takes effect")
        pairs = sorted((parse_date(start, where), value) for start, value in raw.items())
        return cls(starts=tuple(start for start, _ in pairs), values=tuple(value for _, value in pairs))

    def at(self, day: dt.date) -> Any:
        """The value in force on `day`. Before the first start date the first value applies: a call text
        is the only source of its figures, so there is no older value to fall back on."""
        index = bisect.bisect_right(self.starts, day) - 1
        return self.values[max(index, 0)]


def parse_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
