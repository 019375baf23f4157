"""performance_history.json entries: the whole current array, replaced on rewrite.

The producer writes an entry per session, so a long run's file holds tens of
thousands. What the sessions rows look up (an entry's time and quality) is
kept in arrays indexed by the entry's place in the array; the whole entries
(the inspector, the kept rows past the newest) are kept as JSON compressed
a block of ``BLOCK`` at a time. About 120 bytes an entry, where its packed
JSON, its row and its figures were about 600, and grew a live run's memory
for as long as it ran.
"""

from __future__ import annotations

import math
import zlib
from array import array
from collections.abc import Iterator, Sequence
from datetime import tzinfo

import orjson

from vivtui.parsing.context import ParseContext
from vivtui.parsing.performance import parse_entry
from vivtui.parsing.record import Record, new_record, pack, rows_of
from vivtui.parsing.values import EpochMinutes, flag, number, text
from vivtui.store.columns import or_none
from vivtui.store.sessions import Session

_RAW, _ZONE = Record._fields.index("raw"), Record._fields.index("zone")
BLOCK = 64  # entries compressed together: a few hundred bytes each compress well together
MATCH_WITHIN_S = 120  # an entry is a session's when written this close to its completion


# What the means take: a session's duration (up to a year) and a quality
# score (0-1 as producers write it; up to 100 for one that writes percents).
# An entry's 1e300 s or -5 s is no session's: it was the whole mean
# ("mean duration 500000000000000026252380127602210124352234290554...s").
DURATIONS = (0.0, 365 * 86_400.0)
QUALITIES = (0.0, 100.0)


class PerformanceTracker:
    """The entries indexed by session number: a sessions row looks up its
    entry among its number's, not among every entry of the run.

    ``apply`` returns the rows for the store's buffer, their objects packed;
    the buffer reads its rows past the newest back from here (``rows_at``)."""

    def __init__(self) -> None:
        self._minutes = EpochMinutes()
        self._reset()

    def _reset(self) -> None:
        self._times = array("d")  # seconds since the epoch; NaN: no time
        self._qualities = array("d")  # NaN: none
        # A session number's entry, or its entries when it has several: an
        # array for each of a history's 250k numbers (unique when a producer
        # never restarts them) took 27 MB.
        self._by_session: dict[str, int | array] = {}
        self._blocks: list[bytes] = []  # BLOCK entries each, as a compressed JSON array
        self._pending: list[bytes] = []  # the entries after the last block, as JSON
        self._zone: tzinfo | None = None  # of the entries' naive times
        # Running figures, not a tuple of each entry's.
        self.succeeded = self.failed = 0
        self._durations = [0, 0.0]  # how many, their sum
        self._qualities_sum = [0, 0.0]
        self.out_of_range = 0  # durations and qualities the means left out

    @property
    def count(self) -> int:
        return len(self._times)

    def apply(self, records, reset: bool = False) -> list[tuple]:
        if reset:
            self._reset()
        kept = []
        for row in rows_of(records):
            record = new_record(Record, row)
            fields = record.fields
            self._index(text(fields.get("session_id")))
            # Packed once: kept in the block to come, and by the buffer's row.
            # A malformed entry is kept as the text its row shows.
            data = pack(record.raw if record.malformed else fields)
            self._take(record, fields, data)
            self._zone = row[_ZONE]
            if fields and not record.malformed:
                row = (*row[:_RAW], data, *row[_RAW + 1:])
            kept.append(row)
        return kept

    def _index(self, number: str) -> None:
        by_session, index = self._by_session, self.count
        held = by_session.get(number)
        if held is None:
            by_session[number] = index
        elif held.__class__ is int:
            by_session[number] = array("l", (held, index))
        else:
            held.append(index)

    def _take(self, record: Record, fields: dict, data: bytes) -> None:
        when = self._minutes.seconds(record.stamp, record.zone)
        self._times.append(when if when is not None else math.nan)
        quality = number(fields.get("quality_score"))
        self._qualities.append(quality if quality is not None else math.nan)
        success = flag(fields.get("success"))
        if success is True:
            self.succeeded += 1
        elif success is False:
            self.failed += 1
        for value, sums, (low, high) in (
                (number(fields.get("duration_seconds")), self._durations, DURATIONS),
                (quality, self._qualities_sum, QUALITIES)):
            if value is None:
                continue
            if low <= value <= high:
                sums[0] += 1
                sums[1] += value
            else:
                self.out_of_range += 1
        self._pending.append(data)
        if len(self._pending) == BLOCK:
            self._blocks.append(zlib.compress(_as_array(self._pending)))
            self._pending = []

    def of_session(self, number: str) -> list[int]:
        """The entries (by index) written for session number ``number``
        (numbers restart every wave: several sessions share one)."""
        held = self._by_session.get(number, ())
        return [held] if held.__class__ is int else list(held)

    def time(self, index: int) -> float | None:
        return or_none(self._times[index])

    def quality(self, index: int) -> float | None:
        return or_none(self._qualities[index])

    def entry(self, index: int) -> Record:
        return new_record(Record, self._rows([index])[0])

    # -- the store buffer's rows past the newest (``store.oldrows.Reread``) ----

    def able(self) -> bool:
        return True

    def rows_at(self, places: Sequence[tuple[int, int]]) -> dict[tuple[int, int], tuple]:
        indices = [line - 1 for line, _ in places if 0 < line <= self.count]
        return {(row[1], row[2]): row for row in self._rows(indices)}

    def rows_before(self, places: Sequence[tuple[int, int]]) -> Iterator[dict]:
        return iter(())  # (rewritten in place: no older copies)

    def _rows(self, indices: list[int]) -> list[tuple]:
        ctx = ParseContext(self._zone)
        blocks: dict[int, list] = {}
        out = []
        for index in indices:
            number, at = divmod(index, BLOCK)
            entries = blocks.get(number)
            if entries is None:
                entries = blocks[number] = (
                    orjson.loads(zlib.decompress(self._blocks[number])
                                 if number < len(self._blocks) else _as_array(self._pending)))
            out.append(tuple(parse_entry(entries[at], index, ctx)))
        return out

    @property
    def mean_duration(self) -> float | None:
        count, total = self._durations
        return total / count if count else None

    @property
    def mean_quality(self) -> float | None:
        count, total = self._qualities_sum
        return total / count if count else None


def _as_array(entries: list[bytes]) -> bytes:
    """Entries' JSON as one JSON array."""
    return b"[" + b",".join(entries) + b"]"


def entry_index_of(session: Session, performance: PerformanceTracker) -> int | None:
    """This session's performance_history entry: same session number, written
    within two minutes of its completion (session numbers restart every wave)."""
    if session.ended is None or session.ended_at is None:
        return None
    ended = session.ended_at.timestamp()
    best, best_gap = None, None
    for index in performance.of_session(session.key[2]):
        ts = performance.time(index)
        if ts is None:
            continue
        gap = abs(ts - ended)
        if gap < MATCH_WITHIN_S and (best_gap is None or gap < best_gap):
            best, best_gap = index, gap
    return best


def quality_of(session: Session, performance: PerformanceTracker) -> float | None:
    index = entry_index_of(session, performance)
    return performance.quality(index) if index is not None else None


def performance_of(session: Session, performance: PerformanceTracker) -> Record | None:
    index = entry_index_of(session, performance)
    return performance.entry(index) if index is not None else None
