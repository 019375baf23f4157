"""GrindSessions: starts paired with completions of the same (worker_id, run, session_id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vivtui.parsing.record import ERROR, INFO, OK, WARNING, Record
from vivtui.parsing.sessions import COMPLETED, STARTED, context_of, task_title
from vivtui.parsing.values import flag, number, text
from vivtui.store.activity import IDLE, LIVE

RUNNING = "running"
STALLED = "stalled"  # open while the run has gone quiet: may yet finish, probably not
SUCCEEDED = "ok"
FAILED = "failed"
UNFINISHED = "unfinished"

SessionKey = tuple[str, str, str]

# What a triager looks at first: failed, then never finished, then running.
STATE_ORDER = {FAILED: 0, UNFINISHED: 1, STALLED: 2, RUNNING: 3, SUCCEEDED: 4}
STATE_SEVERITY = {FAILED: ERROR, UNFINISHED: WARNING, STALLED: WARNING, RUNNING: INFO,
                  SUCCEEDED: OK}


def session_key(record: Record) -> SessionKey:
    fields = record.fields
    ctx = context_of(fields)
    return (text(fields.get("worker_id")), text(ctx.get("run")), text(ctx.get("session_id")))


@dataclass(slots=True)
class Session:
    key: SessionKey
    start: Record | None
    end: Record | None = None
    superseded: bool = False  # a later start (same key, or a later run of the worker) came

    @property
    def outcome(self) -> bool | None:
        """True/False once completed with a ``success`` flag; None otherwise."""
        if self.end is None:
            return None
        return flag(context_of(self.end.fields).get("success"))

    def state(self, run: str = LIVE) -> str:
        """Without a completion: running while the run is live, stalled while it
        is idle, unfinished once it is over or a later start took its place
        (``run``: the run's state, ``activity.LIVE``/``IDLE``/``FINISHED``)."""
        if self.end is None:
            if self.superseded:
                return UNFINISHED
            return {LIVE: RUNNING, IDLE: STALLED}.get(run, UNFINISHED)
        return FAILED if self.outcome is False else SUCCEEDED

    @property
    def started_at(self) -> datetime | None:
        return self.start.ts if self.start else None

    @property
    def ended_at(self) -> datetime | None:
        return self.end.ts if self.end else None

    @property
    def elapsed(self) -> float | None:
        """Seconds the session ran, as its completion reports it."""
        if self.end is None:
            return None
        reported = number(context_of(self.end.fields).get("elapsed_seconds"))
        if reported is None and self.started_at and self.ended_at:
            return (self.ended_at - self.started_at).total_seconds()
        return reported

    def context(self, name: str) -> object:
        """A context field, from the completion first, then the start."""
        for record in (self.end, self.start):
            if record is not None:
                value = context_of(record.fields).get(name)
                if value is not None:
                    return value
        return None

    @property
    def title(self) -> str:
        return task_title(self.context("task"))


class SessionTracker:
    def __init__(self) -> None:
        self.sessions: list[Session] = []
        self._open: dict[SessionKey, list[Session]] = {}
        self.started = 0
        self.completed = 0
        self.succeeded = 0
        self.orphan_completions = 0  # completions with no open start (started before the log)
        self.version = 0  # bumps on every change, so views know when to redraw
        self._latest_run: dict[str, int] = {}
        self._open_runs: dict[str, dict[int, set[SessionKey]]] = {}  # worker -> run -> keys
        self.by_key: dict[SessionKey, list[Session]] = {}  # every occurrence, in start order

    def apply(self, records: list[Record]) -> None:
        for record in records:
            if record.category == STARTED:
                self._start(record)
            elif record.category == COMPLETED:
                self._complete(record)

    def _start(self, record: Record) -> None:
        key = session_key(record)
        session = Session(key, record)
        stack = self._open.setdefault(key, [])
        for earlier in stack:
            earlier.superseded = True
        self._supersede_earlier_runs(key)
        stack.append(session)
        self.sessions.append(session)
        self.by_key.setdefault(key, []).append(session)
        self.started += 1
        self.version += 1

    def _complete(self, record: Record) -> None:
        key = session_key(record)
        self.completed += 1
        stack = self._open.get(key)
        if stack:
            session = stack.pop()
            session.end = record
            if not stack:
                del self._open[key]
        else:
            session = Session(key, None, record)
            self.sessions.append(session)
            self.by_key.setdefault(key, []).append(session)
            self.orphan_completions += 1
        if session.outcome is True:
            self.succeeded += 1
        self.version += 1

    def _supersede_earlier_runs(self, key: SessionKey) -> None:
        """Each wave is a new run: once a worker starts run N, its open sessions
        of earlier runs will not finish any more. Each key is looked at once, when
        its run is left behind (walking every key ever seen at each new run was
        most of the time on a big file: O(n^2))."""
        worker, run, _ = key
        number = _as_int(run)
        if number is None:
            return
        runs = self._open_runs.setdefault(worker, {})
        latest = self._latest_run.get(worker)
        if latest is None or number > latest:
            self._latest_run[worker] = number
            for earlier in [r for r in runs if r < number]:
                for old_key in runs.pop(earlier):
                    for session in self._open.get(old_key, ()):
                        session.superseded = True
        runs.setdefault(number, set()).add(key)

    def occurrence_of(self, record: Record) -> Session | None:
        """The session whose start or completion ``record`` is."""
        where = (record.kind, record.line, record.offset)
        for session in self.by_key.get(session_key(record), ()):
            for own in (session.start, session.end):
                if own is not None and (own.kind, own.line, own.offset) == where:
                    return session
        return None

    def next_start(self, session: Session) -> datetime | None:
        """When the next session of the same key started: where an open one's
        evidence ends, since the key then stands for another session."""
        occurrences = self.by_key.get(session.key, [])
        later = occurrences[occurrences.index(session) + 1:] if session in occurrences else []
        return next((s.started_at for s in later if s.started_at is not None), None)

    @property
    def unfinished(self) -> list[Session]:
        return [s for s in self.sessions if s.start is not None and s.end is None]

    @property
    def failed(self) -> int:
        return self.completed - self.succeeded


def _as_int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def triage_order(sessions, run: str, now: datetime) -> list[Session]:
    """Failed, unfinished, stalled, running, ok; newest first within each."""
    return sorted(sessions, key=lambda s: (STATE_ORDER[s.state(run)],
                                           -(s.started_at or s.ended_at or now).timestamp()))


def is_problem(session: Session, run: str) -> bool:
    """A session to triage: failed, never finished, or stalled."""
    return session.state(run) in (FAILED, UNFINISHED, STALLED)
