"""kernel_run.log: orchestrator and safety output, plain text without timestamps."""

from __future__ import annotations

import re

from vivtui.parsing.context import ParseContext
from vivtui.parsing.jsonline import decode_text
from vivtui.parsing.record import ERROR, INFO, OK, SUMMARIZERS, WARNING, Record, make

KIND = "kernel"

BLOCKED = "blocked"
ERRORED = "error"
CAUTION = "caution"
OTHER = "other"

# FORMATS.md's rules: case-sensitive, first match wins; summary counts follow them.
_RULES = (
    (BLOCKED, re.compile(r"\bBLOCKED\b")),
    (ERRORED, re.compile(r"\bFAILED\b|\bEXCEPTION\b|^Traceback|Failed to|Error:")),
    (CAUTION, re.compile(r"\bCAUTION\b|\bWARNING\b|\bWarning\b")),
)
_CLASS_SEVERITY = {BLOCKED: ERROR, ERRORED: ERROR, CAUTION: WARNING}

_SESSION = re.compile(r"^\s*\[(\d+)\]\s*(\w+)?")
_WAVE = re.compile(r"^\s*\[WAVE (\d+)\]")
_DONE = re.compile(r"^\s*\[\d+\] DONE\b")


def classify(line: str) -> str:
    for name, pattern in _RULES:
        if pattern.search(line):
            return name
    return OTHER


def session_number(line: str) -> int | None:
    """The ``[N]`` that starts a numbered session line."""
    found = _SESSION.match(line)
    return int(found.group(1)) if found else None


def wave_number(line: str) -> int | None:
    found = _WAVE.match(line)
    return int(found.group(1)) if found else None


def parse(data: bytes, line: int, offset: int, ctx: ParseContext) -> Record:
    content = decode_text(data)
    category = classify(content)
    severity = _CLASS_SEVERITY.get(category, INFO)
    if severity == INFO and _DONE.match(content):
        severity = OK
    return make(KIND, line, offset, ctx.read_time, None, severity, category, content)


def summarize(record: Record) -> str:
    return str(record.raw)


SUMMARIZERS[KIND] = summarize
