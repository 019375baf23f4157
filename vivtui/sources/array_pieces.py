"""A big JSON array's bytes decoded a piece at a time, and what tells a
piece from the text around it (performance_history.json, read whole:
``snapshot``).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

import orjson

from vivtui.sources.json_values import too_many_values

PIECE = 256 << 10  # bytes of a whole file decoded at a time (``array_in_pieces``)
WINDOW = 4096  # bytes looked at a time for where a text starts or ends
# A text decoded in one piece, longer than this, has its values counted first
# (``json_values``): a history with one entry of 15 million objects, rewritten
# live, held the screen 492-526 ms while the tail loop decoded it.
COUNTED_OVER = 2 * PIECE


class Pieces(Sequence):
    """A big array's entries, from ``start`` on, decoded a piece of its
    file's bytes at a time when they are asked for (best in order): a long
    run's 93 MB history, its 250k entries decoded and held until they were
    all handed out, took a big run's monitor from 254-281 MB to 485."""

    def __init__(self, data: bytes, bounds: list[tuple[int, int]], firsts: list[int],
                 start: int = 0) -> None:
        self._data, self._bounds, self._firsts = data, bounds, firsts  # (see ``array_in_pieces``)
        self._start = start
        self._piece, self._entries = -1, []  # the piece decoded last

    def since(self, start: int) -> Pieces:
        """Its entries from ``start`` on, as decoded when asked for."""
        return Pieces(self._data, self._bounds, self._firsts, self._start + start)

    def __len__(self) -> int:
        return self._firsts[-1] - self._start

    def __getitem__(self, index):
        """An entry, or a list of them (a batch: a piece's at a time)."""
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[at] for at in range(start, stop, step)]
            out, firsts = [], self._firsts
            at, stop = self._start + start, self._start + stop
            while at < stop:
                piece = self._decoded(at)
                out.extend(self._entries[at - firsts[piece]:min(stop, firsts[piece + 1])
                                         - firsts[piece]])
                at = firsts[piece + 1]
            return out
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        at = self._start + index % len(self)
        piece = self._decoded(at)
        return self._entries[at - self._firsts[piece]]

    def _decoded(self, at: int) -> int:
        """The piece that entry ``at`` (of the whole array) is in, decoded."""
        piece = bisect_right(self._firsts, at) - 1
        if piece != self._piece:
            begin, end = self._bounds[piece]
            self._piece, self._entries = piece, orjson.loads(
                b"[" + self._data[begin:end] + b"]")
        return piece


def since_in(value: Sequence, start: int) -> Sequence:
    """``value``'s entries from ``start`` on (``Pieces``: decoded when asked for)."""
    return value.since(start) if isinstance(value, Pieces) else value[start:]


def array_in_pieces(data: bytes, piece: int = PIECE) -> tuple[Sequence, array] | None:
    """The array ``data`` holds, decoded about ``piece`` bytes at a time, each
    piece cut after an entry's closing brace, and its entries' digests:
    orjson holds the GIL for a whole call, and a long run's 93 MB history
    decoded at once held the screen's thread 1.2 s. Of several pieces, the
    entries are ``Pieces``, decoded again when asked for. A cut inside an
    entry leaves a piece that does not decode (a string or an object left
    open): None then, as for anything but an array, or what orjson refuses;
    the caller decodes the whole."""
    head = data[:WINDOW]
    start = len(head) - len(head.lstrip())  # (a longer blank start: decoded whole)
    end = before_space(data, len(data)) - 1
    if data[start:start + 1] != b"[" or data[end:end + 1] != b"]":
        return None
    at, bounds, firsts, digests = start + 1, [], [0], array("q")
    try:
        while True:
            cut = data.find(b"},", at + piece, end)
            stop = cut + 1 if cut >= 0 else end
            refuse_many(data, at, stop)  # (a piece without an entry's end for long)
            entries = orjson.loads(b"[" + data[at:stop] + b"]")
            digests.extend(map(digest, entries))
            bounds.append((at, stop))
            firsts.append(firsts[-1] + len(entries))
            if cut < 0:
                break
            at = cut + 2
    except orjson.JSONDecodeError:
        return None
    if len(bounds) == 1:
        return entries, digests  # (decoded once: a small file)
    return Pieces(data, bounds, firsts), digests


class TooMany(Exception):
    """A text of too many values to decode (``json_values.too_many_values``: why)."""


def too_many(data: bytes, start: int = 0, end: int | None = None) -> str | None:
    end = len(data) if end is None else end
    return too_many_values(data, start, end) if end - start > COUNTED_OVER else None


def refuse_many(data: bytes, start: int = 0, end: int | None = None) -> None:
    why = too_many(data, start, end)
    if why is not None:
        raise TooMany(why)


def after_space(data: bytes, start: int) -> int:
    """Where the text from ``start`` on starts, its leading whitespace left
    out (``bytes.lstrip``'s, without a copy of the whole)."""
    while start < len(data):
        window = data[start:start + WINDOW]
        skipped = len(window) - len(window.lstrip())
        if skipped < len(window):
            return start + skipped
        start += len(window)
    return start


def before_space(data: bytes, end: int) -> int:
    """Where the text before ``end`` ends, its trailing whitespace left out
    (``bytes.rstrip``'s, without a copy of the whole: a window at a time)."""
    while end > 0:
        start = max(0, end - WINDOW)
        kept = len(data[start:end].rstrip())
        if kept:
            return start + kept
        end = start
    return 0


def digest(entry: Any) -> int:
    """The same for entries that are equal."""
    try:
        return hash(orjson.dumps(entry, option=orjson.OPT_SORT_KEYS))
    except TypeError:  # what orjson does not write (an integer past 64 bits)
        return hash(repr(entry))
