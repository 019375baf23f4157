"""Follow a JSON document that its producer rewrites whole (performance_history.json).

A read can catch the file half-written: the last version that parsed is kept
until a new one does. New entries are the ones past the old length; when the
array shrinks or its old part changes, the whole array is handed out again
with ``reset`` set.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path
from time import monotonic
from typing import Any, Callable

import orjson

from vivtui.sources import json_dialect
from vivtui.sources.array_pieces import (
    PIECE,
    Pieces,
    TooMany,
    after_space,
    array_in_pieces,
    before_space,
    digest,
    refuse_many,
    since_in,
    too_many,
)
from vivtui.sources.regular import open_regular, read_regular, read_rest
from vivtui.sources.tailer import EMPTY, MISSING, OK, UNREADABLE

HALF_WRITTEN = "half-written"
NOT_AN_ARRAY = "not an array"
NOT_JSON = "not valid JSON (unchanged: not a rewrite in progress)"
_INVALID = json_dialect.NOT_JSON  # (also: a text cut short, seen without a parse)
_loads = json_dialect.loads  # (the whole file's parse, by a name of its own)


# A file read whole at each rewrite (performance_history.json) is refused beyond
# this: its entries are kept in memory, and a device or a runaway writer has no end.
WHOLE_FILE_LIMIT = 256 << 20
WINDOW = 4096  # bytes compared at each end of the old body before an append is taken
FULL_EVERY_S = 10.0  # the whole file is read and compared at most this often,
FULL_BYTES_PER_S = 256 << 10  # and no more than this a second on average once it is big
SETTLE_S = 3.0  # bytes that did not parse, unchanged this long, are not a rewrite in progress


@dataclass(slots=True)
class SnapshotUpdate:
    entries: list[Any] = field(default_factory=list)
    start: int = 0  # index of entries[0] in the whole array
    reset: bool = False  # the array was replaced: forget what came before


class SnapshotReader:
    """Follows a rewritten JSON array. A rewrite that appends (the producer's
    way: the whole array written again with one more entry) is read at its
    end only: the bytes before the old end are checked where they can show a
    change (the first and the last ``WINDOW`` of them), and the file is read and
    parsed whole at most every ``FULL_EVERY_S`` seconds, which catches an entry
    changed in the middle. Reading it whole at every rewrite made a long run's
    cost grow with its length (a session's rewrite read the whole history)."""

    def __init__(self, path: Path | str, clock: Callable[[], float] = monotonic) -> None:
        self.path = Path(path)
        self.clock = clock
        self.state = MISSING
        self.problem = ""  # why the newest version on disk is not the one shown
        self.error = ""
        # One digest an entry of the last good version, not the entries: a
        # long run's file holds an entry per session, and the parsed copy grew
        # with it (what an entry says is in the models it went to).
        self._digests = array("q")  # (8 bytes each: a list of ints was 40)
        self._seen: tuple[int, int, int, int] | None = None
        self._failed: tuple[int, int, int, int] | None = None  # last bytes that did not parse
        self._failed_at = 0.0  # when they were first looked at
        # The last good version: where its array's body ends (before "]", -1:
        # not an array), its first and last WINDOW bytes, when it was read whole.
        self._body_end = -1
        self._head = b""
        self._tail = b""
        self._full_at = float("-inf")
        self._hash = blake2b(digest_size=16)  # of the body taken in, as read

    @property
    def count(self) -> int:
        """Entries in the last good version."""
        return len(self._digests)

    def read(self, again: bool = True) -> SnapshotUpdate | None:
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
        if signature == self._failed and (self.problem == NOT_JSON
                                          or self.clock() - self._failed_at < SETTLE_S):
            # The same bytes again: read whole only once they have settled. A
            # writer's pause mid-rewrite (looked at twice in it) read the whole
            # file each time, and named a rewrite in progress "not JSON".
            return None
        # Bytes that failed and then settled are no rewrite in progress: read
        # whole, they are named for what they are.
        if self._seen is not None and self._body_end >= 0 and signature != self._failed:
            if st.st_size <= self._body_end:
                if self._grown_since(st) and again:
                    # Written on between the look and the read: looked at again
                    # (else the whole file was parsed for a plain append).
                    return self.read(again=False)
                # Shorter than the version taken in: rewritten from the top and
                # not done (cut after a nested array's "]" it looks ended, and was
                # parsed whole, twice, by both parsers), or the array shrank: read
                # whole once the bytes have settled.
                self._fail(HALF_WRITTEN, signature)
                return None
            appended = self._try_append() if st.st_size > self._body_end else None
            if appended is _INVALID:  # an append caught halfway
                self._fail(HALF_WRITTEN, signature)
                return None
            if appended is not None and (self.clock() - self._full_at < self._full_every(st)
                                         or self._whole_unchanged()):
                self._seen = signature
                self.state, self.error, self.problem = OK, "", ""
                start = len(self._digests)
                self._digests.extend(map(digest, appended))
                return SnapshotUpdate(appended, start, False) if appended else None
        return self._read_whole(signature)

    @staticmethod
    def _full_every(st: os.stat_result) -> float:
        """How long between whole reads: spaced by the file's size, so that a
        long run's growing history costs a bounded number of bytes a second."""
        return max(FULL_EVERY_S, st.st_size / FULL_BYTES_PER_S)

    def _fail(self, problem: str, signature: tuple[int, int, int, int]) -> None:
        if signature != self._failed:
            self._failed, self._failed_at = signature, self.clock()
        self.problem = problem

    def _try_append(self) -> Any:
        try:
            return self._appended()
        except OSError:
            return None

    def _grown_since(self, st: os.stat_result) -> bool:
        try:
            return os.stat(self.path).st_size != st.st_size
        except OSError:
            return False

    def _whole_unchanged(self) -> bool:
        """Read whole now and then: the bytes before the end are still those
        taken in (an entry changed in place, in the middle, is found here)."""
        self._full_at = self.clock()
        try:
            data = read_regular(self.path, WHOLE_FILE_LIMIT)
        except OSError:
            return False
        end = before_space(data, len(data))
        return data[end - 1:end] == b"]" and _hash(
            memoryview(data)[:before_space(data, end - 1)]) == self._hash.digest()

    def _appended(self) -> Any:
        """The entries a rewrite added at the end, parsed alone; None if the
        rewrite did anything else (or it cannot be told from the ends);
        ``_INVALID``: an append caught halfway."""
        fd = open_regular(self.path)
        try:
            head = os.pread(fd, len(self._head), 0)
            start = self._body_end - len(self._tail)
            rest = read_rest(fd, start, WHOLE_FILE_LIMIT) if head == self._head else b""
        finally:
            os.close(fd)
        # Shorter than the old body: emptied for a rewrite since it was looked
        # at. Read whole, it was parsed whole (a long run's history, ten
        # megabytes of objects at once) when the rewrite was the usual append.
        if len(head) < len(self._head):
            return _INVALID
        if head != self._head:
            return None
        if not rest.startswith(self._tail):
            return _INVALID if len(rest) < len(self._tail) else None
        # (Where the new entries start, found without copying what follows.)
        at = after_space(rest, len(self._tail))
        if rest[at:at + 1] == b",":
            at += 1
        elif self._head != b"[" and rest[at:at + 1] != b"]":  # "[": it was empty
            return None
        if too_many(rest, at) is not None:  # (the whole file's read says so)
            return None
        try:
            added = orjson.loads(b"[" + rest[at:])
        except orjson.JSONDecodeError:
            # Cut short (the common case: a rewrite caught halfway) or a number
            # orjson refuses (the whole file decides, by the slower parser).
            end = before_space(rest, len(rest))
            return _INVALID if rest[end - 1:end] != b"]" or end <= at else None
        if not isinstance(added, list):
            return None
        self._remember(rest, start)
        return added

    def _read_whole(self, signature: tuple[int, int, int, int]) -> SnapshotUpdate | None:
        try:
            data = read_regular(self.path, WHOLE_FILE_LIMIT)
        except OSError as exc:
            self.state, self.error = UNREADABLE, exc.strerror or str(exc)
            return None
        end = before_space(data, len(data))  # (no copy made to tell)
        if not end:  # blank
            self.state = EMPTY if not self._digests else self.state
            self.problem = HALF_WRITTEN if self._digests else ""
            return None
        # Cut short (a rewrite caught halfway) is seen at the end, without a parse.
        value, digests = _INVALID, None
        if data[end - 1:end] in (b"]", b"}"):
            try:
                pieces = array_in_pieces(data, PIECE)
                if pieces is None:
                    refuse_many(data)
                    value = _loads(data)
                else:
                    value, digests = pieces
            except TooMany as refused:
                self._seen = signature
                self.state, self.error, self._body_end = OK, "", -1
                self.problem = str(refused)
                return None
        if value is _INVALID:
            # The same bytes failed before (settled, see ``read``): a whole file
            # that is not JSON. Else caught mid-rewrite: not remembered as seen,
            # so the next look retries.
            self._fail(NOT_JSON if signature == self._failed else HALF_WRITTEN, signature)
            if self.state != OK:
                self.state = OK if self._digests else EMPTY
            return None
        self._seen = signature
        self.state, self.error = OK, ""
        self._full_at = self.clock()
        if not isinstance(value, (list, Pieces)):
            self._body_end = -1
            self.problem = NOT_AN_ARRAY
            return None
        self._remember(data, 0)
        self.problem = ""
        return self._advance(value, digests)

    def _remember(self, data: bytes, start: int) -> None:
        """The ends of a good version (``data`` is the file from ``start`` on).
        Its body is looked at in place: a long run's 93 MB copied, twice,
        held the screen's thread."""
        end = before_space(data, len(data))
        if data[end - 1:end] != b"]":
            self._body_end = -1
            return
        body = memoryview(data)[:before_space(data, end - 1)]
        if start == 0:
            self._head = bytes(body[:WINDOW])
            self._hash = blake2b(body, digest_size=16)
        else:  # what the append added to the body
            self._hash.update(body[self._body_end - start:])
        self._body_end = start + len(body)
        self._tail = bytes(body[-WINDOW:])

    def _advance(self, value: Sequence[Any], digests: array | None = None
                 ) -> SnapshotUpdate | None:
        """``value``'s new entries (``digests``: theirs, if already made)."""
        old = self._digests
        self._digests = digests = digests if digests is not None else array(
            "q", map(digest, value))
        if len(digests) >= len(old) and digests[: len(old)] == old:
            if len(digests) == len(old):
                return None
            return SnapshotUpdate(since_in(value, len(old)), len(old), False)
        return SnapshotUpdate(since_in(value, 0), 0, True)


def _hash(body: bytes | memoryview) -> bytes:
    return blake2b(body, digest_size=16).digest()
