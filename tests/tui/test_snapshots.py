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


