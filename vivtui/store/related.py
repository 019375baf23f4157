"""Which records belong together across files: same session, task or identity.

A GrindSession key (worker, run, session_id) is reused across waves and kernel
restarts, so a session is an occurrence: its start and the completion that
pairs with it. Its related events are those of its key within its own time
span, plus the safety gate's decisions on its task text at that time.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable

from vivtui.parsing import kernel, safety, sessions
from vivtui.parsing.record import Record
from vivtui.parsing.values import text

RelationKey = tuple

NO_TIME = datetime.min.replace(tzinfo=timezone.utc)
# A gate decision is written just before or after the session's start line.
DECISION_SLACK = timedelta(seconds=5)


def sort_time(ts: datetime | None) -> datetime:
    """For sorting: no time sorts first."""
    return ts or NO_TIME


def relation_keys(record: Record) -> set[RelationKey]:
    """A session (session_id; (worker_id, run, session_id) for GrindSessions; the
    [N] of kernel lines), a task_id, an identity_id."""
    if record.malformed:
        return set()
    if record.kind == kernel.KIND:
        number = kernel.session_number(str(record.raw))
        return {("kernel", number)} if number is not None else set()
    fields = record.fields
    keys: set[RelationKey] = set()
    if record.kind == sessions.KIND:
        context = sessions.context_of(fields)
        if context.get("session_id") is not None:
            keys.add(grind_key(record))
    elif fields.get("session_id") not in (None, ""):
        keys.add(("session", text(fields.get("session_id"))))
    for name in ("task_id", "identity_id"):
        value = fields.get(name)
        if value not in (None, ""):
            keys.add((name, text(value)))
    return keys


def related_to(keys: set[RelationKey]) -> Callable[[Record], bool]:
    """The test a file's lines are scanned with for ``keys``' relations."""
    return lambda record: not keys.isdisjoint(relation_keys(record))


def relation_prefilter(keys: set[RelationKey]) -> Callable[[bytes], bool] | None:
    """A look at a line's bytes before it is parsed that turns away only lines
    ``related_to(keys)`` would: one that holds none of the keys' values as
    written (ASCII lines without escapes, where bytes and text agree). None
    when a key is not one value (a GrindSession's)."""
    needles = []
    for key in keys:
        if key[0] == kernel.KIND:
            needles.append(f"[{key[1]}]".encode())
        elif len(key) == 2 and key[1].isascii() and key[1]:
            needles.append(key[1].encode())
        else:
            return None
    if not needles:
        return None

    def keep(data: bytes) -> bool:
        if not data.isascii() or b"\\" in data:
            return True  # decided on the parsed line
        return any(needle in data for needle in needles)

    return keep


def grind_key(record: Record) -> RelationKey:
    fields = record.fields
    context = sessions.context_of(fields)
    return ("grind", text(fields.get("worker_id")), text(context.get("run")),
            text(context.get("session_id")))


def time_key(record: Record) -> datetime:
    """For sorting: records without a time (kernel backlog) come first, in file order."""
    return sort_time(record.ts)


OWN_EVENTS_MOST = 1_000  # a task's status events read back for its related events


def own_events(record: Record, tracker=None, tasks=None) -> list[Record]:
    """What the models know of the record's own story, read back from their
    files where they keep its places: its GrindSession occurrence's start and
    completion (``tracker``, the sessions'), or the status events of its task
    (``tasks``, the queue's). A big run's kept rows are its newest: ``r`` on
    its first session found that session's completion alone. (A task's
    events are read back without their line numbers: shown as "?".)"""
    if tracker is not None and record.kind == sessions.KIND:
        session = tracker.occurrence_of(record)
        return [event for event in (session.start, session.end)
                if event is not None] if session is not None else []
    task_id = None if record.malformed or tasks is None else record.fields.get("task_id")
    task = tasks.tasks.get(text(task_id)) if task_id not in (None, "") else None
    if task is None:
        return []
    return [event for event in tasks.history(task, OWN_EVENTS_MOST) if event is not None]


def related_records(record: Record, candidates: Iterable[Record], tracker=None) -> list[Record]:
    """Every candidate sharing a key with ``record`` (itself included), in time
    order. With the run's sessions (``tracker``): a GrindSession's events are
    its occurrence's only, with the gate decisions on its task; a gate decision
    leads to the session it decided on."""
    candidates = list(candidates)
    session = _session_of(record, candidates, tracker) if tracker is not None else None
    if session is not None:
        found = _occurrence_records(session, candidates, tracker)
        if record not in found:
            found.append(record)
    else:
        keys = relation_keys(record)
        if not keys:
            return [record]
        found = kernel_occurrence(record, [c for c in candidates
                                           if not keys.isdisjoint(relation_keys(c))])
        if record not in found:  # (a row no longer kept: itself, at least)
            found.append(record)
    return sorted(_once_each(found), key=lambda r: (time_key(r), r.kind, r.line))


def kernel_occurrence(origin: Record, records: list[Record]) -> list[Record]:
    """Of a kernel line's related lines (those of its ``[N]``), its own
    occurrence's: from the ``[N] START`` at or before it to the next one. A
    number is used again (a kernel restarted onto the same log, a task
    started again), and its lines from then on are another session's. Lines
    not numbered yet (line 0: a big log's tail before it is counted) stay."""
    if origin.kind != kernel.KIND or origin.line <= 0:
        return records
    starts = [r.line for r in records if r.kind == kernel.KIND and r.line > 0
              and kernel.starts_session(str(r.raw))]
    first = max((line for line in starts if line <= origin.line), default=0)
    after = min((line for line in starts if line > origin.line), default=math.inf)
    return [r for r in records
            if r.kind != kernel.KIND or r.line <= 0 or first <= r.line < after]


def _once_each(records: list[Record]) -> list[Record]:
    """Each line once, a kept row before the same line read back by a model
    (which may not know its line number)."""
    seen: set[tuple] = set()
    out = []
    for record in sorted(records, key=lambda r: r.line <= 0):
        place = (record.kind, record.offset) if record.offset >= 0 else (
            record.kind, record.line, record.offset)
        if place not in seen:
            seen.add(place)
            out.append(record)
    return out


def file_keys(record: Record, tracker=None) -> set[RelationKey]:
    """What a file's lines no longer kept are scanned for (``related_to``):
    the record's keys, when its relations are found by key (a GrindSession's
    occurrence is the tracker's, not a key's: none)."""
    if tracker is not None and _session_of(record, [], tracker) is not None:
        return set()
    return relation_keys(record)


def _session_of(record: Record, candidates: list[Record], tracker):
    if record.kind == sessions.KIND and record.category in (sessions.STARTED, sessions.COMPLETED):
        return tracker.occurrence_of(record)
    if record.kind == safety.KIND:
        return decided_session(record, tracker)
    return None


def _occurrence_records(session, candidates: list[Record], tracker) -> list[Record]:
    start, end = span_of(session, tracker)
    key = ("grind", *session.key)
    task = text(session.context("task")).strip()
    found = []
    for candidate in candidates:
        if candidate.kind == safety.KIND:
            # The cheap test first: a run has many decisions and many sessions.
            if (task and text(candidate.fields.get("task")).strip().startswith(task)
                    and decided_session(candidate, tracker) == session):
                found.append(candidate)
        elif key in relation_keys(candidate) and _within(candidate.ts, start, end):
            # At a boundary the next occurrence's start line is its own.
            if _session_of(candidate, candidates, tracker) in (None, session):
                found.append(candidate)
    return found


def span_of(session, tracker) -> tuple[datetime | None, datetime | None]:
    """From its start to its completion, or to the next start of its key."""
    return session.started_at, session.ended_at or tracker.next_start(session)


def _within(ts: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    if ts is None:
        return False
    return (start is None or ts >= start) and (end is None or ts <= end)


def gate_blocks(session, blocked: Iterable[Record], tracker) -> list[Record]:
    """The safety gate's blocks of ``session`` among ``blocked`` records."""
    task = text(session.context("task")).strip()
    if not task:
        return []
    return [record for record in blocked
            if record.kind == safety.KIND
            and text(record.fields.get("task")).strip().startswith(task)
            and decided_session(record, tracker) == session]


def decided_session(decision: Record, tracker):
    """The session a gate decision was about: the latest to start (by then, give
    or take a few seconds) whose task text is the decision's."""
    task = text(decision.fields.get("task")).strip()
    ts = decision.ts
    if not task or ts is None:
        return None
    best = None
    for session in tracker.sessions:
        started = session.started_at
        own = text(session.context("task")).strip()
        if (started is None or not own or not task.startswith(own)
                or started > ts + DECISION_SLACK):
            continue
        if best is None or started > best.started_at:
            best = session
    return best
