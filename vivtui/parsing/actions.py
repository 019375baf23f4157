"""action_log.jsonl: the action stream, one JSON object a line."""

from __future__ import annotations

import re

from vivtui.parsing.context import ParseContext
from vivtui.parsing.jsonline import Shortcut, line_parser
from vivtui.parsing.record import ERROR, INFO, OK, SUMMARIZERS, WARNING, Record
from vivtui.parsing.values import text

KIND = "actions"

# Looked for in the lowercased detail: "10 fail" is not "0 fail".
_ZERO_FAIL = re.compile(r"(?<!\d)0 fail")
_ZERO_PASS = re.compile(r"(?<!\d)0 pass")


def action_severity(action_type: str, action: object, detail: object) -> str:
    """The producer's own colour rules, read as severities (FORMATS.md).
    ``action`` and ``detail`` are the fields as written: only the one a type's
    rule reads is made text."""
    if action_type == "ERROR":
        return ERROR
    if action_type == "SAFETY":
        upper_action = text(action).upper()
        if "BLOCKED" in upper_action:
            return ERROR
        if "WARNING" in upper_action:
            return WARNING
        return INFO
    if action_type == "BUDGET":
        return ERROR if "EXCEEDED" in text(action).upper() else WARNING
    if action_type == "TEST":
        detail = text(detail)
        lower = detail.lower()
        if "fail" not in lower:
            return INFO  # neither rule can match without it
        # The patterns are looked for only where their words are.
        if "0 fail" in lower and _ZERO_FAIL.search(lower):
            return OK
        return ERROR if "0 pass" in lower and _ZERO_PASS.search(lower) else WARNING
    return INFO


# Types whose colour never depends on the action or detail: no need to read them.
_PLAIN_SEVERITY = dict.fromkeys(
    ("TOOL", "API", "COST", "SOCIAL", "IDENTITY", "JOURNAL", "SYSTEM"), INFO) | {"ERROR": ERROR}


# Most action lines: built by parse_batch itself, as from_object would build them.
SHORTCUT = Shortcut("action_type", _PLAIN_SEVERITY)


def from_object(obj: dict, data: bytes, line: int, offset: int, ctx: ParseContext) -> tuple:
    # The plain types' rows are built by parse_batch (SHORTCUT): the rest come here.
    action_type = text(obj.get("action_type")) or "?"
    severity = action_severity(action_type, obj.get("action"), obj.get("detail"))
    # The line's bytes are kept, not the dict, and the row is a plain tuple in the
    # record layout (see Record and Records), as for the rows parse_batch builds.
    return (KIND, line, offset, obj.get("timestamp"), ctx.zone, severity, action_type, data,
            False, "")


def summarize(record: Record) -> str:
    f = record.fields
    actor = text(f.get("actor")) or "UNKNOWN"
    return f"{actor} {record.category} {text(f.get('action'))}: {text(f.get('detail'))}"


parse = line_parser(KIND, from_object)
SUMMARIZERS[KIND] = summarize
