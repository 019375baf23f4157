"""One GrindSession of a tracker: a handle on its place in the tracker's
columns (``store.sessions``), read as a session."""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

from vivtui.parsing.record import Record, make
from vivtui.parsing.sessions import (
    COMPLETED,
    KIND,
    STARTED,
    context_of,
    task_title,
)
from vivtui.parsing.values import number
from vivtui.store.activity import LIVE
from vivtui.store.columns import Handle, entries_of, entry_of
from vivtui.store.events import Event
from vivtui.store.session_states import OUTCOMES, SUPERSEDED, state_of

if TYPE_CHECKING:
    from vivtui.store.sessions import SessionTracker

# The context fields a session keeps (what its row shows and filters look at,
# the gate's match); the rest of its events is read back from the file when
# looked at (the selected session's detail).
KEPT = ("task", "model", "returncode", "elapsed_seconds", "verification_status")
_KEPT = frozenset(KEPT)


class Session(Handle):
    """One occurrence of a session key: its start and completion (either may
    be missing), and the context fields they gave (``KEPT``; the completion's
    over the start's). A handle on its place in its tracker's columns (about
    230 bytes a session, where an object holding its fields and a tuple of
    its kept values was about 400, and both events' decoded objects kilobytes)."""

    __slots__ = ()
    tracker: SessionTracker

    key = entry_of("_keys")
    start_at = entry_of("_starts", "Its start's index in the tracker's events (-1: none seen).")
    end_at = entry_of("_ends")

    @property
    def superseded(self) -> bool:
        """A later start came: of its key, of a later run of its worker, or
        of a lower one (the kernel restarted). ``why_left_behind`` says which."""
        return bool(self.tracker._flags[self.at] & SUPERSEDED)

    def why_left_behind(self) -> str:
        """What made a superseded session one that will not finish. (Its
        key's sessions ``sought``: the sessions pane's detail asks at each
        move, and making ``by_key`` for 200k sessions held the first 124 ms.)"""
        if any(other.at > self.at and other.start_at >= 0
               for other in self.tracker.sought(self.key)):
            return "a later start of its key came first"
        return "its worker began another run"  # a later wave, or the kernel restarted

    @property
    def is_open(self) -> bool:
        """Started and not ended: unfinished, stalled or running (``state``)."""
        return self.start_at >= 0 and self.end_at < 0

    @property
    def outcome(self) -> bool | None:
        """The completion's ``success`` flag."""
        return OUTCOMES[self.tracker._flags[self.at] >> 1]

    kept = entries_of("_kept", "A value for each of ``KEPT`` (None: not given).")

    @property
    def began(self) -> Event | None:
        at = self.start_at
        return self.tracker.events[at] if at >= 0 else None

    @property
    def ended(self) -> Event | None:
        at = self.end_at
        return self.tracker.events[at] if at >= 0 else None

    @property
    def ts(self) -> float | None:
        """Its completion's time, else its start's, in seconds (no event made)."""
        tracker = self.tracker
        at = tracker._ends[self.at]
        if at < 0:
            at = tracker._starts[self.at]
        return tracker.events.time(at) if at >= 0 else None

    @property
    def values(self) -> dict:
        """The kept context fields that were given."""
        return {name: value for name, value in zip(KEPT, self.kept) if value is not None}

    @property
    def start(self) -> Record | None:
        return self._record(self.began, STARTED)

    @property
    def end(self) -> Record | None:
        return self._record(self.ended, COMPLETED)

    def _record(self, event: Event | None, category: str) -> Record | None:
        """The event's record, read back from the file; when the file no longer
        holds it, what the session kept of it."""
        if event is None:
            return None
        found = self.tracker.event_at(self, event)
        return found if found is not None else self._kept(event, category)

    @property
    def brief(self) -> Record | None:
        """Its completion (else its start) as far as the session kept it: read
        from no file, for walks over every session."""
        ended = self.ended
        if ended is not None:
            return self._kept(ended, COMPLETED)
        began = self.began
        return self._kept(began, STARTED) if began is not None else None

    def _kept(self, event: Event, category: str) -> Record:
        worker, run, number = self.key
        context = {"run": run, "session_id": number, **self.values}
        if category == COMPLETED and self.outcome is not None:
            context["success"] = self.outcome
        kept = {"worker_id": worker, "message": category, "context": context}
        return make(KIND, event.line, event.offset, event.when, None, event.severity, category,
                    kept)

    def owns(self, record: Record) -> bool:
        """Is ``record`` this session's start or completion?"""
        return any(event is not None and (event.line, event.offset) == (record.line,
                                                                         record.offset)
                   for event in (self.began, self.ended))

    def state(self, run: str = LIVE) -> str:
        """Without a completion: running while the run is live, stalled while it
        is idle, unfinished once it is over or a later start took its place
        (``run``: the run's state, ``activity.LIVE``/``IDLE``/``FINISHED``)."""
        return state_of(self.end_at, self.tracker._flags[self.at], run)

    @property
    def started_at(self) -> datetime | None:
        return self.began.when if self.began is not None else None

    @property
    def ended_at(self) -> datetime | None:
        return self.ended.when if self.ended is not None else None

    @property
    def elapsed(self) -> float | None:
        """Seconds the session ran, as its completion reports it; else (none
        reported, or no length of time: negative, NaN, infinite) as far as
        its start's time is from its end's."""
        if self.ended is None:
            return None
        reported = number(self.context("elapsed_seconds"))
        if reported is not None and 0 <= reported < math.inf:
            return reported
        if self.began is not None and None not in (self.began.ts, self.ended.ts):
            return self.ended.ts - self.began.ts
        return None

    def context(self, name: str) -> object:
        """A context field, from the completion first, then the start (of
        ``KEPT``; others read back from the events)."""
        if name in _KEPT:
            return self.tracker._kept[KEPT.index(name)][self.at]
        for record in (self.end, self.start):
            if record is not None:
                value = context_of(record.fields).get(name)
                if value is not None:
                    return value
        return None

    @property
    def title(self) -> str:
        return task_title(self.context("task"))
