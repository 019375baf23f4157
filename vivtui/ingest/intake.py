"""Batches taken in on the UI thread a piece at a time, each kind in order.

A backlog batch takes 30-150 ms to take in (a big queue's or sessions file's
models). Taken in whole, a key or a frame waited behind it and behind the
next one: 200-400 ms a key while a 200k-task queue was read. Each piece is a
callback of its own, so that whatever else is ready (a key, a frame) runs
between two pieces; the pieces of one kind are taken in order, before that
kind's next batch.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace
from time import monotonic

from vivtui.ingest.batch import Batch
from vivtui.parsing.record import Records, rows_of

PIECE = 300  # records taken in at a time: a few ms of a big file's models
STEP_S = 0.012  # pieces taken in one after another before the loop gets a turn


def split(batch: Batch, size: int) -> tuple[Batch, Batch | None]:
    """The batch's first ``size`` records, and the rest (None: no rest). What
    the batch says once (a reset, file events) goes with the first piece."""
    rows = rows_of(batch.records)
    if len(rows) <= size:
        return batch, None
    first = replace(batch, records=Records(rows[:size]), more=True,
                    rows_to_come=batch.rows_to_come + len(rows) - size)
    rest = replace(batch, records=Records(rows[size:]), events=[], happened=[], reset=False)
    return first, rest


class Intake:
    """``apply`` takes in a piece; ``applied(kind)`` follows a whole batch (its
    tail loop may hand over the next); ``schedule`` runs a callable after what
    is ready now (the event loop's ``call_soon``). Pieces for ``STEP_S`` a
    turn, the kinds taking turns, whatever the number of files: a run's five
    backlogs at a piece each a turn made a key wait a second."""

    def __init__(self, apply: Callable[[Batch], None], applied: Callable[[str], None],
                 schedule: Callable[[Callable[[], None]], None], piece: int = PIECE,
                 clock: Callable[[], float] = monotonic,
                 schedule_later: Callable[[float, Callable[[], None]], None] | None = None) -> None:
        self._apply = apply
        self._clock = clock
        self._later = schedule_later or (lambda delay, work: schedule(work))
        self._quiet_until = float("-inf")
        self._applied = applied
        self._schedule = schedule
        self.piece = piece
        self._waiting: dict[str, deque[Batch]] = {}  # by kind, in the order they came
        self._scheduled = False

    def quiet(self, seconds: float) -> None:
        """Nothing taken in for ``seconds``: a key's frame goes first."""
        self._quiet_until = max(self._quiet_until, self._clock() + seconds)

    def take(self, batch: Batch) -> None:
        self._waiting.setdefault(batch.kind, deque()).append(batch)
        if not self._scheduled:
            self._step()

    def _step(self) -> None:
        """Pieces for up to ``STEP_S``, then a turn for the rest of the loop:
        each turn costs a few ms of waiting for the GIL, so one piece a turn
        made a big queue's reading 40 % slower."""
        now = self._clock()
        if now < self._quiet_until:
            self._scheduled = True
            self._later(self._quiet_until - now, self._step)
            return
        self._scheduled = False
        until = now + STEP_S
        try:
            while True:
                kind = next((kind for kind, waiting in self._waiting.items() if waiting), None)
                if kind is None or self._take_piece(kind) >= until:
                    return
        finally:
            if any(self._waiting.values()):
                self._scheduled = True
                self._schedule(self._step)

    def _take_piece(self, kind: str) -> float:
        """A piece of ``kind``'s oldest batch taken in; the time after it."""
        waiting = self._waiting.pop(kind)
        self._waiting[kind] = waiting  # to the back: the kinds take turns
        piece, rest = split(waiting[0], self.piece)
        try:
            self._apply(piece)
        finally:
            if rest is None:
                waiting.popleft()
                self._applied(kind)
            else:
                waiting[0] = rest
        return self._clock()
