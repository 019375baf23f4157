"""The live monitor: options, the store, the tail loops, and the main screen.

Batches from the tail loops (``ingest.tailing``) are applied to the store here,
on the UI thread, one message each; the main screen draws the panes from it.
Background work that fails is said in the status line until the app ends.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from copy import copy
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import partial
from pathlib import Path
from time import monotonic

from textual import events
from textual.app import App, SystemCommand
from textual.screen import Screen

from vivtui.alerts.alert import Alert, AlertSettings
from vivtui.alerts.deliver import AlertCommand, Ringer
from vivtui.alerts.rules import AlertEngine
from vivtui.ingest.apart import ReadApart, absorbed
from vivtui.ingest.batch import Batch
from vivtui.ingest.early_backlogs import EarlyBacklogs
from vivtui.ingest.early_previews import EarlyPreviews
from vivtui.ingest.feeds import PREVIEWED_KINDS, read_to_end
from vivtui.ingest.intake import Intake
from vivtui.ingest.layout import POLL_UNLISTABLE_S, RunLayout, read_back_from
from vivtui.ingest.split_read import usable_cores
from vivtui.ingest.tailing import IDLE_RECHECK_S, Tailing
from vivtui.sources import elsewhere
from vivtui.store.activity import RunActivity
from vivtui.store.run import RunStore
from vivtui.ui import keys, render
from vivtui.ui.crash_report import PlainCrashReport
from vivtui.ui.frugal_driver import driver_class
from vivtui.ui.help import HelpScreen
from vivtui.ui.keys_first import KeysFirst
from vivtui.ui.main_screen import MainScreen
from vivtui.ui.panes.base import Pane
from vivtui.ui.panes.registry import PANES
from vivtui.ui.prominence import KeepProminence
from vivtui.ui.viewkeeper import ViewKeeper
from vivtui.ui.worker_failures import SaysWorkerFailures


@dataclass
class Options:
    zone: tzinfo | None = None  # of naive timestamps in the files
    display_zone: tzinfo | None = None  # of every time shown (None: this host's zone)
    budget: float | None = None  # one wrapper's limit (None: inferred, else the default)
    poll: float | None = None  # seconds between stat checks instead of change notices
    activity: RunActivity | None = None  # how the run's state is judged (store.activity)
    clock: Callable[[], datetime] | None = None  # frozen time for snapshot tests
    # Process-wide tuning once the first screen is out (the command line's; never tests')
    on_first_frame: Callable[[], None] | None = None
    # Once many objects were made that live as long as the run (a backlog read
    # apart joined the run's store; a big merge of the timeline taken in):
    # the command line freezes them out of the collector (``launch.tune_process``;
    # None in tests).
    on_long_lived: Callable[[], None] | None = None
    fps: float | None = None  # frames a second while the screen changes by itself (0: no cap)
    alerts: AlertSettings | None = None  # the rules' thresholds (None: the defaults)
    alert_bell: bool = False  # ring the terminal's bell for each alert while watched
    alert_notify: str | None = None  # a desktop notification for each: "osc9" / "osc777"
    alert_cmd: str | None = None  # run for each, the alert as JSON on its input
    view_state: Path | None = None  # where the view is kept across sessions (None: not kept)
    fresh: bool = False  # start with a clean view (it is kept from then on)
    # What is wrong with where the files come from (a stream's lost link); None: nothing
    source_note: Callable[[], str | None] = lambda: None
    # The newest lines of big files, read while the monitor started (the command line's)
    early_previews: EarlyPreviews | None = None
    # The processes reading big backlogs, started as the monitor started (the same)
    early_backlogs: EarlyBacklogs | None = None


ALERT_TICK_S = 1.0  # how often time-only rules (a stalled run) are looked at
SETTLE_MOST_S = 0.5  # the tail loops wait at most this long for a key's pane to be drawn
SETTLE_LOOK_S = 0.02  # meanwhile, how often it looks again


class VivtuiApp(PlainCrashReport, SaysWorkerFailures, KeysFirst, App[None]):
    TITLE = "vivtui"
    BINDINGS = keys.bindings(keys.APP)

    def __init__(self, layout: RunLayout | None, options: Options | None = None,
                 start_workers: bool = True) -> None:
        """``layout``: the run on screen (None: none yet, see ``fleetapp``)."""
        options = options or Options()
        super().__init__(driver_class=driver_class(options.fps))
        # A monitor repaints what changed, nothing more: the tab underline's
        # slide was 0.3 s of frames after each switch (and bytes over SSH).
        self.animation_level = "none"
        if self.no_color:
            # Ahead of Textual's own NO_COLOR filter (see ui/prominence.py).
            self._filters.insert(1, KeepProminence())
        self.options = options
        self.start_workers = start_workers
        self.events_seen: list[str] = []
        self.alert_command = (AlertCommand(self.options.alert_cmd, self._alert_command_failed)
                              if self.options.alert_cmd else None)
        # The bell looked up when rung: Textual's, or a test's.
        self.ringer = Ringer(self._to_terminal,
                             (lambda: self.bell()) if self.options.alert_bell else None,
                             self.options.alert_notify, self.alert_command)
        self._ui_loop: asyncio.AbstractEventLoop | None = None
        self._loop_context: contextvars.Context | None = None
        self.layout_: RunLayout | None = None
        self.main: MainScreen | None = None
        # Keys typed before the first screen is out, held for it (None: it is out).
        self._held_keys: list[events.Key] | None = []
        self._collector_held: ExitStack | None = None  # while a key is answered (``KeysFirst``)
        if layout is not None:
            self.attach(layout, AlertEngine(layout.root.name, self.options.alerts),
                        self.options.view_state)

    def attach(self, layout: RunLayout, alerts: AlertEngine, view_state: Path | None) -> None:
        """The parts that follow the run on screen: its store (rows and all), its
        tail loops, its kept view and its main screen. Batches of the loops of a
        run no longer on screen are let go (``origin``)."""
        self.layout_ = layout
        # A copy: a run opened again (``fleetapp``) starts its judgement afresh.
        self.store = RunStore(self.options.budget, clock=self.wall_now,
                              activity=copy(self.options.activity))
        read_back_from(layout, self.store, self.options.zone)
        poll = self.options.poll
        if not layout.listable and poll is None:
            poll = POLL_UNLISTABLE_S  # no change notices without a listing
        origin = object()
        self._origin = origin
        self.tailing = Tailing(layout.feeds, layout.directories,
                               partial(self._batch_arrived, origin=origin),
                               self.report_failure, poll=poll, on_change=self._changed,
                               previewed=PREVIEWED_KINDS,
                               apart=self._read_apart, apart_processes=usable_cores(),
                               preview_store=partial(self._preview_store, layout),
                               early=self.options.early_previews,
                               on_taken_over=self.options.on_long_lived,
                               early_backlogs=self.options.early_backlogs)
        # (The run's first look only.)
        self.options.early_previews = self.options.early_backlogs = None
        self._intake = Intake(partial(self._take_piece, origin), self.tailing.applied,
                              self._soon, schedule_later=self._later)
        self._key_answer_due = 0.0
        self._tailing_due_by = 0.0
        self.alerts = alerts
        self.keeper = ViewKeeper(view_state, self.options.fresh, self._say_view_problem)
        self.main = MainScreen(self.store, layout, zone=self.options.display_zone,
                               now=self.now, reading=self.tailing.reading_backlog,
                               alerts=self.alerts, keeper=self.keeper,
                               source_note=self.options.source_note,
                               preview_store=partial(self._preview_store, layout),
                               long_lived=self.options.on_long_lived)

    def _read_apart(self, kind: str) -> ReadApart:
        """Where a big file's backlog is taken in by its reading thread (``ingest.apart``)."""
        return ReadApart.afresh(kind, self.layout_, self.options.zone,
                                RunStore(self.options.budget, clock=self.wall_now,
                                         activity=copy(self.options.activity)),
                                AlertEngine(self.alerts.run, self.alerts.settings))

    def _absorb(self, reading: ReadApart) -> None:
        """A backlog taken in apart joins the run's store, and its alerts the list."""
        absorbed(reading, self.layout_, self.store, self.options.zone)
        self._alerted(self.alerts.absorb(reading.engine, {reading.kind}, self.store))
        if self.options.on_long_lived is not None:
            self.options.on_long_lived()
        self.main.records_arrived(reading.kind)
        self.main.draw_kind_now(reading.kind)

    def _preview_store(self, layout: RunLayout, made: RunStore | None = None) -> RunStore:
        """A store for the newest lines of big files (``ui.preview``), reading
        its rows back from the same files: a new one, or ``made`` by another
        process (``ingest.early_previews``)."""
        store = RunStore(self.options.budget) if made is None else made
        store.clock = self.wall_now
        read_back_from(layout, store, self.options.zone)
        return store

    def detach(self) -> None:
        """The run on screen is left: its view kept, its tail loops stopped."""
        if self.main.is_mounted:
            self.keeper.take(self.main.panes, self.main.active_name())
        self.keeper.close()  # (a run opened again reads what was kept)
        self.tailing.stop()
        self._origin = None

    def get_default_screen(self) -> Screen:
        return self.main

    def on_mount(self) -> None:
        elsewhere.use_helper()  # a long line's decoding holds no GIL the screen needs
        if self.layout_ is not None:
            self.sub_title = render.safe(self.layout_.root, 200)
        self._ui_loop = asyncio.get_running_loop()
        self._loop_context = contextvars.copy_context()  # the active app, for _live_change
        if self.layout_ is not None:
            self.follow_run()
        self.app_resume_signal.subscribe(self, self._resumed)
        if self.start_workers:
            # What only time tells (a stalled run): for a run being followed.
            self.set_interval(ALERT_TICK_S, self._time_tells)

    def _resumed(self, _app: App) -> None:
        """Back from ctrl+z (``fg``): the terminal shows the shell's screen, and
        Textual redraws only what changed meanwhile (the tabs and the footer
        stayed blank): all of it drawn again."""
        self.screen.refresh(layout=True, repaint=True)

    def follow_run(self) -> None:
        """The run on screen read and followed, once its first screen is out."""
        if self.keeper.problem:
            self._say_view_problem(self.keeper.problem)
        # Held keys go at Textual's Ready (``KeysFirst.on_ready``); here, if it never came.
        self.call_after_refresh(self._release_keys)
        if self.start_workers:
            self.main.follow_files(self.layout_.feeds, self.options.zone,
                                   self.tailing.poll or IDLE_RECHECK_S, self.tailing.keys_first)
            # (Read early for the pane shown first only, ``launch``: each taken
            # in here puts the first frame off, by 22-40 ms an audit log's.)
            for batch in self.tailing.early_previews():
                self.apply_batch(batch)
            # After the first screen is out: parsing the backlog competes for the GIL.
            self.tailing.due = True
            self._tailing_due_by = monotonic() + SETTLE_MOST_S
            self.call_after_refresh(self._start_tailing)

    async def action_quit(self) -> None:
        if self.layout_ is not None and self.main.is_mounted:
            self.keeper.take(self.main.panes, self.main.active_name())  # the last second's too
        self.exit()

    def _say_view_problem(self, message: str) -> None:
        self.notify(render.safe(message, 300), severity="warning", markup=False, timeout=6)

    def on_unmount(self) -> None:
        self._release_collector()
        if self.layout_ is not None:
            self.tailing.stop()
            self.keeper.close()
        self.ringer.close()
        elsewhere.stop()

    def wall_now(self) -> datetime:
        return self.options.clock() if self.options.clock else datetime.now(UTC)

    def now(self) -> datetime:
        """The run's clock (``RunStore.now``): what its times are judged by."""
        store = getattr(self, "store", None)
        return store.now() if store is not None else self.wall_now()

    # -- data in --------------------------------------------------------------------------

    def first_frame_out(self) -> None:
        """The process-wide tuning, once, after the first screen."""
        if self.options.on_first_frame is not None:
            self.options.on_first_frame()
            self.options.on_first_frame = None

    def _start_tailing(self) -> None:
        if self.main.settling and monotonic() < self._tailing_due_by:
            # A pane a key chose is on its way: the threads would share the GIL with its frame.
            self.set_timer(SETTLE_LOOK_S, self._start_tailing)
            return
        self.first_frame_out()
        self.tailing.start()

    def _changed(self, names: set[str]) -> None:
        """From the watcher's thread: the panes that read a changed file look at once."""
        if self.main is None:
            return
        panes = [pane for pane in self.main.stream_panes().values()
                 if pane.watched_names is None or not names or names & pane.watched_names]
        if panes and self._ui_loop is not None:
            # Straight onto the event loop rather than into the app's message
            # queue: a new line goes ahead of backlog batches waiting there.
            self._ui_loop.call_soon_threadsafe(partial(self._live_change, panes),
                                               context=self._loop_context.copy())

    def _live_change(self, panes) -> None:
        if not self.main.is_mounted:
            return
        self.tailing.line_arrived()
        for pane in panes:
            pane.poll_file()
        self.call_after_refresh(self.tailing.line_drawn)

    def _batch_arrived(self, batch: Batch, origin: object) -> None:
        """From a tail loop's thread. Taken in as a callback of its own on the
        event loop, not as a message: the app handles queued messages back to
        back, so keys and frames waited behind a backlog's batches (keys took
        190-290 ms while a 200k-task queue was read)."""
        try:
            self._ui_loop.call_soon_threadsafe(partial(self._take_batch, batch, origin),
                                               context=self._loop_context.copy())
        except RuntimeError:
            pass  # the app is gone (its loop closed): nobody left to show it to

    def _take_batch(self, batch: Batch, origin: object) -> None:
        """``origin``: the tail loops it came from (of the run on screen?)."""
        if origin is self._origin:  # else a run no longer on screen: its loops are stopped
            self._intake.take(batch)

    def _take_piece(self, origin: object, batch: Batch) -> None:
        if origin is not self._origin:
            return
        try:
            self.apply_batch(batch)
        except Exception as exc:  # noqa: BLE001 - said; the next batches are taken in
            self.say_failure(f"taking in {batch.source or batch.kind}", exc)

    def _soon(self, work: Callable[[], None]) -> None:
        self._ui_loop.call_soon(work, context=self._loop_context.copy())

    def _later(self, delay: float, work: Callable[[], None]) -> None:
        self._ui_loop.call_later(delay, work, context=self._loop_context.copy())

    def apply_batch(self, batch: Batch) -> None:
        if batch.preview:  # not the run's evidence in order: shown apart, no alerts
            self.main.previews.take(batch)
            if not batch.more:  # its last piece (``ingest.intake``): drawn once, not per piece
                self.main.draw_kind_now(batch.kind)
                self.call_after_refresh(self.tailing.line_drawn)
            return
        if batch.apart is not None:
            self._absorb(batch.apart)
            return
        found = self.store.apply_batch(batch)
        self.alerts_of(batch, found)
        for event in batch.events:
            self.events_seen.append(event)
            self.notify(render.safe(event, 200), title="file", markup=False, timeout=4)
        self.main.records_arrived(batch.kind)

    def load_all(self) -> None:
        """Tests and screenshots: every file read to its end at once, no workers."""
        for feed in self.layout_.feeds:
            read_to_end(feed, self.apply_batch)
        self.main.refresh_panes()

    def apply_records(self, kind: str, records: Iterable) -> None:
        """Tests and screenshots: feed records as a worker would."""
        self.apply_batch(Batch(kind, list(records)))
        self.main.refresh_panes()

    # -- alerts -----------------------------------------------------------------------------

    def alerts_of(self, batch: Batch, found) -> None:
        self._alerted(self.alerts.saw_batch(batch, found, self.store))

    def _time_tells(self) -> None:
        """Once a second: the alerts only time fires, and whether the files'
        unterminated last lines are their last (``Tailing.lines_ended``)."""
        self._alerted(self.alerts.tick(self.store, self.layout_.statuses(), self.wall_now()))
        ended = self.store.lines_ended()
        self.tailing.lines_ended(ended)
        for pane in self.main.stream_panes().values():
            pane.lines_ended(ended)

    def _alerted(self, fired: list[Alert]) -> None:
        """New alerts: listed, and those of lines written while watched rung."""
        if not fired:
            return
        self.main.alerts_fired(fired)
        for alert in fired:
            if alert.live:
                self.ringer.ring(alert)

    def _to_terminal(self, sequence: str) -> None:
        """An escape sequence between frames (as ``copy_to_clipboard`` writes)."""
        if self._driver is not None:
            self._driver.write(sequence)

    def _alert_command_failed(self, message: str) -> None:
        self.report_failure("the alert command", RuntimeError(message))

    # -- failures ---------------------------------------------------------------------------

    def report_failure(self, what: str, exc: BaseException) -> None:
        """From a tail thread: following a file failed; the user must know."""
        try:
            self.call_from_thread(self.say_failure, what, exc)
        except RuntimeError:
            pass  # the app is gone: nobody left to tell

    def say_failure(self, what: str, exc: BaseException) -> None:
        message = render.safe(f"{what} failed: {type(exc).__name__}: {exc}", 300)
        if self.main is not None:
            self.main.report_failure(message)
        self.notify(message, severity="error", markup=False, timeout=10)

    # -- keys ---------------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        # Textual's own App._on_key runs after this one unless prevented.
        if self.screen is self.main:
            await self.main.route_to_prompt(event)

    def current_pane(self) -> Pane | None:
        return self.main.current_pane() if self.main is not None else None

    def action_overview(self) -> None:
        self.notify("One run is open: no runs overview (open several: vivtui PATH PATH…, "
                    "or vivtui --runs DIR).", markup=False, timeout=4)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.main is None:
            return  # the runs overview (``fleetapp``): no run on screen
        yield SystemCommand("Name these filters", "keep this pane's filters under a name "
                            "(kept with this run's view)", self.main.name_filters)
        for name in self.keeper.state.named_filters:
            yield SystemCommand(f"Filters: {render.safe(name, 60)}",
                                "these named filters, in place of the pane's",
                                partial(self.main.recall_filters, name))
        for key in keys.palette_entries(PANES):
            yield SystemCommand(key.title, f"{key.text or key.title} ({keys.first_key(key)})",
                                partial(self._run_key, key))

    async def _run_key(self, key: keys.Key) -> None:
        target = {keys.APP: self, keys.SCREEN: self.main}.get(key.where)
        if target is None:  # the row view's keys: the current pane's view
            pane = self.current_pane()
            target = pane.view if pane is not None else None
        if target is not None:
            await self.run_action(key.action, target)
