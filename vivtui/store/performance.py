"""performance_history.json entries: the whole current array, replaced on rewrite."""

from __future__ import annotations

from vivtui.parsing.record import Record, Records, new_record, pack, rows_of
from vivtui.parsing.values import flag, number, text
from vivtui.store.sessions import Session

_RAW = Record._fields.index("raw")


class PerformanceTracker:
    """Each entry kept packed (a few hundred bytes, where its decoded object
    was a kilobyte), the figures it gives aside, and the entries indexed by
    session number: a sessions row looks up its entry among its number's,
    not among every entry of the run (that grew with the run, every frame).

    ``apply`` returns the packed rows: the store's buffer keeps those same
    rows, not a second packed copy of each entry."""

    def __init__(self) -> None:
        self.entries = Records()
        self._by_session: dict[str, list[int]] = {}
        self.version = 0
        self._clear_figures()

    def _clear_figures(self) -> None:
        # Running figures, not a tuple of each entry's: those tuples, and the floats
        # they held, were 170 bytes an entry for as long as the run went on.
        self.succeeded = self.failed = 0
        self._durations = [0, 0.0]  # how many, their sum
        self._qualities = [0, 0.0]

    def apply(self, records, reset: bool = False) -> list[tuple]:
        if reset:
            self.entries, self._by_session = Records(), {}
            self._clear_figures()
        kept = []
        for row in rows_of(records):
            record = new_record(Record, row)
            fields = record.fields
            self._by_session.setdefault(text(fields.get("session_id")), []).append(
                len(self.entries) + len(kept))
            self._count(fields)
            if fields and not record.malformed:
                row = (*row[:_RAW], pack(fields), *row[_RAW + 1:])
            kept.append(row)
        self.entries.rows.extend(kept)
        if kept or reset:
            self.version += 1
        return kept

    def _count(self, fields: dict) -> None:
        success = flag(fields.get("success"))
        if success is True:
            self.succeeded += 1
        elif success is False:
            self.failed += 1
        for figure, sums in (("duration_seconds", self._durations),
                             ("quality_score", self._qualities)):
            value = number(fields.get(figure))
            if value is not None:
                sums[0] += 1
                sums[1] += value

    def of_session(self, number: str) -> list[Record]:
        """The entries written for session number ``number`` (numbers restart
        every wave: several sessions share one)."""
        return [self.entries[at] for at in self._by_session.get(number, ())]

    @property
    def mean_duration(self) -> float | None:
        count, total = self._durations
        return total / count if count else None

    @property
    def mean_quality(self) -> float | None:
        count, total = self._qualities
        return total / count if count else None


def quality_of(session: Session, performance: PerformanceTracker) -> float | None:
    entry = performance_of(session, performance)
    return number(entry.fields.get("quality_score")) if entry is not None else None


def performance_of(session: Session, performance: PerformanceTracker) -> Record | None:
    """This session's performance_history entry: same session number, written
    within two minutes of its completion (session numbers restart every wave)."""
    if session.ended is None or session.ended_at is None:
        return None
    number_wanted = session.key[2]
    best, best_gap = None, None
    for entry in performance.of_session(number_wanted):
        if entry.ts is None:
            continue
        gap = abs((entry.ts - session.ended_at).total_seconds())
        if gap < 120 and (best_gap is None or gap < best_gap):
            best, best_gap = entry, gap
    return best
