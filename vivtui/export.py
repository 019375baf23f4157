"""Saving the rows a pane shows as JSONL, never over a run file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

import orjson

from vivtui.ingest.layout import RunLayout
from vivtui.parsing.kinds import spec_for_name
from vivtui.parsing.record import Record


class ExportError(Exception):
    pass


def forbidden(path: Path, layout: RunLayout) -> bool:
    """A run file (or a rotated one) in a watched directory: vivtui never writes there."""
    directories = {d.resolve() for d in layout.directories}
    watched = {choice.resolve() for feed in layout.feeds for _, choice in feed.choices}
    target = path.resolve()
    return target in watched or (target.parent in directories
                                 and spec_for_name(target.name) is not None)


def record_json(record: Record, source: str) -> dict[str, Any]:
    fields = record.fields
    body: dict[str, Any] = dict(fields) if fields else {"text": str(record.raw)}
    body["_source"] = source
    body["_line"] = record.line or None  # 0: not counted yet (see render.line_number)
    if record.malformed:
        body["_malformed"] = record.note
    return body


def export_target(answer: str, layout: RunLayout) -> Path:
    """Where ``answer`` says to save, if vivtui may write there."""
    path = Path(os.path.expanduser(answer))
    if not path.is_absolute():
        path = Path.cwd() / path
    if forbidden(path, layout):
        raise ExportError(f"{path}: a run file that vivtui watches; choose another path")
    if path.is_dir():
        raise ExportError(f"{path}: is a directory")
    return path


def write_records(path: Path, records: Iterable[tuple[Record, str]]) -> int:
    """Write (record, source file name) pairs as JSONL; the number written."""
    count = 0
    try:
        with open(path, "wb") as handle:
            for record, source in records:
                handle.write(orjson.dumps(record_json(record, source), default=str) + b"\n")
                count += 1
    except OSError as exc:
        raise ExportError(f"{path}: {exc.strerror or exc}") from None
    return count
