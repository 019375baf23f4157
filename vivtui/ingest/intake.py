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
from functools import partial

from vivtui.ingest.feeds import Batch
from vivtui.parsing.record import Records, rows_of

PIECE = 1000  # records taken in at a time: a few ms of a big file's models


def split(batch: Batch, size: int) -> tuple[Batch, Batch | None]:
    """The batch's first ``size`` records, and the rest (None: no rest). What
    the batch says once (a reset, file events) goes with the first piece."""
    rows = rows_of(batch.records)
    if len(rows) <= size or batch.preview:
        return batch, None
    first = replace(batch, records=Records(rows[:size]), more=True,
                    rows_to_come=batch.rows_to_come + len(rows) - size)
    rest = replace(batch, records=Records(rows[size:]), events=[], happened=[], reset=False)
    return first, rest


class Intake:
    """``apply`` takes in a piece; ``applied(kind)`` follows a whole batch (its
    tail loop may hand over the next); ``schedule`` runs a callable after what
    is ready now (the event loop's ``call_soon``)."""

    def __init__(self, apply: Callable[[Batch], None], applied: Callable[[str], None],
                 schedule: Callable[[Callable[[], None]], None], piece: int = PIECE) -> None:
        self._apply = apply
        self._applied = applied
        self._schedule = schedule
        self.piece = piece
        self._waiting: dict[str, deque[Batch]] = {}

    def take(self, batch: Batch) -> None:
        waiting = self._waiting.setdefault(batch.kind, deque())
        waiting.append(batch)
        if len(waiting) == 1:  # else a step of this kind is scheduled already
            self._step(batch.kind)

    def _step(self, kind: str) -> None:
        waiting = self._waiting[kind]
        piece, rest = split(waiting[0], self.piece)
        try:
            self._apply(piece)
        finally:
            if rest is None:
                waiting.popleft()
                self._applied(kind)
            else:
                waiting[0] = rest
            if waiting:
                self._schedule(partial(self._step, kind))
