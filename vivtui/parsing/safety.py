"""safety_audit.log: safety gate decisions (JSONL)."""

from __future__ import annotations

from vivtui.parsing.context import ParseContext
from vivtui.parsing.jsonline import load_object
from vivtui.parsing.record import ERROR, INFO, OK, SUMMARIZERS, Record
from vivtui.parsing.values import flag, text, timestamp

KIND = "safety"

BLOCKED = "blocked"
PASSED = "passed"


def parse(data: bytes, line: int, offset: int, ctx: ParseContext) -> Record:
    obj = load_object(KIND, data, line, offset)
    if isinstance(obj, Record):
        return obj
    passed = flag(obj.get("passed"))
    category, severity = {True: (PASSED, OK), False: (BLOCKED, ERROR)}.get(passed, ("?", INFO))
    return Record(
        KIND, line, offset, timestamp(obj.get("timestamp"), ctx.zone),
        severity, category, obj,
    )


def summarize(record: Record) -> str:
    f = record.fields
    task = text(f.get("task")).split("\n", 1)[0]
    if record.category == BLOCKED:
        return f"BLOCKED {task}: {text(f.get('blocked_reason'))}"
    return f"{record.category} {task}"


SUMMARIZERS[KIND] = summarize
