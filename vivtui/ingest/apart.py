"""A big file's backlog taken in apart: by its reading thread, into a store
of its own, handed to the screen whole.

Taken in on the UI thread a piece at a time, a big backlog kept the UI
thread busy for all of it, and the two threads took turns at the GIL for
every batch. Apart, the reading thread parses and takes in; the screen
meanwhile shows the file's newest lines (``Feed.preview``) and absorbs the
whole store at the end (``RunStore.absorb``), with the history alerts an
engine of its own raised from the same batches (``AlertEngine.absorb``).
A whole big run's counts came 10-15 % sooner (``benchmarks/big_files.py``).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, Protocol

from vivtui.ingest.layout import RunLayout, read_back_from
from vivtui.store.run import RunStore


class Engine(Protocol):
    """What looks at each batch for alerts (``alerts.rules.AlertEngine``)."""

    def saw_batch(self, batch: Any, found: Any, store: RunStore) -> list: ...


class ReadApart:
    def __init__(self, kind: str, store: RunStore, engine: Engine | None = None) -> None:
        self.kind = kind
        self.store = store
        self.engine = engine

    @classmethod
    def afresh(cls, kind: str, layout: RunLayout, zone: tzinfo | None, store: RunStore,
               engine: Engine | None) -> ReadApart:
        """Into ``store``, a new one, whose kept rows are read back from the
        layout's files as places (``read_back_from``)."""
        read_back_from(layout, store, zone)
        return cls(kind, store, engine)

    def take(self, batch: Any) -> None:
        """A batch of the backlog, in the reading thread."""
        found = self.store.apply_batch(batch)
        if self.engine is not None:
            self.engine.saw_batch(batch, found, self.store)


def absorbed(reading: ReadApart, layout: RunLayout, store: RunStore,
             zone: tzinfo | None) -> None:
    """A backlog taken in apart (``Batch.apart``) joins the run's ``store``
    (its kept rows read back from the layout's files), and its feed is read
    here from now on. (Its alert engine joins the run's by the caller.)"""
    store.absorb(reading.store, {reading.kind}, [feed.kind for feed in layout.feeds])
    read_back_from(layout, store, zone)
    for feed in layout.feeds:
        if feed.kind == reading.kind:
            feed.apart = False
