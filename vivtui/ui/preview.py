"""Rows from the newest lines of a big file while the rest of it is read.

A model (the queue, the sessions, the audit's failures) takes its file's
lines in order, so its rows are the newest only once every line is read:
10 s and more for a 200k-task queue. Meanwhile the panes that draw a model
show the same model built from the file's newest megabyte
(``Feed.preview``), said to be a preview in their head, beside the counts
the whole file has given so far (none while it is taken in apart,
``ingest.apart``: it is counted whole). Once a file is read, its preview goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vivtui.ingest.feeds import Batch, Feed
from vivtui.store.run import RunStore


@dataclass(frozen=True, slots=True)
class Shown:
    """What a pane draws its rows from while its file is read."""

    store: RunStore  # built from the newest lines only
    progress: float  # how much of the file is read meanwhile
    counting: bool = False  # the whole file is taken in apart: no counts until it is read


class Previews:
    def __init__(self, make_store: Callable[[], RunStore], feeds: Iterable[Feed]) -> None:
        self._make_store = make_store
        self._feeds = {feed.kind: feed for feed in feeds}
        self._store: RunStore | None = None
        self._kinds: set[str] = set()  # previewed, and not yet read to the end

    def take(self, batch: Batch) -> None:
        if self._store is None:
            self._store = self._make_store()
        self._store.apply(batch.kind, batch.records, source=batch.source)
        self._kinds.add(batch.kind)

    def for_reads(self, kinds: Iterable[str]) -> Shown | None:
        """The preview of a pane that reads ``kinds``, while one of them is
        still being read up to its newest lines."""
        if self._store is None:
            return None
        reading = {kind: self._progress(kind) for kind in self._kinds}
        self._kinds = {kind for kind, progress in reading.items() if progress is not None}
        if not self._kinds:
            self._store = None  # every previewed file is read: the models are whole
            return None
        shown = [kind for kind in kinds if kind in self._kinds]
        if not shown:
            return None
        return Shown(self._store, min(reading[kind] for kind in shown),
                     any(self._feeds[kind].apart for kind in shown if kind in self._feeds))

    def _progress(self, kind: str) -> float | None:
        feed = self._feeds.get(kind)
        return feed.reading_backlog() if feed is not None else None
