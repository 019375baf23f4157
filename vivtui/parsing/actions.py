"""action_log.jsonl: the action stream, one JSON object a line."""

from __future__ import annotations

import re
from typing import Iterable

import orjson

from vivtui.parsing.context import ParseContext
from vivtui.parsing.jsonline import line_parser, slow_row
from vivtui.parsing.record import ERROR, INFO, OK, SUMMARIZERS, WARNING, Record, Records
from vivtui.parsing.values import text

KIND = "actions"

_ZERO_FAIL = re.compile(r"(?<!\d)0 fail", re.IGNORECASE)
_ZERO_PASS = re.compile(r"(?<!\d)0 pass", re.IGNORECASE)


def action_severity(action_type: str, action: str, detail: str) -> str:
    """The producer's own colour rules, read as severities (FORMATS.md)."""
    upper_action = action.upper()
    if action_type == "ERROR":
        return ERROR
    if action_type == "SAFETY":
        if "BLOCKED" in upper_action:
            return ERROR
        if "WARNING" in upper_action:
            return WARNING
        return INFO
    if action_type == "BUDGET":
        return ERROR if "EXCEEDED" in upper_action else WARNING
    if action_type == "TEST":
        if _ZERO_FAIL.search(detail):
            return OK
        if "fail" in detail.lower():
            return ERROR if _ZERO_PASS.search(detail) else WARNING
    return INFO


# Types whose colour never depends on the action or detail: no need to read them.
_PLAIN_SEVERITY = dict.fromkeys(
    ("TOOL", "API", "COST", "SOCIAL", "IDENTITY", "JOURNAL", "SYSTEM"), INFO)


def from_object(obj: dict, data: bytes, line: int, offset: int, ctx: ParseContext) -> tuple:
    action_type = obj.get("action_type")
    severity = _PLAIN_SEVERITY.get(action_type) if action_type.__class__ is str else None
    if severity is None:
        action_type = text(action_type) or "?"
        severity = action_severity(action_type, text(obj.get("action")), text(obj.get("detail")))
    # The line's bytes are kept, not the dict, and the row is a plain tuple in the
    # record layout (see Record and Records): this runs for every action line.
    return (KIND, line, offset, obj.get("timestamp"), ctx.zone, severity, action_type, data,
            False, "")


def summarize(record: Record) -> str:
    f = record.fields
    actor = text(f.get("actor")) or "UNKNOWN"
    return f"{actor} {record.category} {text(f.get('action'))}: {text(f.get('detail'))}"


def parse_rows(lines: Iterable[tuple[int, int, bytes]], ctx: ParseContext) -> Records:
    """``parse_batch`` for the action stream with ``from_object``'s common case
    inlined: the one loop that runs for each of millions of lines."""
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    plain, zone = _PLAIN_SEVERITY, ctx.zone
    out: list = []
    append = out.append
    for line, offset, data in lines:
        try:
            obj = loads(data)
        except decode_error:
            obj = None
        if obj.__class__ is dict:
            action_type = obj.get("action_type")
            if action_type.__class__ is str and action_type in plain:
                append((KIND, line, offset, obj.get("timestamp"), zone, INFO, action_type, data,
                        False, ""))
            else:
                append(from_object(obj, data, line, offset, ctx))
        else:
            row = slow_row(KIND, from_object, data, line, offset, ctx)
            if row is not None:
                append(row)
    return Records(out)


parse = line_parser(KIND, from_object)
SUMMARIZERS[KIND] = summarize
