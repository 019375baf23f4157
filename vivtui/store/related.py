"""Which records belong together across files: same session, task or identity."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from vivtui.parsing import kernel, sessions
from vivtui.parsing.record import Record
from vivtui.parsing.values import text

RelationKey = tuple

NO_TIME = datetime.min.replace(tzinfo=timezone.utc)


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
            keys.add(("grind", text(fields.get("worker_id")), text(context.get("run")),
                      text(context.get("session_id"))))
    elif fields.get("session_id") not in (None, ""):
        keys.add(("session", text(fields.get("session_id"))))
    for name in ("task_id", "identity_id"):
        value = fields.get(name)
        if value not in (None, ""):
            keys.add((name, text(value)))
    return keys


def time_key(record: Record) -> datetime:
    """For sorting: records without a time (kernel backlog) come first, in file order."""
    return sort_time(record.ts)


def related_records(record: Record, candidates: Iterable[Record]) -> list[Record]:
    """Every candidate sharing a key with ``record`` (itself included), in time order."""
    keys = relation_keys(record)
    if not keys:
        return [record]
    found = [c for c in candidates if not keys.isdisjoint(relation_keys(c))]
    return sorted(found, key=lambda r: (time_key(r), r.kind, r.line))
