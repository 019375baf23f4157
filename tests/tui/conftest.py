"""What the app-level tests share: the app on fixture data, keys typed into the
prompt, waiting for what workers do, and reading the screen."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from vivtui.app import Options, VivtuiApp
from vivtui.ingest.layout import discover
from vivtui.parsing import actions
from vivtui.parsing.context import ParseContext
from vivtui.parsing.record import Record
from vivtui.store.activity import RunActivity

FROZEN = datetime(2026, 2, 11, 1, 0, 0, tzinfo=timezone.utc)


class Kit:
    def fixture_app(self, run_dir: Path, live: bool = True, **options) -> VivtuiApp:
        """The app on ``run_dir`` with no workers and a frozen clock; ``load``
        feeds it. ``options``: more of ``Options``."""
        return VivtuiApp(discover(run_dir, timezone.utc),
                         Options(zone=timezone.utc, display_zone=timezone.utc,
                                 activity=RunActivity(finished=not live),
                                 clock=lambda: FROZEN, **options),
                         start_workers=False)

    def empty_app(self, run_dir: Path) -> VivtuiApp:
        """The app on a directory with nothing in it yet and no workers: records
        come from ``app.apply_records``."""
        return VivtuiApp(discover(run_dir), Options(zone=timezone.utc), start_workers=False)

    @staticmethod
    def load(app: VivtuiApp) -> None:
        """Every record of the run, applied as the tail loops' batches would be."""
        app.load_all()

    @asynccontextmanager
    async def opened(self, run_dir: Path, size: tuple[int, int] = (140, 40)):
        """The app on the fixture run, loaded. (A context manager in the test
        rather than an async fixture: the app is entered and left in one task.)"""
        app = self.fixture_app(run_dir)
        async with app.run_test(size=size) as pilot:
            self.load(app)
            await pilot.pause()
            yield app, pilot

    @asynccontextmanager
    async def actions_view(self, run_dir: Path, rows: int):
        """An empty app at 100x30 fed actions 1..rows: (app, pilot, the actions view)."""
        app = self.empty_app(run_dir)
        async with app.run_test(size=(100, 30)) as pilot:
            app.apply_records("actions", [self.action(i) for i in range(1, rows + 1)])
            # Settled: the hidden panes mounted and laid out (a layout pass under
            # load could land in the caller's checks).
            await self.wait_until(pilot, lambda: all(p.is_mounted
                                                     for p in app.main.panes.values()))
            await pilot.pause()
            await pilot.pause()
            yield app, pilot, app.main.panes["actions"].view

    @staticmethod
    def action(i: int, detail: str = "", action_type: str = "TOOL") -> Record:
        """Action line ``i`` (line i, offset 100 i), as the parser makes it."""
        line = orjson.dumps({"timestamp": "2026-02-03T05:44:03+00:00", "actor": f"A{i}",
                             "action_type": action_type, "action": "write_file",
                             "detail": detail or f"row {i}"})
        return actions.parse(line, i, i * 100, ParseContext(timezone.utc))

    @staticmethod
    def screen_text(app: VivtuiApp) -> str:
        """What the terminal shows, as plain text, one line per row."""
        return "\n".join(strip.text for strip in app.screen._compositor.render_strips())

    @staticmethod
    def select_where(pane, predicate) -> int:
        """Put the pane's cursor on its first row that ``predicate`` accepts."""
        index = next(i for i, row in enumerate(pane.view.rows) if predicate(row))
        pane.view.select(index)
        return index

    @staticmethod
    async def type_in(pilot, key: str, text: str) -> None:
        """A prompt key, its answer and enter, as a user types them."""
        await pilot.press(key)
        if text:
            await pilot.press(*text)
        await pilot.press("enter")
        await pilot.pause()

    @staticmethod
    async def wait_until(pilot, condition, timeout: float = 20.0) -> None:
        """For what threads do (tail loops): Textual's workers are awaited instead."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "condition not met in time"
            await pilot.pause(0.05)

    async def file_opened(self, pilot, pane) -> None:
        """A stream pane's file view made by its worker and taken in."""
        await self.wait_until(pilot, lambda: pane.file_rows is not None)

    async def workers_done(self, app: VivtuiApp, pilot, pane=None) -> None:
        """Every Textual worker (scans, saves, indexing) finished, and a pane's
        scan results are on screen."""
        await app.workers.wait_for_complete()
        if pane is not None:
            # Done, and its last tick (which puts the results on screen) ran.
            await self.wait_until(pilot, lambda: pane.row_query.progress() is None
                                  and pane._scan_timer is None)
        await pilot.pause()


@pytest.fixture
def tui() -> Kit:
    return Kit()
