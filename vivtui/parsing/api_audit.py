"""api_audit.log: API calls, cost, and budget events (JSONL despite the name)."""

from __future__ import annotations

from vivtui.parsing.context import ParseContext
from vivtui.parsing.jsonline import Shortcut, line_parser
from vivtui.parsing.record import ERROR, INFO, OK, SUMMARIZERS, WARNING, Record, make
from vivtui.parsing.values import text

KIND = "api"

SUCCESS = "API_CALL_SUCCESS"
FAILURE = "API_CALL_FAILURE"
BUDGET_EXCEEDED = "BUDGET_EXCEEDED"
RATE_LIMITED = "RATE_LIMITED"
VIOLATION = "CONSTITUTIONAL_VIOLATION"
TASK_BUDGET_PREFIX = "TASK_BUDGET_EXCEEDED"


def event_severity(event: str) -> str:
    if event == SUCCESS:
        return OK
    if event in (FAILURE, BUDGET_EXCEEDED, VIOLATION) or event.startswith(TASK_BUDGET_PREFIX):
        return ERROR
    if event == RATE_LIMITED:
        return WARNING
    return INFO


def from_object(obj: dict, data: bytes, line: int, offset: int, ctx: ParseContext) -> Record:
    event = text(obj.get("event")) or "?"
    return make(KIND, line, offset, obj.get("timestamp"), ctx.zone, event_severity(event), event, obj)


_DETAIL_KEYS = ("model", "call_type", "cost", "input_tokens", "output_tokens", "error",
                "remaining", "requested", "reason", "task_id", "estimated_cost",
                "actual_cost", "task_max_budget")


def summarize(record: Record) -> str:
    f = record.fields
    parts = [record.category]
    for key in _DETAIL_KEYS:
        if f.get(key) is not None:
            parts.append(f"{key}={text(f[key])}")
    return " ".join(parts)


parse = line_parser(KIND, from_object)
# Rows built inline by the batch parser (the same rows as ``from_object``'s:
# tested): an event alone gives its severity. The budget reads each row's object.
SHORTCUT = Shortcut("event", {event: event_severity(event) for event in (
    SUCCESS, FAILURE, BUDGET_EXCEEDED, RATE_LIMITED, VIOLATION, "API_CALL_ATTEMPT")},
    raw_object=True, severity_of=event_severity)
SUMMARIZERS[KIND] = summarize
