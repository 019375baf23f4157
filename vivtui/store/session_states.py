"""A GrindSession's state, judged from its tracker's columns (its flags and
whether it ended), and the order a triager looks at sessions in: failed,
never finished and stalled first (``store.sessions`` keeps the columns)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import compress
from typing import Any

from vivtui.parsing.record import ERROR, INFO, OK, WARNING
from vivtui.store.activity import IDLE, LIVE
from vivtui.store.columns import Handle, Handles, numbers_of

RUNNING = "running"
STALLED = "stalled"  # open while the run has gone quiet: may yet finish, probably not
SUCCEEDED = "ok"
FAILED = "failed"
UNFINISHED = "unfinished"

# What a triager looks at first: failed, then never finished, then running.
# The states to triage (``PROBLEMS``) come first (``TriageOrder.problems``).
STATE_ORDER = {FAILED: 0, UNFINISHED: 1, STALLED: 2, RUNNING: 3, SUCCEEDED: 4}
STATE_SEVERITY = {FAILED: ERROR, UNFINISHED: WARNING, STALLED: WARNING, RUNNING: INFO,
                  SUCCEEDED: OK}
PROBLEMS = (FAILED, UNFINISHED, STALLED)

SUPERSEDED = 1  # in a session's flags; its outcome is in the bits above
OUTCOMES = (None, True, False)
_ENDED = 1 << 8  # above every flag: a session's flags and whether it ended, in one int


def state_of(end_at: int, flags: int, run: str) -> str:
    if end_at < 0:
        if flags & SUPERSEDED:
            return UNFINISHED
        return {LIVE: RUNNING, IDLE: STALLED}.get(run, UNFINISHED)
    return FAILED if OUTCOMES[flags >> 1] is False else SUCCEEDED


def is_problem(session: Any, run: str) -> bool:
    """A session to triage: failed, never finished, or stalled."""
    return session.state(run) in PROBLEMS


class TriageOrder(Handles):
    """``triage_order``'s sessions, as judged for ``run``: the ``problems``
    first of them are those to triage (``is_problem``)."""

    def __init__(self, make: Callable[[int], Handle], numbers: list[int], run: str,
                 problems: int) -> None:
        super().__init__(make, numbers)
        self.run, self.problems = run, problems


def triage_order(make: Callable[[int], Handle], starts: Sequence[int], ends: Sequence[int],
                 flags: Sequence[int], times: Sequence[float], run: str,
                 now: datetime) -> TriageOrder:
    """The sessions of these columns (``times``: their events', NaN for none)
    in ``STATE_ORDER``, newest first within each (read from the columns: no
    handle's properties per session; a state's sessions sorted by one number
    each: 200k took 0.18 s by a pair each)."""
    unknown = -now.timestamp()
    groups: list[list[int]] = [[] for _ in STATE_ORDER]
    places = [group.append for group in groups]
    order_of: dict[tuple[bool, int], int] = {}  # (ended, flags) -> its state's place
    keys = []
    for at, (start, end, flag) in enumerate(zip(starts, ends, flags)):
        ts = times[start] if start >= 0 else math.nan
        if ts != ts and end >= 0:
            ts = times[end]
        keys.append(-ts if ts == ts else unknown)
        ended = end >= 0
        place = order_of.get((ended, flag))
        if place is None:
            place = order_of[ended, flag] = STATE_ORDER[state_of(end, flag, run)]
        places[place](at)
    key = keys.__getitem__
    order = [at for group in groups for at in sorted(group, key=key)]
    return TriageOrder(make, order, run, sum(len(groups[STATE_ORDER[s]]) for s in PROBLEMS))


def timed_problems(sessions: Sequence[Any], run: str) -> Iterator[tuple[float, int]]:
    """The places in ``sessions`` of those ``is_problem`` says are, with their
    times (``Session.ts``; -inf: none), read from their tracker's columns: e/E
    rank every row of a pane, and through each handle's properties 200k
    sessions took 0.4 s. (The handles of one list are of one tracker, and are
    their places in its columns.)"""
    if not sessions:
        return
    tracker = sessions[0].tracker
    ends, starts, flags, times = tracker._ends, tracker._starts, tracker._flags, tracker.events.times
    if isinstance(sessions, TriageOrder) and sessions.run == run:
        places = enumerate(sessions.numbers[:sessions.problems])  # (35k of 200k looked at)
    else:
        numbers = numbers_of(sessions)
        # A session's state is its flags' and whether it ended: judged once a pair.
        codes = [flags[at] | _ENDED if ends[at] >= 0 else flags[at] for at in numbers]
        problem = {code: state_of(0 if code & _ENDED else -1, code & ~_ENDED, run)
                   in PROBLEMS for code in set(codes)}
        places = compress(enumerate(numbers), map(problem.__getitem__, codes))
    for index, at in places:
        end = ends[at]
        ts = times[end if end >= 0 else starts[at]]
        yield (ts if ts == ts else -math.inf), index
