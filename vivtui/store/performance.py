"""performance_history.json entries: the whole current array, replaced on rewrite."""

from __future__ import annotations

from statistics import fmean

from vivtui.parsing.record import Record
from vivtui.parsing.values import flag, number


class PerformanceTracker:
    def __init__(self) -> None:
        self.entries: list[Record] = []
        self.version = 0

    def apply(self, records: list[Record], reset: bool = False) -> None:
        if reset:
            self.entries = []
        self.entries.extend(records)
        if records or reset:
            self.version += 1

    def _values(self, name: str) -> list[float]:
        found = (number(entry.fields.get(name)) for entry in self.entries)
        return [value for value in found if value is not None]

    @property
    def succeeded(self) -> int:
        return sum(1 for e in self.entries if flag(e.fields.get("success")) is True)

    @property
    def failed(self) -> int:
        return sum(1 for e in self.entries if flag(e.fields.get("success")) is False)

    @property
    def mean_duration(self) -> float | None:
        values = self._values("duration_seconds")
        return fmean(values) if values else None

    @property
    def mean_quality(self) -> float | None:
        values = self._values("quality_score")
        return fmean(values) if values else None
