"""Sessions laid out for the waterfall: a lane per worker, a worker's sessions
that overlap (a wave's tasks run in parallel under one worker id) in lanes
of their own below it, each session in the first lane free by its start.

Laid out from the tracker's columns, no handle or event made per session:
through handles, 200k sessions took 2.2 s, and drawing them by visiting every
bar 1.2 s more, on the UI thread (3.4 s of a frozen screen). A lane's
sessions do not overlap, so a column's bar is found by halving (``Lane.cells``):
a frame costs its columns, not the sessions.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime
from threading import Event

from vivtui.store.columns import Handles
from vivtui.store.session_states import SUPERSEDED
from vivtui.store.sessions import SessionTracker

NAN = math.nan


@dataclass(slots=True)
class Lane:
    worker: str
    numbers: array  # the sessions' numbers in the tracker, by start
    starts: array  # their starts (seconds)
    ends: array  # their ends; NaN: open, its bar runs to the layout's ``until``
    sessions: Handles  # the same, as the tracker's sessions

    def cells(self, axis: Axis, until: float) -> list[int]:
        """For each of the axis's columns, the place in the lane of the session
        whose bar covers it (the latest to start, where several do), else -1."""
        starts, column, count = self.starts, axis.column, len(self.starts)
        shown, after = [-1] * axis.cells, 0  # after: how many start by the column
        for cell in range(axis.cells):
            # Halved to near the next column's time, then stepped to ``column``'s
            # own rounding.
            after = bisect_left(starts, axis.time_of(cell + 1), after)
            while after < count and column(starts[after]) <= cell:
                after += 1
            while after and column(starts[after - 1]) > cell:
                after -= 1
            shown[cell] = self._covering(after - 1, cell, column, until)
        return shown

    def _covering(self, place: int, cell: int, column, until: float) -> int:
        """The latest of the sessions up to ``place`` whose bar reaches ``cell``:
        ``place`` itself, or one before it where it ends before it starts (a
        completion timed before its start; those before it end by its start)."""
        while place >= 0:
            end = self.end(place, until)
            if column(end) >= cell:
                return place
            if end >= self.starts[place]:
                return -1
            place -= 1
        return -1

    def end(self, place: int, until: float) -> float:
        end = self.ends[place]
        return max(until, self.starts[place]) if end != end else end


@dataclass(frozen=True, slots=True)
class Axis:
    """Time across ``cells`` columns, from ``first`` to ``last``."""

    first: float
    last: float
    cells: int

    @property
    def scale(self) -> float:
        return (self.cells - 1) / max(self.last - self.first, 1e-9)

    def column(self, ts: float) -> int:
        return max(0, min(self.cells - 1, int((ts - self.first) * self.scale)))

    def time_of(self, cell: int) -> float:
        """About where ``cell`` begins (``column`` decides)."""
        return self.first + cell / self.scale


@dataclass(slots=True)
class Layout:
    lanes: list[Lane]
    wave_times: list[float]  # each wave's start, by time
    wave_numbers: list[int]  # and its number
    first: float | None  # the earliest start
    latest: float  # the latest fixed end or open start (-inf: none)
    run: str  # the run's state the sessions were judged by

    def find(self, number: int) -> tuple[int, int] | None:
        """The lane and place of session ``number``."""
        for lane_at, lane in enumerate(self.lanes):
            try:
                return lane_at, lane.numbers.index(number)
            except ValueError:
                continue
        return None


class Cancelled(Exception):
    """The layout is no longer wanted (the waterfall was closed meanwhile)."""


def wave_starts(tracker: SessionTracker, count: int,
                from_kernel: dict[int, datetime]) -> dict[int, float]:
    """Where each wave began: the kernel's "[WAVE N]" line where it has a time,
    else the first start of a session of run N (each wave is a run)."""
    found: dict[int, float] = {}
    keys, starts, times = tracker._keys, tracker._starts, tracker.events.times
    for number in range(count):
        at = starts[number]
        if at < 0:
            continue
        began, run = times[at], keys[number][1]
        if began == began and run.isdigit():
            wave = int(run)
            if began < found.get(wave, math.inf):
                found[wave] = began
    found.update((wave, when.timestamp()) for wave, when in from_kernel.items())
    return found


def lay_out(tracker: SessionTracker, run: str, until: float,
            from_kernel: dict[int, datetime], cancel: Event | None = None) -> Layout:
    """The tracker's sessions as they are now (``until``: where open bars end
    for now, ``run``: the run's state). Safe on a worker while the UI thread
    adds sessions: those after the count taken first wait for the next layout."""
    count = len(tracker._keys)
    waves = wave_starts(tracker, count, from_kernel)
    ends_of = _Ends(tracker, waves)
    keys, starts, times = tracker._keys, tracker._starts, tracker.events.times
    ends = tracker._ends
    by_worker: dict[str, list[tuple[float, int]]] = {}
    for number in range(count):
        if cancel is not None and not number % 4096 and cancel.is_set():
            raise Cancelled
        at = starts[number]
        if at < 0:
            at = ends[number]
        start = times[at] if at >= 0 else NAN
        if start == start:
            by_worker.setdefault(keys[number][0], []).append((start, number))
    lanes: list[Lane] = []
    latest = -math.inf
    for worker, found in sorted(by_worker.items(), key=lambda item: min(item[1])[0]):
        found.sort(key=_first)
        # Each: [where it is free from, numbers, starts, ends].
        slots: list[list] = []
        for start, number in found:
            end = ends_of(number, start)
            free = math.inf if end != end else end  # an open one keeps its lane
            latest = max(latest, start if end != end else end)
            slot = next((slot for slot in slots if slot[0] <= start), None)
            if slot is None:
                slot = [0.0, array("q"), array("d"), array("d")]
                slots.append(slot)
            slot[0] = free
            slot[1].append(number)
            slot[2].append(start)
            slot[3].append(end)
        lanes.extend(Lane(worker if i == 0 else f"{worker}·{i + 1}", numbers, lane_starts,
                          lane_ends, Handles(tracker._session, numbers))
                     for i, (_, numbers, lane_starts, lane_ends) in enumerate(slots))
    first = min((lane.starts[0] for lane in lanes), default=None)
    by_time = sorted((when, wave) for wave, when in waves.items())
    return Layout(lanes, [when for when, _ in by_time], [wave for _, wave in by_time], first,
                  latest, run)


def _first(item: tuple[float, int]) -> float:
    return item[0]


class _Ends:
    """A session's end: its completion; for one that never completed and was
    left behind, where its evidence ends: the next start of its key, or the
    next wave's start (a later run took its place); else NaN (open)."""

    def __init__(self, tracker: SessionTracker, waves: dict[int, float]) -> None:
        self._tracker = tracker
        self._numbers = sorted(waves)
        firsts: list[float] = []  # each wave's earliest start of it and those after it
        for wave in reversed(self._numbers):
            firsts.append(min(waves[wave], firsts[-1]) if firsts else waves[wave])
        firsts.reverse()
        self._firsts = firsts

    def __call__(self, number: int, start: float) -> float:
        tracker = self._tracker
        at = tracker._ends[number]
        ended = tracker.events.times[at] if at >= 0 else NAN
        if ended == ended:
            return ended
        if tracker._flags[number] & SUPERSEDED:
            began = tracker.next_start(tracker._session(number))
            later = (began.timestamp() if began is not None
                     else self.next_wave(tracker._keys[number][1]))
            if later is not None:
                return max(start, later)
        return NAN

    def next_wave(self, run: str) -> float | None:
        """When the wave after run ``run`` began (its worker moved on then)."""
        if not run.isdigit():
            return None
        at = bisect_right(self._numbers, int(run))
        return self._firsts[at] if at < len(self._numbers) else None


def marks(layout: Layout, axis: Axis) -> list[tuple[int, int]]:
    """The waves' (column, number) on the axis, each left out where its mark
    would cover the last one's; halving to the next free column (44k waves)."""
    times, numbers = layout.wave_times, layout.wave_numbers
    shown: list[tuple[int, int]] = []
    free_from, at = 0, 0
    while at < len(times):
        cell = axis.column(times[at])
        if cell < free_from:
            # Near the first wave that may be free (``column`` rounds: one back).
            at = max(at + 1, bisect_left(times, axis.time_of(free_from), at + 1) - 1)
            continue
        shown.append((cell, numbers[at]))
        free_from = cell + len(f"│W{numbers[at]}") + 1
        at += 1
    return shown
