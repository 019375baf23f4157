"""The live monitor: wiring of feeds, tailing workers, store and panes."""

from __future__ import annotations

import asyncio
import contextvars
import os
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from time import monotonic
from typing import Any, Callable, Iterable

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.lazy import Lazy
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane

from vivtui.export import ExportError, export_rows, export_target, write_records
from vivtui.ingest.feeds import Batch, Feed, read_to_end
from vivtui.ingest.layout import RunLayout
from vivtui.ingest.tailing import Tailing
from vivtui.pacing import Pacer
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import ACTION_JSONL, LineParser
from vivtui.parsing.record import Record
from vivtui.sources.fileview import FileView, PendingHistory
from vivtui.sources.lineindex import LineIndex, scan
from vivtui.store.budget import DEFAULT_LIMIT
from vivtui.store.filerows import FileRows, close_snapshot, read_records
from vivtui.store.filters import next_severity
from vivtui.store.related import related_records, relation_keys, sort_time
from vivtui.store.run import RunStore
from vivtui.store.scan import RowScan
from vivtui.ui import render
from vivtui.ui.help import HelpScreen
from vivtui.ui.inspector import InspectorScreen, RelatedScreen
from vivtui.ui.panes import (
    BudgetPane,
    Pane,
    QueuePane,
    SessionsPane,
    StreamPane,
    TimelinePane,
)
from vivtui.ui.panetabs import PaneTabs
from vivtui.ui.prompt import PickerScreen, Prompt
from vivtui.ui.rowview import RowView
from vivtui.ui.textline import TextLine

PANES = ("actions", "sessions", "queue", "budget", "kernel", "timeline")
PICKER_TITLES = {"actions": "action type", "sessions": "state", "queue": "status",
                 "budget": "event", "kernel": "class", "timeline": "type"}
IDLE_RECHECK_S = 1.0  # a look at the action log even without a change notice
# Everything redrawn this often (elapsed times, spend rate); new rows sooner.
REFRESH_S = 1.0
STARTUP_POLL_S, STARTUP_POLLS = 0.05, 60
SAME_THREAD_REACH = 20_000  # rows looked at by o/O in a file-backed pane


@dataclass
class Options:
    zone: tzinfo | None = None  # of naive timestamps in the files
    display_zone: tzinfo | None = None  # of every time shown (None: this host's zone)
    budget: float = DEFAULT_LIMIT
    poll: float | None = None  # seconds between stat checks instead of change notices
    live: bool = True  # False: a finished run; starts without completion are unfinished
    clock: Callable[[], datetime] | None = None  # frozen time for snapshot tests
    # Process-wide tuning once the first screen is out (the command line's; never tests')
    on_first_frame: Callable[[], None] | None = None


class BatchArrived(Message):
    def __init__(self, batch: Batch) -> None:
        super().__init__()
        self.batch = batch


class HistoryIndexed(Message):
    def __init__(self, pending: PendingHistory, index: LineIndex) -> None:
        super().__init__()
        self.pending = pending
        self.index = index


class VivtuiApp(App[None]):
    TITLE = "vivtui"
    CSS = """
    Screen { layout: vertical; }
    TabbedContent { height: 1fr; }
    TabPane { padding: 0; }
    #status { height: 1; background: $panel; }
    """
    BINDINGS = [
        Binding("1", "pane('actions')", "Actions", show=False),
        Binding("2", "pane('sessions')", "Sessions", show=False),
        Binding("3", "pane('queue')", "Queue", show=False),
        Binding("4", "pane('budget')", "Budget", show=False),
        Binding("5", "pane('kernel')", "Kernel", show=False),
        Binding("6", "pane('timeline')", "Timeline", show=False),
        Binding("enter", "inspect", "Inspect"),
        Binding("slash", "search", "Search"),
        Binding("n", "next_match(1)", "Next match", show=False),
        Binding("N", "next_match(-1)", "Previous match", show=False),
        Binding("ampersand", "add_filter", "Filter"),
        Binding("ctrl+f", "toggle_filters", "Filters on/off", show=False),
        Binding("escape", "clear_filters", "Clear", show=False),
        Binding("t", "pick_type", "Type", show=False),
        Binding("L", "cycle_severity", "Min severity", show=False),
        Binding("e", "jump('failure', 1)", "Next failure"),
        Binding("E", "jump('failure', -1)", "Prev failure", show=False),
        Binding("w", "jump('warning', 1)", "Next warning", show=False),
        Binding("W", "jump('warning', -1)", "Prev warning", show=False),
        Binding("o", "same_thread(1)", "Next of same session/task", show=False),
        Binding("O", "same_thread(-1)", "Prev of same session/task", show=False),
        Binding("r", "related", "Related", show=False),
        Binding("c", "copy", "Copy", show=False),
        Binding("ctrl+s", "export", "Save view", show=False),
        Binding("H", "toggle_foreign", "Hide foreign paths", show=False),
        Binding("tab", "cycle(1)", "Next pane", priority=True),
        Binding("shift+tab", "cycle(-1)", "Prev pane", show=False, priority=True),
        Binding("z", "zoom", "Zoom"),
        Binding("question_mark", "help", "Keys"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, layout: RunLayout, options: Options | None = None,
                 start_workers: bool = True) -> None:
        super().__init__()
        # A monitor repaints what changed, nothing more: the tab underline's
        # slide was 0.3 s of frames after each switch (and bytes over SSH).
        self.animation_level = "none"
        self.layout_ = layout
        self.options = options or Options()
        self.store = RunStore(self.options.budget)
        self.start_workers = start_workers
        self.panes: dict[str, Pane] = {}  # made in compose
        self.tailing = Tailing(layout.feeds, layout.directories, self._post_batch,
                               self.report_failure, poll=self.options.poll,
                               on_change=self._changed)
        self._stop = self.tailing.stopped
        self.events_seen: list[str] = []
        self._mounted = False  # batches before the panes exist only go to the store
        self.file_view: FileView | None = None  # the action log, read on demand
        self.history_progress: float | None = None  # indexing the view's history
        self._dirty: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drawn_at: dict[str, float] = {}
        self._draw_timer = None
        self._pacer = Pacer()

    # -- layout -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        zone, live = self.options.display_zone, self.options.live
        self.panes = {
            "actions": StreamPane("actions", "Actions", render.action_row, zone=zone, live=live),
            "sessions": SessionsPane(zone=zone, live=live),
            "queue": QueuePane(zone=zone, live=live),
            "budget": BudgetPane(zone=zone, live=live),
            "kernel": StreamPane("kernel", "Kernel", render.kernel_row, zone=zone, live=live),
            "timeline": TimelinePane(zone=zone, live=live),
        }
        with PaneTabs(id="panes", initial="actions"):
            for number, (name, pane) in enumerate(self.panes.items(), 1):
                with TabPane(f"{number} {pane.title}", id=name):
                    # The hidden panes after the first frame: styling and laying
                    # them out first put ~40 ms before the newest rows showed.
                    yield pane if name == "actions" else Lazy(pane)
        yield Prompt()
        yield TextLine(id="status")
        yield Footer()

    def _main(self, selector, expect_type=None):
        """A widget of the main screen, whatever screen is in front of it (the
        refresh timer and live batches keep running under the inspector)."""
        if not self.screen_stack:
            raise NoMatches("the app has no screen (exiting)")
        screen = self.screen_stack[0]
        return screen.query_one(selector, expect_type) if expect_type else screen.query_one(selector)

    def on_mount(self) -> None:
        self.title = "vivtui"
        self.sub_title = render.safe(self.layout_.root, 200)
        self._mounted = True
        self._loop = asyncio.get_running_loop()
        self._app_context = contextvars.copy_context()  # active app, for _live_change
        if self.start_workers:
            self._open_file_view()
        self.refresh_panes()
        self.set_interval(REFRESH_S, self._refresh_tick)
        self.focus_pane("actions")
        if self.start_workers:
            # After the first screen is out: parsing the backlog competes for the GIL.
            self.call_after_refresh(self._start_tailing)
            self.set_interval(self.options.poll or IDLE_RECHECK_S, self._poll_view)
            # Lines written before the watcher is armed (tens of ms after start)
            # would wait for the idle recheck: look often for the first seconds.
            self.set_interval(STARTUP_POLL_S, self._poll_view, repeat=STARTUP_POLLS)

    def now(self) -> datetime:
        return self.options.clock() if self.options.clock else datetime.now(timezone.utc)

    # -- workers ----------------------------------------------------------------

    def run_in_background(self, work: Callable[[], None], name: str) -> None:
        """Work in a thread of its own. A failure is said on screen: a worker
        that dies quietly leaves a monitor that lies (a file no longer
        followed, a scan stuck at some percent)."""
        def guarded() -> None:
            try:
                work()
            except Exception as exc:  # noqa: BLE001 - reported to the user
                self.report_failure(name, exc)

        self.run_worker(guarded, thread=True, exit_on_error=False, name=name)

    def report_failure(self, what: str, exc: Exception) -> None:
        """From a worker thread: an error the user must know about."""
        message = f"{what} failed: {type(exc).__name__}: {exc}"
        try:
            self.call_from_thread(self.notify, render.safe(message, 300), severity="error",
                                  markup=False, timeout=10)
        except RuntimeError:
            pass  # the app is gone: nobody left to tell

    def _start_tailing(self) -> None:
        if self.options.on_first_frame is not None:
            self.options.on_first_frame()
        self.tailing.start()

    def _changed(self, names: set[str]) -> None:
        """From the watcher's thread: the action log's view looks at once."""
        view = self.file_view
        if (view is None or not names or names & view.names) and self._loop is not None:
            # Straight onto the event loop rather than into the app's message
            # queue: a new line goes ahead of backlog batches waiting there.
            self._loop.call_soon_threadsafe(self._live_change, context=self._app_context.copy())

    def _post_batch(self, batch: Batch) -> None:
        self.post_message(BatchArrived(batch))

    def on_unmount(self) -> None:
        self._mounted = False
        self.tailing.stop()
        if self.file_view is not None:
            self.file_view.close()

    # -- the action log, read on demand -----------------------------------------

    def _open_file_view(self) -> None:
        """The action log's pane reads the file itself: the newest screen at
        once, whatever the file's size; the store still parses every line for
        the counts and the models, in its worker."""
        feed = self._actions_feed
        if self.file_view is not None or feed is None:
            return
        choice = feed.current_choice()
        if choice is None or choice[0] is not ACTION_JSONL:
            return
        self.file_view = FileView(choice[1])
        self.file_view.poll()
        if self.file_view.pending is not None:
            self.history_progress = 0.0  # said from the first frame: indexed after it
        pane = self._pane("actions")
        assert isinstance(pane, StreamPane)
        pane.file_rows = FileRows(self.file_view,
                                  LineParser(ACTION_JSONL, ParseContext(self.options.zone)))
        # After the first frame: the scan holds the GIL in long C calls.
        self.call_after_refresh(self._index_history)

    @property
    def _actions_feed(self) -> Feed | None:
        return next((feed for feed in self.layout_.feeds if feed.kind == "actions"), None)

    def _index_history(self) -> None:
        view = self.file_view
        pending = view.pending if view is not None else None
        if pending is None:
            self.history_progress = None
            return
        fd = os.dup(pending.segment.fd)
        self.history_progress = 0.0

        def run() -> None:
            def progress(offset: int) -> None:
                self.history_progress = offset / pending.stop

            try:
                index = scan(fd, 0, pending.stop, progress=progress, cancel=self._stop)
            finally:
                os.close(fd)
            self.post_message(HistoryIndexed(pending, index))

        self.run_in_background(run, "indexing the action log")

    def on_history_indexed(self, message: HistoryIndexed) -> None:
        if self.file_view is not None and not self._stop.is_set():
            self.file_view.attach_history(message.pending, message.index)
        self._index_history()  # the file may have been truncated meanwhile
        self._draw_soon(("actions",))

    def _live_change(self) -> None:
        """The action log changed (called on the event loop by the watcher)."""
        if not self._mounted:
            return
        self.tailing.line_arrived()
        self._poll_view()
        self.call_after_refresh(self.tailing.line_drawn)

    def _poll_view(self) -> None:
        if self.file_view is None:
            self._open_file_view()
            if self.file_view is None:
                return
        view = self.file_view
        version = view.version
        more = view.poll()
        if view.pending is not None and self.history_progress is None:
            self._index_history()  # truncated and written again: a new history
        if view.version != version:
            self._draw_soon(("actions",))
        if more:
            self.call_later(self._poll_view)

    # -- data in ------------------------------------------------------------------

    def on_batch_arrived(self, message: BatchArrived) -> None:
        try:
            self.apply_batch(message.batch)
        finally:
            self.tailing.applied(message.batch.kind)

    def apply_batch(self, batch: Batch) -> None:
        self.store.apply_batch(batch)
        for event in batch.events:
            self.events_seen.append(event)
            self.notify(render.safe(event, 200), title="file", markup=False, timeout=4)
        if batch.kind == "actions" and self.file_view is not None:
            # The pane's rows come from the file view, which paces its own
            # draws; the store's batches (a backlog above all) only change the
            # head's counts: drawn with the next frame, and not taken for a
            # stream (that held a new line back for a whole pacing interval).
            self._dirty.add("actions")
        elif batch.kind in ("actions", "kernel"):
            self._draw_soon((batch.kind,))

    def load_all(self) -> None:
        """Tests and screenshots: every file read to its end at once, no workers."""
        for feed in self.layout_.feeds:
            read_to_end(feed, self.apply_batch)
        self.refresh_panes()

    def apply_records(self, kind: str, records: Iterable) -> None:
        """Tests and screenshots: feed records as a worker would."""
        self.apply_batch(Batch(kind, list(records)))
        self.refresh_panes()

    # -- drawing ------------------------------------------------------------------

    def _pane(self, name: str) -> Pane:
        return self.panes[name]

    def refresh_panes(self) -> None:
        self._dirty.clear()
        self._draw(PANES)

    def _refresh_tick(self) -> None:
        """Everything, once a second (elapsed times, models fed by batches);
        not a pane a live stream drew just now: a frame costs ~25 ms."""
        recent = monotonic() - REFRESH_S / 2
        names = [name for name in PANES if self._drawn_at.get(name, 0.0) < recent]
        self._dirty.difference_update(names)
        self._draw(names)

    def _draw_soon(self, names: Iterable[str]) -> None:
        """New rows for these panes: drawn when the pacer says (see ``pacing``)."""
        self._dirty.update(names)
        self._draw_after(self._pacer.arrived())

    def _draw_after(self, wait: float) -> None:
        if not wait:
            names, self._dirty = self._dirty, set()
            self._draw(names)
        elif self._draw_timer is None:
            self._draw_timer = self.set_timer(wait, self._draw_when_due)

    def _draw_when_due(self) -> None:
        self._draw_timer = None
        if self._dirty:
            self._draw_after(self._pacer.due())

    def _draw(self, names: Iterable[str]) -> None:
        if not self._mounted:
            return
        now = self.now()
        self._pacer.drawn()
        try:
            self._pane("actions").file_progress = self._file_progress()
            for name in names:
                self._pane(name).update_from(self.store, now)
                self._drawn_at[name] = monotonic()
            self.refresh_status()
        except NoMatches:
            # The refresh timer can fire while the widgets are being removed at
            # exit, before on_unmount: nothing is left to draw.
            self._mounted = False

    def _file_progress(self) -> Text:
        out = Text("")
        if self.history_progress is not None:
            out.append(f"  indexing history {self.history_progress:.0%}", "bold")
        feed = self._actions_feed
        progress = (feed.backlog_progress()
                    if feed is not None and self.file_view is not None else None)
        if progress is not None:
            out.append(f"  counting {progress:.0%}", "dim")
        return out

    def refresh_status(self) -> None:
        self._main("#status", TextLine).update(self.status_text())

    def status_text(self) -> Text:
        statuses = self.layout_.statuses()
        present = sum(1 for s in statuses if s.state in ("ok", "empty") and s.used)
        waiting = [s for s in statuses if s.state == "missing" and s.used]
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        out.append(" files ", "bold")
        out.append(f"{present}/{len([s for s in statuses if s.used])}")
        if waiting:
            out.append(f" ({len(waiting)} waiting)", "dim")
        bad = [s for s in statuses if s.state == "unreadable"]
        if bad:
            out.append(f" {len(bad)} unreadable", "bold red")
        store = self.store
        out.append("  ✗ ", "red")
        out.append(f"{store.errors}", "bold red" if store.errors else "")
        out.append("  ⚠ ", "dark_orange")
        out.append(f"{store.warnings}")
        if store.malformed_count:
            out.append(f"  malformed {store.malformed_count}", "red")
        budget = store.budget
        out.append("  $ ", "yellow")
        out.append(f"{render.money(budget.cost)}/{render.money(budget.limit)} "
                   f"{budget.fraction_used:.0%}",
                   "bold red" if budget.fraction_used >= 1 or budget.budget_exceeded
                   else "dark_orange" if budget.fraction_used >= 0.8 else "")
        pane = self.current_pane()
        if pane is not None and pane.view.follow_allowed:
            out.append("  ")
            out.append_text(pane.follow_text())
        return out

    # -- actions ------------------------------------------------------------------

    def current_pane(self) -> Pane | None:
        active = self._main(TabbedContent).active
        return self._pane(active) if active else None

    def focus_pane(self, name: str) -> None:
        self._main(TabbedContent).active = name
        pane = self._pane(name)
        self._pane("timeline").wanted = name == "timeline"
        # Drawn now from what the store holds: a hidden pane is otherwise drawn
        # once a second, and showed zero counts for up to that long.
        self._draw((name,))
        if not pane.view.is_mounted:  # a hidden pane in the first frames: once it is
            self.call_after_refresh(self._focus_when_mounted, name)
        else:
            # At once when it can be (Widget.focus defers, so keys typed right
            # after the switch went to the pane left behind).
            self.screen_stack[0].set_focus(pane.view)
            if self.focused is not pane.view:
                pane.view.focus()

    def _focus_when_mounted(self, name: str) -> None:
        if self._main(TabbedContent).active == name:  # not switched away meanwhile
            self.focus_pane(name)

    def refocus_pane(self) -> None:
        pane = self.current_pane()
        if pane is not None and pane.view.is_mounted:
            pane.view.focus()

    def action_pane(self, name: str) -> None:
        self.focus_pane(name)

    def action_cycle(self, step: int) -> None:
        active = self._main(TabbedContent).active or PANES[0]
        self.focus_pane(PANES[(PANES.index(active) + step) % len(PANES)])

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane_id = event.pane.id
        # Delivered after the keys that follow a switch: a prompt opened meanwhile
        # keeps its focus, and a tab switched away from since is not brought back.
        if (pane_id in PANES and pane_id == self._main(TabbedContent).active
                and not isinstance(self.focused, Prompt)):
            self.focus_pane(pane_id)

    def action_zoom(self) -> None:
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        else:
            pane = self.current_pane()
            if pane is not None:
                screen.maximize(pane, container=False)
                pane.view.focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        self._draw(())  # the status line's follow state; may arrive during exit

    # -- triage ---------------------------------------------------------------------

    # Keys that act on the panes: not while the inspector, related events, help
    # or a picker is in front of them (and so not in those screens' footers).
    PANE_ACTIONS = frozenset({
        "pane", "cycle", "zoom", "inspect", "search", "next_match", "add_filter",
        "toggle_filters", "clear_filters", "pick_type", "cycle_severity", "jump",
        "same_thread", "related", "copy", "export", "toggle_foreign"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.PANE_ACTIONS and len(self.screen_stack) > 1:
            return False
        return True

    def _selected(self) -> tuple[Pane, Any] | None:
        pane = self.current_pane()
        if pane is None or pane.view.selected is None:
            return None
        return pane, pane.view.selected

    def _prompt(self) -> Prompt:
        return self._main(Prompt)

    async def _on_key(self, event: events.Key) -> None:
        # Keys reach the widget focused when they arrive and come back here for
        # the bindings. Typed straight after `/` or `&`, they were sent to the pane
        # before the prompt opened: they belong to the prompt.
        # (Textual also runs App._on_key after this one unless the default is prevented.)
        prompt = self._prompt()
        if prompt.display and self.focused is prompt and self.screen is self.screen_stack[0]:
            event.stop()
            event.prevent_default()
            await prompt.type_key(event)

    def action_search(self) -> None:
        pane = self.current_pane()
        if pane is not None:
            self._prompt().ask("search (regex; plain text if it does not compile)",
                               self._searched, pane.search.text if pane.search else "")

    def _searched(self, text: str) -> None:
        pane = self.current_pane()
        if pane is None:
            return
        pane.set_search(text)
        if pane.search is not None:
            self.notify(f"{pane.hits} matches", markup=False, timeout=2)

    def action_next_match(self, step: int) -> None:
        pane = self.current_pane()
        if pane is not None and pane.search is not None and not pane.next_match(step):
            self.notify("no match", markup=False, timeout=2)

    def action_add_filter(self) -> None:
        self._prompt().ask("filter in (regex), or !regex to filter out", self._filtered)

    def _filtered(self, text: str) -> None:
        pane = self.current_pane()
        if pane is not None and text.strip("!"):
            pane.add_filter(text)

    def action_toggle_filters(self) -> None:
        pane = self.current_pane()
        if pane is not None and pane.filters.describe():
            pane.filters.enabled = not pane.filters.enabled
            pane.filters_changed()

    def action_clear_filters(self) -> None:
        if self.screen.maximized is not None:
            self.screen.minimize()
            return
        pane = self.current_pane()
        if pane is not None:
            pane.clear_filters()

    def action_cycle_severity(self) -> None:
        pane = self.current_pane()
        if pane is not None:
            pane.filters.min_severity = next_severity(pane.filters.min_severity)
            pane.filters_changed()

    def action_pick_type(self) -> None:
        pane = self.current_pane()
        if pane is None:
            return
        name = self._main(TabbedContent).active or ""

        def chosen(choice: str | None) -> None:
            if choice is None:
                return
            pane.filters.categories = None if choice == PickerScreen.ALL else frozenset({choice})
            pane.filters_changed()

        self.push_screen(PickerScreen(f"show only one {PICKER_TITLES.get(name, 'type')}",
                                      pane.categories(self.store)), chosen)

    def action_toggle_foreign(self) -> None:
        root = str(self.layout_.root if not self.layout_.single_file else self.layout_.root.parent)
        hide = self._pane(PANES[0]).filters.hide_foreign_under is None
        for name in PANES:
            pane = self._pane(name)
            pane.filters.hide_foreign_under = root if hide else None
            pane.filters_changed()
        self.notify("hiding lines with paths outside the run directory" if hide
                    else "showing every line", markup=False, timeout=3)

    def action_inspect(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        record = selected[0].record_of(selected[1])
        if record is not None:
            self.inspect(record)

    def inspect(self, record: Record) -> None:
        self.push_screen(InspectorScreen(record, self.store.source_of(record),
                                         self.options.display_zone, self.show_related))

    def action_related(self) -> None:
        selected = self._selected()
        if selected is not None:
            record = selected[0].record_of(selected[1])
            if record is not None:
                self.show_related(record)

    def show_related(self, record: Record) -> None:
        everything = [r for buffer in self.store.buffers.values() for r in buffer]
        self.push_screen(RelatedScreen(record, related_records(record, everything),
                                       self.options.display_zone, self.inspect))

    def action_same_thread(self, step: int) -> None:
        selected = self._selected()
        if selected is None:
            return
        pane, item = selected
        record = pane.record_of(item)
        keys = relation_keys(record) if record is not None else set()
        if not keys:
            self.notify("this row has no session, task or identity", markup=False, timeout=2)
            return
        rows, start = pane.view.rows, pane.view.cursor
        # A file-backed pane is searched this far, not through millions of rows.
        reach = min(len(rows), SAME_THREAD_REACH) if pane.file_backed else len(rows)
        for distance in range(1, reach):
            index = start + step * distance
            if not 0 <= index < len(rows):
                break
            other = pane.record_of(rows[index])
            if other is not None and not keys.isdisjoint(relation_keys(other)):
                pane.view.select(index)
                return
        nearby = f" in the {reach:,} rows nearest" if reach < len(rows) else " here"
        self.notify(f"no more rows of the same session or task{nearby}", markup=False,
                    timeout=2)

    def action_jump(self, level: str, step: int) -> None:
        """e/E, w/W: the next failure (warning) of the run in time order, any pane."""
        timeline = self._pane("timeline")
        if not timeline.wanted:  # its malformed lines count too: bring it up to date
            timeline.wanted = True
            timeline.update_from(self.store, self.now())
            timeline.wanted = self._main(TabbedContent).active == "timeline"
        # A file-backed pane (the action log) may hold millions of rows: its
        # problems are found in the timeline (the store's newest records of
        # every file) and shown where they are in the file.
        backed = {name for name in PANES if self._pane(name).file_backed}
        candidates = []
        for rank, name in enumerate(PANES):
            pane = self._pane(name)
            if name in backed:
                continue
            for index, item in enumerate(pane.view.rows):
                record = pane.record_of(item)
                if pane.problem_level(item) == level and (
                        name != "timeline" or _only_in_timeline(record)
                        or (record is not None and record.kind in backed)):
                    candidates.append((sort_time(pane.time_of(item)), rank, index))
        if not candidates:
            self.notify(f"no {level}s", markup=False, timeout=2)
            return
        here = self._position()
        current = _identity(self._selected_record())
        # The row the cursor is on is not its own next failure (it may be listed
        # twice: in a file-backed pane and in the timeline).
        candidates = sorted(c for c in candidates
                            if _identity(self._record_at(PANES[c[1]], c[2])) != current)
        if not candidates:
            self.notify(f"no other {level}s", markup=False, timeout=2)
            return
        if step > 0:
            after = [c for c in candidates if c > here]
            target = after[0] if after else candidates[0]
        else:
            before = [c for c in candidates if c < here]
            target = before[-1] if before else candidates[-1]
        _, rank, index = target
        name = PANES[rank]
        record = self._pane(name).record_of(self._pane(name).view.rows[index])
        if record is not None and record.kind in backed:
            position = self._pane(record.kind).position_of_record(record)
            if position is not None:
                name, index = record.kind, position
        self.focus_pane(name)
        self._pane(name).view.select(index)

    def _record_at(self, name: str, index: int) -> Record | None:
        pane = self._pane(name)
        return pane.record_of(pane.view.rows[index])

    def _selected_record(self) -> Record | None:
        selected = self._selected()
        return selected[0].record_of(selected[1]) if selected is not None else None

    def _position(self) -> tuple:
        active = self._main(TabbedContent).active or PANES[0]
        pane = self._pane(active)
        item = pane.view.selected
        if item is None:
            return (sort_time(None), -1, -1)
        if pane.file_backed:
            # Its failures are ranked where the timeline has them: say where
            # this row is there, so that equal times keep file order.
            timeline = self._pane("timeline")
            wanted = _identity(pane.record_of(item))
            for index, row in enumerate(timeline.view.rows):
                if _identity(timeline.record_of(row)) == wanted:
                    return (sort_time(pane.time_of(item)), PANES.index("timeline"), index)
        return (sort_time(pane.time_of(item)), PANES.index(active), pane.view.cursor)

    def action_copy(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        record = selected[0].record_of(selected[1])
        if record is not None:
            data = record.line_text
            self.copy_to_clipboard(data)
            self.notify(f"copied {len(data):,} characters", markup=False, timeout=2)

    def action_export(self) -> None:
        self._prompt().ask("save the rows shown as JSONL to (path)", self._export)

    def _export(self, answer: str) -> None:
        pane = self.current_pane()
        if pane is None or not answer.strip():
            return
        try:
            if isinstance(pane.view.rows, (FileRows, RowScan)):
                self._export_file_rows(pane, export_target(answer.strip(), self.layout_))
                return
            count, path = export_rows(pane, answer.strip(), self.layout_)
        except ExportError as exc:
            self.notify(render.safe(str(exc), 300), severity="error", markup=False)
            return
        self.notify(f"saved {count:,} rows to {render.safe(path, 200)}", markup=False)

    def _export_file_rows(self, pane: Pane, path) -> None:
        """A whole file's rows (millions, maybe) are saved by a worker."""
        rows = pane.view.rows
        file_rows = rows.rows if isinstance(rows, RowScan) else rows
        wanted = ({rows.row_at(i) for i in range(len(rows))} if isinstance(rows, RowScan)
                  else None)
        total = len(rows)
        snapshot = file_rows.view.snapshot()
        source = self.store.sources.get("actions", file_rows.view.path.name)
        self.notify(f"saving {total:,} rows to {render.safe(path, 200)}…", markup=False)

        def run() -> None:
            try:
                found = read_records(snapshot, file_rows.parser, 0, len(file_rows))
                chosen = ((record, source) for row, record in found
                          if wanted is None or row in wanted)
                count = write_records(path, chosen)
                done, severity = f"saved {count:,} rows to {render.safe(path, 200)}", "information"
            except ExportError as exc:
                done, severity = render.safe(str(exc), 300), "error"
            finally:
                close_snapshot(snapshot)
            self.call_from_thread(self.notify, done, severity=severity, markup=False)

        self.run_in_background(run, f"saving {render.safe(path, 200)}")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for index, name in enumerate(PANES, 1):
            yield SystemCommand(f"Show {name} pane", f"Switch to the {name} pane (key {index})",
                                lambda name=name: self.focus_pane(name))
        yield SystemCommand("Zoom pane", "Give the current pane the whole screen (z)",
                            self.action_zoom)
        yield SystemCommand("Follow newest rows", "Jump to the newest row and follow (G)",
                            lambda: self.current_pane() and self.current_pane().view.action_bottom())
        yield SystemCommand("Keys", "Show every key (?)", self.action_help)
        for title, help_text, action in (
            ("Search", "Search this pane (/)", self.action_search),
            ("Add filter", "Filter this pane in, or out with ! (&)", self.action_add_filter),
            ("Filters on/off", "Switch this pane's filters (ctrl+f)", self.action_toggle_filters),
            ("Clear filters", "Drop this pane's search and filters (esc)", self.action_clear_filters),
            ("Pick type", "Show only one type, status or event (t)", self.action_pick_type),
            ("Minimum severity", "Everything, warnings and worse, errors (L)",
             self.action_cycle_severity),
            ("Next failure", "Across all panes in time order (e)", lambda: self.action_jump("failure", 1)),
            ("Next warning", "Across all panes in time order (w)", lambda: self.action_jump("warning", 1)),
            ("Inspect", "The selected record in full (enter)", self.action_inspect),
            ("Related events", "Same session, task or identity in every file (r)",
             self.action_related),
            ("Copy record", "Copy the selected record (c)", self.action_copy),
            ("Save view", "Save the rows shown as JSONL (ctrl+s)", self.action_export),
            ("Hide foreign paths", "Lines naming paths outside the run directory (H)",
             self.action_toggle_foreign),
        ):
            yield SystemCommand(title, help_text, action)


def _identity(record: Record | None) -> tuple | None:
    return (record.kind, record.line, record.offset) if record is not None else None


def _only_in_timeline(record: Record | None) -> bool:
    """The timeline repeats the other panes, except for the malformed lines of
    files whose pane lists models (sessions, tasks) rather than lines."""
    return record is not None and record.malformed and record.kind not in ("actions", "kernel")
