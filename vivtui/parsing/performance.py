"""performance_history.json: one JSON array of session metrics, rewritten whole."""

from __future__ import annotations

from typing import Any

from vivtui.parsing.context import ParseContext
from vivtui.parsing.record import ERROR, INFO, OK, SUMMARIZERS, Record, make, malformed
from vivtui.parsing.values import flag, number, text

KIND = "performance"


def parse_entry(entry: Any, index: int, ctx: ParseContext) -> Record:
    """Entry ``index`` (0-based) of the array; line numbers count entries from 1."""
    if not isinstance(entry, dict):
        return malformed(KIND, index + 1, -1, text(entry), "array entry is not an object")
    success = flag(entry.get("success"))
    severity = {True: OK, False: ERROR}.get(success, INFO)
    category = {True: "success", False: "failure"}.get(success, "?")
    return make(KIND, index + 1, -1, entry.get("timestamp"), ctx.zone, severity, category, entry)

def summarize(record: Record) -> str:
    f = record.fields
    duration = number(f.get("duration_seconds"))
    quality = number(f.get("quality_score"))
    parts = [f"session {text(f.get('session_id'), '?')} {record.category}"]
    if duration is not None:
        parts.append(f"{duration:.1f}s")
    if quality is not None:
        parts.append(f"quality {quality:.2f}")
    parts.append(text(f.get("task_description")))
    return " ".join(parts)


SUMMARIZERS[KIND] = summarize
