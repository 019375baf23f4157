"""Snapshots of the main screens from fixture data with a frozen clock.

Regenerate after an intended change: python -m pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest


async def _loaded(pilot) -> None:
    pilot.app.load_all()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_actions_pane(tui, snap_compare, run_dir, size):
    """The first screen: newest actions, producer colours, a malformed row, the status line."""
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=size, run_before=_loaded)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_sessions_pane(tui, snap_compare, run_dir, size):
    """Failed and unfinished sessions first, with return codes and joined quality."""
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=size, run_before=_loaded, press=["2"])


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_budget_pane(tui, snap_compare, run_dir, size):
    """Spend gauge, rate, per-model and per-call-type usage, and the budget events."""
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=size, run_before=_loaded, press=["4"])


def test_queue_pane(tui, snap_compare, run_dir):
    """Counts per status, failures first, and the selected task's history."""
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=(120, 36), run_before=_loaded,
                        press=["3", "j"])


def test_kernel_pane(tui, snap_compare, run_dir):
    """Classified kernel lines, waves and numbered sessions."""
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=(120, 36), run_before=_loaded,
                        press=["5"])


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


def test_timeline(tui, snap_compare, run_dir):
    """Every source merged by time in one zone, with a source column."""
    assert snap_compare(tui.fixture_app(run_dir), terminal_size=(140, 40), run_before=_loaded,
                        press=["6", "g"])
