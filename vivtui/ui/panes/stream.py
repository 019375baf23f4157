"""A file's lines as they grow, one row a line: the action stream and the
kernel output, whatever the file's size.

The pane opens its file itself: the newest screen at once, the history
indexed by a worker after the first frame, rows parsed a page at a time when
looked at (``store.filerows``). The store still parses every line for the
counts and the models, in the tail loop. Until the file exists, or when its
lines are not one row each (``action_log.log``'s entries span lines), the
pane shows the store's buffer of the kind.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from functools import partial
from typing import Any, Callable

from rich.text import Text
from textual.message import Message
from textual.types import NoActiveAppError

from vivtui.ingest.feeds import Feed
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import LINES, FileSpec, LineParser
from vivtui.parsing.record import ERROR, WARNING, Record, copy_of
from vivtui.sources.fileview import FileView, PendingHistory
from vivtui.sources.lineindex import LineIndex, scan
from vivtui.store.filerows import FileRows
from vivtui.store.run import RunStore
from vivtui.ui import heads, render, styles
from vivtui.ui.keys_first import worker_pace_of
from vivtui.ui.panes.base import Pane

STARTUP_POLL_S, STARTUP_POLLS = 0.05, 60


def row_per_line(spec: FileSpec) -> bool:
    """A file whose every line is one record: readable on demand."""
    return spec.mode == LINES and not spec.assembled


class StreamPane(Pane):
    kind = ""  # the file kind (and the store's buffer) this pane shows

    class HistoryIndexed(Message):
        def __init__(self, pending: PendingHistory, index: LineIndex) -> None:
            super().__init__()
            self.pending = pending
            self.index = index

    class FileOpened(Message):
        """The view's first read, made by a worker; ``view`` None: it failed."""

        def __init__(self, view: FileView | None, spec: FileSpec) -> None:
            super().__init__()
            self.view = view
            self.spec = spec

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source_name = ""
        self.empty = f"waiting for {self.title.lower()}…"
        self.reads = (self.kind,)
        self.file_view: FileView | None = None
        self.file_rows: FileRows | None = None
        self.history_progress: float | None = None  # indexing the view's history
        self._feed: Feed | None = None
        self._parse_zone = None
        self._changed: Callable[[], None] = lambda: None
        self._gone = threading.Event()
        self._every: float | None = None
        self._keys_first: Callable[[], Callable[[], None]] | None = None
        self._following = False
        self._opening = False

    def render_row(self, record: Record, width: int) -> Text:
        raise NotImplementedError

    def row(self, record: Record, width: int) -> Text:
        return self.render_row(record, width)

    def categories(self, store: RunStore) -> list[tuple[str, int]]:
        return store.by_category[self.kind].most_common()

    # -- the file ---------------------------------------------------------------------

    def follow_file(self, feed: Feed | None, parse_zone, changed: Callable[[], None],
                    every: float, keys_first: Callable[[], Callable[[], None]] | None = None
                    ) -> None:
        """Read the file of ``feed`` on demand, looking at least ``every``
        seconds; ``changed`` is called when rows came. ``keys_first`` makes
        what the history's indexing calls between its reads to let a key be
        answered first (``Tailing.keys_first``)."""
        self._feed, self._parse_zone, self._changed = feed, parse_zone, changed
        self._keys_first = keys_first
        self._every = every
        if self.is_mounted:
            self._start_following()
        # else when mounted: a hidden pane is mounted after the first frame

    def on_mount(self) -> None:
        super().on_mount()
        if self._every is not None and not self._following:
            self._start_following()

    def _start_following(self) -> None:
        self._following = True
        self.open_file()
        self.set_interval(self._every, self.poll_file)
        # Lines written before the watcher is armed (tens of ms after start)
        # would wait for the idle recheck: look often for the first seconds.
        self.set_interval(STARTUP_POLL_S, self.poll_file, repeat=STARTUP_POLLS)

    @property
    def paces_itself(self) -> bool:
        """Its rows come from the file, drawn when the file changes: the store's
        batches (a backlog above all) only change the head's counts."""
        return self.file_view is not None

    @property
    def watched_names(self) -> set[str] | None:
        """Names whose change notices concern the pane; None: any (not open yet)."""
        return self.file_view.names if self.file_view is not None else None

    def open_file(self) -> None:
        feed = self._feed
        if self.file_view is not None or self._opening or feed is None or self._gone.is_set():
            return
        if not self.is_attached:
            return  # a hidden pane not mounted yet (a change notice): it opens once it is
        choice = feed.current_choice()
        if choice is None or not row_per_line(choice[0]):
            return
        spec, path = choice
        self._opening = True

        # The first read on a worker: on a cold disk, while the backlogs'
        # processes read their files, 128 KB held the UI thread 311-460 ms
        # (``benchmarks/loop_lag.py``). The store's rows are shown meanwhile.
        def run() -> None:
            view = None
            try:
                view = FileView(path)
                view.poll()
            finally:
                try:
                    self.post_message(self.FileOpened(view, spec))
                except NoActiveAppError:  # the pane (the monitor) went away meanwhile
                    if view is not None:
                        view.close()

        self.run_worker(run, thread=True, exit_on_error=False, group="open",
                        name=f"opening the {self.title.lower()} file")

    def on_stream_pane_file_opened(self, message: FileOpened) -> None:
        self._opening = False
        view = message.view
        if view is None:
            return  # said by the worker's error; the next look tries again
        if self._gone.is_set() or self.file_view is not None:
            view.close()
            return
        self.file_view = view
        if view.pending is not None:
            self.history_progress = 0.0  # said from the first frame: indexed after it
        self.file_rows = FileRows(view, LineParser(message.spec, ParseContext(self._parse_zone)),
                                  self.rows_made_elsewhere, partial(worker_pace_of, self.app))
        self.use_file_query(self.file_rows)
        # After the first frame: the scan holds the GIL in long C calls.
        self.call_after_refresh(self._index_history)
        self._changed()

    def record_of(self, item: Any) -> Record | None:
        """A long line's row whole: read now (the inspector, a copy, a save)."""
        rows = self.file_rows
        return rows.whole(item) if rows is not None and isinstance(item, Record) else \
            super().record_of(item)

    def brief_of(self, item: Any) -> Record | None:
        return item if isinstance(item, Record) else None

    def being_read(self, item: Any) -> str | None:
        rows = self.file_rows
        return rows.being_read(item) if rows is not None and isinstance(item, Record) else None

    def source_of(self, record: Record, store: RunStore) -> str:
        """Its rows come from the file its view reads, before the store has
        a batch of it: named as the store names it once it has (the first
        row inspected at once was "actions:1", not "action_log.jsonl:1")."""
        view = self.file_view
        if view is not None and record.kind == self.kind and not copy_of(record) \
                and record.kind not in store.sources:
            return view.path.name
        return super().source_of(record, store)

    def lines_ended(self, ended: bool) -> None:
        """The run is over (or not): its file's last line with no newline is a
        line (``Tailing.lines_ended``)."""
        view = self.file_view
        if view is not None and view.lines_ended != ended:
            view.lines_ended = ended
            if ended:
                self.poll_file()

    def poll_file(self) -> None:
        """Look at the file now (a change notice, or the periodic look)."""
        if self.file_view is None:
            self.open_file()
            if self.file_view is None:
                return
        view = self.file_view
        version = view.version
        more = view.poll()
        if view.pending is not None and self.history_progress is None:
            self._index_history()  # truncated and written again: a new history
        if view.version != version:
            self._changed()
        if more:
            self.call_later(self.poll_file)

    def _index_history(self) -> None:
        view = self.file_view
        pending = view.pending if view is not None else None
        if pending is None or self._gone.is_set():
            self.history_progress = None
            return
        fd = os.dup(pending.segment.fd)
        self.history_progress = 0.0
        # A big file's scan shares the GIL with the screen: a key typed in the
        # first second waited for its reads (120-175 ms to switch panes).
        pace = self._keys_first() if self._keys_first is not None else None

        def run() -> None:
            def progress(offset: int) -> None:
                self.history_progress = offset / pending.stop
                if pace is not None:
                    pace()

            try:
                index = scan(fd, 0, pending.stop, progress=progress, cancel=self._gone)
            finally:
                os.close(fd)
            self.post_message(self.HistoryIndexed(pending, index))

        self.run_worker(run, thread=True, exit_on_error=False, group="history",
                        name=f"indexing the {self.title.lower()} file")

    def on_stream_pane_history_indexed(self, message: HistoryIndexed) -> None:
        if self.file_view is not None and not self._gone.is_set():
            self.file_view.attach_history(message.pending, message.index)
            if self.file_rows is not None:
                # The rows put in front numbered at once: a `g` before the next
                # frame went to the top of the newest lines, and the cursor was
                # then moved down with them.
                self.show_rows(self.file_rows)
        self._index_history()  # the file may have been truncated meanwhile
        self._changed()

    def on_unmount(self) -> None:
        super().on_unmount()
        self._gone.set()
        if self.file_view is not None:
            self.file_view.close()

    # -- drawing ------------------------------------------------------------------------

    def rows_changed(self, store: RunStore) -> int | None:
        """Shows what is new, if anything; the number of rows."""
        # Which rows, and their version: the file's and the buffer's numbers
        # are counted apart, and a file opened when its version equalled the
        # buffer's count was not shown (the buffer's rows stayed on screen).
        rows = self.file_rows
        if rows is not None:
            seen = ("file", rows.view.version)
            if seen != self._seen_version:
                self._seen_version = seen
                self.show_rows(rows)
            return len(rows)
        buffer = store.buffers[self.kind]
        seen = ("buffer", buffer.total)
        if seen != self._seen_version:
            self._seen_version = seen
            self.show_rows(buffer)
        return buffer.total

    def _update(self, store: RunStore, now: datetime) -> None:
        self.source_name = store.sources.get(self.kind, self.source_name)
        total = self.rows_changed(store)
        counts = self.counts(store, total)
        if self._feed is not None and self._feed.apart:
            # Its file is counted apart: the rest come whole, once it is read.
            counts = counts[:1]
        head = heads.counts(self.title, counts)
        head.append_text(self.head_extra(store))
        head.append("  ")
        head.append_text(self.follow_text())
        self.head(head)

    def counts(self, store: RunStore, total: int) -> list[heads.Count]:
        severities = store.by_severity[self.kind]
        return [("rows", total, styles.NOTE), ("errors", severities[ERROR], styles.FAILURE),
                ("warnings", severities[WARNING], styles.CAUTION)]

    def head_extra(self, store: RunStore) -> Text:
        if self.file_rows is not None:
            feed = self._feed
            return heads.file_progress(self.history_progress,
                                       feed.backlog_progress() if feed is not None else None)
        buffer = store.buffers[self.kind]
        if buffer.first_seq:
            # Older rows are counted above but no longer held (bounded memory).
            return heads.hint(f"  newest {len(buffer):,} kept")
        return Text("")


class KernelPane(StreamPane):
    title = "Kernel"
    kind = "kernel"

    def render_row(self, record: Record, width: int) -> Text:
        return render.kernel_row(record, width, self.zone, self.source_name)

    def counts(self, store: RunStore, total: int) -> list[heads.Count]:
        # FORMATS.md's classes, one word each (not severities beside them).
        k = store.kernel
        return [("lines", total, styles.NOTE), ("blocked", k.by_class["blocked"], styles.FAILURE),
                ("error", k.by_class["error"], styles.FAILURE),
                ("caution", k.by_class["caution"], styles.CAUTION),
                ("wave starts", k.wave_starts, styles.WAVE)]
