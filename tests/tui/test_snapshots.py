"""Snapshots of the main screens from fixture data with a frozen clock.

Regenerate after an intended change: python -m pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest


async def _loaded(pilot) -> None:
    pilot.app.load_all()
    await pilot.pause()


PANE_KEYS = {"actions": [], "sessions": ["2"], "queue": ["3", "j"], "budget": ["4"],
             "blocks": ["B"], "kernel": ["5"], "timeline": ["6", "g"]}


@pytest.mark.parametrize("pane", PANE_KEYS)
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_pane(tui, snap_compare, run_dir, pane, size):
    """Every pane, at the smallest size people use and a large one: heads wrap
    rather than lose counts, the footer keeps `?` and `q`, times carry dates
    (the fixture spans days), the producer's colours."""
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=size, run_before=_loaded,
                        press=PANE_KEYS[pane])


@pytest.mark.parametrize("pane", PANE_KEYS)
def test_pane_without_colour(tui, snap_compare, run_dir, pane, monkeypatch):
    """NO_COLOR: failures and cautions stay prominent (bold, underlined), not grey."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=(120, 36), run_before=_loaded,
                        press=PANE_KEYS[pane])


def test_inspector(tui, snap_compare, run_dir):
    """Enter on the hostile JOURNAL row: every field shown literally, with where it came from."""
    async def open_inspector(pilot):
        await _loaded(pilot)
        tui.select_where(pilot.app.current_pane(), lambda r: r.category == "JOURNAL")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(tui.fixture_app(run_dir), terminal_size=(120, 30), run_before=open_inspector)


def test_filter_bar(tui, snap_compare, run_dir):
    """Two stacked filters (one out) and a search: the bar says what is applied."""
    async def filtered(pilot):
        await _loaded(pilot)
        # The keys are tested in test_triage; here the same state, set directly, so
        # that focus and toasts cannot race the picture.
        pane = pilot.app.current_pane()
        pane.add_filter("Orin")
        pane.add_filter("!WARNING")
        pane.set_search("pytest")
        pane.view.focus()
        await pilot.pause()

    assert snap_compare(tui.fixture_app(run_dir), terminal_size=(120, 30), run_before=filtered)




async def _alerted(pilot) -> None:
    """The fixture's history (listed, not rung), then a task blocked while watched."""
    from vivtui.ingest.batch import Batch
    from vivtui.parsing import execution
    from vivtui.parsing.context import ParseContext
    from vivtui.parsing.record import Records

    await _loaded(pilot)
    line = (b'{"task_id": "task-0099", "worker_id": "worker-2", "status": "safety_blocked", '
            b'"timestamp": "2026-02-11T00:59:30+00:00", "errors": "Attempt to write to '
            b'protected file: kernel/config.py"}')
    record = execution.parse(line, 9, 4000, ParseContext(None))
    pilot.app.apply_batch(Batch("tasks", Records([tuple(record)]), source="execution_log.jsonl",
                                fresh=True))
    pilot.app.main.refresh_panes()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_alert_banner(tui, snap_compare, run_dir, size):
    """An alert of a line written while watched: the banner above the status line."""
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=size, run_before=_alerted)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_alert_list(tui, snap_compare, run_dir, size):
    """`a`: every alert, newest first, the history dim, the evidence at the right."""
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=size, run_before=_alerted,
                        press=["a"])


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_waterfall(tui, snap_compare, run_dir, size):
    """`v`: sessions as bars on a time axis, a lane per worker, waves marked."""
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=size, run_before=_loaded,
                        press=["2", "v"])
