"""execution_log.jsonl: task-level status events of the execution queue."""

from __future__ import annotations

from vivtui.parsing.context import ParseContext
from vivtui.parsing.jsonline import Shortcut, line_parser
from vivtui.parsing.record import ERROR, INFO, OK, SUMMARIZERS, WARNING, Record, make
from vivtui.parsing.values import text

KIND = "tasks"

_DONE = frozenset({"completed", "approved", "ready_for_merge", "subtask_completed"})


def status_severity(status: str) -> str:
    if status in ("failed", "safety_blocked") or status.endswith("_failed"):
        return ERROR
    if status == "requeue":
        return WARNING
    if status in _DONE:
        return OK
    return INFO


def from_object(obj: dict, data: bytes, line: int, offset: int, ctx: ParseContext) -> Record:
    status = text(obj.get("status")) or "?"
    return make(KIND, line, offset, obj.get("timestamp"), ctx.zone, status_severity(status), status, obj)


def summarize(record: Record) -> str:
    f = record.fields
    parts = [f"{text(f.get('task_id')) or '?'} {record.category}"]
    if f.get("worker_id") is not None:
        parts.append(f"worker={text(f.get('worker_id'))}")
    if f.get("errors"):
        parts.append(f"errors: {text(f.get('errors'))}")
    elif f.get("result_summary"):
        parts.append(text(f.get("result_summary")))
    return " ".join(parts)


parse = line_parser(KIND, from_object)
# Rows built inline by the batch parser (the same rows as ``from_object``'s:
# tested), the producer's statuses (FORMATS.md) known ahead and any other
# worked out once a batch. The queue reads each row's object.
STATUSES = ("queued", "in_progress", "completed", "failed", "pending_review", "approved",
            "requeue", "needs_qa", "needs_integration", "needs_e2e", "ready_for_merge",
            "subtask_started", "subtask_completed", "subtask_failed", "safety_blocked")
SHORTCUT = Shortcut("status", {status: status_severity(status) for status in STATUSES},
                    raw_object=True, severity_of=status_severity)
SUMMARIZERS[KIND] = summarize
