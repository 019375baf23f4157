"""``vivtui watch PATH``: the monitor's alert rules without a screen, for cron,
CI or a chat hook. Follows the run with the monitor's tail loops, prints each
alert as it fires (a line of text, or of JSON), and can run a command per
alert or exit at the first alert of chosen rules.

What the files held when first read is history: its alerts are printed only
with ``--history`` (a finished run's alerts are listed, not rung).
"""

from __future__ import annotations

import queue
import sys
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TextIO

from vivtui.alerts.alert import Alert, AlertSettings
from vivtui.alerts.deliver import (
    BELL,
    AlertCommand,
    Ringer,
    alert_line,
    alert_text,
)
from vivtui.alerts.rules import AlertEngine
from vivtui.ingest.apart import ReadApart, absorbed
from vivtui.ingest.batch import Batch
from vivtui.ingest.feeds import read_to_end
from vivtui.ingest.layout import discover, read_back_from
from vivtui.ingest.split_read import usable_cores
from vivtui.ingest.tailing import Tailing
from vivtui.store.activity import RunActivity
from vivtui.store.run import RunStore

TICK_S = 1.0
STOP_JOIN_S = 10.0  # (--once: the tail loops done with the feeds before their last lines are read)
EXIT_ALERTED = 3  # --exit-on: a chosen rule fired


@dataclass
class WatchOptions:
    settings: AlertSettings = field(default_factory=AlertSettings)
    json: bool = False
    history: bool = False  # print the alerts of what the files already held
    once: bool = False  # read what is there, print its alerts, stop
    exit_on: frozenset[str] = frozenset()
    command: str | None = None
    bell: bool = False
    notify: str | None = None  # "osc9" / "osc777"
    zone: tzinfo | None = None
    budget: float | None = None
    activity: RunActivity | None = None
    poll: float | None = None


class Watch:
    def __init__(self, path: str, options: WatchOptions, out: TextIO = sys.stdout,
                 err: TextIO = sys.stderr, clock: Callable[[], datetime] | None = None) -> None:
        self.options = options
        self.out, self.err = out, err
        self.clock = clock or (lambda: datetime.now(UTC))
        self.layout = discover(path, options.zone)
        self.store = RunStore(options.budget, capacity=0, activity=options.activity,
                              clock=self.clock)
        read_back_from(self.layout, self.store, options.zone)
        self.engine = AlertEngine(self.layout.root.name, options.settings)
        self._batches: queue.Queue[Batch] = queue.Queue()
        # A big file's backlog is read as the monitor reads it: by other
        # processes, at most one a core, taken from what an earlier look kept
        # (``ingest.apart_process``): a big run's was read by this one alone
        # (``--once``: 43 s), and live alerts waited for it.
        self.tailing = Tailing(self.layout.feeds, self.layout.directories, self._batches.put,
                               self._failed, poll=options.poll, apart=self._read_apart,
                               apart_processes=usable_cores())
        self.ringer = Ringer(
            self._signal, (lambda: self._signal(BELL)) if options.bell else None, options.notify,
            AlertCommand(options.command, self._say) if options.command else None)
        self.stop_code: int | None = None
        self._held: list[Alert] | None = None

    def run(self) -> int:
        try:
            if self.options.once:
                return self._once()
            self.tailing.start()
            next_tick = 0.0
            while self.stop_code is None:
                now = self.clock().timestamp()
                if now >= next_tick:
                    next_tick = now + TICK_S
                    self._tell(self.engine.tick(self.store, self.layout.statuses(),
                                                self.clock()))
                    self.tailing.lines_ended(self.store.lines_ended())
                self._take_next(max(0.01, next_tick - now))
            return self.stop_code
        finally:
            self.tailing.stop()
            self.ringer.close(wait=35.0)

    def _once(self) -> int:
        """What the files hold, read as the tail loops read it (a big file's
        by another process, or from what an earlier look kept), its alerts
        told in the order of their files and lines."""
        self._held = []
        self.tailing.start()
        while not (self.tailing.backlogs_posted() and self._batches.empty()):
            self._take_next(0.05)
        self.tailing.stop(join=STOP_JOIN_S)
        if not self.store.run_state().writing:
            self._read_last_lines()
        held, self._held = self._held, None
        order = {feed.path.name: at for at, feed in enumerate(self.layout.feeds)}
        self._tell(sorted(held, key=lambda alert: (order.get(alert.file, len(order)),
                                                   alert.line or 0)))
        self._tell(self.engine.tick(self.store, self.layout.statuses(), self.clock()))
        return self.stop_code or 0

    def _read_last_lines(self) -> None:
        """A finished or undated run's files' last lines with no newline:
        its writers will never end them (a crash's last words), so they are
        read as lines, as ``vivtui summary`` reads them; a live or idle
        run's are held, being written."""
        for feed in self.layout.feeds:
            read_to_end(feed, self._apply)

    def _take_next(self, wait: float) -> None:
        """The next batch the tail loops posted, taken in (if one comes within ``wait`` s)."""
        try:
            batch = self._batches.get(timeout=wait)
        except queue.Empty:
            return
        try:
            self._apply(batch)
        finally:
            self.tailing.applied(batch.kind)

    def _apply(self, batch: Batch) -> None:
        if batch.apart is not None:
            self._absorb(batch.apart)
            return
        found = self.store.apply_batch(batch)
        self._tell(self.engine.saw_batch(batch, found, self.store))

    def _read_apart(self, kind: str) -> ReadApart:
        """Where a big file's backlog is taken in apart (``Tailing``)."""
        return ReadApart.afresh(kind, self.layout, self.options.zone,
                                RunStore(self.options.budget, capacity=0,
                                         activity=copy(self.options.activity), clock=self.clock),
                                AlertEngine(self.engine.run, self.options.settings,
                                            every_alert=self.options.history
                                            or self.options.once))

    def _absorb(self, reading: ReadApart) -> None:
        """A backlog taken in apart joins the run's store, and its alerts are told."""
        absorbed(reading, self.layout, self.store, self.options.zone)
        self._tell(self.engine.absorb(reading.engine, {reading.kind}, self.store))

    def _tell(self, alerts: list[Alert]) -> None:
        if self._held is not None:  # (``--once``: told in order at the end)
            self._held.extend(alerts)
            return
        options = self.options
        for alert in alerts:
            if not (alert.live or options.history or options.once):
                continue
            if options.json:
                self.out.write(alert_line(alert).decode())
            else:
                self.out.write(alert_text(alert) + "\n")
            self.out.flush()
            if alert.live:
                self.ringer.ring(alert)
            if alert.rule in options.exit_on and self.stop_code is None:
                self.stop_code = EXIT_ALERTED

    def _signal(self, sequence: str) -> None:
        """A bell or a notification: to the terminal, by standard error."""
        self.err.write(sequence)
        self.err.flush()

    def _say(self, message: str) -> None:
        self.err.write(f"vivtui watch: {message}\n")
        self.err.flush()

    def _failed(self, what: str, exc: Exception) -> None:
        self._say(f"{what} failed: {type(exc).__name__}: {exc}")


def watch(path: str, options: WatchOptions) -> int:
    try:
        return Watch(path, options).run()
    except KeyboardInterrupt:
        return 130
