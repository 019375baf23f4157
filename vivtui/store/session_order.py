"""The order a triager looks at sessions in, kept sorted as sessions come and
change: failed, never finished, stalled, running, ok; newest first within
each (``session_states``' rules).

Sorted afresh at every change, 200k sessions took 0.1-0.15 s of the UI
thread: the first e on a big run's hidden sessions pane waited for it
(``benchmarks/loop_lag.py``). Here the sessions are kept in three classes
that do not depend on the run's state (ended failed, ended otherwise, open),
each sorted by time; a session that started, ended or was left behind since
the last look is moved, and the run's state only decides where the open
class goes, and whether its superseded sessions go apart.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from itertools import compress, count, repeat
from typing import Any

from vivtui.store.activity import IDLE, LIVE
from vivtui.store.columns import Handle, Handles, numbers_of
from vivtui.store.session_states import OUTCOMES, PROBLEMS, SUPERSEDED, state_of
from vivtui.store.triage import TimedRows

ENDED_FAILED, ENDED, OPEN = 0, 1, 2
# Changes at which the classes are sorted whole rather than each moved: a
# move is a search and an insertion in a list of up to every session (about
# 0.15 ms in 200k), a sort of 200k about 0.15 s.
MOST_MOVES = 500


def moves(changed: Sequence[int] | None, fresh: int) -> int | None:
    """The moves an order's next look makes: its changed and fresh numbers;
    None: it is sorted whole (unknown changes, or more than ``MOST_MOVES``)."""
    if changed is None or len(changed) + fresh > MOST_MOVES:
        return None
    return len(changed) + fresh


class KeepsOrder:
    """Mixed into a tracker whose triage order is kept as it changes
    (``SessionOrder``, ``kept_order.KeptOrder``): its ``_order``, the numbers
    whose place may have changed since the order's last look (``_changed``;
    None: any, it sorts whole), how many numbers it is to hold
    (``_to_order``) and its look (``_order_looks``)."""

    _order: Any
    _changed: list[int] | None

    def _to_order(self) -> int:
        raise NotImplementedError

    def _order_looks(self) -> None:
        raise NotImplementedError

    def _moved(self, ats: Iterable[int]) -> None:
        """Their places in the order may change (many: it is sorted whole)."""
        changed = self._changed
        if changed is not None:
            changed.extend(ats)
            if len(changed) > MOST_MOVES:
                self._changed = None

    def pending_moves(self) -> int | None:
        """What the order's next look moves (None: it sorts whole)."""
        return self._order.moves(self._changed, self._to_order())

    def settle_order(self, moves_only: bool = False) -> None:
        """The triage order brought up to date now: by the process that read
        the backlog, not by the UI thread at the first look; ``moves_only``:
        if that is a few moves (``moves``)."""
        if moves_only and not self.pending_moves():
            return
        self._order_looks()
        self._changed = []


class TriageOrder(Handles):
    """``SessionOrder.order``'s sessions, as judged for ``run``: the
    ``problems`` first of them are those to triage (``is_problem``), the
    ``failed`` first of those the ones that ended (the rest never did)."""

    def __init__(self, make: Callable[[int], Handle], numbers: list[int], run: str,
                 problems: int, failed: int) -> None:
        super().__init__(make, numbers)
        self.run, self.problems, self.failed = run, problems, failed


class Columns:
    """What the order reads of its tracker: each session's start and end (in
    the events, -1: none), its flags, and the events' times (NaN: none)."""

    def __init__(self, starts: Sequence[int], ends: Sequence[int], flags: Sequence[int],
                 times: Sequence[float]) -> None:
        self.starts, self.ends, self.flags, self.times = starts, ends, flags, times

    def time(self, at: int) -> float:
        """Its start's time, else its end's (``Session.ts``'s rule); NaN: none."""
        start = self.starts[at]
        ts = self.times[start] if start >= 0 else math.nan
        if ts != ts:
            end = self.ends[at]
            if end >= 0:
                ts = self.times[end]
        return ts

    def key(self, at: int) -> tuple[float, int]:
        return -self.time(at), at

    def kind(self, at: int) -> int:
        if self.ends[at] < 0:
            return OPEN
        return ENDED_FAILED if OUTCOMES[self.flags[at] >> 1] is False else ENDED


class SessionOrder:
    """Per class, the timed sessions by (newest first, number) and the
    untimed ones by number (where they go depends on the time asked at)."""

    def __init__(self, columns: Columns) -> None:
        self._columns = columns
        self._timed: list[list[int]] = [[], [], []]
        self._untimed: list[list[int]] = [[], [], []]
        self._kind = bytearray()  # each session's class as last placed
        self._placed = 0  # sessions placed so far (numbers below this)
        # Each session's time as last placed (NaN: none), to find it again
        # once it changed: looked for by value, each took 0.3 ms in 200k.
        self._placed_time = array("d")

    def update(self, changed: Sequence[int] | None, count: int) -> None:
        """``count`` sessions now; ``changed``: those placed before that
        changed since (None: any may have)."""
        fresh = range(self._placed, count)
        if moves(changed, len(fresh)) is None:
            self._sort_all(count)
            return
        moved = {at for at in changed if at < self._placed}
        for at in moved:
            self._remove(at, self._kind[at])
        for at in (*moved, *fresh):
            self._add(at)
        self._placed = count

    def moves(self, changed: Sequence[int] | None, count: int) -> int | None:
        """``moves`` for ``count`` sessions now."""
        return moves(changed, count - self._placed)

    def followed_by(self, later: SessionOrder, number: Sequence[int],
                    kept: Sequence[bool]) -> bool:
        """``later``'s sessions placed after these, each class's two runs
        merged (a sessions file read in two parts, ``session_parts``): its
        kept sessions (``kept``) are numbered ``number`` from now on. False
        (nothing done) unless both were placed up to their ends. (Sorted
        afresh, a big run's 200k took 0.13-0.2 s of the screen's thread as
        the parts joined; the sessions the join changed are moved after.)"""
        if self._placed != len(self._kind) or later._placed != len(number):
            return False
        key = self._columns.key
        for kind in (ENDED_FAILED, ENDED, OPEN):
            theirs = [number[at] for at in later._timed[kind] if kept[at]]
            self._timed[kind] = merged(self._timed[kind], theirs, key)
            self._untimed[kind] += [number[at] for at in later._untimed[kind] if kept[at]]
        self._kind += bytes(compress(later._kind, kept))
        self._placed_time.extend(compress(later._placed_time, kept))
        self._placed = len(self._kind)
        return True

    def order(self, make: Callable[[int], Handle], run: str, now: datetime) -> TriageOrder:
        unknown = -now.timestamp()
        failed, ended, open_ = (self._merged(kind, unknown) for kind in (ENDED_FAILED, ENDED,
                                                                          OPEN))
        if run in (LIVE, IDLE):
            flags = self._columns.flags
            left = list(map(SUPERSEDED.__and__, map(flags.__getitem__, open_)))
            unfinished = list(compress(open_, left))
            current = list(compress(open_, [not bit for bit in left]))
        else:
            unfinished, current = open_, []
        # (stalled or running: the run's state says which, and whether to triage)
        problems = len(failed) + len(unfinished) + (len(current) if run == IDLE else 0)
        return TriageOrder(make, [*failed, *unfinished, *current, *ended], run, problems,
                           len(failed))

    # -- keeping the classes ----------------------------------------------------------

    def _sort_all(self, count: int) -> None:
        columns = self._columns
        self._kind = bytearray(map(columns.kind, range(count)))
        times = list(map(columns.time, range(count)))
        self._placed_time = array("d", times)
        for kind in (ENDED_FAILED, ENDED, OPEN):
            members = [at for at in range(count) if self._kind[at] == kind]
            self._untimed[kind] = [at for at in members if times[at] != times[at]]
            timed = [at for at in members if times[at] == times[at]]
            timed.sort(key=lambda at: -times[at])  # (stable: by number among equals)
            self._timed[kind] = timed
        self._placed = count

    def _remove(self, at: int, kind: int) -> None:
        """Found by halving its class by what it was placed by."""
        placed = self._placed_time
        ts = placed[at]
        if ts == ts:
            members = self._timed[kind]
            where = bisect_left(members, (-ts, at), key=lambda other: (-placed[other], other))
        else:
            members = self._untimed[kind]
            where = bisect_left(members, at)
        remove_at(members, where, at)

    def _add(self, at: int) -> None:
        kind = self._columns.kind(at)
        if at >= len(self._kind):
            self._kind.extend(bytes(at + 1 - len(self._kind)))
            self._placed_time.extend(repeat(math.nan, at + 1 - len(self._placed_time)))
        self._kind[at] = kind
        ts = self._placed_time[at] = self._columns.time(at)
        if ts == ts:
            insort(self._timed[kind], at, key=self._columns.key)
        else:
            insort(self._untimed[kind], at)

    def _merged(self, kind: int, unknown: float) -> list[int]:
        """The class's sessions, the untimed ones where an event of ``-unknown``
        seconds would be (with those of that very time, by number)."""
        timed, untimed = self._timed[kind], self._untimed[kind]
        if not untimed:
            return timed
        key = self._columns.key
        low = bisect_left(timed, (unknown, -1), key=key)
        high = bisect_right(timed, (unknown, math.inf), key=key)
        return [*timed[:low], *sorted([*timed[low:high], *untimed]), *timed[high:]]


def remove_at(members: list[int], where: int, at: int) -> None:
    """``at`` taken out of ``members``, where a halving found it; looked for
    by value should it not be there (a change not told: misplaced, not lost)."""
    if where < len(members) and members[where] == at:
        del members[where]
    else:
        members.remove(at)


def merged(first: list[int], second: list[int], key: Callable[[int], Any]) -> list[int]:
    """Two lists sorted by ``key`` (its values unique) as one: where their
    keys overlap, sorted; the rest, each list's own run, as it is. (A run's
    sessions read in two parts overlap in time only near the cut.)"""
    if not first or not second:
        return first + second
    low, high = max(key(first[0]), key(second[0])), min(key(first[-1]), key(second[-1]))
    if low > high:  # no overlap: one list after the other
        return first + second if key(first[-1]) < key(second[0]) else second + first
    ends = [(bisect_left(part, low, key=key), bisect_right(part, high, key=key))
            for part in (first, second)]
    (first_low, first_high), (second_low, second_high) = ends
    middle = sorted([*first[first_low:first_high], *second[second_low:second_high]], key=key)
    return [*first[:first_low], *second[:second_low], *middle,
            *first[first_high:], *second[second_high:]]


def problems_key(sessions: Sequence[Any], run: str) -> tuple | None:
    """What ``timed_problems`` reads of a triage order judged for ``run``: its
    problems, in order, and how many of them ended. (A session's time is its
    end's, else its start's; neither changes once there, and a session that
    ends leaves the open ones.) None: not such an order."""
    if not isinstance(sessions, TriageOrder) or sessions.run != run or not sessions:
        return None
    return id(sessions[0].tracker), run, sessions.numbers[:sessions.problems], sessions.failed


def timed_problems(sessions: Sequence[Any], run: str) -> Iterable[tuple[float, int]]:
    """The places in ``sessions`` of those ``is_problem`` says are, with their
    times (``Session.ts``; -inf: none), read from their tracker's columns: e/E
    rank every row of a pane, and through each handle's properties 200k
    sessions took 0.4 s. (The handles of one list are of one tracker, and are
    their places in its columns.)"""
    if not sessions:
        return iter(())
    tracker = sessions[0].tracker
    ends, starts, flags, times = tracker._ends, tracker._starts, tracker._flags, tracker.events.times
    if isinstance(sessions, TriageOrder) and sessions.run == run:
        # 35k of 200k looked at: those that ended, at their ends, then the open.
        ended, places = sessions.failed, range(sessions.problems)
        events = [*map(ends.__getitem__, sessions.numbers[:ended]),
                  *map(starts.__getitem__, sessions.numbers[ended:len(places)])]
    else:
        numbers = numbers_of(sessions)
        ended_bit = 1 << 8  # above every flag: a session's flags and whether it ended
        # A session's state is its flags' and whether it ended: judged once a pair.
        codes = [flags[at] | ended_bit if ends[at] >= 0 else flags[at] for at in numbers]
        problem = {code: state_of(0 if code & ended_bit else -1, code & ~ended_bit, run)
                   in PROBLEMS for code in set(codes)}
        places = list(compress(count(), map(problem.__getitem__, codes)))
        picked = list(map(numbers.__getitem__, places))
        # Its end's time, else its start's; read in C but for that choice (a
        # call per session: 15-25 ms of each e on a live big run).
        events = [end if end >= 0 else start for end, start in zip(
            map(ends.__getitem__, picked), map(starts.__getitem__, picked))]
    return TimedRows(list(map(times.__getitem__, events)), places)
