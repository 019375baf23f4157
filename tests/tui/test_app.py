"""The monitor driven with Pilot: panes, keys, follow mode, live tailing, hostile text."""

from __future__ import annotations

import time
from datetime import timezone
from pathlib import Path

import orjson
from textual import events
from textual.widgets import TabbedContent

from vivtui.app import Options, VivtuiApp
from vivtui.ingest.feeds import read_to_end
from vivtui.ingest.layout import discover
from vivtui.parsing import kernel
from vivtui.parsing.context import ParseContext
from vivtui.store.sessions import FAILED, SUCCEEDED, UNFINISHED
from vivtui.ui.later_panes import LaterPanes
from vivtui.ui.main_screen import MainScreen
from vivtui.ui.timestrip import LEVELS

UTC = ParseContext(timezone.utc)


async def test_first_screen_shows_newest_actions_and_status(tui, run_dir):
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        await pilot.pause()
        text = tui.screen_text(app)
        assert "1 Actions" in text and "5 Kernel" in text
        assert "Quill-4" in text and "bad utf8 \u00ff\u00fe here" in text  # the newest rows
        assert "MALFORMED" in text and "action_log.jsonl:15" in text
        status = text.splitlines()[-2]
        assert "files 7/7" in status and "(0 waiting)" not in status
        assert "$ $0.5003 (w 25%) 1 refused" in status and "following" in status
        assert status.startswith(" live ")  # the fixture's newest API event is 2 min old


async def test_a_file_counted_apart_shows_no_partial_counts(tui, run_dir):
    # Read by another process, its counts come whole at the end: meanwhile the
    # head says how far it is counted, not "errors 0".
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        await pilot.pause()
        pane = app.main.panes["actions"]
        assert "errors" in tui.screen_text(app).splitlines()[2]
        # (The app's stream panes are given their feed as they start following it.)
        pane._feed = next(feed for feed in app.layout_.feeds if feed.kind == "actions")
        pane._feed.apart = True
        app.main.refresh_panes()
        await pilot.pause()
        head = tui.screen_text(app).splitlines()[2]
        assert "rows" in head and "errors" not in head and "warnings" not in head
        pane._feed.apart = False
        app.main.refresh_panes()
        await pilot.pause()
        assert "errors" in tui.screen_text(app).splitlines()[2]


async def test_keys_switch_panes(tui, run_dir):
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        from textual.widgets import TabbedContent
        tabs = app.query_one(TabbedContent)
        for key, pane in (("2", "sessions"), ("3", "queue"), ("4", "budget"), ("5", "kernel"),
                          ("6", "timeline"), ("1", "actions")):
            await pilot.press(key)
            assert tabs.active == pane
        await pilot.press("tab")
        assert tabs.active == "sessions"
        await pilot.press("shift+tab", "shift+tab")
        assert tabs.active == "timeline"
        await pilot.press("question_mark")
        assert "vivtui keys" in tui.screen_text(app)
        await pilot.press("escape")
        await pilot.press("z")
        assert app.screen.maximized is not None
        await pilot.press("z")
        assert app.screen.maximized is None


async def test_keys_typed_before_the_first_frame_are_held_for_it(tui, run_dir):
    """Typed ahead (``vivtui RUN`` and a pane's key at once), a key reached the
    screen before its pane tabs were settled, and the pane it chose was
    switched back at once: such keys wait for the first frame, in order."""
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app._held_keys is None  # the first frame is out: keys go through
        app._held_keys = []  # as before it
        tabs = app.query_one(TabbedContent)
        for key in ("3", "j"):
            await app.on_event(events.Key(key, key))
        await pilot.pause()
        assert tabs.active == "actions" and len(app._held_keys) == 2
        app._release_keys()
        await pilot.pause()
        assert tabs.active == "queue" and app._held_keys is None
        assert app.main.panes["queue"].view.moved  # the j went after the 3, to its pane


async def test_a_pane_key_in_the_first_frames_has_its_pane_mounted_first(tui, run_dir,
                                                                         monkeypatch):
    """Keys go through from Textual's Ready (the first frame out), and the pane a
    key switches to is mounted before the other hidden panes, and drawn before
    the tail loops start: on a big run a key typed as the monitor showed up
    waited 55-100 ms to be let through, then for every hidden pane's mount."""
    mounted = []
    real_mount_next = LaterPanes.mount_next

    async def mount_next(later):
        mounted.extend(list(later._waiting)[:1])
        await real_mount_next(later)

    monkeypatch.setattr(LaterPanes, "mount_next", mount_next)
    # The chain of mounts held until the key is in: on a loaded machine its
    # first mount came before the key did (then no order could be asked for).
    chains: list[LaterPanes] = []
    real_start = LaterPanes.start
    monkeypatch.setattr(LaterPanes, "start", lambda later: chains.append(later))
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app._held_keys is None and mounted == []  # none mounted yet
        await pilot.press("4")
        await tui.wait_until(pilot, lambda: mounted == ["budget"])
        for later in chains:
            real_start(later)
        await tui.wait_until(pilot, lambda: len(mounted) == 5)
        assert mounted[0] == "budget" and sorted(mounted) == sorted(app.main.panes.keys()
                                                                     - {"actions"})
        assert app.main.active_name() == "budget" and not app.main.settling


async def test_a_keys_pane_is_settled_once_its_first_frame_is_drawn_not_at_its_mount(
        tui, run_dir, monkeypatch):
    # Settled at its mount, the tail loops started (17-22 ms of the screen's
    # thread on a big run, then their threads at the GIL) before its frame.
    from vivtui.ui.rowview import RowView
    drawn: set[int] = set()
    real_render_lines = RowView.render_lines

    def render_lines(view, crop):
        drawn.add(id(view))
        return real_render_lines(view, crop)

    monkeypatch.setattr(RowView, "render_lines", render_lines)
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        started = []
        app._tailing_due_by = time.monotonic() + 10
        app.tailing.start = lambda: started.append(id(app.main.panes["queue"].view) in drawn)
        app.main.focus_pane("queue")
        app._start_tailing()
        await tui.wait_until(pilot, lambda: started)
        assert started == [True] and app.main.active_name() == "queue"


async def test_the_tail_loops_start_once_a_keys_pane_is_drawn_or_a_while_after(tui, run_dir):
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        started = []
        app.tailing.start = lambda: started.append(app.main.settling)
        app.main.focus_pane("queue")  # not mounted yet: on its way
        assert app.main.settling
        app._tailing_due_by = time.monotonic() + 10
        app._start_tailing()
        assert started == []
        await tui.wait_until(pilot, lambda: started)
        assert started == [False] and app.main.active_name() == "queue"
        await pilot.pause()  # (the queue's "settled" is in: it would say no pane is on its way)
        app.main._later.wanted = "budget"  # a pane that never comes: not waited for long
        app._tailing_due_by = time.monotonic() + 0.3
        app._start_tailing()
        await tui.wait_until(pilot, lambda: len(started) == 2)
        assert started == [False, True]


async def test_sessions_pane_puts_failed_and_unfinished_first(tui, run_dir):
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        await pilot.press("2")
        pane = app.main.panes["sessions"]
        states = [s.state(pane.run.state) for s in pane.view.rows]
        assert states == [FAILED, UNFINISHED, "running", SUCCEEDED]
        text = tui.screen_text(app)
        assert "failed 1 unfinished 1 stalled 0 running 1 ok 1" in text
        assert "✗ failed" in text and "rc=1" in text and "Write docs" in text
        assert "0.25" in text  # quality joined from performance_history.json
        # the selected (first) session in full, with its performance_history entry
        assert "lesson: FAIL: exit code 1, no files modified" in text
        assert "returncode=1" in text and "task  Write docs" in text
        await pilot.press("j")
        assert "task  ARCHITECTURE REVIEW: Wave 11 Code Audit You are a" in tui.screen_text(app)


async def test_command_palette_lists_the_panes(tui, run_dir):
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in ("Show sessions pane", "Show kernel pane", "Zoom pane", "Keys",
                      "Follow newest rows"):
            assert title in commands
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Show kernel")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        from textual.widgets import TabbedContent
        assert app.query_one(TabbedContent).active == "kernel"


async def test_queue_pane_counts_and_history_on_selection(tui, run_dir):
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        await pilot.press("3")
        text = tui.screen_text(app)
        assert "Queue 4 tasks" in text and "failed 1" in text
        assert "No subtasks generated" in text
        pane = app.main.panes["queue"]
        assert pane.view.rows[0].task_id in ("task-0042", "task-0044")  # failures first
        await pilot.press("j")
        richest = max(range(len(pane.view.rows)), key=lambda i: pane.view.rows[i].events)
        pane.view.select(richest)
        await pilot.pause()
        selected = pane.view.selected
        text = tui.screen_text(app)
        assert f"{selected.task_id}  {selected.events} events" in text
        # The history is read back from the file: each of its events, in order.
        statuses = [orjson.loads(line)["status"] for line in
                    (run_dir / "execution_log.jsonl").read_bytes().splitlines()
                    if line.strip() and orjson.loads(line).get("task_id") == selected.task_id]
        assert selected.events == len(statuses) >= 2
        history = text[text.index(f"{selected.task_id}  {selected.events} events"):]
        assert [s for s in statuses if s in history] == statuses


def _first_arguments(monkeypatch, owner, name: str) -> list:
    """Each call's first argument, the method still run (what a hidden pane drew)."""
    seen = []
    real = getattr(owner, name)
    monkeypatch.setattr(owner, name, lambda self, *args: seen.append(args[0]) or real(self, *args))
    return seen


async def test_a_hidden_queues_history_is_read_once_it_is_shown(tui, run_dir, monkeypatch):
    """The selected task's history is read from the file for the pane on
    screen: for a hidden queue, at each e on a live big run, it was 5-10 ms."""
    from vivtui.parsing import execution
    from vivtui.store.tasks import TaskTracker

    read = _first_arguments(monkeypatch, TaskTracker, "history")
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        read.clear()
        app.apply_records("tasks", [execution.parse(orjson.dumps(
            {"timestamp": "2027-01-01T00:00:00", "task_id": "task-9", "status": "failed",
             "errors": "late"}), 99, 0, UTC)])
        pane = app.main.panes["queue"]
        assert pane.view.rows[0].task_id == "task-9" and read == []  # ordered, not read
        await pilot.press("3")
        await pilot.pause()
        assert read and "task-9" in tui.screen_text(app)


async def test_a_hidden_sessions_detail_is_drawn_once_it_is_shown(tui, run_dir, monkeypatch):
    """The selected session's detail is drawn for the pane on screen: a hidden
    pane's rows are brought up to date at each e, its detail was drawn too."""
    from vivtui.ui.panes.sessions import SessionsPane

    drawn = _first_arguments(monkeypatch, SessionsPane, "show_detail")
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        drawn.clear()
        _a_late_failed_session(app)
        pane = app.main.panes["sessions"]
        app.main.refresh_panes()  # (as an e does)
        assert pane.view.rows[0].key[0] == "late" and drawn == []  # ordered, not drawn
        await pilot.press("2")
        await pilot.pause()
        assert [session.key[0] for session in drawn] == ["late"]
        assert "late" in tui.screen_text(app)


async def test_a_hidden_audit_panes_overview_is_drawn_once_it_is_shown(tui, run_dir,
                                                                      monkeypatch):
    """Its forecast and time strip: 4-15 ms of each e on a live big run."""
    from vivtui.parsing import api_audit
    from vivtui.ui.panes.budget import BudgetPane

    drawn = _first_arguments(monkeypatch, BudgetPane, "_draw_overview")
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        drawn.clear()
        app.apply_records("api", [api_audit.parse(orjson.dumps(
            {"timestamp": "2026-02-11T01:00:00", "event": "API_CALL_SUCCESS",
             "user": "Nova-22", "cost": 123.0, "input_tokens": 1, "output_tokens": 1}),
            900, 0, UTC)])
        app.main.refresh_panes()  # (as an e does)
        assert drawn == []
        await pilot.press("4")
        await pilot.pause()
        assert len(drawn) == 1 and "123." in tui.screen_text(app)


async def test_budget_and_kernel_panes(tui, run_dir):
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        await pilot.press("4")
        await pilot.pause()
        text = tui.screen_text(app)
        assert "Spend $0.5003 in 4 calls (1 failed)" in text
        assert "limit $2.00 per wrapper (per the action log)" in text
        assert "$0.50 of $2.00 (25%)  left $1.50" in text  # wrapper "w", nearest its limit
        assert "1 call refused, admin had $0.0191 left at the latest" in text
        # w spent $0.50 in the 98 s since its first call: $1.50 left lasts 294 s
        assert "forecast w runs out in ~4m54s" in text
        assert "BUDGET_EXCEEDED" in text and "TASK_BUDGET_EXCEEDED_ACTUAL" in text
        await pilot.press("5")
        await pilot.pause()
        text = tui.screen_text(app)
        assert "Kernel  lines 12 blocked 1 error 4 caution 1 wave starts 1" in text
        assert "[WAVE 3] Starting 5 tasks in parallel..." in text


async def test_follow_pauses_counts_and_resumes(tui, tmp_path):
    async with tui.actions_view(tmp_path, 100) as (app, pilot, view):
        assert view.follow and view.cursor == 99
        assert "row 100" in tui.screen_text(app)
        await pilot.press("k")
        assert not view.follow and view.cursor == 98
        app.apply_records("actions", [tui.action(i) for i in range(101, 106)])
        await pilot.pause()
        assert view.waiting == 5 and view.cursor == 98
        assert "paused · 5 new · G to follow" in tui.screen_text(app)
        assert "row 105" not in tui.screen_text(app)
        await pilot.press("G")
        await pilot.pause()
        assert view.follow and view.cursor == 104 and view.waiting == 0
        assert "row 105" in tui.screen_text(app)
        await pilot.press("2", "1", "k")  # keys reach the pane after switching back
        assert not view.follow and view.cursor == 103


HOSTILE = ["[bold red]markup[/]", "[@click=app.quit]click me[/]", "[link=http://x]l[/link]",
           "\x1b[2J\x1b]0;retitled\x07esc", "[/x] closing tag"]


async def test_hostile_text_is_shown_literally_everywhere(tui, tmp_path):
    app = tui.empty_app(tmp_path)
    quit_called = []
    app.action_quit = lambda: quit_called.append(True)  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        text_of = " ".join(HOSTILE)
        app.apply_records("actions", [tui.action(1, text_of, "SAFETY")])
        app.apply_records("kernel", [kernel.parse(f"BLOCKED: {text_of}".encode(), 1, 0, UTC)])
        sessions_lines = [
            {"message": "GrindSession started", "worker_id": HOSTILE[1],
             "context": {"session_id": 1, "run": 1, "task": text_of, "model": HOSTILE[0]}}]
        tasks_lines = [{"task_id": HOSTILE[1], "status": HOSTILE[0], "errors": text_of}]
        api_lines = [{"event": "API_CALL_FAILURE", "error": text_of},
                     {"event": "API_CALL_SUCCESS", "model": HOSTILE[2], "cost": 0.1}]
        from vivtui.parsing import api_audit, execution, sessions
        app.apply_records("sessions", [sessions.parse(orjson.dumps(o), 1, 0, UTC)
                                       for o in sessions_lines])
        app.apply_records("tasks", [execution.parse(orjson.dumps(o), 1, 0, UTC)
                                    for o in tasks_lines])
        app.apply_records("api", [api_audit.parse(orjson.dumps(o), i, 0, UTC)
                                  for i, o in enumerate(api_lines)])
        for key in "12345":
            await pilot.press(key)
            await pilot.pause()
            text = tui.screen_text(app)
            assert "[bold red]markup[/]" in text, key
            assert "\x1b" not in text and "\x07" not in text
            assert "\ufffd[2J" in text or key in "2", key  # escapes replaced, not interpreted
            await pilot.click(offset=(60, 5))  # a click on a row runs nothing
        assert not quit_called
        assert app.is_running


async def test_live_tailing_shows_appended_lines(tui, tmp_path):
    app = VivtuiApp(discover(tmp_path), Options(zone=timezone.utc, poll=0.05))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        assert "waiting for actions" in tui.screen_text(app)
        path = tmp_path / "action_log.jsonl"
        with open(path, "ab") as handle:
            handle.write(orjson.dumps({"actor": "Live-1", "action_type": "TOOL",
                                       "action": "edit_file", "detail": "first live"}) + b"\n")
            handle.write(b'{"actor": "Half')
        deadline = time.monotonic() + 5
        while "first live" not in tui.screen_text(app) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert "first live" in tui.screen_text(app)
        assert "Half" not in tui.screen_text(app)  # not shown before its newline arrives
        with open(path, "ab") as handle:
            handle.write(b'-2", "action_type": "ERROR", "action": "x", "detail": "second"}\n')
        deadline = time.monotonic() + 5
        while "Half-2" not in tui.screen_text(app) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        # (It failed twice in full runs, never alone: what the pane and the file held then.)
        view = app.main.actions.file_view
        assert "Half-2" in tui.screen_text(app), "\n".join([
            *tui.screen_text(app).splitlines()[2:6], f"file view rows: {view and len(view)}",
            f"store rows: {app.store.buffers['actions'].total}", repr(path.read_bytes()[-120:])])
        # The pane reads its file itself; the tail loop's count follows.
        await tui.wait_until(pilot, lambda: app.store.buffers["actions"].total == 2)


async def test_a_following_view_draws_its_newest_rows_before_it_has_scrolled(tui, tmp_path):
    async with tui.actions_view(tmp_path, 200) as (app, pilot, view):
        height = view.scrollable_content_region.height
        view.scroll_to(y=0, animate=False, immediate=True)  # as in the first frame
        assert view.follow and view.top_row() == 200 - height
        assert "row 200" in view.render_line(height - 1).text
        await pilot.press("k")  # the user takes over: the scroll offset rules again
        assert not view.follow and view.top_row() == view.scroll_offset.y


async def test_a_row_drawn_again_from_the_cache_is_a_new_strip(tui, tmp_path):
    # Textual keeps on a strip every strip each frame derives from it (cropped,
    # styled): a cached strip held those for as long as it was kept, thousands
    # over a live run. The cache keeps the row's segments instead.
    async with tui.actions_view(tmp_path, 200) as (app, pilot, view):
        height = view.scrollable_content_region.height
        first, again = view.render_line(height - 1), view.render_line(height - 1)
        assert "row 200" in first.text
        assert again is not first and list(again) == list(first)
        assert again.cell_length == first.cell_length


async def test_a_pane_switched_to_before_it_is_mounted_gets_focus_and_rows(tui, run_dir):
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        sessions = app.main.panes["sessions"]
        assert not sessions.is_mounted  # hidden panes come after the first frame
        app.main.action_pane("sessions")  # as a key typed in the first frame would
        await pilot.pause()
        await pilot.pause()
        assert sessions.is_mounted and app.focused is sessions.view
        assert sessions.view.rows and "Sessions" in tui.screen_text(app)


async def test_a_pane_switched_to_shows_what_the_store_holds_now(tui, run_dir, monkeypatch):
    monkeypatch.setattr(MainScreen, "_refresh_tick", lambda self: None)  # no help from it
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.main.panes["sessions"].is_mounted
        for feed in app.layout_.feeds:  # the workers' batches, with no redraw
            read_to_end(feed, app.store.apply_batch)
        await pilot.press("2")
        await pilot.pause()
        assert "failed 1 unfinished 1 stalled 0 running 1 ok 1" in tui.screen_text(app)


async def test_pane_keys_typed_ahead_at_start_up_end_on_the_last_pane(tui, run_dir):
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        tui.load(app)
        await pilot.pause(0.1)  # the hidden panes are being mounted
        for key in "2345612":  # all queued before any is handled, as a terminal sends them
            app.post_message(events.Key(key, key))
        await pilot.pause(0.5)
        assert app.query_one(TabbedContent).active == "sessions"
        assert app.focused is app.main.panes["sessions"].view


async def test_an_api_key_in_an_error_is_masked_on_screen_and_in_the_inspector(tui, run_dir):
    secret = "gsk_Q3VbXo9MfT2aLkP81zRw"
    with open(run_dir / "api_audit.log", "ab") as handle:
        handle.write(orjson.dumps({"timestamp": "2026-02-11T00:59:00.000001",
                                   "event": "API_CALL_FAILURE", "user": "admin",
                                   "error": f"401 invalid key {secret} rejected"}) + b"\n")
    async with tui.opened(run_dir) as (app, pilot):
        await pilot.press("4")
        await pilot.pause()
        text = tui.screen_text(app)
        assert "invalid key gsk_…[redacted] rejected" in text
        assert secret[4:] not in text
        pane = app.current_pane()
        tui.select_where(pane, lambda r: "invalid key" in r.line_text)
        await pilot.press("enter")
        await pilot.pause()
        shown = tui.screen_text(app)
        assert "gsk_…[redacted]" in shown and secret[4:] not in shown


async def test_B_shows_every_safety_block_by_source_and_reason(tui, run_dir):
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        await pilot.press("B")
        await pilot.pause()
        text = tui.screen_text(app)
        assert app.main.active_name() == "budget"
        assert "safety_audit 1  kernel 1  actions 1  tasks 1  api 1" in text
        assert "2  Constitutional violation" in text
        rows = app.main.panes["budget"].view.rows
        assert sorted(r.kind for r in rows) == ["actions", "api", "kernel", "safety", "tasks"]
        assert "passed Read a file" not in text  # a passed check is not a block
        await pilot.press("B")  # again: back to the budget
        await pilot.pause()
        assert "Spend $0.5003" in tui.screen_text(app)


async def test_the_timeline_filter_finds_what_the_rows_say(tui, run_dir):
    from vivtui.store.triage import identity
    from vivtui.ui.panes.base import Pane

    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        await pilot.press("6")
        pane = app.main.panes["timeline"]

        def ranked_as_a_walk_ranks(level):  # (e/E rank the rows without a call per row)
            ranked = list(pane.timed_problems(level))
            return ranked == list(Pane.timed_problems(pane, level)) and ranked

        assert all(map(ranked_as_a_walk_ranks, ("failure", "warning")))
        # e/E's timeline-only rows: a line-listing pane's, or malformed of another file.
        def timeline_only_as_a_walk_picks():
            rows = pane.view.rows
            only = pane.problem_places("failure", {"actions"}.__contains__,
                                       lambda kind: kind not in {"actions", "kernel"})
            return only == [index for index, (_, _, record) in enumerate(rows)
                            if record.severity == "error" and (record.kind == "actions" or (
                                record.malformed and record.kind not in {"actions", "kernel"}))
                            ] and only

        rows, only = pane.view.rows, timeline_only_as_a_walk_picks()
        assert only
        assert {rows[index][2].malformed for index in only} == {True, False}
        assert pane.places_by_identity(only) == {identity(rows[index][2]): index for index in only}
        await tui.type_in(pilot, "ampersand", "BLOCKED")
        rows = app.main.panes["timeline"].view.rows
        # the safety and action blocks say BLOCKED; passed checks are not blocks
        assert {entry[2].kind for entry in rows} == {"safety", "actions"}
        assert ranked_as_a_walk_ranks("failure")
        assert timeline_only_as_a_walk_picks()  # (the filtered rows walked)
        await pilot.press("escape")
        await tui.type_in(pilot, "ampersand", "blocked")  # smart case: safety_blocked too
        rows = app.main.panes["timeline"].view.rows
        assert {entry[2].kind for entry in rows} == {"safety", "actions", "tasks"}
        assert all(entry[2].category != "passed" for entry in rows)
        await pilot.press("escape")
        await tui.type_in(pilot, "ampersand", "source:api")
        rows = app.main.panes["timeline"].view.rows
        assert rows and {entry[2].kind for entry in rows} == {"api"}


async def test_a_big_merge_is_made_on_a_thread_and_is_the_same(tui, run_dir, monkeypatch):
    """Many kept rows to merge (a big run's, read back from their files: a
    second on the UI thread) are merged on a thread: the same rows."""
    import threading

    from vivtui.ingest.tailing import Tailing
    from vivtui.store.timeline import Timeline
    from vivtui.ui.panes import timeline as timeline_pane
    monkeypatch.setattr(timeline_pane, "IN_THREAD_OVER", 0)
    paced = []  # (a pane switch's frame and keys go first, between its chunks)
    monkeypatch.setattr(Tailing, "worker_pace", lambda loop: lambda: paced.append(
        threading.current_thread() is not threading.main_thread()))
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        pane = app.main.panes["timeline"]
        threads = []
        real_gather = pane._gather
        monkeypatch.setattr(pane, "_gather",
                            lambda *args: threads.append(1) or real_gather(*args))
        await pilot.press("6")
        await tui.wait_until(pilot, lambda: threads and pane._gathering is None
                             and pane.view.rows)
        here = Timeline()
        here.catch_up(app.store)
        def shown(entries):
            return [(entry[0], entry[2].kind, entry[2].line) for entry in entries]

        assert shown(pane.view.rows) == shown(here.rows)
        assert "merging" not in tui.screen_text(app)
        assert paced and all(paced)


async def test_a_merge_that_fails_on_its_thread_is_said_and_made_here(tui, run_dir,
                                                                      monkeypatch):
    from vivtui.store.buffer import FrozenRows
    from vivtui.store.timeline import Timeline
    from vivtui.ui.panes import timeline as timeline_pane
    monkeypatch.setattr(timeline_pane, "IN_THREAD_OVER", 0)
    real = Timeline.catch_up_with

    def failing(self, buffers, *pace):
        if not isinstance(buffers["tasks"], FrozenRows):  # the store's: on the UI thread
            return real(self, buffers, *pace)
        raise OSError("disk gone")

    monkeypatch.setattr(Timeline, "catch_up_with", failing)
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        pane = app.main.panes["timeline"]
        await pilot.press("6")
        await tui.wait_until(pilot, lambda: pane.view.rows and pane._gathering is None)
        assert not pane._threads_work
        await tui.wait_until(pilot, lambda: "disk gone" in tui.screen_text(app))


async def test_a_jump_waits_for_the_run_to_be_read(tui, run_dir):
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        progress = [0.4]
        app.main.reading = lambda: progress[0]
        before = (app.main.active_name(), app.main.current_pane().view.cursor)
        await pilot.press("E")
        await pilot.pause()
        assert (app.main.active_name(), app.main.current_pane().view.cursor) == before
        assert app.main.pending_jump == ("failure", -1)
        progress[0] = None  # the last of the backlog is in
        app.main._refresh_tick()
        await pilot.pause()
        assert app.main.pending_jump is None
        pane = app.main.current_pane()
        assert pane.problem_level(pane.view.selected) == "failure"


async def test_a_jump_before_the_tail_loops_start_waits_for_them(tui, run_dir, monkeypatch):
    # In the instant after the first frame, before the loops are started,
    # nothing is read yet: e said "no failures" of a run full of them.
    held = []
    monkeypatch.setattr(VivtuiApp, "_start_tailing", lambda app: held.append(app))
    app = VivtuiApp(discover(run_dir), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert held and app.main.pending_jump == ("failure", 1)
        assert "no failures" not in tui.screen_text(app)
        monkeypatch.undo()
        held[0]._start_tailing()
        await tui.wait_until(pilot, lambda: app.main.pending_jump is None)
        await tui.wait_until(pilot, lambda: app.main.current_pane().view.selected is not None)
        pane = app.main.current_pane()
        assert pane.problem_level(pane.view.selected) == "failure"


async def test_a_jump_waits_for_the_timeline_merged_on_a_thread(tui, run_dir, monkeypatch):
    # The first e of a big run merged the timeline's 50,000 rows on the UI
    # thread (1.4 s): many rows are merged on a thread, and the jump follows.
    import gc
    import threading

    from vivtui.ui.panes import timeline as timeline_pane

    monkeypatch.setattr(timeline_pane, "IN_THREAD_OVER", 5)
    said, long_lived = [], []
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        app.main.say = lambda text, *a, **k: said.append(text)
        pane = app.main.panes["timeline"]
        # (The command line freezes the merge's rows out of the collector: on
        # its thread, before the collector runs again.)
        pane.long_lived = lambda: long_lived.append(
            (threading.current_thread() is threading.main_thread(), gc.isenabled()))
        assert not pane.timeline.rows  # never shown: never merged
        await pilot.press("e")
        assert said and said[0].startswith("merging the newest rows of every file")
        await tui.wait_until(pilot, lambda: app.main.pending_jump is None and pane.timeline.rows)
        shown = app.main.current_pane()
        assert shown.problem_level(shown.view.selected) == "failure"
        assert long_lived == [(False, False)] and len(pane.timeline.rows) > 5


async def test_a_jump_whose_refresh_changes_the_timelines_rows_waits_for_their_merge(
        tui, run_dir, monkeypatch):
    # The jump refreshes the hidden panes; a file read to its end in the
    # meantime is merged from its rows, no longer its preview's. Checked
    # before that refresh, the merge looked small, and the jump made it on
    # the UI thread: 331-419 ms at a big run's first e.
    import threading
    from types import SimpleNamespace

    from vivtui.store.run import KINDS, RunStore
    from vivtui.store.timeline import Timeline
    from vivtui.ui.panes import timeline as timeline_pane

    monkeypatch.setattr(timeline_pane, "IN_THREAD_OVER", 5)
    big_here = []
    real = Timeline.catch_up_with

    def watched(self, buffers, *pace):
        if threading.current_thread() is threading.main_thread() and self.behind(buffers) > 5:
            big_here.append(self.behind(buffers))
        return real(self, buffers, *pace)

    monkeypatch.setattr(Timeline, "catch_up_with", watched)
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        pane = app.main.panes["timeline"]
        # As while every file was previewed: the timeline merged the previews' rows.
        pane.preview = SimpleNamespace(kinds=frozenset(KINDS), coming=False, store=RunStore())
        pane.catch_up(app.store)
        assert not pane.timeline.rows
        await pilot.press("e")  # its refresh: no previews any more, every file's rows
        await tui.wait_until(pilot, lambda: app.main.pending_jump is None and pane.timeline.rows)
        shown = app.main.current_pane()
        assert shown.problem_level(shown.view.selected) == "failure"
        assert big_here == []


async def test_a_jump_ranks_the_rows_with_the_cyclic_collector_paused(tui, run_dir,
                                                                      monkeypatch):
    # Ranking a big run's rows makes many small objects: a pass of the
    # collector over everything kept (49 ms) fell in the middle of a jump.
    import gc

    from vivtui.ui.panes.base import Pane

    collecting = []
    real = Pane.ranked_problems

    def watched(self, level):
        collecting.append(gc.isenabled())
        return real(self, level)

    monkeypatch.setattr(Pane, "ranked_problems", watched)
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        await pilot.press("e")
        await tui.wait_until(pilot, lambda: collecting and app.main.pending_jump is None)
        assert collecting and not any(collecting)
        await tui.wait_until(pilot, gc.isenabled)  # (after the key's answer time)


async def test_the_type_pickers_counts_are_the_rows_own(tui, run_dir):
    # The sessions' and the queue's are the trackers' counts (describing 200k
    # sessions to count them froze the screen): what each row says it is.
    from collections import Counter

    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        for name in ("sessions", "queue", "timeline"):
            pane = app.main.panes[name]
            await pilot.press({"sessions": "2", "queue": "3", "timeline": "6"}[name])
            await pilot.pause()
            counted = dict(pane.categories(app.store))
            described = Counter(pane.describe(item)[1] for item in pane._source)
            assert counted and counted == described, name
            assert list(counted.values()) == sorted(counted.values(), reverse=True)


async def test_the_type_pickers_counts_describe_no_row(tui, run_dir, monkeypatch):
    # Describing each of 200k sessions to count them froze the screen 0.56 s,
    # the timeline's 50k rows 0.3 s.
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        for name, key in (("sessions", "2"), ("queue", "3"), ("timeline", "6")):
            pane = app.main.panes[name]
            await pilot.press(key)
            await pilot.pause()
            monkeypatch.setattr(pane, "describe", lambda item: 1 / 0)
            assert sum(n for _, n in pane.categories(app.store)) == len(pane._source) > 0


async def test_a_long_lists_filter_and_search_are_tested_by_a_worker(tui, run_dir,
                                                                     monkeypatch):
    # Over a big run's 200k sessions they froze the screen 0.7-0.9 s on the
    # UI thread: a worker finds the same rows and hits.
    import threading

    from vivtui.ingest.tailing import Tailing
    from vivtui.store.memory_scan import MemoryScan
    from vivtui.store.rows import FilteredRows
    from vivtui.ui.panes import memory_query

    monkeypatch.setattr(memory_query, "IN_PLACE_MOST", 1)  # every list is long
    paced = []  # (the run's keys and frames go first, before each page)
    monkeypatch.setattr(Tailing, "worker_pace", lambda loop: lambda: paced.append(loop))
    threads = []
    run = MemoryScan.run
    monkeypatch.setattr(MemoryScan, "run", lambda scan: (
        threads.append(threading.current_thread() is not threading.main_thread()), run(scan)))
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        await pilot.press("2")
        pane = app.main.panes["sessions"]
        await tui.wait_until(pilot, lambda: len(pane.view.rows) > 2)
        everyone = list(pane.view.rows)
        pane.add_filter("!ok")  # (a state: what the row says first)
        await tui.wait_until(pilot, lambda: threads and not pane.row_query.scanning
                             and pane._scan_timer is None)
        here = FilteredRows(pane._source, pane.describe, pane.filters)
        here.rebuild()
        assert [int(s) for s in pane.view.rows] == [int(s) for s in here] != []
        assert len(pane.view.rows) < len(everyone)
        pane.view.select(len(pane.view.rows) - 1)
        pane.set_search("fail")
        await tui.wait_until(pilot, lambda: len(threads) >= 2 and pane._scan_timer is None)
        rows, query = pane.view.rows, pane.row_query
        hits = [at for at, s in enumerate(rows) if query._matches(s)]
        assert query.hits == len(hits) > 0 and all(threads)
        assert len(paced) >= 2 and set(paced) == {app.tailing}
        assert pane.view.cursor in hits  # the first hit from the cursor, wrapping round
        for step in (1, -1, 1):  # n, N: as the walk on the UI thread goes
            here = pane.view.cursor
            ahead = [hits[(hits.index(here) + step) % len(hits)]]
            assert query.next_match(pane.view, step) and [pane.view.cursor] == ahead
        pane.filters.patterns.clear()
        pane.filters_changed()
        await tui.wait_until(pilot, lambda: pane._scan_timer is None)
        pane.show_rows(list(pane._source))  # the list changed since (a live run's re-sort)
        pane.view.select(len(pane.view.rows) - 1)
        scans = len(threads)
        assert query.next_match(pane.view, 1)  # its hits found by a worker, then the move
        await tui.wait_until(pilot, lambda: pane._scan_timer is None)
        assert len(threads) == scans + 1 and query._matches(pane.view.selected)
        assert "no rows match" not in tui.screen_text(app)


async def test_the_cursor_row_stays_on_screen_when_the_pane_shrinks(tui, run_dir):
    # A jump put the cursor on a pane's last visible row; the pane's head then
    # took a second line at 80 columns, and the row went under the status line.
    async with tui.actions_view(run_dir, 200) as (app, pilot, view):
        await pilot.press("g")
        bottom = view.top_row() + view.scrollable_content_region.height - 1
        view.select(bottom)
        await pilot.pause()
        assert not view.follow
        await pilot.resize_terminal(100, 22)
        await pilot.pause()
        top, height = view.top_row(), view.scrollable_content_region.height
        assert view.cursor == bottom and top <= view.cursor < top + height


async def test_the_session_detail_follows_the_cursor_after_a_filter(tui, run_dir):
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        await pilot.press("2")
        await pilot.pause()
        pane = app.main.panes["sessions"]
        tui.select_where(pane, lambda s: s.title == "Fix the parser")
        await pilot.pause()
        assert "Fix the parser" in str(pane.query_one(".detail").render())
        pane.filters.categories = frozenset({"failed"})
        pane.filters_changed()
        await pilot.pause()
        detail = str(pane.query_one(".detail").render())
        assert "Write docs" in detail and "Fix the parser" not in detail


async def test_sessions_are_ordered_again_when_the_run_goes_quiet(tui, tmp_path):
    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        from tests.unit.test_run_state_and_budget import T0, started
        clock = [T0]
        app.store.clock = lambda: clock[0]
        app.main.now = lambda: clock[0]
        # The same key twice: the first is superseded (unfinished), the second running.
        app.apply_records("sessions", [started(T0, 1), started(T0.replace(minute=5), 1)])
        await pilot.press("2")
        await pilot.pause()
        pane = app.main.panes["sessions"]
        assert [s.state(pane.run.state) for s in pane.view.rows] == ["unfinished", "running"]
        clock[0] = T0.replace(hour=T0.hour + 5)  # hours later, nothing new: finished
        app.main.refresh_panes()
        await pilot.pause()
        assert pane.run.state == "finished"
        starts = [s.started_at for s in pane.view.rows]
        assert starts == sorted(starts, reverse=True)  # newest first, as the order says
        assert "running" not in tui.screen_text(app).split("Sessions", 2)[-1].split("\n", 1)[1]


async def test_an_old_run_copied_shows_no_running_session_and_links_the_gate_block(tui, tmp_path):
    import shutil

    from vivtui.ui.related_screen import RelatedScreen
    run = tmp_path / "run"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "old_run", run)  # fresh mtimes
    async with tui.opened(run, size=(120, 36)) as (app, pilot):
        await pilot.press("2")
        await pilot.pause()
        text = tui.screen_text(app)
        assert "failed 1 unfinished 2 stalled 0 running 0 ok 2" in text
        assert "▶ running" not in text and text.splitlines()[-2].startswith(" finished")
        pane = app.main.panes["sessions"]
        tui.select_where(pane, lambda s: s.title.startswith("Create a new feature"))
        await pilot.pause()
        detail = str(pane.query_one(".detail").render())
        assert "blocked by the safety gate  Constitutional violation: self-modification" in detail
        await pilot.press("r")  # found on a thread
        await tui.wait_until(pilot, lambda: isinstance(app.screen, RelatedScreen))
        # Its own start and the gate's block; not the three other sessions of its key.
        assert [(r.kind, r.category) for r in app.screen.records] == [
            ("sessions", "GrindSession started"), ("safety", "blocked")]


async def test_an_unreadable_file_is_named_where_its_rows_would_be(tui, tmp_path):
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "action_log.jsonl").symlink_to(tmp_path / "loop1")
    app = tui.fixture_app(tmp_path)
    async with app.run_test(size=(120, 20)) as pilot:
        tui.load(app)
        await pilot.pause()
        text = tui.screen_text(app)
        assert "action_log.jsonl: unreadable (Too many levels of symbolic links)" in text
        assert "waiting for actions" not in text
        status = app.main.status_text().plain
        assert "files 0/7 (6 waiting) action_log.jsonl unreadable" in status


async def test_a_history_refused_for_good_is_named_in_the_status_line_and_a_rewrite_is_not(
        tui, tmp_path):
    """Its sessions' metrics are missing while it is refused: the status line
    says why (it counted the file among those read, and said nothing)."""
    (tmp_path / "action_log.jsonl").write_text('{"action_type": "TOOL"}\n')
    history = tmp_path / "performance_history.json"
    history.write_text('{"not": "an array"}')
    app = tui.fixture_app(tmp_path)
    async with app.run_test(size=(160, 20)) as pilot:
        tui.load(app)
        await pilot.pause()
        assert "performance_history.json not read (not an array)" in app.main.status_text().plain
        history.write_text('[{"session_id": 1}, {"sess')  # (a rewrite caught halfway)
        tui.load(app)
        await pilot.pause()
        assert "performance_history.json" not in app.main.status_text().plain


async def test_a_file_named_in_the_status_line_takes_the_time_strip_s_room_not_a_second_row(
        tui, tmp_path):
    """A refused file's name beside the time strip made the line wrap, a row
    of the pane lost: the strip gives way, then why the file was not read
    (its pane says it); where they fit, they stay; where even that is not
    enough, the line wraps (nothing is cut)."""
    (tmp_path / "action_log.jsonl").write_text("".join(
        f'{{"timestamp": "2026-02-03T21:{minute:02d}:00", "action_type": "TOOL", '
        f'"action": "read_file", "agent_name": "Nova-22"}}\n' for minute in range(40)))
    (tmp_path / "performance_history.json").write_text('{"not": "an array"}')
    for width, strip_shown, why_shown in ((125, False, False), (140, False, True),
                                          (160, True, True)):
        app = tui.fixture_app(tmp_path)
        async with app.run_test(size=(width, 20)) as pilot:
            tui.load(app)
            await pilot.pause()
            status = app.main.status_text()
            assert "performance_history.json not read" in status.plain
            assert ("performance_history.json not read (not an array)" in status.plain) \
                == why_shown
            assert status.cell_len <= width
            assert any(level in status.plain for level in LEVELS) == strip_shown
            assert app.main.query_one("#status").size.height == 1
    app = tui.fixture_app(tmp_path)
    async with app.run_test(size=(110, 20)) as pilot:  # (where nothing gives way enough)
        tui.load(app)
        await pilot.pause()
        assert "performance_history.json not read" in app.main.status_text().plain
        assert app.main.query_one("#status").size.height == 2


async def test_the_blocks_view_names_an_unreadable_file_a_block_may_be_in(tui, tmp_path):
    # A kernel log it cannot read: "no safety blocks in any file" was not so.
    (tmp_path / "kernel_run.log").write_text("[!] Safety gate BLOCKED\r\n", encoding="utf-16")
    (tmp_path / "api_audit.log").write_text("")
    app = tui.fixture_app(tmp_path)
    async with app.run_test(size=(120, 20)) as pilot:
        tui.load(app)
        await pilot.press("4")
        app.main.refresh_status()
        await pilot.pause()
        assert "no API failures or budget events yet" in tui.screen_text(app)
        await pilot.press("B")
        app.main.refresh_status()
        await pilot.pause()
        text = tui.screen_text(app)
        assert "kernel_run.log: unreadable (UTF-16 text" in text
        assert "no safety blocks in any file" not in text
        assert app.main.panes["budget"].view.empty.startswith("kernel_run.log: unreadable")
        await pilot.press("B")  # back to the budget, whose file is read: at once
        assert app.main.panes["budget"].view.empty == "no API failures or budget events yet"


async def test_a_rotated_copy_not_read_is_said_in_the_status_line(tui, run_dir):
    import shutil

    shutil.copy(run_dir / "action_log.jsonl", run_dir / "action_log.jsonl.1")
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(160, 30)) as pilot:
        tui.load(app)
        await pilot.pause()
        assert "1 rotated copy unread" in app.main.status_text().plain
        (run_dir / "action_log.jsonl.1").unlink()
        assert "rotated" not in app.main.status_text().plain


async def test_a_failing_source_is_said_first_in_the_status_line(tui, run_dir):
    """A run read through a stream whose link is down says so, first, for as
    long as it lasts (the files alone would look merely quiet)."""
    note = ["stream link lost 4 s ago, nothing new meanwhile: reconnecting to nats://n1:4222"]
    app = tui.fixture_app(run_dir, source_note=lambda: note[0])
    async with app.run_test(size=(160, 30)) as pilot:
        tui.load(app)
        await pilot.pause()
        status = app.main.status_text().plain
        assert status.startswith(" ⚠  stream link lost 4 s ago, nothing new meanwhile")
        note[0] = None
        assert "stream link" not in app.main.status_text().plain


async def test_hidden_panes_are_neither_redrawn_nor_sorted_until_shown(tui, run_dir, monkeypatch):
    # Each second redraws the pane on screen only: sorting 200k hidden tasks and
    # sessions every second was most of a big run's idle CPU.
    from vivtui.ingest.batch import Batch
    from vivtui.store import sessions as session_model
    from vivtui.store import tasks as task_model
    from vivtui.ui.panes.queue import QueuePane
    from vivtui.ui.panes.sessions import SessionsPane

    sorts = []
    for owner, name in ((task_model.TaskTracker, "tasks"), (session_model.SessionTracker, "sessions")):
        real = owner.triage_order
        monkeypatch.setattr(owner, "triage_order",
                            lambda *a, real=real, name=name: sorts.append(name) or real(*a))
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)  # draws every pane once, as a jump would
        await tui.wait_until(pilot, lambda: all(p.is_mounted for p in app.main.panes.values()))
        await pilot.pause()
        sorts.clear()
        # A change to show, taken in as a tail loop's batch is (no pane drawn for it).
        app.apply_batch(Batch("tasks", list(app.store.buffers["tasks"])[:1]))
        for _ in range(3):
            app.main._drawn_at.clear()  # a second has passed since each was drawn
            app.main._refresh_tick()
        assert sorts == [] and app.main.active_name() == "actions"
        await pilot.press("3")  # shown: drawn (and sorted) at once
        assert sorts == ["tasks"]
        assert isinstance(app.main.panes["queue"], QueuePane)
        assert isinstance(app.main.panes["sessions"], SessionsPane)



async def test_records_of_a_hidden_pane_draw_no_frame_of_their_own(tui, run_dir):
    # A live run's other files change only the status line's counts while the
    # action stream is on screen: drawn by the second's tick, not for each burst
    # (a frame for each burst made a long run's frames a minute grow threefold).
    from vivtui.ingest.batch import Batch

    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        await tui.wait_until(pilot, lambda: all(p.is_mounted for p in app.main.panes.values()))
        await pilot.pause()
        asked = []
        real = app.main._pacer.arrived
        app.main._pacer.arrived = lambda: asked.append(1) or real()
        lines = list(app.store.buffers["kernel"])
        app.apply_batch(Batch("kernel", lines[:1]))
        app.main.draw_soon(("kernel",))  # as the kernel pane does when its file grows
        assert asked == [] and "kernel" not in app.main._dirty
        assert app.main.active_name() == "actions"
        await pilot.press("5")
        app.apply_batch(Batch("kernel", lines[1:2]))
        app.main.draw_soon(("kernel",))
        assert asked  # the pane on screen is drawn for its records


async def test_a_status_line_change_is_drawn_within_the_frame_budget(tui, run_dir):
    # Alerts fired a few times a second in a live run, each with a frame of its own.
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        await pilot.pause()
        calls = []
        real = app.main.refresh_status
        app.main.refresh_status = lambda: calls.append(1) or real()
        for _ in range(3):
            app.main._pacer.drawn()  # the budget spent
        app.main.status_soon()
        assert calls == [] and app.main._draw_timer is not None  # not at once
        await tui.wait_until(pilot, lambda: calls)
        assert not app.main._status_due


async def test_the_second_s_tick_draws_no_frame_just_after_one(tui, run_dir):
    # In a live stream the pane and the status line are drawn a few times a
    # second: a tick's frame then showed nothing new.
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        await pilot.pause()
        main = app.main
        draws = []
        real = main._draw
        main._draw = lambda names, hidden_too=False: draws.append(list(names)) or real(
            names, hidden_too)
        real(["actions"])  # a stream's frame, just now
        main._refresh_tick()
        assert draws == []
        for name in list(main._drawn_at):
            main._drawn_at[name] -= 0.6  # half a second later
        main._refresh_tick()
        assert draws and "actions" in draws[0]

def _a_late_failed_session(app, success=False, apply=None) -> None:
    """A session that starts and fails (or succeeds) after the fixture's, fed
    as a worker would (or by ``apply``)."""
    from vivtui.parsing import sessions

    for n, message in enumerate((sessions.STARTED, sessions.COMPLETED)):
        line = orjson.dumps({"timestamp": "2026-02-11T01:00:00", "level": "ERROR",
                             "message": message, "worker_id": "late",
                             "context": {"session_id": 1, "run": 1, "success": success}})
        (apply or app.apply_records)("sessions", [sessions.parse(
            line, 900 + n, 90_000 + n, ParseContext(timezone.utc))])


async def test_a_panes_ranked_failures_are_found_again_only_when_its_rows_change(tui, run_dir):
    # e/E walked every row of every pane at each press (0.19 s for a big run's
    # 200k sessions and 200k tasks).
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        await pilot.press("2")
        pane = app.main.panes["sessions"]
        ranked = pane.ranked_problems("failure")
        assert ranked and pane.ranked_problems("failure") is ranked
        assert sorted(index for _, index in ranked) == [
            index for index, item in enumerate(pane.view.rows)
            if pane.problem_level(item) == "failure"]
        rows = pane.view.rows
        _a_late_failed_session(app, success=True)  # not a problem: the same ranks
        await pilot.pause()
        assert pane.view.rows is not rows and pane.ranked_problems("failure") is ranked
        _a_late_failed_session(app)
        await pilot.pause()
        again = pane.ranked_problems("failure")
        assert again is not ranked and len(again) == len(ranked) + 1


async def test_the_screens_tick_keeps_the_hidden_panes_orders_settled(tui, run_dir, monkeypatch):
    """A live run's changed sessions and tasks are moved into their orders each
    second, a few at a time: left for a hidden pane's first look (an e), they
    grew into a sort of every session (0.37 s of a live big run's e)."""
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        _a_late_failed_session(app, apply=app.store.apply)  # (no pane drawn)
        assert app.store.sessions.pending_moves()
        app.main._refresh_tick()
        assert app.store.sessions.pending_moves() == 0


async def test_a_jump_among_audit_failures_not_listed_says_it_passes_them(tui, run_dir,
                                                                          monkeypatch):
    # The audit pane lists the newest failures only: e/E cannot stop at the
    # older ones, and said nothing of it.
    from vivtui.store import budget

    monkeypatch.setattr(budget, "KEPT_PROBLEMS", 1)
    said = []
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        app.main.say = lambda text, *a, **k: said.append(text)
        assert app.store.budget.problem_count > len(app.store.budget.problems) == 1
        await pilot.press("1", "g")  # the run's first line
        first = app.main.current_pane().view.selected.ts
        assert first < app.main.panes["budget"].unlisted_before(app.store)
        await pilot.press("e")
        await tui.wait_until(pilot, lambda: app.main.pending_jump is None)
        notes = [text for text in said if "counted, not listed" in text]
        assert len(notes) == 1 and notes[0].startswith("API failures and budget events before")
        await pilot.press("e")
        await pilot.pause()
        assert len([text for text in said if "counted, not listed" in text]) == 1  # said once


async def test_a_resorted_list_keeps_the_cursor_on_its_row(tui, run_dir):
    # A live run re-sorts sessions (a new failure goes first): the cursor stays
    # on the session it was on, not on whichever took its index.
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        await pilot.press("2", "j")
        view = app.main.panes["sessions"].view
        chosen, index = view.selected, view.cursor
        _a_late_failed_session(app)
        await pilot.pause()
        assert view.rows[0].key[0] == "late"  # sorted above it
        assert view.selected == chosen and view.cursor == index + 1


async def test_a_cursor_on_the_first_row_stays_on_the_first_row_as_rows_come(tui, run_dir):
    # A big queue loading, or a live run's new failures: the top of a triage
    # list stays on screen (a first sort's top row was kept in place, with
    # every newer failure above it, off screen).
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        tui.load(app)
        await pilot.press("2")
        view = app.main.panes["sessions"].view
        assert view.cursor == 0
        _a_late_failed_session(app)
        await pilot.pause()
        assert view.cursor == 0 and view.selected.key[0] == "late" and view.top_row() == 0


async def test_the_sessions_repaint_each_second_only_for_a_running_session_on_screen(tui, run_dir):
    from vivtui.store import sessions as model

    for live in (False, True):
        app = tui.fixture_app(run_dir, live=live)
        async with app.run_test(size=(120, 40)) as pilot:
            tui.load(app)
            await pilot.press("2")
            pane = app.main.panes["sessions"]
            calls = []
            real_refresh = pane.view.refresh
            pane.view.refresh = lambda *a, **k: (calls.append(a), real_refresh(*a, **k))
            pane.update_from(app.store, app.now())  # nothing new: the second's tick
            ticking = any(s.state(pane.run.state) in (model.RUNNING, model.STALLED)
                          for s in pane.view.rows)  # the fixture's fit on screen
            assert ticking == live  # the fixture has open sessions: running while live
            assert bool(calls) == ticking


async def test_a_runs_state_is_not_said_before_anything_dated_is_read(tui, run_dir, tmp_path):
    # Its files are there but not read yet: "live" was said of runs finished
    # hours ago for as long as their big files took.
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert app.main.status_text().plain.startswith(" reading ")
        tui.load(app)
        await pilot.pause()
        assert app.main.status_text().plain.startswith(" live ")  # (its clock: just after)
    empty = tui.empty_app(tmp_path)  # nothing to read: waited for, as live
    async with empty.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert empty.main.status_text().plain.startswith(" live ")
    (tmp_path / "kernel_run.log").write_text("[1] START: a task with no time\n")
    # Read to its end, with no time in it and not seen to grow: no sign of life
    # (it was said to be live until 2026-12-03).
    undated = tui.empty_app(tmp_path)
    async with undated.run_test(size=(140, 40)) as pilot:
        tui.load(undated)
        await pilot.pause()
        assert undated.main.status_text().plain.startswith(" undated ")


async def test_a_runs_last_event_while_its_files_are_read_is_the_newest_seen(tui, run_dir):
    # The files read first may end earlier than a big file's newest lines (its
    # preview): the run's last event went back by a day while a big run loaded.
    from datetime import timedelta

    from vivtui.store.run import RunStore

    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        tui.load(app)
        await pilot.pause()
        read = app.store.run_state(app.now())
        preview = RunStore()
        newest = read.last_event + timedelta(minutes=1)
        preview.activity.saw_events(newest, newest)
        app.main.previews._store = preview
        app.main._unread = lambda: True
        assert app.main.run_judged().last_event == newest
        preview.activity.last_event = read.last_event - timedelta(days=1)
        assert app.main.run_judged() == read  # the store's is newer
        app.main._unread = lambda: False  # every file read: the store alone
        preview.activity.last_event = newest
        assert app.main.run_judged() == read


async def test_the_timeline_says_it_is_counting_while_the_files_are_read(tui, run_dir):
    # Not "rows 0" and "no timestamped records yet" of a run being counted.
    app = tui.fixture_app(run_dir)
    progress: list[float | None] = [0.4]
    async with app.run_test(size=(140, 40)) as pilot:
        app.main.panes["timeline"].reading = lambda: progress[0]
        await pilot.press("6")
        await pilot.pause()
        screen = tui.screen_text(app)
        assert "counting 40%" in screen and "rows come as they are counted" in screen
        assert "no timestamped records yet" not in screen
        progress[0] = None
        tui.load(app)
        await tui.wait_until(pilot, lambda: "counting" not in tui.screen_text(app))
        assert len(app.main.panes["timeline"].view.rows) > 0


async def test_a_stream_pane_shows_its_file_once_opened_whatever_the_counts(tui, tmp_path):
    # The store's buffer counted 1 row, the file's view was at version 1: the
    # pane took them for the same and kept showing the buffer's rows.
    (tmp_path / "action_log.jsonl").write_bytes(orjson.dumps(
        {"actor": "Only-1", "action_type": "TOOL", "action": "edit_file"}) + b"\n")
    app = tui.fixture_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        tui.load(app)
        pane = app.main.actions
        assert pane.file_rows is None and pane.rows_changed(app.store) == 1
        assert pane._source is app.store.buffers["actions"]
        feed = next(feed for feed in app.layout_.feeds if feed.kind == "actions")
        pane.follow_file(feed, timezone.utc, lambda: None, 60.0)
        await tui.file_opened(pilot, pane)
        assert pane.file_rows.view.version == 1
        assert pane.rows_changed(app.store) == 1
        assert pane._source is pane.file_rows


async def test_a_stream_panes_history_is_indexed_with_the_keys_first(tui, tmp_path):
    """The history scan calls what ``keys_first`` makes between its reads (the
    tail loops' wait while a key is answered, ``Tailing.keys_first``)."""
    line = orjson.dumps({"actor": "Many-1", "action_type": "TOOL", "action": "edit_file",
                         "details": "x" * 200}) + b"\n"
    (tmp_path / "action_log.jsonl").write_bytes(line * (3 * (1 << 20) // len(line)))
    app = tui.fixture_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        tui.load(app)
        pane = app.main.actions
        paces = []
        feed = next(feed for feed in app.layout_.feeds if feed.kind == "actions")
        pane.follow_file(feed, timezone.utc, lambda: None, 60.0,
                         lambda: lambda: paces.append(pane.history_progress))
        await tui.wait_until(pilot, lambda: pane.file_view is not None
                             and pane.file_view.pending is None and pane.history_progress is None)
        # One call after each read of the 2 MB before the tail read at once.
        assert len(paces) >= 2 and paces == sorted(paces) and 0 < paces[0] < 1


async def test_the_previews_and_backlogs_wait_a_while_after_the_last_key(tui, run_dir,
                                                                         monkeypatch):
    """Not only until the next frame: at a big run's first frame, a pane key
    reached its binding 100 ms after the app got it."""
    from time import monotonic

    from vivtui.ui import keys_first
    monkeypatch.setattr(keys_first, "KEY_ANSWER_S", 1.0)
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        answered = []
        app.tailing.key_answered = lambda: answered.append(monotonic())
        await pilot.press("j")
        before_last = monotonic()
        await pilot.press("k")
        assert answered == []
        await tui.wait_until(pilot, lambda: answered)
        await pilot.pause(1.0)  # the first key's time has passed long since: once
        assert len(answered) == 1 and answered[0] - before_last >= 0.98


async def test_the_collector_waits_while_a_key_is_answered(tui, run_dir, monkeypatch):
    # On a big run's UI thread, a pass of the collector fell in a key's answer
    # now and then (95-124 ms): it waits for the last key's answer time.
    import gc
    from time import monotonic

    from vivtui.ui import keys_first
    monkeypatch.setattr(keys_first, "KEY_ANSWER_S", 0.6)
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        assert gc.isenabled()
        await pilot.press("j")
        pressed = monotonic()
        assert not gc.isenabled()
        await pilot.pause(0.3)
        await pilot.press("k")  # (its own time: not the first key's)
        assert not gc.isenabled()
        await tui.wait_until(pilot, gc.isenabled)
        assert monotonic() - pressed >= 0.85
        await pilot.press("j")
    assert gc.isenabled()  # (given back as the app ends, whatever its keys)


async def test_the_audit_pane_lists_every_failure_and_ranks_them_without_reading_them(tui,
                                                                                      tmp_path):
    # The newest 5,000 only were listed: a big run's older 25k were counted, not shown.
    from vivtui.ui.panes.base import Pane

    lines = [orjson.dumps({"timestamp": f"2026-02-03T0{n // 3600}:{n // 60 % 60:02d}:"
                                        f"{n % 60:02d}+00:00", "user": "admin",
                           "event": ("API_CALL_FAILURE", "RATE_LIMITED")[n % 2],
                           "error": f"boom {n}"}) + b"\n" for n in range(8_000)]
    (tmp_path / "api_audit.log").write_bytes(b"".join(lines))
    app = VivtuiApp(discover(tmp_path), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(140, 40)) as pilot:
        pane = app.main.panes["budget"]
        await pilot.press("4")
        await tui.wait_until(pilot, lambda: len(pane.view.rows) == 8_000
                             and app.main.reading() is None)
        assert app.store.budget.problem_count == 8_000
        assert pane.unlisted_before(app.store) is None  # none passed by
        # The type picker counts from the counts, as describing every row does.
        assert dict(pane.categories(app.store)) == dict(Pane.categories(pane, app.store)) == {
            "API_CALL_FAILURE": 4_000, "RATE_LIMITED": 4_000}
        for level in ("failure", "warning"):
            ranked = list(pane.timed_problems(level))
            assert len(ranked) == 4_000
            assert ranked == list(Pane.timed_problems(pane, level))  # as a walk over the rows
        await tui.type_in(pilot, "ampersand", "boom 7")  # filtered: 1,111 rows
        await tui.workers_done(app, pilot, pane)
        assert len(pane.view.rows) == 1_111
        # By a worker: walking 8,000 rows read back from the file is not the UI thread's.
        assert pane.view.rows.reads_back and pane.row_query._shown_scan is not None
        for level in ("failure", "warning"):
            ranked = list(pane.timed_problems(level))
            assert 500 < len(ranked) < 600 and ranked == list(Pane.timed_problems(pane, level))
        await pilot.press("escape")
        await pilot.press("g")
        assert "boom 0" in tui.screen_text(app)  # the oldest, read back from the file
        await pilot.press("G", "E")
        await tui.wait_until(pilot, lambda: app.main.pending_jump is None)
        assert pane.view.selected.fields["error"] == "boom 7998"  # the previous failure


async def test_the_blocks_views_picker_and_jumps_count_and_rank_as_its_rows_say(tui, run_dir):
    from vivtui.ui.panes.base import Pane

    async with tui.opened(run_dir, size=(140, 40)) as (app, pilot):
        await pilot.press("4", "B")
        pane = app.main.panes["budget"]
        assert pane.mode == "blocks" and len(pane.view.rows) == app.store.blocked_count > 2
        assert dict(pane.categories(app.store)) == dict(Pane.categories(pane, app.store))
        # e/E rank the blocks from their times, as a walk over the rows does.
        assert list(pane.timed_problems("failure"))
        for level in ("failure", "warning"):
            assert list(pane.timed_problems(level)) == list(Pane.timed_problems(pane, level))


async def test_a_run_directory_opens_where_its_files_are(tui, run_dir, tmp_path):
    """The action stream, unless other files are there and it is not (a copied
    part of a run: its sessions alone opened on an empty action stream)."""
    import shutil

    part = tmp_path / "part"
    part.mkdir()
    shutil.copy(run_dir / "structured_logs.jsonl", part)
    (tmp_path / "empty").mkdir()
    for root, home in ((part, "sessions"), (run_dir, "actions"), (tmp_path / "empty", "actions")):
        app = tui.fixture_app(root)
        async with app.run_test(size=(120, 30)) as pilot:
            tui.load(app)
            await pilot.pause()
            assert (app.main.home, app.main.active_name()) == (home, home), root
            if home == "sessions":
                assert "waiting for actions" not in tui.screen_text(app)


async def test_a_file_read_without_a_row_for_its_pane_says_so_not_waiting(tui, tmp_path):
    # A million lines, none of them a task, were shown as "waiting for execution_log.jsonl".
    (tmp_path / "execution_log.jsonl").write_bytes(b"not a task\n" * 3 + b"[1]\n")
    (tmp_path / "structured_logs.jsonl").write_bytes(
        b'{"timestamp": "2026-02-11T00:59:00", "level": "INFO", "message": "worker up",'
        b' "worker_id": "w", "context": {}}\n')
    app = tui.fixture_app(tmp_path)
    async with app.run_test(size=(120, 20)) as pilot:
        tui.load(app)
        app.main.refresh_status()
        await pilot.pause()
        assert app.main.panes["queue"].view.empty == (
            "no task events in execution_log.jsonl yet: 4 lines read, 4 of them malformed")
        assert app.main.panes["sessions"].view.empty == (
            "no GrindSession starts or completions in structured_logs.jsonl yet: 1 line read")
        assert app.main.panes["budget"].view.empty == "no API failures or budget events yet"


async def test_rows_drawn_before_the_run_is_known_to_span_days_are_drawn_again_dated(
        tui, tmp_path):
    # A big run's newest actions were drawn at once; the sessions read after
    # them began two days earlier. The actions' times stayed without their date
    # (13:17:37, of which day?) until they were scrolled: the view was not
    # drawn again, though its rows now draw dated.
    from vivtui.parsing import sessions

    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        app.apply_records("actions", [tui.action(i) for i in range(3)])
        await pilot.pause()
        assert "05:44:03 A0" in tui.screen_text(app)
        start = orjson.dumps({"timestamp": "2026-02-01T09:00:00+00:00",
                              "message": "GrindSession started", "worker_id": "w",
                              "context": {"session_id": 1, "run": 1, "task": "t"}})
        app.apply_records("sessions", [sessions.parse(start, 1, 0, ParseContext(timezone.utc))])
        await pilot.pause()
        assert "02-03 05:44:03 A0" in tui.screen_text(app)


async def test_a_slow_read_back_leaves_the_keys_free_and_shows_the_newest_selection(
        tui, run_dir, monkeypatch):
    # A session's events read back on the screen's thread at each move of the
    # cursor: a 20 MB line held it 268 ms, at every move onto its row.
    import threading

    from vivtui.store.sessions import SessionTracker

    slow = threading.Event()
    event_at = SessionTracker.event_at

    def held(self, session, event):
        if session.title == "Fix the parser" and threading.current_thread() is not \
                threading.main_thread():
            slow.wait(20)
        return event_at(self, session, event)

    monkeypatch.setattr(SessionTracker, "event_at", held)
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        await pilot.press("2")
        await pilot.pause()
        pane = app.main.panes["sessions"]
        at = tui.select_where(pane, lambda s: s.title == "Fix the parser")
        await pilot.pause()
        assert "reading the session's events" in str(pane.query_one(".detail").render())
        other = next(i for i, s in enumerate(pane.view.rows) if s.title == "Write docs")
        pane.view.select(other)  # answered while the first is still being read
        await tui.wait_until(pilot, lambda: "Write docs" in str(pane.query_one(".detail")
                                                                 .render()))
        assert pane.view.cursor == other != at
        slow.set()  # the first answer comes late, and is not shown
        await pilot.pause(0.2)
        detail = str(pane.query_one(".detail").render())
        assert "Write docs" in detail and "Fix the parser" not in detail


async def test_a_slow_task_history_is_said_to_be_read_while_keys_go_on(tui, run_dir, monkeypatch):
    import threading

    from vivtui.store.tasks import TaskTracker

    slow = threading.Event()
    history = TaskTracker.history
    monkeypatch.setattr(TaskTracker, "history", lambda self, task, *more: (
        threading.current_thread() is threading.main_thread() or slow.wait(20))
        and history(self, task, *more))
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        await pilot.press("3")
        await pilot.pause()
        pane = app.main.panes["queue"]
        shown = lambda: str(pane.query_one(".history").render())  # noqa: E731
        await tui.wait_until(pilot, lambda: "reading the task's events" in shown())
        task = pane.view.selected
        await pilot.press("j")  # answered meanwhile
        assert pane.view.selected is not task
        slow.set()
        await tui.wait_until(pilot, lambda: "reading" not in shown())
        assert pane.view.selected.task_id in shown()


async def test_a_big_records_timeline_row_is_summarised_by_a_thread(tui, tmp_path, monkeypatch):
    # Made where its row was drawn, a 20 MB record's summary held the screen
    # 154-227 ms as the timeline was shown.
    import threading

    from vivtui.parsing.recent_big import BIG
    from vivtui.ui.panes import timeline

    go = threading.Event()
    monkeypatch.setattr(timeline, "worker_pace_of", lambda app: lambda: go.wait(20))
    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        app.apply_records("actions", [tui.action(1), tui.action(2, "y" * BIG, "ERROR")])
        await pilot.press("6")
        await tui.wait_until(pilot, lambda: "reading a 1.0 MB record…" in tui.screen_text(app))
        assert "row 1" in tui.screen_text(app)
        go.set()
        await tui.wait_until(pilot, lambda: "yyyyyyyy" in tui.screen_text(app))
        assert "reading a" not in tui.screen_text(app)


async def test_a_crash_leaves_its_traceback_without_its_locals(tui, tmp_path):
    """Textual's report shows each frame's locals: log text there may hold a
    secret the screen masks, left in the terminal's scrollback (and a value
    nested 1000 deep held the terminal at full CPU while it was printed)."""
    from rich.console import Console

    (tmp_path / "action_log.jsonl").write_text('{"action_type": "TOOL"}\n')
    app = tui.fixture_app(tmp_path)

    def crashes() -> None:
        # A local the report must not show (made here: the report shows the source lines).
        token = "-".join(["sk", "ant", "api03", "B" * 40])  # noqa: F841
        raise RuntimeError("the crash")

    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    async with app.run_test() as pilot:
        tui.load(app)
        await pilot.pause()
        try:
            crashes()
        except RuntimeError:
            app._fatal_error()  # (what Textual does with an unhandled exception)
        for renderable in app._exit_renderables:
            console.print(renderable)
    report = console.export_text()
    assert "RuntimeError: the crash" in report and "crashes" in report
    assert "sk-ant-api03" not in report and "BBBBBBBB" not in report


def test_a_monitor_that_ends_on_an_error_exits_with_an_error(tmp_path, monkeypatch):
    # Textual leaves 1 as the app's return code when it ends on an exception;
    # the command returned 0 whatever happened, and a script saw no failure.
    from vivtui import cli

    (tmp_path / "action_log.jsonl").write_text('{"action_type": "TOOL"}\n')

    def ends_on_an_error(app) -> None:
        app._return_code = 1  # (as Textual's ``_handle_exception`` leaves it)

    monkeypatch.setattr(VivtuiApp, "run", ends_on_an_error)
    assert cli.main([str(tmp_path)]) == 1  # (not --fresh: it stops kept answers for the process)
    monkeypatch.setattr(VivtuiApp, "run", lambda app: None)
    assert cli.main([str(tmp_path)]) == 0


async def test_a_history_entry_of_any_shape_is_shown_in_the_sessions_detail(tui, run_dir):
    # An entry's files_modified of 5 (not a list) ended the monitor at the
    # sessions pane: the detail joined its items.
    import json

    history = run_dir / "performance_history.json"
    entries = json.loads(history.read_text())
    entries[1].update(files_modified=5, lessons_learned={"FAIL": "exit code 1"})
    history.write_text(json.dumps(entries))
    async with tui.opened(run_dir, size=(120, 40)) as (app, pilot):
        await pilot.press("2")
        await pilot.pause()
        text = tui.screen_text(app)
        assert app.is_running and "files modified: 5" in text
        assert 'lesson: {"FAIL":"exit code 1"}' in text


async def test_an_empty_list_of_blocks_says_so_not_the_budgets_words(tui, tmp_path):
    # B on a run with no block said "no API failures or budget events yet".
    (tmp_path / "api_audit.log").write_bytes(orjson.dumps(
        {"timestamp": "2026-02-11T00:58:00", "event": "API_CALL_SUCCESS", "user": "u",
         "cost": 0.1}) + b"\n")
    budget, blocks = "no API failures or budget events yet", "no safety blocks in any file"
    async with tui.opened(tmp_path, size=(100, 30)) as (app, pilot):
        for key, said, not_said in (("4", budget, blocks), ("B", blocks, budget),
                                    ("B", budget, blocks)):
            await pilot.press(key)
            app.main.refresh_status()
            await pilot.pause()
            text = tui.screen_text(app)
            assert said in text and not_said not in text
