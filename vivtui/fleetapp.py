"""The monitor of several runs: the overview first, a run opened in the usual panes.

Every run is followed all along by the fleet (``fleet.follow``: models, counts
and alerts, no rows). The run opened is also read as the monitor of one run
reads it, with its rows, for as long as it is on screen; its alerts are the
fleet's for that run, so nothing rings twice.
"""

from __future__ import annotations

from textual.message import Message
from textual.screen import Screen

from vivtui.alerts.alert import Alert
from vivtui.app import Options, VivtuiApp
from vivtui.fleet.follow import Fleet, take, tick
from vivtui.fleet.runs import RunSettings, WatchedRun
from vivtui.ingest.batch import Batch
from vivtui.ingest.layout import LayoutError, discover
from vivtui.ui import render
from vivtui.ui.overview import RunsScreen
from vivtui.viewstate import state_file


class RunBatch(Message):
    def __init__(self, run: WatchedRun, batch: Batch) -> None:
        super().__init__()
        self.run = run
        self.batch = batch


class FleetApp(VivtuiApp):
    def __init__(self, paths, parents, options: Options | None = None,
                 start_workers: bool = True, keep_views: bool = True,
                 hosts_in_paths: bool = False) -> None:
        super().__init__(None, options, start_workers)
        self.keep_views = keep_views
        self.fleet = Fleet(paths, parents, RunSettings(
            zone=self.options.zone, budget=self.options.budget,
            activity=self.options.activity, alerts=self.options.alerts),
            lambda run, batch: self.post_message(RunBatch(run, batch)), self.report_failure,
            poll=self.options.poll, clock=self.now, hosts_in_paths=hosts_in_paths)
        self.opened: WatchedRun | None = None
        self.overview = RunsScreen(lambda: self.fleet.runs, self.open_run, self.now,
                                   self.options.display_zone, self._problems)

    def get_default_screen(self) -> Screen:
        return self.overview

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = f"{len(self.fleet.runs)} runs"
        if self.start_workers:
            self.call_after_refresh(self._start_fleet)

    def _start_fleet(self) -> None:
        self.first_frame_out()
        self.fleet.start()

    def on_unmount(self) -> None:
        self.fleet.stop()
        super().on_unmount()

    # -- runs in and out of the screen ------------------------------------------------

    def open_run(self, run: WatchedRun) -> None:
        """The run read again with its rows, shown in the usual panes."""
        try:
            layout = discover(run.path, self.options.zone)
        except LayoutError as exc:  # the run's directory went since it was found
            self.notify(render.safe(str(exc), 300), severity="error", markup=False)
            return
        if self.opened is not None:
            self.detach()
        self.opened = run
        self.attach(layout, run.alerts, state_file(run.path) if self.keep_views else None)
        self.main.elsewhere = self._elsewhere
        self.sub_title = render.safe(f"{run.name} ({run.host})", 200)
        self.push_screen(self.main)
        self.follow_run()

    def action_overview(self) -> None:
        if self.opened is None:
            return
        self.detach()
        self.opened = None
        self.layout_ = None
        self.sub_title = f"{len(self.fleet.runs)} runs"
        self.pop_screen()  # the main screen (``check_action``: it is the one in front)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "overview":
            return self.opened is not None and self.screen is self.main
        return super().check_action(action, parameters)

    def _problems(self) -> list[str]:
        """What the overview says is wrong: runs that cannot be read, and where
        they come from (a stream's lost link), the latter last: shown first."""
        note = self.options.source_note()
        return [*self.fleet.problems.values(), *([note] if note else [])]

    def _elsewhere(self) -> tuple[int, int]:
        """(alerts, of them while watched) of every run but the one on screen."""
        others = [run for run in self.fleet.runs if run is not self.opened]
        return (sum(len(run.alerts.alerts) for run in others),
                sum(run.alerts.fired_live for run in others))

    # -- data in ------------------------------------------------------------------------

    def on_run_batch(self, message: RunBatch) -> None:
        try:
            self._fired(message.run, take(message.run, message.batch))
        finally:
            Fleet.applied(message.run, message.batch)

    def alerts_of(self, batch: Batch, found) -> None:
        """The run on screen: its alerts are the fleet's (not checked twice)."""

    def _alert_tick(self) -> None:
        now = self.now()
        for run in list(self.fleet.runs):
            self._fired(run, tick(run, now))

    def _fired(self, run: WatchedRun, fired: list[Alert]) -> None:
        if not fired:
            return
        if run is self.opened:
            self.main.alerts_fired(fired)
        for alert in fired:
            if alert.live:
                self.ringer.ring(alert)
