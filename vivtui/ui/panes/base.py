"""The base pane: a head line, a filter bar and a row view, drawn from the store.

A pane says how its rows read (``row``), what filters and search look at
(``describe``), which record a row stands for (``record_of``) and its time
(``time_of``); its query (``row_query``) does filtering, search and hits, in
memory or over a whole file, and the pane runs the query's scans as its own
workers. How its rows are named, found again and ranked is ``panes.finding``'s.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.types import NoActiveAppError
from textual.widget import Widget

from vivtui.ingest.feeds import PREVIEWED_KINDS
from vivtui.ingest.file_status import FileStatus
from vivtui.parsing.record import Record
from vivtui.store.activity import LIVE, RunState
from vivtui.store.filerows import FileRows
from vivtui.store.filters import compile_pattern, record_field
from vivtui.store.memory_scan import MemoryScan
from vivtui.store.readback import Pace
from vivtui.store.run import RunStore
from vivtui.store.scan import RowScan, RowSeek
from vivtui.ui import heads, styles
from vivtui.ui.hidden_scans import while_hidden
from vivtui.ui.keys_first import keys_before
from vivtui.ui.panes.finding import RowFinding
from vivtui.ui.panes.memory_query import MemoryQuery
from vivtui.ui.panes.query import FileQuery, Query
from vivtui.ui.preview import Shown
from vivtui.ui.rowview import RowView
from vivtui.ui.soon import Soon
from vivtui.ui.textline import TextLine
from vivtui.ui.worker_failures import SaysWorkerFailures

SCAN_TICK_S = 0.1  # matches found by a scan go on screen this often
PREVIEW_COMING = "reading the file's newest lines…"


class Pane(RowFinding, SaysWorkerFailures, Vertical):
    title = ""
    follows = True  # a stream that grows at the bottom, or a sorted list
    empty = ""  # what the view says before any row
    reads: tuple[str, ...] = ()  # the file kinds it lists (an unreadable one is said here)
    # Said instead of ``empty`` when its file has lines and none is a row here
    # (formatted with ``name``, ``lines`` and ``malformed``).
    empty_when_read = ""
    # Drawn when its own source changes; the store's batches only mark it due.
    paces_itself = False
    ALLOW_MAXIMIZE = True
    DEFAULT_CSS = """
    Pane { height: 1fr; }
    Pane > .head { background: $boost; }
    Pane > .filterbar { height: 1; background: $warning-darken-3; display: none; }
    Pane > .filterbar.-shown { display: block; }
    """

    def __init__(self, zone: tzinfo | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.zone = zone
        self.run = RunState(LIVE, None, None)  # the run's state when last drawn
        self.dated = False  # the run spans days: times are shown with their date
        # Said instead of ``empty``: a file of ``reads`` that cannot be read, or
        # was read without a row here (``file_problem``).
        self._problem: str | None = None
        self._preview_coming = False  # its rows wait for a big file's newest lines
        self.row_query: Query = MemoryQuery(self.describe, self._start_scan)
        self._source: Sequence = ()
        self._scan_timer = None
        # Set while the pane is the one on screen (``shown``: told to every
        # pane from the start): its filter and search scans go on only then.
        self._on_screen = threading.Event()
        self._on_screen.set()
        self._seen_version = -1
        self._when_shown: Callable[[], None] | None = None  # see ``draw_when_shown``
        self._ranked: dict[str, tuple[object, Any]] = {}  # see ``ranked_problems``
        self._last: tuple[RunStore, datetime] | None = None
        self.preview: Shown | None = None  # the rows' store while the file is read (``ui.preview``)
        self._view: RowView | None = None
        # The selected row's detail, read back from files by a thread (``ui.soon``)
        self.detail_soon: Soon = Soon(self, f"{self.title.lower()} detail")

    def compose(self) -> ComposeResult:
        yield TextLine(classes="head", wrap=True)
        yield TextLine(classes="filterbar")
        yield self.view
        yield from self.compose_extra()

    def compose_extra(self) -> ComposeResult:
        return iter(())

    # -- what a pane says ---------------------------------------------------------

    def row(self, item: Any, width: int) -> Text:
        raise NotImplementedError

    def describe(self, item: Any) -> tuple:
        """(text to search, category, severity, field lookup) of a row. Search
        and filters look at what the row says (the raw line's key names
        matched every line); field terms at the record's fields."""
        return item.summary, item.category, item.severity, partial(record_field, item)

    def record_of(self, item: Any) -> Record | None:
        """The record a row stands for, whole (it may be read from its file)."""
        return item if isinstance(item, Record) else None

    def records_of(self, items: Sequence[Any],
                   pace: Pace | None = None) -> Iterable[Record]:
        """The records ``items`` stand for, whole (``record_of``), as a
        worker saving them reads them: a model's panes read them back a
        chunk at a time, ``pace`` called between pieces of each chunk's
        reading (the worker's caller paces what it is given)."""
        return filter(None, map(self.record_of, items))

    def source_of(self, record: Record, store: RunStore) -> str:
        """The name of the file a record of this pane is in (``RunStore.source_of``)."""
        return store.source_of(record)

    def being_read(self, item: Any) -> str | None:
        """What the row stands for while a thread reads it (a long line: its
        record is not read on the screen's thread), else None."""
        return None

    def brief_of(self, item: Any) -> Record | None:
        """The row's record as far as the pane's model keeps it (its place,
        time, kind and the fields it shows), read from no file: for walks
        over every row (e/E, the next of a thread)."""
        return self.record_of(item)

    def time_of(self, item: Any) -> datetime | None:
        record = self.brief_of(item)
        return record.ts if record is not None else None

    def severity_of(self, item: Any) -> str:
        return item.severity

    def row_key(self, item: Any) -> tuple | None:
        """What a drawn row can be found again by; None: draw it every time
        (rows that change as time passes: sessions, tasks)."""
        if item.__class__ is not Record:
            return None
        search = self.row_query.search
        raw = item.raw
        # The line's content too: after a rotation or a copytruncate, line N at
        # offset O of the new file is another line (the old one was drawn in its
        # place). Bytes and text hash once; a parsed object is known by identity.
        content = raw if raw.__class__ in (bytes, str) else id(raw)
        return (item.kind, item.line, item.offset, content, item.severity,
                search.text if search is not None else None, self.dated)

    def file_problem(self, problem: str | None, read: FileStatus | None = None) -> None:
        """One of its files cannot be read (None: none now), or was ``read``
        (lines, none of them a row here, if the view is empty): said where its
        rows would be, instead of "waiting for ...", which sent people waiting
        (a file of a million lines, none of them readable, said so)."""
        if problem is None and read is not None and read.records and self.empty_when_read:
            malformed = f", {read.malformed:,} of them malformed" if read.malformed else ""
            lines = f"{read.records:,} line{'s' if read.records != 1 else ''}"
            problem = self.empty_when_read.format(name=read.name, lines=lines,
                                                  malformed=malformed)
        if problem == self._problem:
            return
        self._problem = problem
        self.view.empty = self._empty_text()
        self.view.refresh()

    def shown(self, visible: bool) -> None:
        """The pane became the one on screen, or stopped being it."""
        (self._on_screen.set if visible else self._on_screen.clear)()
        if visible and self._when_shown is not None:
            self._when_shown, draw = None, self._when_shown
            draw()

    def draw_when_shown(self, draw: Callable[[], None]) -> None:
        """``draw`` now if the pane is on screen, else once it is shown (the
        latest asked for): a hidden pane's rows are brought up to date at each
        e, and a panel of the selected row drawn then is drawn for nothing."""
        if self._on_screen.is_set():
            self._when_shown = None
            draw()
        else:
            self._when_shown = draw

    @property
    def previews(self) -> bool:
        """Draws a model's rows: from a big file's newest lines while it is read."""
        return not PREVIEWED_KINDS.isdisjoint(self.preview_kinds)

    @property
    def preview_kinds(self) -> tuple[str, ...]:
        """The kinds whose big files' newest lines it draws while they are read."""
        return self.reads

    def update_from(self, store: RunStore, now: datetime, preview: Shown | None = None) -> None:
        self._last = (store, now)
        self.preview = preview
        # A preview has seen the newest lines; the store, until it is read, older ones.
        self.run = (preview.store if preview is not None else store).run_state(now)
        was_dated, self.dated = self.dated, store.activity.spans_days(self.zone)
        if not self.query(RowView):
            return  # not composed yet, or being taken down as the app exits
        if self.dated != was_dated:  # (known once another file is read: rows drawn undated)
            self.view.refresh()
        coming = preview is not None and preview.coming
        if coming != self._preview_coming:
            self._preview_coming = coming
            self.update_filterbar()
        self._update(store, now)

    def _update(self, store: RunStore, now: datetime) -> None:
        raise NotImplementedError

    def rows_due(self, seen: tuple) -> bool:
        """``seen`` is (the store's version, then what the rows depend on):
        are the rows to be ordered again, not only the counts? (While a
        preview is shown, the whole file read meanwhile is not sorted.)"""
        last = self._seen_version
        return not isinstance(last, tuple) or seen[1:] != last[1:]

    def counts_seen(self, version: int) -> tuple:
        """What the head depends on: the model's version, and while a preview
        is shown, how much of its file is read (the note moves as it is read
        elsewhere, when the model itself does not)."""
        preview = self.preview
        return version, None if preview is None else (int(preview.progress * 100),
                                                      preview.counting)

    def rows_store(self, store: RunStore) -> RunStore:
        """Where the rows come from: the preview while there is one."""
        return self.preview.store if self.preview is not None else store

    def previewed(self, head: Text, title: str) -> Text:
        """The head, saying when its rows are a preview; only its ``title``
        while the counts are not known yet (the file is counted apart)."""
        preview = self.preview
        if preview is None:
            return head
        note = heads.preview_note(preview.progress, preview.counting)
        return note.append(f" {title}", styles.STRONG) if preview.counting else note.append_text(head)

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        # The head says whether the view follows: it changes with the cursor.
        if self._last is not None:
            self._update(*self._last)

    # -- rows ---------------------------------------------------------------------

    @property
    def view(self) -> RowView:
        """The pane's rows. Made before the pane is mounted when asked for: the
        hidden panes are mounted after the first frame, and the screen reads
        their rows and cursors as soon as it starts."""
        if self._view is None:
            self._view = RowView(self._row_text, follow=self.follows, empty=self.empty,
                                 row_key=self.row_key)
        return self._view

    @property
    def focus_target(self) -> Widget:
        """What gets the focus when the pane is shown: its rows, unless it
        shows them another way."""
        return self.view

    @property
    def file_backed(self) -> bool:
        """Rows read from a file on demand: too many to walk on the UI thread."""
        return self.row_query.file_backed

    def on_mount(self) -> None:
        if self._last is not None:  # drawn for the screen before it was mounted
            try:
                self._update(*self._last)
            except NoMatches:
                # Its parts are gone already (the app closed while the hidden
                # panes were still being mounted): nothing is left to draw.
                pass

    def on_unmount(self) -> None:
        self.row_query.cancel()
        self.detail_soon.close()

    class RowsMade(Message):
        """Rows made by a thread (a long line's, a big record's summary): drawn again."""

    def rows_made_elsewhere(self) -> None:
        """Called by such a thread (none once the monitor has gone)."""
        try:
            self.post_message(self.RowsMade())
        except NoActiveAppError:
            pass

    def on_pane_rows_made(self) -> None:
        self.view.refresh()

    def _row_text(self, item: Any, width: int) -> Text:
        text = self.row(item, width)
        search = self.row_query.search
        if search is not None:
            text.highlight_regex(search.highlighter, styles.SEARCH_HIT)
        return text

    def show_rows(self, source: Sequence) -> None:
        self._source = source
        query = self.row_query
        self.view.set_rows(query.shown(source))
        if self.filters.active or query.search is not None:
            # What the bar says of them ("N shown", hits) is of these rows: on a
            # live run, it said how many there were when the filter was typed.
            query.recount(self.view.rows)
            self.update_filterbar()

    def use_file_query(self, rows: FileRows) -> None:
        """From now on the rows are ``rows``, a whole file's, read on demand.
        They are shown at once: the store's rows shown until now are no file's,
        and a filter or search put back before the next frame scanned them
        as a file (a kept view's, on a big run reopened: the monitor stopped)."""
        if not self.row_query.file_backed:
            query = FileQuery(self.describe, self._start_scan)
            query.take_over(self.row_query)
            self.row_query = query
        self.show_rows(rows)

    def _start_scan(self, scan: RowScan | RowSeek | MemoryScan, group: str) -> None:
        keys_before(self.app, scan)
        if group != "seek":
            scan.pace = while_hidden(self._on_screen, scan.cancel, scan.pace)
        self.run_worker(scan.run, thread=True, exit_on_error=False, exclusive=True,
                        group=f"{group} {id(self)}",
                        name=f"{group} scan of the {self.title.lower()}")
        if self._scan_timer is None:
            self._scan_timer = self.set_interval(SCAN_TICK_S, self._scan_tick)

    def _scan_tick(self) -> None:
        running = self.row_query.tick(self.view)
        self.update_filterbar()
        if not running and self._scan_timer is not None:
            self._scan_timer.stop()
            self._scan_timer = None

    # -- filters and search --------------------------------------------------------

    @property
    def filters(self):
        return self.row_query.filters

    @property
    def search(self):
        return self.row_query.search

    @property
    def hits(self) -> int:
        return self.row_query.hits

    def filters_changed(self) -> None:
        self.row_query.reset()
        view = self.view
        view.rows = ()  # a new sequence: the cursor starts over
        self.show_rows(self._source)
        if not view.follow:
            view.cursor = min(max(view.cursor, 0), len(view.rows) - 1)
        self.row_query.count_hits(view.rows)
        self.update_filterbar()
        # Another row may be under the cursor now: what shows it (a pane's
        # detail, the status line) must follow, as after a key that moves it.
        view.post_message(RowView.Selected(view, view.selected))

    def add_filter(self, text: str) -> None:
        self.filters.patterns.append(compile_pattern(text, allow_invert=True))
        self.filters.enabled = True
        self.filters_changed()

    def set_search(self, text: str) -> None:
        query = self.row_query
        query.search = compile_pattern(text) if text else None
        query.count_hits(self.view.rows)
        self.update_filterbar()
        if query.search is not None:
            query.first_hit(self.view)
        self.view.refresh()

    def next_match(self, step: int) -> bool:
        return self.row_query.next_match(self.view, step)

    def seek_problem(self, level: str, step: int,
                     answer: Callable[[int | None], None]) -> None:
        """The nearest row of ``level`` past the cursor in this pane's file:
        selected, and its position ``answer``ed (None: there is none)."""
        def select(position: int | None) -> None:
            if position is not None:
                self.view.select(position)
            answer(position)

        self.row_query.seek(self.view, step, lambda record: self.problem_level(record) == level,
                            select)

    def clear_filters(self) -> bool:
        """Esc: drop search and filters; False when there was nothing to drop."""
        had = self.search is not None or bool(self.filters.describe())
        keep_foreign = self.filters.hide_foreign_under
        self.row_query.search = None
        self.filters.clear()
        self.filters.hide_foreign_under = keep_foreign
        self.filters_changed()
        return had

    def _empty_text(self) -> str:
        if self.filters.active:
            return ("no matching rows found yet" if self.row_query.scanning
                    else "no rows match the filters")
        return PREVIEW_COMING if self._preview_coming else self._problem or self.empty

    def update_filterbar(self) -> None:
        # An empty view under filters says so, not "waiting for ...".
        query = self.row_query
        self.view.empty = self._empty_text()
        bar = self.query_one(".filterbar", TextLine)
        text = heads.filter_bar(self.filters, query.search, len(self.view.rows), query.hits,
                                query.progress())
        if text is None:
            bar.remove_class("-shown")
            return
        bar.update(text)
        bar.add_class("-shown")

    # -- the head -------------------------------------------------------------------

    def head(self, text: Text) -> None:
        # One row whatever the text: no layout pass (a layout of the whole screen
        # for every head update was most of a frame's time).
        self.query_one(".head", TextLine).update(text)

    def follow_text(self) -> Text:
        view = self.view
        return heads.follow(view.follow_allowed, view.follow, view.waiting)
