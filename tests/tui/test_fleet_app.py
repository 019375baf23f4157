"""The runs overview: several runs, troubled first, enter opens one in the usual
panes and R comes back; snapshots at the two sizes people use."""

from __future__ import annotations

import shutil
from datetime import timezone
from pathlib import Path

import pytest

from vivtui.app import Options
from vivtui.fleetapp import FleetApp
from vivtui.store.activity import RunActivity
from vivtui.ui.overview import RunsScreen
from vivtui.ui.rowview import RowView

from .conftest import FROZEN

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    parent = tmp_path / "runs"
    shutil.copytree(FIXTURES / "run", parent / "run-a")
    shutil.copytree(FIXTURES / "old_run", parent / "run-b")
    (parent / "quiet").mkdir(parents=True)
    (parent / "quiet" / "kernel_run.log").write_text("[SAFETY] 3/3 tasks passed validation.\n")
    return parent


def fleet_app(parent: Path, **options) -> FleetApp:
    return FleetApp([], [parent], Options(zone=timezone.utc, display_zone=timezone.utc,
                                          activity=RunActivity(), clock=lambda: FROZEN,
                                          **options),
                    start_workers=False, keep_views=False)


async def _loaded(pilot) -> None:
    pilot.app.fleet.read_once()
    pilot.app.overview.refresh_runs(force=True)
    await pilot.pause()


async def test_the_overview_opens_a_run_and_comes_back(tui, runs):
    app = fleet_app(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await _loaded(pilot)
        assert isinstance(app.screen, RunsScreen)
        view = app.screen.query_one(RowView)
        names = [run.name for run in view.rows]
        assert names[-1] == "quiet" and set(names) == {"run-a", "run-b", "quiet"}
        text = tui.screen_text(app)
        assert "3 runs" in text and "malf" in text
        chosen = view.rows[0]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.main and app.opened is chosen
        app.load_all()
        await pilot.pause()
        text = tui.screen_text(app)
        assert "Actions" in text and "R runs ⚑" in text
        assert app.main.store.buffers["actions"].total > 0  # the run's rows, read again
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen) and app.opened is None
        assert app.screen.query_one(RowView).selected is chosen  # the cursor on its run


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_overview_snapshot(snap_compare, runs, size):
    assert snap_compare(fleet_app(runs), terminal_size=size, run_before=_loaded)


def test_a_run_of_another_host_is_named_with_it_where_the_host_column_is_not_shown():
    from datetime import datetime, timezone

    from vivtui.fleet.runs import THIS_HOST, RunFacts
    from vivtui.ui.overview import run_row

    now = datetime(2026, 2, 11, 1, 0, tzinfo=timezone.utc)
    facts = RunFacts("kernel-7", "alpha", "live", None, None, 0.0, 2.0, 0.0,
                     *(0,) * 9)
    assert run_row(facts, 80, now, timezone.utc).plain.startswith("alpha/kernel-7")
    wide = run_row(facts, 160, now, timezone.utc).plain
    assert wide.startswith("kernel-7 ") and "alpha" in wide
    here = facts._replace(host=THIS_HOST)
    assert run_row(here, 80, now, timezone.utc).plain.startswith("kernel-7 ")


async def test_a_lost_stream_link_is_said_in_the_overview_and_in_an_opened_run(tui, runs):
    note = "stream link lost 2 s ago, nothing new meanwhile: reconnecting to nats://n1:4222"
    app = fleet_app(runs, source_note=lambda: note)
    async with app.run_test(size=(160, 30)) as pilot:
        await _loaded(pilot)
        assert "stream link lost 2 s ago" in tui.screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.status_text().plain.startswith(" ⚠  stream link lost 2 s ago")
