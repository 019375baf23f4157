"""The action stream: read from its file on demand, whatever the file's size.

The pane opens the action log itself: the newest screen at once, its history
indexed by a worker after the first frame, rows parsed a page at a time when
looked at. The store still parses every line for the counts and the models,
in the tail loop. Until the file exists (or when only ``action_log.log``
does) the pane shows the store's buffer like any stream.
"""

from __future__ import annotations

import os
import threading
from typing import Callable

from rich.text import Text
from textual.message import Message

from vivtui.ingest.feeds import Feed
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import ACTION_JSONL, LineParser
from vivtui.parsing.record import Record
from vivtui.sources.fileview import FileView, PendingHistory
from vivtui.sources.lineindex import LineIndex, scan
from vivtui.store.filerows import FileRows
from vivtui.store.run import RunStore
from vivtui.ui import heads, render
from vivtui.ui.panes.stream import StreamPane

STARTUP_POLL_S, STARTUP_POLLS = 0.05, 60


class ActionsPane(StreamPane):
    title = "Actions"
    kind = "actions"

    class HistoryIndexed(Message):
        def __init__(self, pending: PendingHistory, index: LineIndex) -> None:
            super().__init__()
            self.pending = pending
            self.index = index

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.file_view: FileView | None = None
        self.file_rows: FileRows | None = None
        self.history_progress: float | None = None  # indexing the view's history
        self._feed: Feed | None = None
        self._parse_zone = None
        self._changed: Callable[[], None] = lambda: None
        self._gone = threading.Event()

    def render_row(self, record: Record, width: int) -> Text:
        return render.action_row(record, width, self.zone, self.source_name, self.dated)

    # -- the file ---------------------------------------------------------------------

    def follow_file(self, feed: Feed | None, parse_zone, changed: Callable[[], None],
                    every: float) -> None:
        """Read the action log of ``feed`` on demand, looking at least ``every``
        seconds; ``changed`` is called when rows came."""
        self._feed, self._parse_zone, self._changed = feed, parse_zone, changed
        self.open_file()
        self.set_interval(every, self.poll_file)
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
        if self.file_view is not None or feed is None or self._gone.is_set():
            return
        choice = feed.current_choice()
        if choice is None or choice[0] is not ACTION_JSONL:
            return
        self.file_view = FileView(choice[1])
        self.file_view.poll()
        if self.file_view.pending is not None:
            self.history_progress = 0.0  # said from the first frame: indexed after it
        self.file_rows = FileRows(self.file_view,
                                  LineParser(ACTION_JSONL, ParseContext(self._parse_zone)))
        self.use_file_query()
        # After the first frame: the scan holds the GIL in long C calls.
        self.call_after_refresh(self._index_history)

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

        def run() -> None:
            def progress(offset: int) -> None:
                self.history_progress = offset / pending.stop

            try:
                index = scan(fd, 0, pending.stop, progress=progress, cancel=self._gone)
            finally:
                os.close(fd)
            self.post_message(self.HistoryIndexed(pending, index))

        self.run_worker(run, thread=True, exit_on_error=False, group="history",
                        name="indexing the action log")

    def on_actions_pane_history_indexed(self, message: HistoryIndexed) -> None:
        if self.file_view is not None and not self._gone.is_set():
            self.file_view.attach_history(message.pending, message.index)
        self._index_history()  # the file may have been truncated meanwhile
        self._changed()

    def on_unmount(self) -> None:
        super().on_unmount()
        self._gone.set()
        if self.file_view is not None:
            self.file_view.close()

    # -- drawing ------------------------------------------------------------------------

    def rows_changed(self, store: RunStore) -> int | None:
        rows = self.file_rows
        if rows is None:
            return super().rows_changed(store)
        if rows.view.version != self._seen_version:
            self._seen_version = rows.view.version
            self.show_rows(rows)
        return len(rows)

    def head_extra(self, store: RunStore) -> Text:
        if self.file_rows is None:
            return super().head_extra(store)
        feed = self._feed
        return heads.file_progress(self.history_progress,
                                   feed.backlog_progress() if feed is not None else None)
