"""Turns at the other processes that read big backlogs (``apart_process``):
at most so many at once, in lanes that end together, the costliest first.

Taken in the order the files' threads asked (each once its preview was
out), the big run's turns left its costliest backlog for last: it was read
alone on one core for 6 s while the other had nothing left to do, and the
loading took 14.5 s. Longest first is the rule that keeps the cores busy to
the end. The threads ask within the first second or so: a cheaper backlog
waits for a costlier one that has not asked yet, but only until ``GRACE_S``
after the start.

Longest first still left the big run's cheapest backlog, the kernel's, to be
read alone at the end for 1.5-2 s while the other core had nothing to do.
The expected backlogs are shared out in lanes that end together
(``costs.shared_out``), one per turn: a turn goes first to a backlog of a
lane that has none at work, and only if there is none such to any other.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from time import monotonic

from vivtui.ingest.costs import shared_out

GRACE_S = 1.5
WAIT_S = 0.1  # between looks at the grace's end and at ``stopped``


class Turns:
    def __init__(self, count: int, expected: dict[str, float], grace: float | None = None,
                 clock: Callable[[], float] = monotonic) -> None:
        """``expected``: the costs of the backlogs to come (``ingest.costs``), by
        kind; ``grace``: seconds they are waited for (``GRACE_S``)."""
        self._free = self._count = count
        self._expected = dict(expected)  # until they ask
        self._lane = {kind: lane for lane, kinds in enumerate(shared_out(expected, count))
                      for kind in kinds}
        self._at_work: Counter[int | None] = Counter()  # turns taken, by lane
        self._waiting: dict[str, float] = {}
        self._clock = clock
        self._until = clock() + (GRACE_S if grace is None else grace)
        self._changed = threading.Condition()

    def take(self, kind: str, cost: float, stopped: threading.Event) -> Turn | None:
        """Waits for ``kind``'s turn: the turn, once it has it, or None if
        ``stopped`` first."""
        with self._changed:
            self._expected.pop(kind, None)
            self._waiting[kind] = cost
            try:
                while not stopped.is_set():
                    if self._free and self._next() == kind:
                        return self._given(kind)
                    self._changed.wait(WAIT_S)
                return None
            finally:
                del self._waiting[kind]
                self._changed.notify_all()

    def take_first(self) -> dict[str, Turn]:
        """The turns the expected backlogs are given first, taken now for
        them, before their threads ask (``early_backlogs``)."""
        taken = {}
        with self._changed:
            while self._free and self._expected and not self._waiting \
                    and self._clock() < self._until:
                kind = self._next()
                del self._expected[kind]
                taken[kind] = self._given(kind)
        return taken

    def _given(self, kind: str) -> Turn:
        self._free -= 1
        lane = self._lane.get(kind)
        self._at_work[lane] += 1
        return Turn(self, lane)

    def alone(self, kind: str) -> bool:
        """Is ``kind``'s the only backlog expected, with turns to spare (it
        may be read in parts at once: ``apart_parts``)?"""
        return self._count >= 2 and set(self._lane) == {kind}

    def _give_back(self, lane: int | None) -> None:
        with self._changed:
            self._free += 1
            self._at_work[lane] -= 1
            self._changed.notify_all()

    def _next(self) -> str:
        rivals = dict(self._waiting)
        if self._clock() < self._until:
            rivals.update(self._expected)
        # (A backlog that was not expected has no lane: it is never kept waiting for one.)
        idle = {kind: cost for kind, cost in rivals.items()
                if kind not in self._lane or not self._at_work[self._lane[kind]]}
        return max((idle or rivals).items(), key=lambda item: (item[1], item[0]))[0]


class Turn:
    """Given back once, by ``give_back`` or at the end of a ``with``."""

    def __init__(self, turns: Turns, lane: int | None = None) -> None:
        self._turns: Turns | None = turns
        self._lane = lane

    def give_back(self) -> None:
        turns, self._turns = self._turns, None
        if turns is not None:
            turns._give_back(self._lane)

    def __enter__(self) -> Turn:
        return self

    def __exit__(self, *exc) -> None:
        self.give_back()
