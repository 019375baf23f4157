"""Is the run live, idle or finished? Judged from what the files say, never
from their mtimes (a copy or a checkout resets those).

Two kinds of evidence: the newest event time in any file, and the moment a
file was seen to grow while vivtui watched. A run whose newest event is old and
that nobody is writing is finished, however fresh its files look.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

LIVE = "live"
IDLE = "idle"
FINISHED = "finished"
# Lines read, none of them dated, and no file seen to grow: a kernel log alone
# (its lines carry no time) copied from an old run is not known to be live.
UNDATED = "undated"

STALL_AFTER_S = 600.0  # no new event for this long: the run is idle, its sessions stalled
FINISHED_AFTER_S = 3600.0  # ... and for this long: it is over, its sessions unfinished

# How far a run's naive times can be from this clock (``RunActivity.saw_fresh``):
ZONE_STEP = timedelta(minutes=15)  # zones differ by whole quarter hours
LATE_LINE = timedelta(minutes=30)  # a line written this long after its time: none is
WIDEST_ZONE_GAP = timedelta(hours=26)  # UTC-12 to UTC+14; further: a stamp's own error


@dataclass(frozen=True, slots=True)
class RunState:
    state: str
    since: datetime | None  # of the last sign of life (idle and finished)
    last_event: datetime | None
    skew: timedelta = timedelta(0)  # ``RunActivity.skew``

    @property
    def live(self) -> bool:
        return self.state == LIVE


class RunActivity:
    # How far ahead of this clock the run's event times are (behind:
    # negative), in whole quarter hours: naive times written in one zone and
    # read in another (``--tz``, or a writer's TZ not the reader's). Measured
    # on lines as they are written (``saw_fresh``); the run's clock is this
    # one plus it (``RunStore.now``), so that a run is judged and its
    # sessions timed by its own times.
    skew = timedelta(0)
    _skew_seen: timedelta | None = None  # a change seen once, not yet taken

    def __init__(self, finished: bool = False, stall_after: float = STALL_AFTER_S,
                 finished_after: float = FINISHED_AFTER_S) -> None:
        self.forced_finished = finished
        self.stall_after = timedelta(seconds=stall_after)
        self.finished_after = timedelta(seconds=max(finished_after, stall_after))
        self.last_event: datetime | None = None
        self.first_event: datetime | None = None
        self.last_growth: datetime | None = None  # wall time a file grew while watched

    def saw_events(self, oldest: datetime | None, newest: datetime | None) -> None:
        if newest is not None and (self.last_event is None or newest > self.last_event):
            self.last_event = newest
        if oldest is not None and (self.first_event is None or oldest < self.first_event):
            self.first_event = oldest

    def absorb(self, other: RunActivity) -> None:
        """What ``other`` saw of the same run's other files."""
        self.saw_events(other.first_event, other.last_event)
        if other.skew:
            self.skew = other.skew
        if other.last_growth is not None and (self.last_growth is None
                                              or other.last_growth > self.last_growth):
            self.last_growth = other.last_growth

    def saw_fresh(self, newest: datetime, now: datetime) -> None:
        """The newest time among lines just written (read as their file grew),
        against the run's clock ``now``. Lines are read within seconds of
        being written: one ahead by half a ``ZONE_STEP`` or more, or behind
        by more than ``LATE_LINE``, and the next batch by as many quarter
        hours, say how far the times are from the clock (one stamp alone may
        be a writer's slip)."""
        off = newest - now
        if -LATE_LINE <= off < ZONE_STEP / 2 or abs(off) > WIDEST_ZONE_GAP:
            self._skew_seen = None
            return
        change = round(off / ZONE_STEP) * ZONE_STEP
        if change == self._skew_seen:
            self.skew += change
            self._skew_seen = None
        else:
            self._skew_seen = change

    def spans_days(self, zone=None) -> bool:
        """Do the run's events fall on more than one date (in ``zone``)? Then
        a time of day alone is ambiguous."""
        first, last = self.first_event, self.last_event
        return (first is not None and last is not None
                and first.astimezone(zone).date() != last.astimezone(zone).date())

    def saw_growth(self, now: datetime) -> None:
        self.last_growth = now

    def state(self, now: datetime, holds_records: bool = False) -> RunState:
        """``holds_records``: the files hold lines (nothing dated among them is
        no sign of life; an empty run directory is waited on, as live)."""
        signs = [t for t in (self.last_event, self.last_growth) if t is not None]
        last = max(signs) if signs else None
        if self.forced_finished:
            return RunState(FINISHED, last, self.last_event, self.skew)
        if last is None:
            return RunState(UNDATED if holds_records else LIVE, None, None, self.skew)
        # An event "from the future" (a writer's naive local time in another
        # zone, until ``skew`` is known) counts as now.
        quiet = now - min(last, now)
        if quiet < self.stall_after:
            return RunState(LIVE, last, self.last_event, self.skew)
        if quiet < self.finished_after:
            return RunState(IDLE, last, self.last_event, self.skew)
        return RunState(FINISHED, last, self.last_event, self.skew)
