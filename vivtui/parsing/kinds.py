"""Which file is which: the eight run files, their parsers, and sniffing unknown names."""

from __future__ import annotations

import gc
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from vivtui.parsing import (
    action_text,
    actions,
    api_audit,
    execution,
    kernel,
    safety,
    sessions,
)
from vivtui.parsing.context import ParseContext
from vivtui.parsing.jsonline import FromObject, Shortcut, parse_batch
from vivtui.parsing.record import Record, Records
from vivtui.sources import json_dialect
from vivtui.sources.decoding import line_text

# How a file is read: line by line (jsonl, text) or as one JSON document (snapshot).
LINES = "lines"
SNAPSHOT = "snapshot"



@dataclass(frozen=True)
class FileSpec:
    name: str
    kind: str
    mode: str
    from_object: FromObject | None = None  # JSONL: a record from each line's object
    # Plain text, one record a line (blank lines skipped), a batch at a time.
    parse_many: Callable[[Iterable[tuple[int, int, bytes]], ParseContext], Records] | None = None
    assembled: bool = False  # entries span lines: needs an ActionTextAssembler
    shortcut: Shortcut | None = None  # JSONL: the common rows built inline


SPECS: tuple[FileSpec, ...] = (
    FileSpec("action_log.jsonl", actions.KIND, LINES, actions.from_object,
             shortcut=actions.SHORTCUT),
    FileSpec("action_log.log", actions.KIND, LINES, assembled=True),
    FileSpec("structured_logs.jsonl", sessions.KIND, LINES, sessions.from_object),
    FileSpec("execution_log.jsonl", execution.KIND, LINES, execution.from_object,
             shortcut=execution.SHORTCUT),
    FileSpec("performance_history.json", "performance", SNAPSHOT),
    FileSpec("api_audit.log", api_audit.KIND, LINES, api_audit.from_object,
             shortcut=api_audit.SHORTCUT),
    FileSpec("kernel_run.log", kernel.KIND, LINES, parse_many=kernel.parse_many),
    FileSpec("safety_audit.log", safety.KIND, LINES, safety.from_object),
)
BY_NAME = {spec.name: spec for spec in SPECS}
ACTION_JSONL, ACTION_TEXT = BY_NAME["action_log.jsonl"], BY_NAME["action_log.log"]

# Rotated copies keep the base name: action_log.jsonl.1, api_audit.log.2026-02-03
_ARRAY_START = re.compile(rb"\s*\[\s*(\{|\]|$)")
_ROTATION_SUFFIX = re.compile(r"\.(\d+|\d{4}-\d\d-\d\d[\w.-]*|old|bak)$")


class _CollectorPause:
    """The collector paused while any thread is inside a pause: ``gc.disable``
    is process-wide, so one thread leaving its pause must not turn it back on
    under another still in its own (the monitor's backlog readers overlap)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._inside == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._inside += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                if self._inside == 0 and self._was_enabled:
                    gc.enable()


# Parsing makes only acyclic dicts and tuples, but so many that the cyclic
# collector runs again and again over everything already kept: pausing it for
# one batch makes ingest about twice as fast.
gc_paused = _CollectorPause()


class LineParser:
    """Turns batches of (line number, offset, bytes) into records for one file spec."""

    def __init__(self, spec: FileSpec, ctx: ParseContext | None = None) -> None:
        self.spec = spec
        self.ctx = ctx or ParseContext()
        self._assembler = action_text.ActionTextAssembler() if spec.assembled else None

    def parse(self, lines: Iterable[tuple[int, int, bytes]]) -> Records:
        ctx = self.ctx
        spec = self.spec
        with gc_paused():
            if spec.from_object is not None:
                return parse_batch(spec.kind, spec.from_object, lines, ctx, spec.shortcut)
            if spec.parse_many is not None:
                return spec.parse_many(lines, ctx)
            assert self._assembler is not None
            out = Records()
            for line, offset, data in lines:
                out.extend(self._assembler.feed(data, line, offset, ctx))
            return out

    def flush(self) -> list[Record]:
        """Entries held back for continuation lines, once the file is quiet."""
        return self._assembler.flush() if self._assembler is not None else []


def spec_for_name(name: str) -> FileSpec | None:
    if name in BY_NAME:
        return BY_NAME[name]
    return BY_NAME.get(rotation_base(name))


def rotation_base(name: str) -> str:
    """The name a rotated copy was made from (``action_log.jsonl.1``:
    ``action_log.jsonl``); a name that is no such copy, as it is."""
    return _ROTATION_SUFFIX.sub("", name)


def sniff(head: bytes) -> FileSpec:
    """The spec a file's first lines look like; plain text is kernel output."""
    if _ARRAY_START.match(head):
        return BY_NAME["performance_history.json"]
    for raw in head.splitlines()[:20]:
        if not raw.strip():
            continue
        obj = json_dialect.loads(raw)
        if isinstance(obj, dict):
            return _spec_of_object(obj)
        text = line_text(raw)
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
