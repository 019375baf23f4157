"""The panes: a head line, a filter bar, and a row view, refreshed from the store.

Each pane says how its rows read (``row``), what filters and search look at
(``describe``), which record a row stands for (``record_of``) and its time
(``time_of``); the base class does filtering, search and highlighting.
"""

from __future__ import annotations

from bisect import insort
from datetime import datetime, tzinfo
from typing import Any, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from vivtui.parsing.record import ERROR, INFO, OK, WARNING, Record
from vivtui.store.filerows import FileRows
from vivtui.store.filters import FilterSet, Pattern, compile_pattern, line_prefilter
from vivtui.store.rows import FilteredRows
from vivtui.store.run import KINDS, RunStore
from vivtui.store.scan import RowScan
from vivtui.store.sessions import FAILED, RUNNING, SUCCEEDED, UNFINISHED, Session
from vivtui.store.tasks import Task
from vivtui.ui import render
from vivtui.ui.rowview import RowView
from vivtui.ui.textline import TextLine

_SESSION_ORDER = {FAILED: 0, UNFINISHED: 1, RUNNING: 2, SUCCEEDED: 3}
_STATE_SEVERITY = {FAILED: ERROR, UNFINISHED: WARNING, RUNNING: INFO, SUCCEEDED: OK}
_PROBLEM_LEVEL = {ERROR: "failure", WARNING: "warning"}
SEARCH_STYLE = "bold black on yellow"


class Pane(Vertical):
    """Base of every pane."""

    title = ""
    follows = True  # a stream that grows at the bottom, or a sorted list
    ALLOW_MAXIMIZE = True
    DEFAULT_CSS = """
    Pane { height: 1fr; }
    Pane > .head { height: 1; background: $boost; }
    Pane > .filterbar { height: 1; background: $warning-darken-3; display: none; }
    Pane > .filterbar.-shown { display: block; }
    """

    def __init__(self, zone: tzinfo | None = None, live: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.zone = zone
        self.live = live
        self.filters = FilterSet()
        self.search: Pattern | None = None
        self.hits = 0
        self._source: Sequence = ()
        self._filtered: FilteredRows | None = None
        # A file-backed pane (the action stream of any size) filters and
        # searches in workers: these are their running or finished scans.
        self._scan: RowScan | None = None
        self._hit_scan: RowScan | None = None
        self._jump_to_hit = False
        self._scan_timer = None
        self._seen_version = -1
        self._last: tuple[RunStore, datetime] | None = None
        self._view: RowView | None = None

    def compose(self) -> ComposeResult:
        yield TextLine(classes="head")
        yield TextLine(classes="filterbar")
        yield self.view
        yield from self.compose_extra()

    def compose_extra(self) -> ComposeResult:
        return iter(())

    # -- what subclasses say ----------------------------------------------------

    def empty_text(self) -> str:
        return ""

    def row(self, item: Any, width: int) -> Text:
        raise NotImplementedError

    def describe(self, item: Any) -> tuple[str, str, str]:
        """(text to search, category, severity) of a row. Search and filters look
        at the whole line as written, as in lnav: fields not shown count too."""
        return item.line_text, item.category, item.severity

    def record_of(self, item: Any) -> Record | None:
        return item if isinstance(item, Record) else None

    def time_of(self, item: Any) -> datetime | None:
        record = self.record_of(item)
        return record.ts if record is not None else None

    def severity_of(self, item: Any) -> str:
        return item.severity

    def row_key(self, item: Any) -> tuple | None:
        """What a drawn row can be found again by; None: draw it every time
        (rows that change as time passes: sessions, tasks)."""
        if item.__class__ is not Record:
            return None
        return (item.kind, item.line, item.offset, item.severity,
                self.search.text if self.search is not None else None)

    def problem_level(self, item: Any) -> str | None:
        """What e/E and w/W stop at: "failure", "warning", or nothing."""
        return _PROBLEM_LEVEL.get(self.severity_of(item))

    def update_from(self, store: RunStore, now: datetime) -> None:
        self._last = (store, now)
        if not self.query(RowView):
            return  # not composed yet, or being taken down as the app exits
        self._update(store, now)

    def _update(self, store: RunStore, now: datetime) -> None:
        raise NotImplementedError

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        # The head says whether the view follows: it changes with the cursor.
        if self._last is not None:
            self._update(*self._last)

    # -- rows, filters, search -------------------------------------------------

    @property
    def view(self) -> RowView:
        """The pane's rows. Made before the pane is mounted when asked for: the
        hidden panes are mounted after the first frame, and the app reads
        their rows and cursors as soon as it starts."""
        if self._view is None:
            self._view = RowView(self._row_text, follow=self.follows, empty=self.empty_text(),
                                 row_key=self.row_key)
        return self._view

    def on_mount(self) -> None:
        if self._last is not None:  # drawn for the app before it was mounted
            self._update(*self._last)

    def _row_text(self, item: Any, width: int) -> Text:
        text = self.row(item, width)
        if self.search is not None:
            text.highlight_regex(self.search.regex, SEARCH_STYLE)
        return text

    def show_rows(self, source: Sequence) -> None:
        self._source = source
        if isinstance(source, FileRows):
            self._show_file_rows(source)
            return
        if not self.filters.active:
            self._filtered = None
            self.view.set_rows(source)
            return
        if self._filtered is None or self._filtered.source is not source:
            self._filtered = FilteredRows(source, self.describe, self.filters)
            self._filtered.rebuild()
        else:
            self._filtered.update()
        self.view.set_rows(self._filtered)

    # -- a file-backed source: scans in workers ------------------------------------

    @property
    def file_backed(self) -> bool:
        """Rows read from a file on demand: too many to walk on the UI thread."""
        return isinstance(self._source, FileRows)

    def position_of_record(self, record: Record) -> int | None:
        """Where a record of the store is among this file-backed pane's rows."""
        source = self._source
        row = source.row_of(record) if isinstance(source, FileRows) else None
        if row is None:
            return None
        shown = self.view.rows
        if isinstance(shown, RowScan):
            at = shown.position_of(row)
            return at if at < len(shown) and shown.row_at(at) == row else None
        return row

    def _show_file_rows(self, source: FileRows) -> None:
        if self._hit_scan is not None:
            self._hit_scan = self._current_scan(self._hit_scan, source, self._hit_test,
                                                self._search_patterns())
            self.hits = len(self._hit_scan)
        if not self.filters.active:
            self._scan = None
            self.view.set_rows(source)
            return
        self._scan = self._current_scan(self._scan, source, self._accepts,
                                        self.filters.patterns)
        self.view.set_rows(self._scan)

    def _current_scan(self, scan: RowScan | None, source: FileRows, test,
                      patterns: list[Pattern]) -> RowScan:
        """The scan brought up to date; a new one when rows were put in front of
        the ones it knows (history indexed since) or taken away."""
        if scan is not None and scan.rows is source and scan.shift == source.view.shift:
            scan.update()
            return scan
        if scan is not None:
            scan.cancel.set()
        scan = RowScan(source, test, line_prefilter(patterns))
        self.app.run_in_background(scan.run, f"scanning the {self.title.lower()}")
        if self._scan_timer is None:
            self._scan_timer = self.set_interval(0.1, self._scan_tick)
        return scan

    def _scan_tick(self) -> None:
        """Matches found so far go on screen while the scan goes on."""
        scans = [scan for scan in (self._scan, self._hit_scan) if scan is not None]
        if isinstance(self._source, FileRows):
            self._show_file_rows(self._source)
        if self._jump_to_hit and self.hits:
            self._jump_to_hit = not self.next_match(1, include_current=True)
        self.update_filterbar()
        if all(scan.done for scan in scans) and self._scan_timer is not None:
            self._scan_timer.stop()
            self._scan_timer = None

    def _search_patterns(self) -> list[Pattern]:
        """What a hit must match: the filters (when on) and the search."""
        patterns = list(self.filters.patterns) if self.filters.enabled else []
        return patterns + ([self.search] if self.search is not None else [])

    def _accepts(self, record: Record) -> bool:
        return self.filters.accepts(*self.describe(record))

    def _hit_test(self, record: Record) -> bool:
        described = self.describe(record)
        search = self.search
        return (search is not None and self.filters.accepts(*described)
                and search.search(described[0]))

    def scan_progress(self) -> str:
        running = [scan for scan in (self._scan, self._hit_scan)
                   if scan is not None and not scan.done]
        if not running:
            return ""
        return f"scanning {min(scan.progress for scan in running):.0%}"

    def _cancel_scans(self) -> None:
        for scan in (self._scan, self._hit_scan):
            if scan is not None:
                scan.cancel.set()
        self._scan = self._hit_scan = None

    def on_unmount(self) -> None:
        self._cancel_scans()

    # -- filters and search --------------------------------------------------------

    def filters_changed(self) -> None:
        self._filtered = None
        self._cancel_scans()
        view = self.view
        view.rows = ()  # a new sequence: the cursor starts over
        self.show_rows(self._source)
        if not view.follow:
            view.cursor = min(max(view.cursor, 0), len(view.rows) - 1)
        self.update_filterbar()
        self.count_hits()

    def add_filter(self, text: str) -> None:
        self.filters.patterns.append(compile_pattern(text, allow_invert=True))
        self.filters.enabled = True
        self.filters_changed()

    def set_search(self, text: str) -> None:
        self.search = compile_pattern(text) if text else None
        self.count_hits()
        self.update_filterbar()
        if self.search is not None and self.hits:
            self.next_match(1, include_current=True)
        elif self.search is not None and self._hit_scan is not None:
            self._jump_to_hit = True  # to the first hit the worker finds
        self.view.refresh()

    def count_hits(self) -> None:
        search = self.search
        if search is None:
            self.hits = 0
            if self._hit_scan is not None:
                self._hit_scan.cancel.set()
                self._hit_scan = None
            return
        if isinstance(self._source, FileRows):
            if self._hit_scan is not None:
                self._hit_scan.cancel.set()
            self._hit_scan = self._current_scan(None, self._source, self._hit_test,
                                                self._search_patterns())
            self.hits = len(self._hit_scan)
            return
        self.hits = sum(1 for item in self.view.rows if search.search(self.describe(item)[0]))

    def next_match(self, step: int, include_current: bool = False) -> bool:
        search, view = self.search, self.view
        rows = view.rows
        if search is None or not rows:
            return False
        if self._hit_scan is not None:
            return self._next_hit(step, include_current)
        start = max(view.cursor, 0)
        for distance in range(0 if include_current else 1, len(rows) + 1):
            index = (start + step * distance) % len(rows)
            if search.search(self.describe(rows[index])[0]):
                view.select(index)
                return True
        return False

    def _next_hit(self, step: int, include_current: bool) -> bool:
        """n/N over a file: the matches the hit scan found so far, in file order."""
        hits, view = self._hit_scan, self.view
        assert hits is not None
        if not len(hits):
            return False
        here = self._file_row(max(view.cursor, 0))
        if step > 0:
            at = hits.position_of(here if include_current else here + 1)
            target = hits.row_at(at if at < len(hits) else 0)
        else:
            at = hits.position_of(here) - 1
            target = hits.row_at(at if at >= 0 else len(hits) - 1)
        rows = view.rows
        position = rows.position_of(target) if isinstance(rows, RowScan) else target
        view.select(position)
        return True

    def _file_row(self, position: int) -> int:
        rows = self.view.rows
        return rows.row_at(position) if isinstance(rows, RowScan) and len(rows) else position

    def clear_filters(self) -> bool:
        """Esc: drop search and filters; False when there was nothing to drop."""
        had = self.search is not None or bool(self.filters.describe())
        keep_foreign = self.filters.hide_foreign_under
        self.search = None
        self.filters.clear()
        self.filters.hide_foreign_under = keep_foreign
        self.filters_changed()
        return had

    def update_filterbar(self) -> None:
        # An empty view under filters says so, not "waiting for ...".
        scanning = self._scan is not None and not self._scan.done
        self.view.empty = (("no matching rows found yet" if scanning else
                            "no rows match the filters") if self.filters.active
                           else self.empty_text())
        bar = self.query_one(".filterbar", TextLine)
        parts = self.filters.describe()
        if not parts and self.search is None:
            bar.remove_class("-shown")
            return
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if parts:
            text.append(" filters ", "bold")
            text.append(render.safe("  ".join(parts), 300))
            if not self.filters.enabled:
                text.append("  (off: ctrl+f)", "bold dark_orange")
            else:
                text.append(f"  {len(self.view.rows)} shown", "dim")
        if self.search is not None:
            text.append("  search ", "bold")
            text.append(render.safe(self.search.text, 100), SEARCH_STYLE)
            text.append(f"  {self.hits} hits  n/N", "dim")
        progress = self.scan_progress()
        if progress:
            text.append(f"  {progress}…", "bold")
        text.append("  esc clears", "dim")
        bar.update(text)
        bar.add_class("-shown")

    # -- heads -------------------------------------------------------------------

    def head(self, text: Text) -> None:
        # One row whatever the text: no layout pass (a layout of the whole screen
        # for every head update was most of a frame's time).
        self.query_one(".head", TextLine).update(text)

    def follow_text(self) -> Text:
        view = self.view
        if not view.follow_allowed:
            return Text("")
        if view.follow:
            return Text("● following", "green")
        return Text(f"⏸ paused · {view.waiting} new · G to follow", "bold dark_orange")

    def categories(self, store: RunStore) -> list[tuple[str, int]]:
        """What the `t` picker offers: this pane's categories and their counts."""
        counts: dict[str, int] = {}
        for item in self._source:
            category = self.describe(item)[1]
            counts[category] = counts.get(category, 0) + 1
        return sorted(counts.items(), key=lambda kv: -kv[1])


def counts_text(label: str, counts: list[tuple[str, int, str]]) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    out.append(f" {label} ", "bold")
    for name, count, style in counts:
        out.append(f" {render.safe(name, 30)} ", style)
        out.append(str(count), "bold")
    return out


class StreamPane(Pane):
    """A store buffer shown as it grows (actions, kernel)."""

    def __init__(self, kind: str, title: str, row, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.title = title
        self._row = row
        self.source_name = ""
        # The whole file, read on demand (the action log): set by the app.
        self.file_rows: FileRows | None = None
        self.file_progress = Text("")  # indexing / counting, said in the head

    def empty_text(self) -> str:
        return f"waiting for {self.title.lower()}…"

    def row(self, record: Record, width: int) -> Text:
        return self._row(record, width, self.zone, self.source_name)

    def categories(self, store: RunStore) -> list[tuple[str, int]]:
        return store.by_category[self.kind].most_common()

    def _update(self, store: RunStore, now: datetime) -> None:
        buffer = store.buffers[self.kind]
        self.source_name = store.sources.get(self.kind, self.source_name)
        rows = self.file_rows
        if rows is not None:
            if rows.view.version != self._seen_version:
                self._seen_version = rows.view.version
                self.show_rows(rows)
        elif buffer.total != self._seen_version:
            self._seen_version = buffer.total
            self.show_rows(buffer)
        severities = store.by_severity[self.kind]
        counts = [("rows", len(rows) if rows is not None else buffer.total, "dim"),
                  ("errors", severities[ERROR], "red"),
                  ("warnings", severities[WARNING], "dark_orange")]
        head = counts_text(self.title, counts)
        if rows is not None:
            head.append_text(self.file_progress)
        elif buffer.first_seq:
            # Older rows are counted above but no longer held (bounded memory).
            head.append(f"  newest {len(buffer):,} kept", "dim")
        if self.kind == "kernel":
            k = store.kernel
            head.append(f"  blocked {k.by_class['blocked']}  error {k.by_class['error']}  "
                        f"caution {k.by_class['caution']}  waves {len(k.waves)}", "")
        head.append("  ")
        head.append_text(self.follow_text())
        self.head(head)


class SessionsPane(Pane):
    title = "Sessions"
    follows = False
    DEFAULT_CSS = """
    SessionsPane > .detail { height: 7; border-top: solid $primary-darken-2; }
    """
    _perf: list = []
    _now: datetime = datetime.now().astimezone()

    def compose_extra(self) -> ComposeResult:
        yield Static(classes="detail")

    def empty_text(self) -> str:
        return "waiting for structured_logs.jsonl…"

    def row(self, session: Session, width: int) -> Text:
        quality = render.quality_of(session, self._perf)
        return render.session_row(session, width, self._now, self.live, quality, self.zone)

    def describe(self, session: Session) -> tuple[str, str, str]:
        state = session.state(self.live)
        worker, run, number = session.key
        return (f"{state} {session.title} {render.safe(session.context('model'))} "
                f"worker={worker} run={run} session={number}", state, _STATE_SEVERITY[state])

    def severity_of(self, session: Session) -> str:
        return _STATE_SEVERITY[session.state(self.live)]

    def problem_level(self, session: Session) -> str | None:
        # A session that never finished is a failure to triage, not a warning.
        return "failure" if session.state(self.live) in (FAILED, UNFINISHED) else None

    def record_of(self, session: Session) -> Record | None:
        return session.end or session.start

    def show_detail(self, session: Session | None) -> None:
        detail = self.query_one(".detail", Static)
        if session is None:
            detail.update(Text("select a session to see its details", "dim"))
            return
        perf = render.performance_of(session, self._perf)
        detail.update(render.session_text(session, perf, self._now, self.live, self.zone))

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        self.show_detail(message.item)

    def _update(self, store: RunStore, now: datetime) -> None:
        tracker = store.sessions
        self._now = now
        self._perf = store.performance.entries
        if tracker.version != self._seen_version:
            self._seen_version = tracker.version
            ordered = sorted(
                tracker.sessions,
                key=lambda s: (_SESSION_ORDER[s.state(self.live)],
                               -(s.started_at or s.ended_at or now).timestamp()))
            self.show_rows(ordered)
            self.show_detail(self.view.selected)
        else:
            self.view.refresh()  # running sessions' elapsed time ticks
        states = [s.state(self.live) for s in tracker.sessions]
        self.head(counts_text("Sessions", [
            ("failed", states.count(FAILED), "red"),
            ("unfinished", states.count(UNFINISHED), "dark_orange"),
            ("running", states.count(RUNNING), "cyan"),
            ("ok", states.count(SUCCEEDED), "green"),
        ]))


class QueuePane(Pane):
    title = "Queue"
    follows = False
    DEFAULT_CSS = """
    QueuePane > .history { height: 9; border-top: solid $primary-darken-2; }
    """

    def compose_extra(self) -> ComposeResult:
        yield Static(classes="history")

    def empty_text(self) -> str:
        return "waiting for execution_log.jsonl…"

    def row(self, task: Task, width: int) -> Text:
        return render.task_row(task, width, self.zone)

    def describe(self, task: Task) -> tuple[str, str, str]:
        return (f"{task.task_id} {task.status} {render.safe(task.last('worker_id'))} "
                f"{render.safe(task.last('model'))} {render.safe(task.error)}",
                task.status, task.latest.severity)

    def severity_of(self, task: Task) -> str:
        return task.latest.severity

    def record_of(self, task: Task) -> Record | None:
        return task.latest

    def _update(self, store: RunStore, now: datetime) -> None:
        tracker = store.tasks
        if tracker.version != self._seen_version:
            self._seen_version = tracker.version
            self.show_rows(sorted(tracker.tasks.values(), key=_task_order))
            self.show_history(self.view.selected)
        counts = sorted(tracker.by_status().items(), key=lambda item: -item[1])
        self.head(counts_text(f"Queue {len(tracker.tasks)} tasks", [
            (status, count, "red" if status in ("failed", "safety_blocked")
             or status.endswith("_failed") else "") for status, count in counts]))

    def show_history(self, task: Task | None) -> None:
        history = self.query_one(".history", Static)
        history.update(render.history_text(task, self.zone) if task else
                       Text("select a task to see its status history", "dim"))

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        self.show_history(message.item)


def _task_order(task: Task) -> tuple:
    latest = task.latest
    rank = 0 if task.failed else 1 if latest.severity == WARNING else 2
    return (rank, -(latest.ts.timestamp() if latest.ts else 0))


class BudgetPane(Pane):
    title = "Budget"
    DEFAULT_CSS = """
    BudgetPane > .overview { height: auto; max-height: 16; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(classes="overview")
        yield from super().compose()

    def empty_text(self) -> str:
        return "no API failures or budget events yet"

    def row(self, record: Record, width: int) -> Text:
        return render.problem_row(record, width, self.zone)

    def _update(self, store: RunStore, now: datetime) -> None:
        budget = store.budget
        if budget.version == self._seen_version:
            return
        self._seen_version = budget.version
        width = max(20, (self.size.width or self.app.size.width) - 4)
        self.query_one(".overview", Static).update(overview_text(budget, width))
        self.show_rows(budget.problems)
        self.head(counts_text("Failures and budget events", [
            ("failed", budget.failed, "red"), ("budget exceeded", budget.budget_exceeded, "red"),
            ("task budget", budget.task_budget_exceeded, "red"),
            ("rate limited", budget.rate_limited, "dark_orange"),
            ("violations", budget.violations, "red")]))


class TimelinePane(Pane):
    """Every source merged by time, in one zone, with a source column.

    Kept up to date with the rows that arrive; bounded like the buffers. A line
    without a time of its own (a malformed line) is placed after the line
    before it in its file; kernel lines of the backlog have no time anywhere
    near and are only counted."""

    title = "Timeline"
    capacity = 50_000

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: list[tuple[datetime, int, Record]] = []
        self._seen: dict[str, int] = {}
        self._order = 0
        self.untimed = 0
        self._last_ts: dict[str, datetime] = {}
        # Merging reads every record's time: done only while someone looks (the
        # pane is shown, or e/E searches it), not for every batch of a big backlog.
        self.wanted = False

    def empty_text(self) -> str:
        return "no timestamped records yet"

    def row(self, item: tuple, width: int) -> Text:
        return render.timeline_row(item[2], width, self.zone, item[0])

    def describe(self, item: tuple) -> tuple[str, str, str]:
        record = item[2]
        return f"{record.kind} {record.line_text}", record.category, record.severity

    def record_of(self, item: tuple) -> Record:
        return item[2]

    def time_of(self, item: tuple) -> datetime:
        return item[0]

    def severity_of(self, item: tuple) -> str:
        return item[2].severity

    def _update(self, store: RunStore, now: datetime) -> None:
        if not self.wanted:
            return
        fresh = []
        for kind in KINDS:
            buffer = store.buffers[kind]
            seen = self._seen.get(kind, 0)
            if buffer.total == seen:
                continue
            start = max(seen, buffer.first_seq, buffer.total - self.capacity)
            for seq in range(start, buffer.total):
                record = buffer[seq - buffer.first_seq]
                ts = record.ts or self._last_ts.get(kind)
                if ts is None:
                    self.untimed += 1
                    continue
                self._last_ts[kind] = ts
                self._order += 1
                fresh.append((ts, self._order, record))
            self._seen[kind] = buffer.total
        grew = bool(fresh)
        if len(fresh) > 1000:  # the first build, or a burst: one sort beats many inserts
            self._rows.extend(fresh)
            self._rows.sort(key=_timeline_key)
        else:
            for item in fresh:
                insort(self._rows, item, key=_timeline_key)
        if len(self._rows) > self.capacity:
            del self._rows[: len(self._rows) - self.capacity]
        if grew or self._seen_version < 0:
            self._seen_version = 0
            # A copy: rows are inserted anywhere, so the view must not take it
            # for the same buffer grown at the end.
            self.show_rows(list(self._rows))
        head = counts_text("Timeline", [("rows", len(self._rows), "dim")])
        if self.untimed:
            head.append(f"  {self.untimed} lines without a time not shown", "dim")
        head.append("  ")
        head.append_text(self.follow_text())
        self.head(head)


def _timeline_key(item: tuple) -> tuple:
    return item[0], item[1]


def overview_text(budget, width: int) -> Text:
    out = Text(end="")
    out.append("Spend ", "bold")
    out.append(f"{render.money(budget.cost)} of {render.money(budget.limit)} "
               f"({budget.fraction_used:.0%})  ")
    out.append("remaining ")
    out.append(render.money(budget.remaining), "red" if budget.remaining <= 0 else "bold")
    out.append("\n")
    out.append_text(render.gauge(budget.fraction_used, min(width, 60)))
    out.append("\n")
    rate = budget.spend_rate()
    left = budget.seconds_to_exhaustion()
    out.append("rate ")
    out.append(f"{render.money(rate * 60)}/min" if rate else "-", "bold")
    out.append("  exhausted ")
    if budget.remaining <= 0 or budget.budget_exceeded:
        out.append("now (BUDGET EXCEEDED)" if budget.budget_exceeded else "now", "bold red")
    else:
        out.append(f"in ~{render.duration(left)}" if left is not None else "-", "bold")
    out.append(f"   calls {budget.calls} ({budget.failed} failed)  tokens "
               f"{budget.input_tokens:,} in / {budget.output_tokens:,} out\n")
    for label, table in (("by model", budget.by_model), ("by call type", budget.by_call_type)):
        out.append(f"{label}\n", "bold")
        for name, usage in sorted(table.items(), key=lambda kv: -kv[1].cost)[:6]:
            out.append(f"  {render.fit(render.safe(name, 40), 28)} {usage.calls:>6} calls  "
                       f"{render.money(usage.cost):>10}  "
                       f"{usage.input_tokens + usage.output_tokens:>10,} tokens\n")
    return out

