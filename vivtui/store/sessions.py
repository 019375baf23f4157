"""GrindSessions: starts paired with completions of the same (worker_id, run, session_id)."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Container, Iterable, Iterator
from datetime import datetime
from heapq import nlargest
from itertools import chain, compress, count, repeat
from operator import and_, ge, is_not, not_

from vivtui.parsing.record import Record
from vivtui.parsing.sessions import (
    COMPLETED,
    KIND,
    STARTED,
    SessionKey,
    batch_keys,
    parse,
    session_key,
)
from vivtui.parsing.values import all_are, flag
from vivtui.store import session_parts
from vivtui.store.activity import IDLE, LIVE
from vivtui.store.columns import (
    BoundTracker,
    Every,
    Handles,
    NumberColumn,
)
from vivtui.store.events import Event, Events
from vivtui.store.readback import Interner, Keep, Pace, ReadBack
from vivtui.store.session import KEPT, Session
from vivtui.store.session_order import Columns, KeepsOrder, SessionOrder, TriageOrder
from vivtui.store.session_states import (
    FAILED,
    OUTCOMES,
    RUNNING,
    STALLED,
    SUCCEEDED,
    SUPERSEDED,
    UNFINISHED,
)

_CATEGORY = Record._fields.index("category")
_EVENTS = frozenset((STARTED, COMPLETED))
_OUTCOME_BITS = {outcome: at << 1 for at, outcome in enumerate(OUTCOMES)}


class SessionTracker(KeepsOrder, BoundTracker):
    """Sessions in columns, one entry each per session (``Session.at``)."""

    BOUND = ("_session", "sessions")

    def __init__(self) -> None:
        self.events = Events()
        self.source = ReadBack(parse)  # the session file, for the events looked at
        self.intern = Interner()  # task texts, models, statuses repeat
        self._keys: list[SessionKey] = []
        self._bind()
        self._starts = array("q")  # its start in ``events`` (-1: none seen)
        self._ends = array("q")
        self._flags = bytearray()  # SUPERSEDED, and its outcome (index in OUTCOMES) above
        self._kept: tuple = tuple(NumberColumn() if name == "elapsed_seconds" else []
                                  for name in KEPT)
        self._open: dict[SessionKey, list[int]] = {}  # the open sessions' numbers
        self.started = 0
        self.completed = 0
        self.succeeded = 0
        self.orphan_completions = 0  # completions with no open start (started before the log)
        # Counted as they change, for ``state_counts``: counting every session's
        # state at every redraw grew with the sessions (200k while a big file loaded).
        self._ended_failed = 0
        self._open_superseded = 0
        self.version = 0  # bumps on every change, so views know when to redraw
        self._latest_run: dict[str, int] = {}
        self._open_runs: dict[str, dict[int, set[SessionKey]]] = {}  # worker -> run -> keys
        # Per worker, each run that was its latest when it began and the
        # session that began it, and its lowest run: a part of a file read
        # apart is joined on with them (``session_parts``).
        self.waves: dict[str, tuple[array, array]] = {}
        self.lowest_run: dict[str, int] = {}
        self._by_key: dict[SessionKey, int | list[int]] | None = None  # see ``by_key``
        self._order = SessionOrder(Columns(self._starts, self._ends, self._flags,
                                           self.events.times))
        self._changed: list[int] | None = []  # ended or left behind since the order's last look

    def can_follow(self, later: SessionTracker) -> bool:
        """Can ``later`` (the rest of the file, read apart) be joined on exactly?"""
        return session_parts.can_follow(self, later)

    def followed_by(self, later: SessionTracker) -> None:
        """``later``'s sessions after these (``store.session_parts``)."""
        session_parts.follow(self, later)

    def _bind(self) -> None:
        self._session = Session.bound(self)
        self.sessions = Handles(self._session, Every(self._keys))

    def apply(self, records: list[Record]) -> None:
        # Rows (a batch's own, or records: a record reads by index as its row
        # does), not a record made for each and its fields read by name. What
        # a batch's lines give is taken a column at a time (``batch_keys``,
        # ``Events.add``, the kept fields): line by line, only the pairing and
        # the waves (a method for each line's part was most of a big file's
        # intake: 17 us a line).
        rows = [row for row in getattr(records, "rows", records) if row[_CATEGORY] in _EVENTS]
        if not rows:
            return
        contexts, parts, runs = batch_keys(rows)
        # Each string a session keeps, one copy (its key's three, its kept fields).
        keep = self.intern.keeper(len(rows) * (3 + len(KEPT)))
        keys = list(zip(*(list(map(keep, part, part)) for part in parts)))
        new: list[dict] = []  # each new session's context, in number order
        ended: list[int] = []  # the session each completion ends
        ended_contexts: list[dict] = []
        outcomes: list[bool | None] = []
        open_, latest_run, open_runs = self._open, self._latest_run, self._open_runs
        starts, ends, flags = self._starts, self._ends, self._flags
        for event, row, key, context, run in zip(count(self.events.add(rows)), rows, keys,
                                                 contexts, runs):
            if row[_CATEGORY] == STARTED:
                at = self._new(key, context, new)
                starts[at] = event
                stack = open_.get(key)
                for earlier in stack or ():
                    self._supersede(earlier)
                number = run if run.__class__ is int and _RUN_LEAST <= run <= _RUN_MOST \
                    else _as_int(key[1])
                if number is not None:
                    if latest_run.get(key[0]) != number:
                        self._new_wave(key[0], number)
                    in_run = open_runs[key[0]]
                    keys_in_run = in_run.get(number)
                    if keys_in_run is None:
                        keys_in_run = in_run[number] = set()
                    keys_in_run.add(key)
                if stack is None:
                    open_[key] = [at]
                else:
                    stack.append(at)
                continue
            stack = open_.get(key)
            if stack:
                at = stack.pop()
                if not stack:
                    del open_[key]
            else:  # its start was before the log: a session of its own
                at = self._new(key, {}, new)
                self.orphan_completions += 1
            was = flags[at]
            if was & SUPERSEDED and ends[at] < 0:
                self._open_superseded -= 1
            ends[at] = event
            success = context.get("success")
            outcome = success if success.__class__ is bool else flag(success)
            flags[at] = (was & SUPERSEDED) | _OUTCOME_BITS[outcome]
            ended.append(at)
            ended_contexts.append(context)
            outcomes.append(outcome)
        self._take_kept(new, ended, ended_contexts, keep)
        self._moved(ended)
        self._ended_failed += outcomes.count(False)
        self.succeeded += outcomes.count(True)
        self.completed += len(ended)
        self.started += len(rows) - len(ended)
        self.version += len(rows)

    def latest_records(self, sessions: Iterable[Session],
                       pace: Pace | None = None) -> Iterator[Record]:
        """Each session's completion, else its start (as the sessions pane
        saves it), read back many at a time (``ReadBack.each_of``, with ``pace``)."""
        def event_of(session: Session) -> tuple[Event | None, str]:
            return (session.ended, COMPLETED) if session.end_at >= 0 else (session.began,
                                                                           STARTED)

        def place(session: Session) -> tuple[int, int] | None:
            event = event_of(session)[0]
            return (event.line, event.offset) if event is not None else None

        return self.source.each_of(
            sessions, place, lambda session, record: session_key(record) == session.key,
            lambda session: session._kept(*event_of(session)), pace)

    def event_at(self, session: Session, event: Event) -> Record | None:
        """The session's event at its place in the file, if the file still has it."""
        return self.source.record_at(event.line, event.offset,
                                     lambda record: session_key(record) == session.key)

    def _new(self, key: SessionKey, context: dict, new: list[dict]) -> int:
        """A new session's number (its kept fields, ``context``'s, are taken
        with the batch's: ``_take_kept``)."""
        at = len(self._keys)
        self._keys.append(key)
        self._starts.append(-1)
        self._ends.append(-1)
        self._flags.append(0)
        new.append(context)
        if self._by_key is not None:
            self._add_occurrence(key, at)
        return at

    def _take_kept(self, new: list[dict], ended: list[int], ended_contexts: list[dict],
                   keep: Keep) -> None:
        """The kept fields of a batch's new sessions, then its completions'
        over their starts' (a field at a time)."""
        for column, name in zip(self._kept, KEPT):
            column.extend(_interned(list(map(dict.get, new, repeat(name))), keep))
            given = list(map(dict.get, ended_contexts, repeat(name)))
            if given.count(None) == len(given):
                continue
            for at, value in compress(zip(ended, _interned(given, keep)),
                                      map(is_not, given, repeat(None))):
                column[at] = value

    def _supersede(self, at: int) -> None:
        flags = self._flags[at]
        if not flags & SUPERSEDED:
            self._flags[at] = flags | SUPERSEDED
            self._open_superseded += self._ends[at] < 0
            self._moved((at,))

    def _new_wave(self, worker: str, number: int) -> None:
        """Each wave is a new run: once a worker starts run N, its open sessions
        of earlier runs will not finish any more. Nor, once its runs start again
        lower (the kernel restarted: FORMATS.md), will any it had open before.
        Each key is looked at once, when its run is left behind (walking every
        key ever seen at each new run was most of the time on a big file: O(n^2))."""
        runs = self._open_runs.setdefault(worker, {})
        latest = self._latest_run.get(worker)
        restarted = latest is not None and number < latest
        self._latest_run[worker] = number
        if latest is None:
            self.lowest_run[worker] = number
            self.waves[worker] = (array("q"), array("q"))
        elif number < self.lowest_run[worker]:
            self.lowest_run[worker] = number
        runs_begun, begun_by = self.waves[worker]
        runs_begun.append(number)
        begun_by.append(len(self._keys) - 1)
        # (A restart leaves behind every run before it, its own number's too.)
        for earlier in [r for r in runs if r < number or restarted]:
            for old_key in runs.pop(earlier):
                for at in self._open.get(old_key, ()):
                    self._supersede(at)

    @property
    def by_key(self) -> dict[SessionKey, int | list[int]]:
        """Every occurrence of a key (its number), in start order: the number
        itself while it is the only one (most are: a list each was an eighth
        of the memory). Made at the first look, then kept up to date: a
        report never looks (200k sessions' index and numbers: 16 MB)."""
        if self._by_key is None:
            self._by_key = _occurrences(self._keys)
        return self._by_key

    def _add_occurrence(self, key: SessionKey, at: int) -> None:
        by_key = self._by_key
        if by_key is None:
            return
        known = by_key.get(key)
        if known is None:
            by_key[key] = at
        elif known.__class__ is list:
            known.append(at)
        else:
            by_key[key] = [known, at]

    def occurrences(self, key: SessionKey) -> list[Session]:
        known = self.by_key.get(key)
        numbers = [] if known is None else known if known.__class__ is list else [known]
        return list(map(self._session, numbers))

    def sought(self, key: SessionKey) -> list[Session]:
        """``occurrences``, for a look made once (a kept cursor, a mark): while
        ``by_key`` is not made, found by a walk over the keys in C (making it
        for 200k sessions held the screen 100 ms, to find one)."""
        if self._by_key is not None:
            return self.occurrences(key)
        keys, found, at = self._keys, [], -1
        try:
            while True:
                at = keys.index(key, at + 1)
                found.append(at)
        except ValueError:
            return list(map(self._session, found))

    def occurrence_of(self, record: Record) -> Session | None:
        """The session whose start or completion ``record`` is."""
        if record.kind != KIND:
            return None
        return next((session for session in self.occurrences(session_key(record))
                     if session.owns(record)), None)

    def next_start(self, session: Session) -> datetime | None:
        """When the next session of the same key started: where an open one's
        evidence ends, since the key then stands for another session."""
        occurrences = self.occurrences(session.key)
        later = occurrences[occurrences.index(session) + 1:] if session in occurrences else []
        return next((s.started_at for s in later if s.started_at is not None), None)

    def open_sessions(self) -> list[Session]:
        """Started, not completed, and not left behind by a later start."""
        return [self._session(at) for stack in self._open.values() for at in stack
                if not self._flags[at] & SUPERSEDED]

    def open_started_by(self, latest: float, besides: Container[int] = (),
                        most: int | None = None) -> tuple[list[int], list[int]]:
        """The open sessions (``open_sessions``) that started at ``latest``
        (seconds since the epoch) or before, by number, not those of
        ``besides``: every one, in no order, and the ``most`` started last
        (all, if None), the earliest started first. Found in C (a look at
        200k open sessions one by one took 0.2-0.4 s of the screen's thread;
        they are looked at every few seconds), those ``besides`` left out
        first; only the latest sorted (sorting all held it 120 ms)."""
        flags, starts, times = self._flags, self._starts, self.events.times
        ats = list(chain.from_iterable(self._open.values()))
        if besides:
            ats = list(compress(ats, map(not_, map(besides.__contains__, ats))))
        ats = list(compress(ats, map(not_, map(and_, map(flags.__getitem__, ats),
                                               repeat(SUPERSEDED)))))
        ats = list(compress(ats, map(ge, map(starts.__getitem__, ats), repeat(0))))
        started = list(map(times.__getitem__, map(starts.__getitem__, ats)))
        # (A start without a time is NaN: not before ``latest``.)
        before = list(map(ge, repeat(latest), started))
        found, started = list(compress(ats, before)), list(compress(started, before))
        latest_ones, their_starts = found, started
        if most is not None and len(found) > most:
            # Those started at the ``most``-th latest start or after (ties
            # kept: the stable sort below orders them as a whole sort would).
            after = list(map(ge, started, repeat(nlargest(most, started)[-1])))
            latest_ones, their_starts = list(compress(found, after)), list(compress(started,
                                                                                      after))
        order = sorted(range(len(latest_ones)), key=their_starts.__getitem__)
        return found, list(map(latest_ones.__getitem__, order))[-most if most else 0:]

    def state_counts(self, run: str) -> dict[str, int]:
        """Sessions by ``Session.state`` (``run``: the run's state), from counts
        kept as sessions start and end: no session is looked at."""
        ended = self.completed  # each completion ends one session (an orphan, its own)
        counts = {FAILED: self._ended_failed, SUCCEEDED: ended - self._ended_failed,
                  UNFINISHED: self._open_superseded, STALLED: 0, RUNNING: 0}
        never_left = len(self._keys) - ended - self._open_superseded
        counts[{LIVE: RUNNING, IDLE: STALLED}.get(run, UNFINISHED)] += never_left
        return counts

    @property
    def unfinished(self) -> list[Session]:
        return [s for s in self.sessions if s.is_open]

    @property
    def failed(self) -> int:
        return self.completed - self.succeeded

    def triage_order(self, run: str, now: datetime) -> TriageOrder:
        """Failed, unfinished, stalled, running, ok; newest first within each."""
        self.settle_order()
        return self._order.order(self._session, run, now)

    def _to_order(self) -> int:
        return len(self._keys)

    def _order_looks(self) -> None:
        self._order.update(self._changed, len(self._keys))


def _occurrences(keys: list[SessionKey]) -> dict[SessionKey, int | list[int]]:
    """Each key's numbers in ``keys``, in order (``by_key``): built in C for
    the keys seen once, most of them (a loop over 200k sessions in Python
    held a key's answer 80 ms)."""
    by_key: dict[SessionKey, int | list[int]] = dict(zip(keys, count()))
    if len(by_key) < len(keys):
        repeated = {key for key, times in Counter(keys).items() if times > 1}
        for key in repeated:
            by_key[key] = []
        for at in compress(count(), map(repeated.__contains__, keys)):
            by_key[keys[at]].append(at)
    return by_key


def _interned(values: list, keep: Keep) -> list:
    """Each string ``keep``'s copy (all strings: in C)."""
    if all_are(values, str):
        return list(map(keep, values, values))
    return [keep(value, value) if value.__class__ is str else value for value in values]


def _as_int(value: str) -> int | None:
    """A run's number; None for one that is no number, or is past the 64
    bits its worker's waves are kept in (the array refused it: a traceback)."""
    try:
        number = int(value)
    except ValueError:
        return None
    return number if _RUN_LEAST <= number <= _RUN_MOST else None


_RUN_LEAST, _RUN_MOST = -(1 << 63), (1 << 63) - 1
