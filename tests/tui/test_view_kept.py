"""The view survives a dropped link: quit, reopen the same run, and the pane,
filters, search, cursor row and marks are back; --fresh starts clean; named
filters come back from the palette's commands."""

from __future__ import annotations

import json
import stat
from datetime import timezone

from vivtui.app import Options, VivtuiApp
from vivtui.ingest.layout import discover
from vivtui.parsing.kinds import spec_for_name
from vivtui.sources.fileview import FileView
from vivtui.ui.panes.stream import StreamPane
from vivtui.ui.viewkeeper import ViewKeeper
from vivtui.viewstate import PaneView, ViewState, load_state

KERNEL = spec_for_name("kernel_run.log")


def monitor(run_dir, state, fresh: bool = False) -> VivtuiApp:
    return VivtuiApp(discover(run_dir), Options(zone=timezone.utc, display_zone=timezone.utc,
                                                view_state=state, fresh=fresh))


async def settled(tui, app, pilot) -> None:
    await tui.wait_until(pilot, lambda: app.tailing.reading_backlog() is None
                         and not app.keeper.filters_pending and not app.keeper.cursors_pending)
    await pilot.pause()


def selected_place(app):
    pane = app.main.current_pane()
    return pane.place_of(pane.view.selected)


async def test_quit_and_reopen_brings_the_view_back(tui, run_dir, tmp_path):
    state = tmp_path / "state" / "view.json"
    app = monitor(run_dir, state)
    async with app.run_test(size=(140, 40)) as pilot:
        await settled(tui, app, pilot)
        await pilot.press("3")
        await tui.type_in(pilot, "ampersand", "!worker-1")
        await tui.type_in(pilot, "slash", "failed")
        await pilot.press("g", "j")
        place = selected_place(app)
        await tui.type_in(pilot, "m", "why this one?")
        await pilot.press("2")
        await pilot.press("q")
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert state.parent.stat().st_mode & 0o077 == 0

    again = monitor(run_dir, state)
    async with again.run_test(size=(140, 40)) as pilot:
        await settled(tui, again, pilot)
        assert again.main.active_name() == "sessions"  # where it was left
        queue = again.main.panes["queue"]
        assert [p.text for p in queue.filters.patterns] == ["!worker-1"]
        assert queue.search is not None and queue.search.text == "failed"
        assert queue.place_of(queue.view.selected) == place and not queue.view.follow
        await pilot.press("'")
        assert again.main.active_name() == "queue" and selected_place(again) == place
        shown = tui.screen_text(again)
        assert "filters ! worker-1" in shown and "search failed" in shown
        await pilot.press("M")
        assert "why this one?" in tui.screen_text(again)
        await pilot.press("escape")

    fresh = monitor(run_dir, state, fresh=True)
    async with fresh.run_test(size=(140, 40)) as pilot:
        await settled(tui, fresh, pilot)
        assert fresh.main.active_name() == "actions"
        assert not fresh.main.panes["queue"].filters.patterns
        assert fresh.keeper.state.marks == []


async def test_a_pane_chosen_while_the_view_is_restored_stays(tui, run_dir, tmp_path):
    """A key pressed in the first moments (before the hidden panes are made,
    when the kept view is put back) is not undone by the kept pane."""
    state = tmp_path / "view.json"
    state.write_bytes(ViewState(pane="sessions").as_bytes())
    app = monitor(run_dir, state)
    async with app.run_test(size=(140, 40)) as pilot:
        assert app.keeper.filters_pending
        await pilot.press("3")
        await settled(tui, app, pilot)
        assert app.main.active_name() == "queue"
        assert not app.main.panes["queue"].view.moved
        await pilot.press("j")  # a move of the user's: a kept cursor leaves it be
        assert app.main.panes["queue"].view.moved
    again = monitor(run_dir, state)  # (kept on leaving: the queue)
    async with again.run_test(size=(140, 40)) as pilot:
        await settled(tui, again, pilot)
        assert again.main.active_name() == "queue"


async def test_the_kept_pane_is_shown_from_the_first_frame(tui, run_dir, tmp_path):
    """Not the home pane first, replaced by the kept one once every pane is made."""
    state = tmp_path / "view.json"
    state.write_bytes(ViewState(pane="queue").as_bytes())
    app = monitor(run_dir, state)
    async with app.run_test(size=(140, 40)) as pilot:
        assert app.keeper.filters_pending  # the first frame, before the view is put back
        assert app.main.active_name() == "queue"
        assert "Queue" in tui.screen_text(app).splitlines()[2]
        await settled(tui, app, pilot)
        assert app.main.active_name() == "queue"


def test_a_row_chosen_before_the_run_is_read_is_not_moved():
    """The cursors come back once the run is read, many seconds into a big
    one: a pane the user moved in meanwhile keeps the user's row."""
    class View:
        def __init__(self, moved):
            self.moved, self.follow, self.selected = moved, True, None

        def select(self, index):
            self.selected = index

    class Pane:
        def __init__(self, moved):
            self.view = View(moved)

        def index_of(self, place):
            return 7

    state = ViewState(panes={name: PaneView(place=[1, 2], follow=False)
                             for name in ("queue", "sessions")})
    keeper = ViewKeeper(None, False, print)
    keeper.state = state
    panes = {"queue": Pane(moved=True), "sessions": Pane(moved=False)}
    keeper.restore_cursors(panes)
    assert panes["queue"].view.selected is None  # moved in by the user: left alone
    assert panes["sessions"].view.selected == 7 and not panes["sessions"].view.follow


async def test_named_filters_are_kept_and_recalled(tui, run_dir, tmp_path):
    state = tmp_path / "view.json"
    app = monitor(run_dir, state)
    async with app.run_test(size=(140, 40)) as pilot:
        await settled(tui, app, pilot)
        await tui.type_in(pilot, "ampersand", "Orin")
        app.main.name_filters()
        await pilot.press(*"orin rows", "enter")
        await pilot.pause()
        await pilot.press("escape")  # filters cleared
        assert not app.main.current_pane().filters.patterns
        commands = {command.title: command for command in app.get_system_commands(app.main)}
        commands["Filters: orin rows"].callback()
        await pilot.pause()
        assert [p.text for p in app.main.current_pane().filters.patterns] == ["Orin"]
    kept, problem = load_state(state)
    assert problem is None and kept.named_filters == {"orin rows": ["Orin"]}


async def test_a_broken_state_file_is_set_aside_and_said(tui, run_dir, tmp_path):
    state = tmp_path / "view.json"
    state.write_bytes(b"{not json")
    app = monitor(run_dir, state)
    async with app.run_test(size=(140, 40)) as pilot:
        await settled(tui, app, pilot)
        assert state.with_suffix(".bad").exists()
        assert any("unreadable" in n.message for n in app._notifications)


async def test_a_click_on_a_row_is_a_move_of_the_users(tui, run_dir, tmp_path):
    app = monitor(run_dir, tmp_path / "view.json")
    async with app.run_test(size=(140, 40)) as pilot:
        await settled(tui, app, pilot)
        await pilot.press("3")
        view = app.main.panes["queue"].view
        assert not view.moved
        await pilot.click(view, offset=(5, 1))
        assert view.moved and view.cursor == 1


def _many_sessions_and_tasks(run, count: int) -> None:
    """``count`` sessions (a key reused by each worker's runs), tasks and failed calls."""
    sessions, tasks, calls = [], [], []
    for n in range(count):
        context = {"session_id": n % 7, "run": n // 7, "task": f"job {n}"}
        stamp = f"2026-02-03T21:{n // 3600 % 60:02d}:{n // 60 % 60:02d}.{n % 60:02d}0000"
        sessions.append({"timestamp": stamp, "level": "INFO", "message": "GrindSession started",
                         "worker_id": f"w{n % 3}", "context": context})
        if n % 5:
            sessions.append({"timestamp": stamp, "level": "INFO",
                             "message": "GrindSession completed", "worker_id": f"w{n % 3}",
                             "context": {**context, "success": n % 4 != 0}})
        tasks.append({"task_id": f"task-{n}", "worker_id": f"w{n % 3}",
                      "status": "failed" if n % 6 == 0 else "completed",
                      "timestamp": f"{stamp}+00:00"})
        calls.append({"timestamp": stamp, "event": "API_CALL_FAILURE", "model": f"w{n % 3}",
                      "error": f"boom {n}"})
    for name, lines in (("structured_logs.jsonl", sessions), ("execution_log.jsonl", tasks),
                        ("api_audit.log", calls)):
        (run / name).write_text("".join(json.dumps(line) + "\n" for line in lines))


async def test_a_kept_cursor_is_found_by_its_models_index_not_row_by_row(tui, tmp_path):
    """A kept cursor (and a mark) is found among a model's rows by its key,
    among a buffer's by the places it keeps: looking through 200k sessions a
    row at a time froze the screen 2 s once a big run was read, through 30k
    API failures (each read back from the file) 1 s. Filtered too."""
    run = tmp_path / "run"
    run.mkdir()
    _many_sessions_and_tasks(run, 3000)
    app = monitor(run, tmp_path / "view.json")
    async with app.run_test(size=(140, 40)) as pilot:
        await settled(tui, app, pilot)
        for name, key in (("sessions", "2"), ("queue", "3"), ("budget", "4")):
            await pilot.press(key)
            await pilot.pause()
            pane = app.main.panes[name]
            for filtered in (False, True):
                if filtered:
                    await tui.type_in(pilot, "ampersand", "w1")
                    # (A list read back from its file is filtered by a worker.)
                    await tui.wait_until(pilot, lambda: not pane.row_query.scanning
                                         and len(pane.view.rows) > 500)
                rows = pane.view.rows
                assert len(rows) > 500
                looked = []
                real = pane.place_of
                pane.place_of = lambda item, real=real: looked.append(item) or real(item)
                for index in (len(rows) - 2, len(rows) // 2, 0):
                    place = real(rows[index])
                    looked.clear()
                    assert pane.index_of(place) == index
                    assert len(looked) <= 3000 // 7 // 3 + 1, (name, filtered, len(looked))
                gone = ["session", "nobody", "1", "1", 5] if name == "sessions" else [
                    "task", "task-none"]
                assert pane.index_of(gone) is None
                for hostile in ([], ["task", {"a": 1}], ["task", ["x"]], [None, None, None],
                                ["session", [1], {}, None, "x"], ["api", "x", None]):
                    assert pane.index_of(hostile) is None  # (a state file edited by hand)
                del pane.place_of


async def test_a_kept_search_put_back_as_a_file_opens_searches_the_file(tui, run_dir, tmp_path,
                                                                         monkeypatch):
    """The kernel pane's file taken in, and its kept search put back before the
    next frame (a big run reopened: the file opens while the view is put
    back): the file's rows are searched. The store's rows, still the pane's,
    were searched as a file's, and the monitor stopped with an AttributeError."""
    state = tmp_path / "view.json"
    state.write_bytes(ViewState(pane="kernel",
                                panes={"kernel": PaneView(search="BLOCKED")}).as_bytes())
    monkeypatch.setattr(StreamPane, "open_file", lambda self: None)  # opened by the test
    app = monitor(run_dir, state)
    async with app.run_test(size=(140, 40)) as pilot:
        await settled(tui, app, pilot)
        pane = app.main.panes["kernel"]
        assert pane.file_rows is None and len(pane.view.rows) > 0  # the store's rows
        view = FileView(run_dir / "kernel_run.log")
        view.poll()
        pane.on_stream_pane_file_opened(StreamPane.FileOpened(view, KERNEL))
        app.keeper.restore_filters(app.main.panes, None, str(run_dir))
        await tui.wait_until(pilot, lambda: not pane.row_query.tick(pane.view))
        assert pane.view.rows is pane.file_rows and pane.hits == 1
        assert "BLOCKED" in str(pane.view.selected.raw)
