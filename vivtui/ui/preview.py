"""Rows from the newest lines of a big file while the rest of it is read.

A model (the queue, the sessions, the audit's failures) takes its file's
lines in order, so its rows are the newest only once every line is read:
10 s and more for a 200k-task queue. Meanwhile the panes that draw a model
show the same model built from the file's newest megabyte
(``Feed.preview``), said to be a preview in their head, beside the counts
the whole file has given so far (none while it is taken in apart,
``ingest.apart``: it is counted whole). Once a file is read, its preview goes.

A preview is taken in by its file's reading thread and handed over whole
(``Tailing``). Until it is here, its panes show no rows and say they are
counting: taken in a piece at a time, they said "Queue 0 tasks" of a
200k-task queue, then showed its older newest tasks before the newest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vivtui.ingest.batch import Batch
from vivtui.ingest.feeds import Feed
from vivtui.store.run import RunStore


@dataclass(frozen=True, slots=True)
class Shown:
    """What a pane draws its rows from while its file is read."""

    store: RunStore  # built from the newest lines only
    progress: float  # how much of the file is read meanwhile
    counting: bool = False  # the whole file is taken in apart: no counts until it is read
    coming: bool = False  # the newest lines are on their way: no rows yet
    kinds: frozenset[str] = frozenset()  # whose rows ``store`` holds (the rest: the run's)


class Previews:
    def __init__(self, make_store: Callable[[], RunStore], feeds: Iterable[Feed],
                 previewed: Iterable[str] = ()) -> None:
        """``previewed``: the kinds whose big files are previewed."""
        self._make_store = make_store
        self._feeds = {feed.kind: feed for feed in feeds}
        self._previewed = frozenset(previewed)
        self._store: RunStore | None = None
        self._kinds: set[str] = set()  # previewed, and not yet read to the end
        self._whole: set[str] = set()  # of those, the ones whose first preview is all in
        self._nothing: RunStore | None = None  # shown while a preview is on its way

    def take(self, batch: Batch) -> None:
        """A preview's records, or its store taken in by its reading thread
        (``batch.apart``: swapped in, the UI thread takes in nothing)."""
        if batch.apart is None:
            if self._store is None:
                self._store = self._make_store()
            self._store.apply(batch.kind, batch.records, source=batch.source)
        elif self._store is None:
            self._store = batch.apart.store
        else:
            self._store.absorb(batch.apart.store, {batch.kind}, list(self._feeds))
        self._kinds.add(batch.kind)
        if not batch.more:  # its last piece (``ingest.intake``)
            self._whole.add(batch.kind)

    def for_reads(self, kinds: Iterable[str]) -> Shown | None:
        """The preview of a pane that reads ``kinds``, while one of them is
        still being read up to its newest lines."""
        kinds = list(kinds)
        coming = [kind for kind in kinds if self._on_its_way(kind)]
        if coming:
            if self._nothing is None:
                self._nothing = self._make_store()
            return Shown(self._nothing, min(self._progress(kind) or 0.0 for kind in coming),
                         counting=True, coming=True)
        if self._store is None:
            return None
        reading = {kind: self._progress(kind) for kind in self._kinds}
        self._kinds = {kind for kind, progress in reading.items() if progress is not None}
        if not self._kinds:
            self._store = self._nothing = None  # every previewed file is read: models whole
            return None
        shown = [kind for kind in kinds if kind in self._kinds]
        if not shown:
            return None
        return Shown(self._store, min(reading[kind] for kind in shown),
                     any(self._feeds[kind].apart for kind in shown if kind in self._feeds),
                     kinds=frozenset(shown))

    @property
    def store(self) -> RunStore | None:
        """The previews' store, while there is one."""
        return self._store

    def _on_its_way(self, kind: str) -> bool:
        """Is a preview of ``kind`` coming, or being taken in, and not all in?"""
        if kind in self._whole:
            return False
        if kind in self._kinds:
            return True
        feed = self._feeds.get(kind)
        return (kind in self._previewed and feed is not None and feed.big()
                and feed.reading_backlog() is not None)

    def _progress(self, kind: str) -> float | None:
        feed = self._feeds.get(kind)
        return feed.reading_backlog() if feed is not None else None
