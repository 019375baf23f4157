"""A sessions file read in two parts at once (``ingest.apart_parts``): the
second part's tracker joined onto the first's, as if one had read on.

The second part does not know the sessions left open before the cut: a
completion of one reads there as an orphan (a completion with no start),
and a start of the same key, or of a later run of its worker, does not
leave it behind. Joined, each of the first part's open sessions meets the
second part's events of its key and of its worker's waves in file order
(a session's number is its place among starts and orphan completions):
an orphan completion ends the newest one still open of its key, a start
of its key or a later wave leaves the ones still open behind.

Exact only if no run of a worker in the second part is older than the
latest of the first (runs are waves, one after another): otherwise
``can_follow`` says no, and the rest of the file is read on after the
first part instead.
"""

from __future__ import annotations

import math
from array import array
from itertools import accumulate, compress
from typing import TYPE_CHECKING

from vivtui.store.columns import Kept
from vivtui.store.session_states import SUPERSEDED

if TYPE_CHECKING:
    from vivtui.store.sessions import SessionTracker


def can_follow(mine: SessionTracker, later: SessionTracker) -> bool:
    """Can ``later`` be joined onto ``mine`` exactly?"""
    for worker, lowest in later.lowest_run.items():
        latest = mine._latest_run.get(worker)
        if latest is not None and lowest < latest:
            return False
    return True


def follow(mine: SessionTracker, later: SessionTracker) -> None:
    """``later``'s sessions after ``mine``'s (``can_follow`` said yes)."""
    shift = mine.events.extend(later.events)
    ended, left_behind = _meet(mine, later)
    keep = [True] * len(later._keys)
    for at in ended:
        keep[at] = False
    # later's session -> joined (built in C: 200k sessions' join waits on it)
    number = list(map((len(mine._keys) - 1).__add__, accumulate(keep)))
    kept = Kept(keep)
    for column, theirs in zip((mine._keys, mine._flags, *mine._kept),
                              (later._keys, later._flags, *later._kept)):
        kept.extend(column, theirs)
    for column in ("_starts", "_ends"):
        _extend_shifted(getattr(mine, column), getattr(later, column), kept, shift)
    for theirs, at in ended.items():
        _end(mine, later, at, theirs, shift)
    for at in left_behind:
        mine._flags[at] |= SUPERSEDED
    _join_keys(mine, later, number, keep)
    _join_order(mine, later, number, keep, [*ended.values(), *left_behind])
    _join_waves(mine, later, number)
    for name in ("started", "completed", "succeeded", "_ended_failed"):
        setattr(mine, name, getattr(mine, name) + getattr(later, name))
    mine.orphan_completions += later.orphan_completions - len(ended)
    # (Counted in C: the superseded bits of the sessions not ended.)
    mine._open_superseded = sum(compress(map(SUPERSEDED.__and__, mine._flags),
                                         map((-1).__eq__, mine._ends))) // SUPERSEDED
    mine.version = max(mine.version, later.version) + 1


def _extend_shifted(column: array, theirs: array, kept: Kept, shift: int) -> None:
    """``theirs``' kept events (-1: none) after ``column``'s, each moved on
    by ``shift`` (the events ``mine`` had before)."""
    start = len(column)
    kept.extend(column, theirs)
    column[start:] = array(column.typecode, map(shift.__add__, column[start:]))
    for at in compress(range(start, len(column)), map((shift - 1).__eq__, column[start:])):
        column[at] = -1


def _meet(mine: SessionTracker, later: SessionTracker) -> tuple[dict[int, int], set[int]]:
    """``mine``'s open sessions against ``later``'s events, in file order:
    which of ``later``'s orphan completions end which of them (by number),
    and those left behind (still open, or ended after it)."""
    new_waves = {}  # worker -> the session of ``later`` that began a wave past ``mine``'s
    for worker, (runs, begun_by) in later.waves.items():
        first = _first_past(runs, mine._latest_run.get(worker))
        new_waves[worker] = begun_by[first] if first < len(runs) else math.inf
    in_waves = {key for runs in mine._open_runs.values() for keys in runs.values()
                for key in keys}
    ended: dict[int, int] = {}
    left_behind: set[int] = set()
    for key, stack in mine._open.items():
        known = later.by_key.get(key, ())
        occurrences = [known] if known.__class__ is int else known
        wave = new_waves.get(key[0], math.inf) if key in in_waves else math.inf
        open_ = list(stack)
        for at in sorted([*occurrences, *([wave] if wave < math.inf else [])]):
            if at == wave or later._starts[at] >= 0:  # a start: the ones open are left behind
                left_behind.update(open_)
            elif open_:  # an orphan completion there: it ends the newest open here
                ended[at] = open_.pop()
        stack[:] = open_
    return ended, left_behind


def _end(mine: SessionTracker, later: SessionTracker, at: int, theirs: int,
         shift: int) -> None:
    """Session ``at`` of ``mine`` ended by ``later``'s orphan ``theirs``: its
    completion, its fields over the start's, its outcome."""
    mine._ends[at] = later._ends[theirs] + shift
    mine._flags[at] = (mine._flags[at] & SUPERSEDED) | (later._flags[theirs] & ~SUPERSEDED)
    for column, their_column in zip(mine._kept, later._kept):
        value = their_column[theirs]
        if value is not None:
            column[at] = value


def _join_keys(mine: SessionTracker, later: SessionTracker, number: list[int],
               keep: list[bool]) -> None:
    """The open sessions and every occurrence of each key, ``later``'s
    renumbered (``number``) after ``mine``'s; those ``keep`` leaves out
    are ``mine``'s own already."""
    for key, stack in later._open.items():
        mine._open.setdefault(key, []).extend(number[at] for at in stack)
    for key in [key for key, stack in mine._open.items() if not stack]:
        del mine._open[key]
    by_key = mine._by_key
    if by_key is None:  # made from the keys, joined, at the first look
        return
    for key, known in later.by_key.items():
        theirs = [number[at] for at in ([known] if known.__class__ is int else known)
                  if keep[at]]
        if not theirs:
            continue
        ours = by_key.get(key)
        joined = ([] if ours is None else [ours] if ours.__class__ is int else ours) + theirs
        by_key[key] = joined[0] if len(joined) == 1 else joined


def _join_order(mine: SessionTracker, later: SessionTracker, number: list[int],
                keep: list[bool], changed: list[int]) -> None:
    """The triage order: ``later``'s after ``mine``'s, and the sessions of
    ``mine`` the join ended or left behind moved; sorted afresh when either
    had changes not placed yet."""
    if mine._changed == [] and later._changed == [] and mine._order.followed_by(
            later._order, number, keep):
        mine._moved(changed)
    else:
        mine._changed = None


def _join_waves(mine: SessionTracker, later: SessionTracker, number: list[int]) -> None:
    """Each worker's latest run, its waves and the keys open in each run."""
    for worker, (runs_begun, begun_by) in later.waves.items():
        latest = mine._latest_run.get(worker)
        # From the first past this part's on (a restart after it goes lower again).
        first = _first_past(runs_begun, latest)
        if worker not in mine.waves:
            mine.waves[worker] = (array("q"), array("q"))
            mine.lowest_run[worker] = later.lowest_run[worker]
        runs_ours, begun_ours = mine.waves[worker]
        runs_ours.extend(runs_begun[first:])
        begun_ours.extend(map(number.__getitem__, begun_by[first:]))
        runs = later._open_runs.get(worker, {})
        if first < len(runs_begun):  # a wave past this part's: its open runs went then
            mine._open_runs[worker] = {run: set(keys) for run, keys in runs.items()}
            mine._latest_run[worker] = later._latest_run[worker]
        else:
            ours = mine._open_runs.setdefault(worker, {})
            for run, keys in runs.items():
                ours.setdefault(run, set()).update(keys)


def _first_past(runs_begun: array, latest: int | None) -> int:
    """Where the first of a worker's waves in the later part that is past
    the earlier part's latest run is among them (their count: none is)."""
    return next((at for at, run in enumerate(runs_begun) if latest is None or run > latest),
                len(runs_begun))
