"""The sessions waterfall: a lane per worker, overlapping sessions of one worker
in lanes below it, bars by outcome, waves on the axis; enter on a bar opens the
session's related events."""

from __future__ import annotations

from datetime import timezone

import orjson

from vivtui.parsing import sessions as parse_sessions
from vivtui.parsing.context import ParseContext
from vivtui.store.session_lanes import lay_out
from vivtui.store.sessions import SessionTracker
from vivtui.ui.related_screen import RelatedScreen
from vivtui.ui.waterfall import BAR, Waterfall

UTC = timezone.utc


def line(second: int, worker: str, run: int, number: int, done: bool | None = None) -> bytes:
    context = {"session_id": number, "run": run, "task": f"task {number}"}
    if done is not None:
        context["success"] = done
    return orjson.dumps({
        "timestamp": f"2026-03-01T12:00:{second:02d}+00:00",
        "level": "INFO" if done is not False else "ERROR",
        "message": "GrindSession started" if done is None else "GrindSession completed",
        "worker_id": worker, "context": context})


def tracker_of(*lines: bytes) -> SessionTracker:
    tracker = SessionTracker()
    ctx = ParseContext(UTC)
    tracker.apply([parse_sessions.parse(data, i + 1, i * 100, ctx)
                   for i, data in enumerate(lines)])
    return tracker


def test_overlapping_sessions_of_a_worker_get_lanes_of_their_own():
    tracker = tracker_of(line(0, "w", 1, 1), line(1, "w", 1, 2), line(5, "w", 1, 1, True),
                         line(6, "w", 1, 3), line(8, "w", 1, 2, False), line(9, "x", 1, 1),
                         line(10, "w", 1, 3, True))
    lanes = lay_out(tracker, "finished", 0.0, {}).lanes
    assert [(lane.worker, [s.key[2] for s in lane.sessions]) for lane in lanes] == [
        ("w", ["1", "3"]),  # session 3 starts after session 1 ended: the same lane
        ("w·2", ["2"]),
        ("x", ["1"]),
    ]


async def test_v_shows_the_waterfall_and_enter_opens_related_events(tui, run_dir):
    async with tui.opened(run_dir, size=(140, 40)) as (app, pilot):
        await pilot.press("v")
        await pilot.pause()
        pane = app.main.panes["sessions"]
        waterfall = pane.query_one(Waterfall)
        assert app.main.active_name() == "sessions" and app.focused is waterfall
        shown = tui.screen_text(app)
        for state, char in BAR.items():
            assert f"{char} {state}" in shown
        assert any(char in shown for char in (BAR["failed"], BAR["ok"]))
        await pilot.press("j", "k", "h")
        chosen = waterfall.selected
        assert chosen is not None and "selected:" in tui.screen_text(app)
        await pilot.press("enter")
        await tui.wait_until(pilot, lambda: isinstance(app.screen, RelatedScreen))
        assert app.screen.origin in (chosen.start, chosen.end)
        await pilot.press("escape")
        await pilot.press("v")
        assert app.focused is pane.view  # the list again


def test_the_wave_after_a_run_is_the_earliest_start_of_any_later_wave():
    # Found by halving over the waves' numbers (looked for among every wave for
    # each unfinished session, a big run's froze the screen for minutes).
    import random

    from vivtui.store.session_lanes import _Ends

    rng = random.Random(3)
    for _ in range(50):
        waves = {rng.randrange(1, 40): float(rng.randrange(1000))
                 for _ in range(rng.randrange(0, 12))}
        ends = _Ends(SessionTracker(), waves)
        for run in ["0", *map(str, range(1, 42)), "x"]:
            expected = (min((when for wave, when in waves.items() if wave > int(run)),
                            default=None) if run.isdigit() else None)
            assert ends.next_wave(run) == expected, (waves, run)


async def test_a_big_runs_waterfall_is_laid_out_by_a_worker_the_screen_answering_meanwhile(
        tui, run_dir, monkeypatch):
    """200k sessions laid out on the UI thread froze the screen for 3.4 s."""
    import threading

    from vivtui.store import session_lanes
    from vivtui.ui.panes import sessions as sessions_pane

    monkeypatch.setattr(sessions_pane, "LAID_OUT_IN_PLACE", 0)
    go, threads = threading.Event(), []
    real = session_lanes.lay_out

    def held(*args, **kwargs):
        threads.append(threading.current_thread())
        go.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(sessions_pane, "lay_out", held)
    async with tui.opened(run_dir, size=(140, 40)) as (app, pilot):
        await pilot.press("v")
        await tui.wait_until(pilot, lambda: threads)
        assert threading.main_thread() not in threads
        assert "laying out" in tui.screen_text(app)
        await pilot.press("3")  # answered while the worker lays out
        assert app.main.active_name() == "queue"
        await pilot.press("2")
        go.set()
        await tui.wait_until(pilot, lambda: "selected:" in tui.screen_text(app))
        waterfall = app.main.panes["sessions"].query_one(Waterfall)
        assert waterfall.selected is not None and threading.main_thread() not in threads
        await pilot.press("v", "v")  # closed and opened again: laid out anew
        await tui.wait_until(pilot, lambda: "selected:" in tui.screen_text(app))
        assert len(threads) >= 2 and threading.main_thread() not in threads


def test_a_waves_mark_never_runs_into_the_axis_end_time():
    from datetime import datetime

    tracker = tracker_of(line(0, "w", 1, 1), line(50, "w", 1, 1, True))
    late = {2: datetime(2026, 3, 1, 12, 0, 49, tzinfo=UTC), 3: datetime(2026, 3, 1, 12, 0, 50,
                                                                          tzinfo=UTC)}
    view = Waterfall()
    view.layout_ = lay_out(tracker, "finished", 0.0, late)
    view._until, view._zone = 0.0, UTC
    axis = view.draw(80).plain.splitlines()[0]
    assert axis.endswith(" 03-01 12:00:50") and "│W1" in axis
    assert "W2" not in axis and "W3" not in axis  # they would cover the end's time


async def test_a_big_live_runs_waterfall_is_laid_out_again_only_after_a_pause(tui, run_dir,
                                                                            monkeypatch):
    """Back to back, a live run's layouts of 200k sessions took 60-68 % of a core:
    the next waits three layouts' time, for the newest sessions then."""
    from time import monotonic

    from vivtui.store import session_lanes
    from vivtui.ui.panes import sessions as sessions_pane

    monkeypatch.setattr(sessions_pane, "LAID_OUT_IN_PLACE", 0)
    calls = []
    real = session_lanes.lay_out
    monkeypatch.setattr(sessions_pane, "lay_out",
                        lambda *args, **kwargs: (calls.append(1), real(*args, **kwargs))[1])
    ctx = ParseContext(UTC)
    async with tui.opened(run_dir, size=(140, 40)) as (app, pilot):
        pane = app.main.panes["sessions"]
        await pilot.press("2", "v")
        await tui.wait_until(pilot, lambda: "selected:" in tui.screen_text(app))
        assert len(calls) == 1
        pane._layout_due = monotonic() + 1000  # as if that layout had taken 333 s
        app.apply_records("sessions", [parse_sessions.parse(line(30, "late-worker", 9, 1), 1,
                                                            0, ctx)])
        await pilot.pause(1.5)  # the pane's ticks: each asks for a layout
        assert len(calls) == 1 and pane._wanted_layout is not None
        assert "late-worker" not in tui.screen_text(app)
        pane._lay_out_wanted(pane._laying_out)  # the pause's timer
        await tui.wait_until(pilot, lambda: "late-worker" in tui.screen_text(app))
        assert len(calls) == 2
