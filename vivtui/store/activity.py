"""Is the run live, idle or finished? Judged from what the files say, never
from their mtimes (a copy or a checkout resets those): a file's mtime only
tells how far its naive times are from this clock (``saw_written``).

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

    @property
    def writing(self) -> bool:
        """May its writers be writing (a file's last line with no newline:
        the start of a line, not all of it)?"""
        return self.state in (LIVE, IDLE)


class RunActivity:
    # How far ahead of this clock the run's event times are (behind:
    # negative), in whole quarter hours: naive times written in one zone and
    # read in another (``--tz``, or a writer's TZ not the reader's). Measured
    # on lines as they are written (``saw_fresh``); the run's clock is this
    # one plus it (``RunStore.now``), so that a run is judged and its
    # sessions timed by its own times.
    skew = timedelta(0)
    _skew_seen: timedelta | None = None  # a change seen once, not yet taken
    # The newest naive time and the newest time with its zone written: only
    # naive times are read in a zone, so only they are ahead or behind (a
    # real run writes both: its action log and queue in UTC).
    last_naive: datetime | None = None
    last_aware: datetime | None = None
    # Per kind, its newest time as read at one look, its file's last write
    # then, and whether its times are naive (``saw_written``).
    _written: dict[str, tuple[datetime, datetime, bool]] | None = None

    def __init__(self, finished: bool = False, stall_after: float = STALL_AFTER_S,
                 finished_after: float = FINISHED_AFTER_S) -> None:
        self.forced_finished = finished
        self.stall_after = timedelta(seconds=stall_after)
        self.finished_after = timedelta(seconds=max(finished_after, stall_after))
        self.last_event: datetime | None = None
        self.first_event: datetime | None = None
        self.last_growth: datetime | None = None  # wall time a file grew while watched

    def saw_events(self, oldest: datetime | None, newest: datetime | None,
                   naive: bool = True) -> None:
        """A batch's oldest and newest times; ``naive``: written without a
        zone (read in ``--tz``)."""
        self._saw_span(oldest, newest)
        if naive:
            self.last_naive = _later(self.last_naive, newest)
        else:
            self.last_aware = _later(self.last_aware, newest)

    def _saw_span(self, oldest: datetime | None, newest: datetime | None) -> None:
        self.last_event = _later(self.last_event, newest)
        if oldest is not None and (self.first_event is None or oldest < self.first_event):
            self.first_event = oldest

    def absorb(self, other: RunActivity) -> None:
        """What ``other`` saw of the same run's other files."""
        self._saw_span(other.first_event, other.last_event)
        self.last_naive = _later(self.last_naive, other.last_naive)
        self.last_aware = _later(self.last_aware, other.last_aware)
        # (A part read apart saw no line written: its skew is one look's,
        # ``saw_written``'s, the least the times are ahead: the most of them.)
        if other.skew and (other.skew > self.skew or not self.skew):
            self.skew = other.skew
        for kind, (newest, written, naive) in (other._written or {}).items():
            self.saw_written(kind, newest, written, naive)
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
        change = _quarters(off)
        if change == self._skew_seen:
            self.skew += change
            self._skew_seen = None
        else:
            self._skew_seen = change

    def saw_written(self, kind: str, newest: datetime, written: datetime, naive: bool) -> None:
        """A batch of ``kind`` read from its file as it was (nobody saw its
        lines written): its newest time (``naive``: written without a zone)
        and the file's last write (its mtime). One look at a run, each
        file's newest time against its last write (``_skew_at_one_look``)."""
        if self._written is None:
            self._written = {}
        known = self._written.get(kind)
        if known is None or newest >= known[0]:
            self._written[kind] = (newest, written, naive)
        self._skew_at_one_look()

    def _skew_at_one_look(self) -> None:
        """No line is written before its time, so naive times ahead of their
        file's last write are ahead of this clock by at least as much (a
        copy's mtime is later than its writer's last write: never more).
        Read where it was written (SSH with the login's ``TZ`` not the
        writer's), that is the skew; a copied run read in a zone behind its
        writer's was "live" for hours after it ended. Behind, a copy and a
        zone look alike, unless a file with its zone written (the action
        log, in UTC) ends at its last write: then the files are as their
        writers left them, and the naive files' distance from their last
        writes, the same for each, is the skew (a live run read an hour
        ahead of its writer's zone was idle at one look)."""
        naive = [(newest, written) for newest, written, is_naive in self._written.values()
                 if is_naive]
        if not naive:
            return
        ahead = max(newest - written for newest, written in naive)
        if ZONE_STEP / 2 <= ahead <= WIDEST_ZONE_GAP:
            self.skew = max(self.skew, _quarters(ahead))
            return
        untouched = any(abs(newest - written) < ZONE_STEP / 2
                        for newest, written, is_naive in self._written.values() if not is_naive)
        # Each naive file as written is as far from its last write, however
        # long ago that was; two must agree (a crash's cut last line, its
        # time unread, leaves one file's last write after its newest time).
        offs = {_quarters(newest - written) for newest, written in naive}
        if not untouched or len(naive) < 2 or len(offs) > 1 or self.skew:
            return
        (off,) = offs
        if -WIDEST_ZONE_GAP <= off <= -ZONE_STEP / 2:
            self.skew = off

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
        signs = [t for t in (self._last_on_run_clock(), self.last_growth) if t is not None]
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

    def _last_on_run_clock(self) -> datetime | None:
        """The newest event on the run's clock: its naive times are on it,
        times written with their zone are on this one (a run 1 h behind kept
        "live" an hour after its action log, in UTC, stopped)."""
        if not self.skew or self.last_aware is None:
            return self.last_event
        return _later(self.last_naive, self.last_aware + self.skew)


def _quarters(off: timedelta) -> timedelta:
    return round(off / ZONE_STEP) * ZONE_STEP


def _later(one: datetime | None, other: datetime | None) -> datetime | None:
    return other if one is None or (other is not None and other > one) else one


def skew_words(skew: timedelta) -> str:
    """How far a run's times are from this clock (whole quarter hours):
    "8h00m ahead", "45m behind"."""
    minutes = abs(int(skew.total_seconds())) // 60
    amount = f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
    return f"{amount} {'ahead' if skew > timedelta(0) else 'behind'}"
