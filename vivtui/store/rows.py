"""The rows a pane shows: its source (a live buffer or a model's list) through its filters."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, Sequence

from vivtui.store.buffer import FrozenPick
from vivtui.store.filters import Describe, FilterSet


class FilteredRows:
    """A sequence view of ``source`` with only the rows ``filters`` accept.

    For a buffer (rows with sequence numbers, evicted from the front) the
    matches are kept as sequence numbers and brought up to date by testing
    only the rows that arrived since the last look. A plain list is tested
    whole. ``first_seq`` counts matches evicted, so that a view can keep its
    cursor on the same row.
    """

    def __init__(self, source: Sequence, describe: Describe, filters: FilterSet) -> None:
        self.source = source
        self.describe = describe
        self.filters = filters
        self._matches: list[int] = []  # sequence numbers (buffers) or indices (lists)
        self._checked = 0  # buffers: sequence number up to which rows were tested
        self.first_seq = 0  # matches evicted from the front so far

    @property
    def buffered(self) -> bool:
        return hasattr(self.source, "first_seq")

    def rebuild(self, matches: list[int] | None = None, checked: int | None = None) -> None:
        """Test every row again (or take ``matches`` computed elsewhere, up to ``checked``)."""
        if matches is None:
            start = getattr(self.source, "first_seq", 0)
            matches = _test(self.source, self.describe, self.filters, start)
            checked = start + len(self.source)
        self._matches = matches
        self._checked = checked if checked is not None else len(self.source)
        self.first_seq = 0
        self.update()

    def update(self, source: Sequence | None = None) -> None:
        """The source grew or was replaced: test what is new."""
        if source is not None and source is not self.source:
            self.source = source
            self.rebuild()
            return
        if not self.buffered:
            if self._checked != len(self.source) or len(self._matches) > len(self.source):
                self._matches = _test(self.source, self.describe, self.filters, 0)
                self._checked = len(self.source)
            return
        first, total = self.source.first_seq, self.source.total
        if self._checked < total:
            start = max(self._checked, first)
            since = getattr(self.source, "since", None)  # a buffer reads back in chunks
            fresh = (list(since(start)) if since is not None
                     else [self.source[seq - first] for seq in range(start, total)])
            self._matches += _test(fresh, self.describe, self.filters, start)
            self._checked = total
        dropped = bisect_left(self._matches, first)
        if dropped:
            del self._matches[:dropped]
            self.first_seq += dropped

    @property
    def total(self) -> int:
        return self.first_seq + len(self._matches)

    def __len__(self) -> int:
        return len(self._matches)

    def __getitem__(self, index: int) -> Any:
        key = self._matches[index]
        if self.buffered:
            return self.source[key - self.source.first_seq]
        return self.source[key]

    @property
    def reads_back(self) -> bool:
        """Are its rows read back from their files when looked at?"""
        return getattr(self.source, "reads_back", False)

    def frozen(self) -> Sequence:
        """The rows shown now, for another thread to read while they change
        (a buffer's matches read back from its frozen copy)."""
        freeze = getattr(self.source, "frozen", None)
        if freeze is None:  # (a model's list: its handles)
            return [self[index] for index in range(len(self._matches))]
        if self.buffered:
            return FrozenPick(freeze(), list(self._matches))
        return freeze(list(self._matches))  # (blocks: ``BlockRows.frozen``)

    def positions(self) -> list[int]:
        """Where each row shown is in the source (an index, not a sequence number)."""
        if self.buffered:
            first = self.source.first_seq
            return [key - first for key in self._matches]
        return list(self._matches)

    def position_of(self, key: int) -> int | None:
        """Where a source row (sequence number or index) is among the matches."""
        at = bisect_left(self._matches, key)
        return at if at < len(self._matches) and self._matches[at] == key else None


def position_in(rows: Sequence, item: Any) -> int | None:
    """Where ``item`` is among ``rows`` (a model's order, or its filtered
    rows), if it is: looked for in C (``Handles.index``), not by a row at a
    time (200k sessions walked for a kept cursor froze the screen 2 s)."""
    try:
        if isinstance(rows, FilteredRows) and not rows.buffered:
            return rows.position_of(rows.source.index(item))
        return rows.index(item)
    except (ValueError, AttributeError):  # not among them; a source with no ``index``
        return None


UNKNOWN = object()  # ``position_at``: the rows keep no places


def position_at(rows: Sequence, kind: str, line: int, offset: int) -> Any:
    """Where the row of ``kind`` from ``line`` at ``offset`` is among
    ``rows`` (a buffer, or its filtered rows), if it is, found from the
    places the buffer keeps: a big audit log's 30k problems read back one
    by one to find one held the screen 960 ms. ``UNKNOWN``: rows of another
    sort, which keep no places."""
    filtered = isinstance(rows, FilteredRows)
    buffer = rows.source if filtered else rows
    seq_at = getattr(buffer, "seq_at", None)
    if seq_at is None:
        return UNKNOWN
    seq = seq_at(kind, line, offset)
    if seq is None:
        return None
    return rows.position_of(seq) if filtered else seq - buffer.first_seq


def _test(items, describe: Describe, filters: FilterSet, start: int) -> list[int]:
    out = []
    accepts = filters.accepts
    for index, item in enumerate(items, start):
        if accepts(*describe(item)):
            out.append(index)
    return out
