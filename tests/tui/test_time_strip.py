"""The time strip in the audit pane: the run's events, failures, spend and
tokens over time; [ ] choose a bin, T shows only its span in every pane."""

from __future__ import annotations

from datetime import timezone

import orjson

from vivtui.parsing.record import INFO, Record
from vivtui.store.run import RunStore
from vivtui.ui.timestrip import strip_of


async def test_the_strip_shows_the_run_and_a_bin_filters_every_pane(tui, run_dir):
    async with tui.opened(run_dir, size=(160, 48)) as (app, pilot):
        actions = app.main.panes["actions"]
        everything = len(actions.view.rows)
        await pilot.press("4")
        shown = tui.screen_text(app)
        for label in ("events", "failures", "spend", "tokens"):
            assert f"\n {label}" in shown
        budget = app.main.panes["budget"]
        assert budget.strip_cursor is None  # the newest bin until moved
        await pilot.press("left_square_bracket")
        first = budget.strip_cursor
        await pilot.press("left_square_bracket", "right_square_bracket")
        assert budget.strip_cursor == first
        strip = strip_of(app.store, budget.strip_width())
        wanted = next(index for index in range(strip.count)  # the first action's bin
                      if strip.span(index)[0] <= actions.view.rows[0].ts < strip.span(index)[1])
        while budget.strip_cursor != wanted:
            await pilot.press("left_square_bracket" if budget.strip_cursor > wanted
                              else "right_square_bracket")
        await pilot.press("T")
        span = actions.filters.time_span
        assert span is not None and all(p.filters.time_span == span
                                        for p in app.main.panes.values())
        await pilot.press("1")
        rows = list(actions.view.rows)
        assert 0 < len(rows) < everything
        assert all(span[0] <= row.ts < span[1] for row in rows)
        assert f"time {span[0]:%H:%M}–{span[1]:%H:%M}" in tui.screen_text(app)
        await pilot.press("T")
        assert actions.filters.time_span is None and len(actions.view.rows) == everything


def test_a_strip_is_made_once_a_store_version_and_again_after_new_rows():
    # (The status line asks for its strip every second: binning every minute
    # of a long run each time was most of an idle monitor's CPU.)
    def records(*minutes):
        return [Record("api", 1, 0, f"2026-03-01T12:{minute:02}:00Z", timezone.utc, INFO, "x",
                       None, False, "") for minute in minutes]

    store = RunStore(None)
    store.apply("api", records(0, 1))
    first = strip_of(store, 30)
    assert strip_of(store, 30) is first and first.events.values == [1.0, 1.0]
    assert strip_of(store, 10) is not first  # another width: made for it
    store.apply("api", records(1, 2))
    again = strip_of(store, 30)
    assert again is not first and again.events.values == [1.0, 2.0, 1.0]


BOUNDS = ("9999-12-31T23:59:59", "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00",
          "0001-01-01T00:00:00-12:00", "2026-02-11T00:59:00")


async def test_stamps_at_the_bounds_of_time_leave_every_pane_and_the_strip_working(tui,
                                                                                   tmp_path):
    # A line stamped 9999-12-31 ended the monitor at the audit pane: its strip's
    # last bin ended past the last date there is.
    def write(name, lines):
        (tmp_path / name).write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))

    write("action_log.jsonl", [{"timestamp": stamp, "actor": "a", "action_type": "ERROR",
                                "action": stamp} for stamp in BOUNDS])
    write("structured_logs.jsonl", [{"timestamp": stamp, "level": "INFO",
                                     "message": "GrindSession started", "worker_id": "w",
                                     "context": {"session_id": n, "run": 1}}
                                    for n, stamp in enumerate(BOUNDS)])
    write("execution_log.jsonl", [{"task_id": f"t{n}", "status": "failed", "timestamp": stamp}
                                  for n, stamp in enumerate(BOUNDS)])
    write("api_audit.log", [{"timestamp": stamp, "event": "API_CALL_SUCCESS", "user": f"u{n}",
                             "model": "m", "cost": 0.5} for n, stamp in enumerate(BOUNDS)])
    async with tui.opened(tmp_path, size=(120, 40)) as (app, pilot):
        for pane in "123456":
            await pilot.press(pane, "enter", "escape", "e", "E", "G")
        await pilot.press("4", "left_square_bracket", "T", "right_square_bracket", "B", "B")
        await pilot.pause()
        assert app.is_running
        budget = app.main.panes["budget"]
        strip = strip_of(app.store, budget.strip_width())
        assert strip.count == 1 and strip.events.values == [4.0]  # each file's 2026 line
        actions = app.main.panes["actions"]
        assert actions.filters.time_span == strip.span(0)  # (T)
        assert [row.fields["action"] for row in actions.view.rows] == ["2026-02-11T00:59:00"]
