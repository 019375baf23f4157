"""safety_audit.log: safety gate decisions (JSONL)."""

from __future__ import annotations

from vivtui.parsing.context import ParseContext
from vivtui.parsing.jsonline import line_parser
from vivtui.parsing.record import ERROR, INFO, OK, SUMMARIZERS, Record, make
from vivtui.parsing.values import flag, text

KIND = "safety"

BLOCKED = "blocked"
PASSED = "passed"


def from_object(obj: dict, data: bytes, line: int, offset: int, ctx: ParseContext) -> Record:
    passed = flag(obj.get("passed"))
    category, severity = {True: (PASSED, OK), False: (BLOCKED, ERROR)}.get(passed, ("?", INFO))
    return make(KIND, line, offset, obj.get("timestamp"), ctx.zone, severity, category, obj)


def summarize(record: Record) -> str:
    f = record.fields
    task = text(f.get("task")).split("\n", 1)[0]
    if record.category == BLOCKED:
        return f"BLOCKED {task}: {text(f.get('blocked_reason'))}"
    return f"{record.category} {task}"


parse = line_parser(KIND, from_object)
SUMMARIZERS[KIND] = summarize
