"""Saving the rows a pane shows as JSONL, never over a run file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

from vivtui.ingest.layout import RunLayout
from vivtui.parsing.record import GluedRecord, Record, to_json
from vivtui.safetext import redact


class ExportError(Exception):
    pass


def forbidden(path: Path, layout: RunLayout) -> bool:
    """A watched file, under any name (a hard link, a symlink), or any file in a
    watched directory: vivtui never writes where the run's evidence is."""
    directories = {d.resolve() for d in layout.directories}
    target = path.resolve()
    if target.parent in directories:
        return True
    watched = [choice for feed in layout.feeds for _, choice in feed.choices]
    if target in {choice.resolve() for choice in watched}:
        return True
    identity = _identity(target)
    return identity is not None and identity in {_identity(choice) for choice in watched}


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def record_json(record: Record, source: str) -> dict[str, Any]:
    fields = record.fields
    body: dict[str, Any] = dict(fields) if fields else {"text": str(record.raw)}
    body["_source"] = source
    body["_line"] = record.line or None  # 0: not counted yet (see render.line_number)
    if record.malformed:
        body["_malformed"] = record.note
    elif record.__class__ is GluedRecord:  # (records glued on its line after it)
        body["_note"] = record.glued_note
    return body


def export_target(answer: str, layout: RunLayout) -> Path:
    """Where ``answer`` says to save, if vivtui may write there."""
    path = Path(os.path.expanduser(answer))
    if not path.is_absolute():
        path = Path.cwd() / path
    if forbidden(path, layout):
        raise ExportError(f"{path}: in the run's directory or one of its files; vivtui "
                          "never writes there: choose another path")
    if path.is_dir():
        raise ExportError(f"{path}: is a directory")
    return path


def write_records(path: Path, records: Iterable[tuple[Record, str]],
                  pace: Callable[[], object] | None = None) -> int:
    """Write (record, source file name) pairs as JSONL; the number written.
    Into a new file beside the target (mode 0600: logs hold what others should
    not read), renamed over it once complete: a failed save leaves nothing half.
    ``pace``: called between the pieces of a long line's masking (``redact``)."""
    count = 0
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for record, source in records:
                line = to_json(record_json(record, source), default=str).decode()
                handle.write(redact(line, pace).encode() + b"\n")  # escapes stay JSON-escaped
                count += 1
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise ExportError(f"{path}: {exc.strerror or exc}") from None
    return count
