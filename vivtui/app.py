"""The live monitor: wiring of feeds, tailing workers, store and panes."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Callable, Iterable

from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from vivtui.feeds import Batch, Feed, RunLayout
from vivtui.sources.watcher import watch_directories
from vivtui.store.budget import DEFAULT_LIMIT
from vivtui.store.run import RunStore
from vivtui.ui import render
from vivtui.ui.help import HelpScreen
from vivtui.ui.panes import BudgetPane, Pane, QueuePane, SessionsPane, StreamPane
from vivtui.ui.rowview import RowView

PANES = ("actions", "sessions", "queue", "budget", "kernel")
IDLE_RECHECK_S = 1.0  # a look at every file even without a change notice


@dataclass
class Options:
    zone: tzinfo | None = None
    budget: float = DEFAULT_LIMIT
    poll: float | None = None  # seconds between stat checks instead of change notices
    live: bool = True  # False: a finished run; starts without completion are unfinished
    clock: Callable[[], datetime] | None = None  # frozen time for snapshot tests


class BatchArrived(Message):
    def __init__(self, batch: Batch) -> None:
        super().__init__()
        self.batch = batch


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
        Binding("tab", "cycle(1)", "Next pane", priority=True),
        Binding("shift+tab", "cycle(-1)", "Prev pane", show=False, priority=True),
        Binding("z", "zoom", "Zoom"),
        Binding("question_mark", "help", "Keys"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, layout: RunLayout, options: Options | None = None,
                 start_workers: bool = True) -> None:
        super().__init__()
        self.layout_ = layout
        self.options = options or Options()
        self.store = RunStore(self.options.budget)
        self.start_workers = start_workers
        self._stop = threading.Event()
        self._wakeups: dict[Feed, threading.Event] = {f: threading.Event() for f in layout.feeds}
        self.events_seen: list[str] = []

    # -- layout -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        zone, live = self.options.zone, self.options.live
        with TabbedContent(id="panes", initial="actions"):
            with TabPane("1 Actions", id="actions"):
                yield StreamPane("actions", "Actions", render.action_row, zone=zone, live=live)
            with TabPane("2 Sessions", id="sessions"):
                yield SessionsPane(zone=zone, live=live)
            with TabPane("3 Queue", id="queue"):
                yield QueuePane(zone=zone, live=live)
            with TabPane("4 Budget", id="budget"):
                yield BudgetPane(zone=zone, live=live)
            with TabPane("5 Kernel", id="kernel"):
                yield StreamPane("kernel", "Kernel", render.kernel_row, zone=zone, live=live)
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "vivtui"
        self.sub_title = render.safe(self.layout_.root, 200)
        self.refresh_panes()
        self.set_interval(0.5, self.refresh_panes)
        self.focus_pane("actions")
        if self.start_workers:
            self._start_workers()

    def now(self) -> datetime:
        return self.options.clock() if self.options.clock else datetime.now(timezone.utc)

    # -- workers ----------------------------------------------------------------

    def _start_workers(self) -> None:
        for feed in self.layout_.feeds:
            self.run_worker(lambda feed=feed: self._tail(feed), thread=True,
                            exit_on_error=False, group="tail", name=f"tail {feed.kind}")
        if self.options.poll is None:
            self.run_worker(self._watch, thread=True, exit_on_error=False, group="watch")

    def _watch(self) -> None:
        watch_directories(self.layout_.directories, self._changed, self._stop)

    def _changed(self, names: set[str]) -> None:
        for feed, wakeup in self._wakeups.items():
            if not names or names & feed.names or any(n.startswith(tuple(feed.names))
                                                      for n in names):
                wakeup.set()

    def _tail(self, feed: Feed) -> None:
        """One file's worker: read, parse, post one message per batch."""
        wakeup = self._wakeups[feed]
        wait = self.options.poll or IDLE_RECHECK_S
        while not self._stop.is_set():
            wakeup.clear()
            while True:
                batch = feed.poll()
                if batch.records or batch.events or batch.reset:
                    self.post_message(BatchArrived(batch))
                if not batch.more or self._stop.is_set():
                    break
            wakeup.wait(wait)
        feed.close()

    def on_unmount(self) -> None:
        self._stop.set()
        for wakeup in self._wakeups.values():
            wakeup.set()

    # -- data in ------------------------------------------------------------------

    def on_batch_arrived(self, message: BatchArrived) -> None:
        self.apply_batch(message.batch)

    def apply_batch(self, batch: Batch) -> None:
        self.store.apply(batch.kind, batch.records, batch.reset, batch.source)
        for event in batch.events:
            self.events_seen.append(event)
            self.notify(render.safe(event, 200), title="file", markup=False, timeout=4)
        if batch.kind in ("actions", "kernel"):
            self._pane(batch.kind).update_from(self.store, self.now())
            self.refresh_status()

    def apply_records(self, kind: str, records: Iterable) -> None:
        """Tests and screenshots: feed records as a worker would."""
        self.apply_batch(Batch(kind, list(records)))
        self.refresh_panes()

    # -- drawing ------------------------------------------------------------------

    def _pane(self, name: str) -> Pane:
        return self.query_one(f"#{name} Pane", Pane)

    def refresh_panes(self) -> None:
        now = self.now()
        for name in PANES:
            self._pane(name).update_from(self.store, now)
        self.refresh_status()

    def refresh_status(self) -> None:
        self.query_one("#status", Static).update(self.status_text())

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
        active = self.query_one(TabbedContent).active
        return self._pane(active) if active else None

    def focus_pane(self, name: str) -> None:
        self.query_one(TabbedContent).active = name
        self._pane(name).view.focus()
        self.refresh_status()

    def action_pane(self, name: str) -> None:
        self.focus_pane(name)

    def action_cycle(self, step: int) -> None:
        active = self.query_one(TabbedContent).active or PANES[0]
        self.focus_pane(PANES[(PANES.index(active) + step) % len(PANES)])

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane_id = event.pane.id
        if pane_id in PANES:
            self._pane(pane_id).view.focus()
            self.refresh_status()

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
        self.refresh_status()

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
