"""Follow a JSON document that its producer rewrites whole (performance_history.json).

A read can catch the file half-written: the last version that parsed is kept
until a new one does. New entries are the ones past the old length; when the
array shrinks or its old part changes, the whole array is handed out again
with ``reset`` set.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from vivtui.sources.regular import read_regular
from vivtui.sources.tailer import EMPTY, MISSING, OK, UNREADABLE

HALF_WRITTEN = "half-written"
NOT_AN_ARRAY = "not an array"
NOT_JSON = "not valid JSON (unchanged: not a rewrite in progress)"
_INVALID = object()


def _loads(data: bytes) -> Any:
    """The file's JSON; orjson first, then the standard parser, which takes what
    orjson refuses and Python writes (1e400, NaN, Infinity: read as non-finite,
    and numbers that are not finite are not used)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    if not data.rstrip().endswith((b"]", b"}")):
        return _INVALID  # cut short: a rewrite caught halfway (the slow parser costs 10x)
    try:
        return json.loads(data.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return _INVALID


# A file read whole at each rewrite (performance_history.json) is refused beyond
# this: its entries are kept in memory, and a device or a runaway writer has no end.
WHOLE_FILE_LIMIT = 256 << 20


@dataclass(slots=True)
class SnapshotUpdate:
    entries: list[Any] = field(default_factory=list)
    start: int = 0  # index of entries[0] in the whole array
    reset: bool = False  # the array was replaced: forget what came before


class SnapshotReader:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.state = MISSING
        self.problem = ""  # why the newest version on disk is not the one shown
        self.error = ""
        self.current: list[Any] = []
        self._seen: tuple[int, int, int, int] | None = None
        self._failed: tuple[int, int, int, int] | None = None  # last bytes that did not parse
        self._data = b""  # the last version that parsed, as read

    def read(self) -> SnapshotUpdate | None:
        """What changed since the last good version, or None if nothing did."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self.state = MISSING
            self._seen = None
            return None
        except OSError as exc:
            self.state, self.error = UNREADABLE, exc.strerror or str(exc)
            return None
        signature = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if signature == self._seen:
            return None
        try:
            data = read_regular(self.path, WHOLE_FILE_LIMIT)
        except OSError as exc:
            self.state, self.error = UNREADABLE, exc.strerror or str(exc)
            return None
        appended = self._appended(data)
        if appended is _INVALID:  # an append caught halfway: the whole need not be tried
            self.problem = HALF_WRITTEN
            return None
        if appended is not None:
            self._seen, self._data = signature, data
            self.state, self.error, self.problem = OK, "", ""
            start = len(self.current)
            self.current.extend(appended)
            return SnapshotUpdate(appended, start, False) if appended else None
        if not data.strip():
            self.state = EMPTY if not self.current else self.state
            self.problem = HALF_WRITTEN if self.current else ""
            return None
        value = _loads(data)
        if value is _INVALID:
            if signature == self._failed:
                # The same bytes failed twice: a whole file that is not JSON, not
                # a rewrite caught halfway (which would have changed by now).
                self.problem = NOT_JSON
            else:
                # Caught mid-rewrite: not remembered as seen, so the next look retries.
                self.problem = HALF_WRITTEN
            self._failed = signature
            if self.state != OK:
                self.state = OK if self.current else EMPTY
            return None
        self._seen = signature
        self.state, self.error = OK, ""
        self._data = data if isinstance(value, list) else b""
        if not isinstance(value, list):
            self.problem = NOT_AN_ARRAY
            return None
        self.problem = ""
        return self._advance(value)

    def _appended(self, data: bytes) -> Any:
        """The entries a rewrite added at the end, parsed alone; None if the
        rewrite did anything else. The producer rewrites the whole array for
        each new entry: parsing all of it every time made a long run's cost grow
        with its length; comparing the bytes it keeps is ~10x cheaper. ``_INVALID``:
        an append caught halfway."""
        old = self._data.rstrip()
        if len(data) < len(old) and data and self._data.startswith(data):
            return _INVALID  # the start of the same bytes: written from the top, not done
        if not old.endswith(b"]") or len(data) < len(old):
            return None
        body = old[:-1].rstrip()  # an indented array ends "}\n]"; the next entry follows "}"
        if not data.startswith(body):
            return None
        tail = data[len(body):].lstrip()
        if tail.startswith(b","):
            tail = tail[1:]
        elif body.rstrip() != b"[" and not tail.startswith(b"]"):
            return None
        try:
            added = orjson.loads(b"[" + tail)
        except orjson.JSONDecodeError:
            # Cut short (the common case: a rewrite caught halfway) or a number
            # orjson refuses (the whole file decides, by the slower parser).
            return _INVALID if not tail.rstrip().endswith(b"]") else None
        return added if isinstance(added, list) else None

    def _advance(self, value: list[Any]) -> SnapshotUpdate | None:
        old = self.current
        self.current = value
        if len(value) >= len(old) and value[: len(old)] == old:
            if len(value) == len(old):
                return None
            return SnapshotUpdate(value[len(old):], len(old), False)
        return SnapshotUpdate(list(value), 0, True)
