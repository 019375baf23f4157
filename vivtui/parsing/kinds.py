"""Which file is which: the eight run files, their parsers, and sniffing unknown names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

import orjson

from vivtui.parsing import action_text, actions, api_audit, execution, kernel, safety, sessions
from vivtui.parsing.context import ParseContext
from vivtui.parsing.record import Record

# How a file is read: line by line (jsonl, text) or as one JSON document (snapshot).
LINES = "lines"
SNAPSHOT = "snapshot"

LineParse = Callable[[bytes, int, int, ParseContext], Record]


@dataclass(frozen=True)
class FileSpec:
    name: str
    kind: str
    mode: str
    parse: LineParse | None = None  # per-line parser of stateless line formats
    assembled: bool = False  # entries span lines: needs an ActionTextAssembler


SPECS: tuple[FileSpec, ...] = (
    FileSpec("action_log.jsonl", actions.KIND, LINES, actions.parse),
    FileSpec("action_log.log", actions.KIND, LINES, assembled=True),
    FileSpec("structured_logs.jsonl", sessions.KIND, LINES, sessions.parse),
    FileSpec("execution_log.jsonl", execution.KIND, LINES, execution.parse),
    FileSpec("performance_history.json", "performance", SNAPSHOT),
    FileSpec("api_audit.log", api_audit.KIND, LINES, api_audit.parse),
    FileSpec("kernel_run.log", kernel.KIND, LINES, kernel.parse),
    FileSpec("safety_audit.log", safety.KIND, LINES, safety.parse),
)
BY_NAME = {spec.name: spec for spec in SPECS}
ACTION_JSONL, ACTION_TEXT = BY_NAME["action_log.jsonl"], BY_NAME["action_log.log"]

# Rotated copies keep the base name: action_log.jsonl.1, api_audit.log.2026-02-03
_ARRAY_START = re.compile(rb"\s*\[\s*(\{|\]|$)")
_ROTATION_SUFFIX = re.compile(r"\.(\d+|\d{4}-\d\d-\d\d[\w.-]*|old|bak)$")


class LineParser:
    """Turns batches of (line number, offset, bytes) into records for one file spec."""

    def __init__(self, spec: FileSpec, ctx: ParseContext | None = None) -> None:
        self.spec = spec
        self.ctx = ctx or ParseContext()
        self._assembler = action_text.ActionTextAssembler() if spec.assembled else None

    def parse(self, lines: Iterable[tuple[int, int, bytes]]) -> list[Record]:
        ctx = self.ctx
        if self._assembler is None:
            parse = self.spec.parse
            return [parse(data, line, offset, ctx) for line, offset, data in lines]
        out: list[Record] = []
        for line, offset, data in lines:
            out.extend(self._assembler.feed(data, line, offset, ctx))
        return out

    def flush(self) -> list[Record]:
        """Entries held back for continuation lines, once the file is quiet."""
        return self._assembler.flush() if self._assembler is not None else []


def spec_for_name(name: str) -> FileSpec | None:
    if name in BY_NAME:
        return BY_NAME[name]
    base = _ROTATION_SUFFIX.sub("", name)
    return BY_NAME.get(base)


def sniff(head: bytes) -> FileSpec:
    """The spec a file's first lines look like; plain text is kernel output."""
    if _ARRAY_START.match(head):
        return BY_NAME["performance_history.json"]
    for raw in head.splitlines()[:20]:
        if not raw.strip():
            continue
        try:
            obj = orjson.loads(raw.decode("utf-8", "replace"))
        except orjson.JSONDecodeError:
            obj = None
        if isinstance(obj, dict):
            return _spec_of_object(obj)
        text = raw.decode("utf-8", "replace")
        if text.startswith(("ACTION LOG STARTED:", "=====", "DAY TIME")) or re.match(
            r"^(\?\?\?|[A-Z][a-z]{2}) \d\d:\d\d:\d\d \| ", text
        ):
            return ACTION_TEXT
        return BY_NAME["kernel_run.log"]
    return BY_NAME["kernel_run.log"]


def _spec_of_object(obj: dict) -> FileSpec:
    if "action_type" in obj:
        return ACTION_JSONL
    if "event" in obj:
        return BY_NAME["api_audit.log"]
    if "task_id" in obj and "status" in obj:
        return BY_NAME["execution_log.jsonl"]
    if "checks" in obj or "blocked_reason" in obj:
        return BY_NAME["safety_audit.log"]
    if "message" in obj or "context" in obj or "level" in obj:
        return BY_NAME["structured_logs.jsonl"]
    return ACTION_JSONL
