"""performance_history.json entries: the whole current array, replaced on rewrite."""

from __future__ import annotations

from statistics import fmean

from vivtui.parsing.record import Record
from vivtui.parsing.values import flag, number, text
from vivtui.store.sessions import Session


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


def quality_of(session: Session, perf_entries: list[Record]) -> float | None:
    entry = performance_of(session, perf_entries)
    return number(entry.fields.get("quality_score")) if entry is not None else None


def performance_of(session: Session, perf_entries: list[Record]) -> Record | None:
    """This session's performance_history entry: same session number, written
    within two minutes of its completion (session numbers restart every wave)."""
    if session.ended is None or session.ended_at is None:
        return None
    number_wanted = session.key[2]
    best, best_gap = None, None
    for entry in perf_entries:
        if text(entry.fields.get("session_id")) != number_wanted or entry.ts is None:
            continue
        gap = abs((entry.ts - session.ended_at).total_seconds())
        if gap < 120 and (best_gap is None or gap < best_gap):
            best, best_gap = entry, gap
    return best
