"""The monitor with its workers running: every file's worker gets a thread, and
the action stream of a big file is read on demand (filters and search scan it
in workers while the screen stays live)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from vivtui.app import Options, VivtuiApp
from vivtui.ingest import feeds
from vivtui.ingest.layout import discover
from vivtui.ingest.tailing import Tailing
from vivtui.sources import fileview
from vivtui.store import timeline
from vivtui.store.filerows import FileRows
from vivtui.store.scan import RowScan
from vivtui.ui import render


def small_previews(monkeypatch) -> None:
    """Files over 20,000 bytes are previewed, by their last 3,000."""
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 20_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 3_000)


def action_log_app(action_lines, log, count: int, monkeypatch=None) -> VivtuiApp:
    """The monitor on an action log of ``count`` lines alone (an ERROR every
    1,000); with ``monkeypatch``, its view reads only the last 20 KB at open,
    the rest being its history, indexed by a worker."""
    if monkeypatch is not None:
        monkeypatch.setattr(fileview, "TAIL_BYTES", 20_000)
    action_lines.write(log, range(count), every_error=1000)
    return VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))


def backlogs_held(monkeypatch):
    """Small previews, and the files' reading from the start held back until
    the event returned is set (the previews are looked at meanwhile)."""
    import threading
    small_previews(monkeypatch)
    go = threading.Event()
    read_all = Tailing.read_all
    monkeypatch.setattr(Tailing, "read_all",
                        lambda self, feed: go.wait(20) and read_all(self, feed))
    return go


def queue_of_3000(tmp_path):
    """A queue of 3,000 tasks, one failure in 500."""
    import orjson

    log = tmp_path / "execution_log.jsonl"
    log.write_bytes(b"".join(orjson.dumps(
        {"timestamp": f"2026-02-03T05:{n // 60 % 60:02d}:{n % 60:02d}", "task_id": f"task-{n:05d}",
         "status": "failed" if n % 500 == 0 else "completed"}) + b"\n" for n in range(1, 3001)))
    return log


async def test_every_file_of_a_run_gets_its_worker(tui, run_dir):
    # Thread workers share one executor; with seven files on two cores the
    # last files' workers and the watcher used to wait for a thread forever.
    app = VivtuiApp(discover(run_dir), Options(zone=timezone.utc))
    async with app.run_test(size=(120, 40)) as pilot:
        await tui.wait_until(pilot, lambda: all(app.store.buffers[kind].total
                                            for kind in ("safety", "kernel", "api", "actions")))
        with open(run_dir / "safety_audit.log", "ab") as handle:
            handle.write(b'{"timestamp": "2026-02-11T00:59:00", "blocked_reason": "late"}\n')
        before = app.store.buffers["safety"].total
        await tui.wait_until(pilot, lambda: app.store.buffers["safety"].total > before)


async def test_the_footers_keys_are_in_the_monitors_first_frame(tui, run_dir):
    """Not built after it: the footer line was blank in the first frames, and
    its build came just when a key pressed at the first frame was on its way."""
    from vivtui.ui.keys_footer import KeysFooter
    app = VivtuiApp(discover(run_dir), Options(zone=timezone.utc))
    frames: list[tuple[bool, int]] = []  # (the pane tabs drawn, footer keys) of each frame
    real = app._display

    def display(screen, update):
        footers = list(screen.query(KeysFooter)) if screen is app.main else []
        frames.append((screen is app.main and app.main.is_mounted,
                       sum(len(footer.shown) for footer in footers)))
        return real(screen, update)

    app._display = display
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    first = next(keys for main, keys in frames if main)
    assert first >= 5  # tab, inspect, search, failure, keys, quit...


async def test_big_action_log_opens_at_its_end_and_scans_in_workers(tui, action_lines, tmp_path, monkeypatch):
    log = tmp_path / "action_log.jsonl"
    app = action_log_app(action_lines, log, 40_000, monkeypatch)
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.main.panes["actions"]
        await tui.file_opened(pilot, pane)
        rows = pane.file_rows
        assert isinstance(rows, FileRows)
        await tui.wait_until(pilot, lambda: "seq=00039999" in tui.screen_text(app))
        await tui.wait_until(pilot, lambda: len(rows) == 40_000)  # history indexed
        view = pane.view
        # (Drawn at the pane's next frame: the cursor follows to the end then.)
        await tui.wait_until(pilot, lambda: view.cursor == 39_999)
        assert view.follow
        await pilot.press("g")
        assert view.selected.line == 1
        await pilot.press("G")
        await tui.type_in(pilot, "ampersand", "ERROR")
        await tui.workers_done(app, pilot, pane)
        assert isinstance(view.rows, RowScan) and len(view.rows) == 40
        assert view.selected.fields["detail"] == "seq=00039000"
        assert "40 shown" in tui.screen_text(app)
        action_lines.write(log, range(40_000, 41_001), every_error=1000)  # two more ERRORs
        await tui.wait_until(pilot, lambda: len(view.rows) == 42)
        await tui.wait_until(pilot, lambda: "seq=00041000" in tui.screen_text(app))
        await tui.type_in(pilot, "slash", "seq=0000[12]000")
        await tui.workers_done(app, pilot, pane)
        assert pane.hits == 2 and "2 hits" in tui.screen_text(app)
        await pilot.press("n")
        first = view.selected.fields["detail"]
        await pilot.press("n")
        assert {first, view.selected.fields["detail"]} == {"seq=00001000", "seq=00002000"}
        await pilot.press("escape")
        await pilot.pause()
        assert view.rows is rows


async def test_g_as_the_history_is_indexed_goes_to_the_files_first_line(tui, action_lines,
                                                                         tmp_path, monkeypatch):
    # Before the pane's next frame numbered the rows put in front, g went to
    # the first of the newest lines, and the cursor was then moved down with
    # them (line 2,023 of 3,000).
    app = action_log_app(action_lines, tmp_path / "action_log.jsonl", 3_000, monkeypatch)
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.main.panes["actions"]
        await tui.wait_until(pilot, lambda: pane.file_view is not None
                             and pane.file_view.pending is None and len(pane.file_rows) == 3_000)
        await pilot.press("g")
        assert pane.view.selected.line == 1
        await pilot.pause(0.3)  # (and after the next frames)
        assert pane.view.selected.line == 1


async def test_big_action_log_failures_and_saving_go_through_workers(tui, action_lines, tmp_path,
                                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)  # short relative paths to type
    log = tmp_path / "run" / "action_log.jsonl"
    log.parent.mkdir()
    app = action_log_app(action_lines, log, 40_000, monkeypatch)
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.main.panes["actions"]
        view = pane.view
        await tui.file_opened(pilot, pane)
        # (Read to its end by the tail loop too: else the jump waits for it,
        # "reading the run". The fresh-clone CI once saw E not moved yet.)
        await tui.wait_until(pilot, lambda: len(pane.file_rows) == 40_000
                         and app.store.buffers["actions"].total == 40_000
                         and app.main.reading() is None)
        await pilot.press("G", "E")  # the previous failure, found without walking the file
        # (It may wait for the timeline's merge of the 40k rows, on a thread.)
        await tui.wait_until(pilot, lambda: view.selected.fields["detail"] != "seq=00039999")
        assert app.current_pane() is pane
        assert view.selected.fields["detail"] == "seq=00039000"
        await pilot.press("E")
        assert view.selected.fields["detail"] == "seq=00038000"
        await pilot.press("e")
        assert view.selected.fields["detail"] == "seq=00039000"
        saved = tmp_path / "all.jsonl"
        await tui.type_in(pilot, "ctrl+s", saved.name)
        await tui.wait_until(pilot, lambda: saved.exists() and
                         saved.read_bytes().count(b"\n") == 40_000)
        await tui.type_in(pilot, "ampersand", "ERROR")
        await tui.workers_done(app, pilot, pane)
        errors = tmp_path / "errors.jsonl"
        await tui.type_in(pilot, "ctrl+s", errors.name)
        await tui.wait_until(pilot, lambda: errors.exists() and
                         errors.read_bytes().count(b"\n") == 40)
        assert b'"detail":"seq=00039000"' in errors.read_bytes()


async def test_a_worker_that_meets_a_bug_says_so_and_goes_on(tui, run_dir):
    app = VivtuiApp(discover(run_dir), Options(zone=timezone.utc))
    kernel_feed = next(feed for feed in app.layout_.feeds if feed.kind == "kernel")
    real_poll, failures = kernel_feed.poll, []

    def poll_failing_once(final: bool = False):
        if not failures:
            failures.append(True)
            raise RuntimeError("a parser bug")
        return real_poll(final)

    kernel_feed.poll = poll_failing_once
    async with app.run_test(size=(120, 40)) as pilot:
        await tui.wait_until(pilot, lambda: any("a parser bug" in str(n.message)
                                            for n in app._notifications))
        assert any("reading kernel_run.log failed: RuntimeError" in str(n.message)
                   for n in app._notifications)
        await tui.wait_until(pilot, lambda: app.store.buffers["kernel"].total > 0)


async def test_background_work_that_fails_says_so(tui, tmp_path):
    # History indexing, scans and saves run this way: none may fail unseen.
    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        app.run_worker(lambda: 1 / 0, thread=True, exit_on_error=False,
                       name="scanning the actions")
        await tui.wait_until(pilot, lambda: any(
            "scanning the actions failed: ZeroDivisionError" in str(n.message)
            for n in app._notifications))
        # and it stays said in the status line, after the toast is gone
        assert "1 background failure: scanning the actions failed" in tui.screen_text(app)


async def test_a_panes_background_work_that_fails_says_so_too(tui, run_dir):
    # A worker's state reaches only the widget that started it (Textual's
    # messages for it do not bubble): a pane's scan failed unseen.
    app = tui.fixture_app(run_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        app.main.panes["queue"].run_worker(lambda: 1 / 0, thread=True, exit_on_error=False,
                                           name="scanning the queue")
        await tui.wait_until(pilot, lambda: "1 background failure: scanning the queue failed"
                             in tui.screen_text(app))


async def test_no_stale_rows_after_copytruncate_or_rotation_with_lines_of_equal_length(tui, tmp_path):
    kernel, actions = tmp_path / "kernel_run.log", tmp_path / "action_log.jsonl"

    def action(word: str, i: int) -> bytes:
        return (b'{"timestamp": "2026-02-03T05:44:0%d+00:00", "actor": "A", "action_type": '
                b'"TOOL", "action": "%s-%d", "detail": "d"}\n' % (i, word.encode(), i))

    kernel.write_bytes(b"".join(b"[%d] START: old-%d\n" % (i, i) for i in range(5)))
    actions.write_bytes(b"".join(action("old", i) for i in range(5)))
    app = VivtuiApp(discover(tmp_path), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(120, 30)) as pilot:
        await tui.wait_until(pilot, lambda: "old-4" in tui.screen_text(app))
        # copytruncate of the kernel log, refilled with lines of the same length
        with open(kernel, "r+b") as handle:
            handle.truncate(0)
            handle.write(b"".join(b"[%d] START: new-%d\n" % (i, i) for i in range(5)))
        # rotation of the action log, a new file with lines of the same length
        os.rename(actions, tmp_path / "action_log.jsonl.1")
        actions.write_bytes(b"".join(action("new", i) for i in range(5)))
        await pilot.press("5")
        await tui.wait_until(pilot, lambda: "new-4" in tui.screen_text(app))
        kernel_rows = [r.raw for r in app.main.panes["kernel"].view.rows]
        assert kernel_rows[-5:] == [f"[{i}] START: new-{i}" for i in range(5)]
        assert tui.screen_text(app).count("START: new-") == 5
        await pilot.press("1")
        await tui.wait_until(pilot, lambda: "new-4" in tui.screen_text(app))
        screen = tui.screen_text(app)
        assert all(f"new-{i}" in screen for i in range(5))


async def test_a_copytruncated_action_log_with_a_search_shows_only_the_new_lines(tui, tmp_path):
    actions = tmp_path / "action_log.jsonl"

    def action(word: str, i: int) -> bytes:
        return (b'{"timestamp": "2026-02-03T05:44:0%d+00:00", "actor": "A", "action_type": '
                b'"TOOL", "action": "%s-%d", "detail": "d"}\n' % (i, word.encode(), i))

    actions.write_bytes(b"".join(action("old", i) for i in range(5)))
    app = VivtuiApp(discover(tmp_path), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(120, 20)) as pilot:
        await tui.wait_until(pilot, lambda: "old-4" in tui.screen_text(app))
        await tui.type_in(pilot, "slash", "old-3")
        pane = app.main.panes["actions"]
        await tui.wait_until(pilot, lambda: pane.hits == 1)
        with open(actions, "r+b") as handle:  # the same length, the same line numbers
            handle.truncate(0)
            handle.write(b"".join(action("new", i) for i in range(5)))
        await tui.wait_until(pilot, lambda: "new-4" in tui.screen_text(app))
        await tui.wait_until(pilot, lambda: pane.hits == 0)  # the old line's hit is gone
        screen = tui.screen_text(app)
        assert "old-" not in screen.replace("search old-3", "")
        assert all(f"new-{i}" in screen for i in range(5))


async def test_big_kernel_log_opens_on_its_pane_at_its_end_without_the_store(tui, tmp_path,
                                                                            monkeypatch):
    # The kernel pane reads its file itself, as the action pane does: with the
    # tail loops held back (nothing parsed for the store), its newest lines are
    # on screen, the history is indexed, and a search scans it in a worker.
    monkeypatch.setattr(fileview, "TAIL_BYTES", 20_000)
    monkeypatch.setattr(Tailing, "start", lambda self: None)
    log = tmp_path / "kernel_run.log"
    log.write_text("".join(f"[{n}] DONE (5s) - 1 files seq={n:08d}\n" if n % 1000 else
                           f"BLOCKED: write {n}\n" for n in range(1, 40_001)))
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(140, 30)) as pilot:
        assert app.main.active_name() == "kernel"  # one file: its own pane
        pane = app.main.panes["kernel"]
        await tui.file_opened(pilot, pane)
        assert isinstance(pane.file_rows, FileRows)
        await tui.wait_until(pilot, lambda: "seq=00039999" in tui.screen_text(app))
        await tui.wait_until(pilot, lambda: len(pane.file_rows) == 40_000)
        # ... and drawn: a "g" before that goes to the top of the newest lines
        # shown, and stays on its line as the history comes in above it.
        await tui.wait_until(pilot, lambda: pane.view._first_seq == pane.file_rows.first_seq)
        assert app.store.buffers["kernel"].total == 0  # the store read nothing
        await pilot.press("g")
        assert pane.view.selected.line == 1
        await tui.type_in(pilot, "slash", "BLOCKED: write 39000")
        await tui.workers_done(app, pilot, pane)
        assert pane.hits == 1 and pane.view.selected.line == 39_000
        with open(log, "ab") as handle:
            handle.write(b"[40001] FAILED: late seq=00040001\n")
        await pilot.press("G")
        await tui.wait_until(pilot, lambda: "seq=00040001" in tui.screen_text(app))


async def test_a_big_queue_shows_its_newest_tasks_while_the_rest_is_read(tui, tmp_path,
                                                                          monkeypatch):
    # The queue's model takes every line in order: until then its rows come
    # from the file's newest lines, and the head says so. Here the reading
    # from the start is held back until the preview has been looked at.
    go = backlogs_held(monkeypatch)
    log = queue_of_3000(tmp_path)
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.main.panes["queue"]
        await tui.wait_until(pilot, lambda: "task-03000" in tui.screen_text(app))
        screen = tui.screen_text(app)
        assert "NEWEST LINES ONLY" in screen and "task-00001 " not in screen
        assert pane.view.rows[0].task_id == "task-03000"  # its newest failure first
        assert app.store.tasks.counts.total() == 0  # the file itself not read yet
        # Read elsewhere meanwhile (another process): the head says how far,
        # though the model has not moved; it is counted whole once read (apart):
        # no counts meanwhile, not "Queue 0 tasks".
        feed = next(feed for feed in app.layout_.feeds if feed.kind == "tasks")
        assert feed.descriptor() is not None  # as it is opened for the other process
        feed.offset_elsewhere = log.stat().st_size // 2
        await tui.wait_until(pilot, lambda: "counting 50%  Queue" in tui.screen_text(app))
        assert "0 tasks" not in tui.screen_text(app)
        # The status line's figures are not final yet, and it says so; the
        # run's state is judged from the preview's newest lines meanwhile.
        status = tui.screen_text(app).splitlines()[-2]
        assert "counting " in status and status.startswith(" finished (last event")
        go.set()
        await tui.wait_until(pilot, lambda: "Queue 3000 tasks" in tui.screen_text(app))
        await tui.wait_until(pilot, lambda: "NEWEST LINES ONLY" not in tui.screen_text(app))
        assert len(pane.view.rows) == 3000 and pane.view.rows[0].task_id == "task-03000"
        assert pane.view.rows[0].line == 3000  # the whole file's own row, numbered
        await tui.wait_until(pilot, lambda: "counting" not in tui.screen_text(app))


async def test_a_preview_read_while_the_monitor_started_is_in_its_first_frame(tui, tmp_path,
                                                                              monkeypatch):
    # Read by a forked process while Textual was imported (``launch``): taken
    # in before the first frame, not read by the tail loops after it.
    from vivtui.ingest import early_previews
    from vivtui.ingest.early_previews import EarlyPreviews
    from vivtui.store.run import RunStore

    go = backlogs_held(monkeypatch)
    layout = discover(queue_of_3000(tmp_path))
    monkeypatch.setattr(early_previews, "other_threads", lambda: False)  # (other tests')
    early = EarlyPreviews.start(layout.feeds, feeds.PREVIEWED_KINDS, RunStore)
    assert early is not None
    read_here = []
    monkeypatch.setattr(feeds.Feed, "preview", lambda feed, pace=None: read_here.append(feed))
    app = VivtuiApp(layout, Options(zone=timezone.utc, display_zone=timezone.utc,
                                    early_previews=early))
    frames: list[str] = []
    real = app._display

    def display(screen, update):
        result = real(screen, update)
        if screen is app.main:
            frames.append(tui.screen_text(app))
        return result

    app._display = display
    async with app.run_test(size=(140, 30)) as pilot:
        await tui.wait_until(pilot, lambda: frames)
        assert "task-03000" in frames[0] and "NEWEST LINES ONLY" in frames[0]
        go.set()
        await tui.wait_until(pilot, lambda: "Queue 3000 tasks" in tui.screen_text(app))
    assert read_here == []  # the tail loops did not read it again


async def test_a_big_queue_taken_in_apart_gives_every_count_and_history_alert(tui, tmp_path,
                                                                              monkeypatch):
    # Its reading thread takes the backlog in (``ingest.apart``); the screen
    # absorbs it whole: the counts and the history alerts are those of one
    # reading in order (``vivtui summary``'s), and later lines add to them.
    import orjson

    from vivtui.alerts.alert import MALFORMED_LINES, SAFETY, STREAK
    from vivtui.summary import collect
    small_previews(monkeypatch)
    log = tmp_path / "execution_log.jsonl"
    statuses = ["completed"] * 2000 + ["failed"] * 4 + ["safety_blocked"] + ["completed"] * 995

    def line(n: int, status: str) -> bytes:
        return orjson.dumps({"timestamp": f"2026-02-03T05:{n // 60 % 60:02d}:{n % 60:02d}",
                             "task_id": f"task-{n:05d}", "status": status,
                             "errors": "Attempt to write to protected file"
                             if status == "safety_blocked" else None}) + b"\n"

    log.write_bytes(b"".join(line(n, status) for n, status in enumerate(statuses, 1))
                    + b"{half a line\n")
    joined = []  # (the command line freezes what joins out of the collector)
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc,
                                           on_long_lived=lambda: joined.append(1)))
    async with app.run_test(size=(140, 30)) as pilot:
        await tui.wait_until(pilot, lambda: "Queue 3000 tasks" in tui.screen_text(app))
        assert joined == [1]
        _, whole = collect(log, timezone.utc)
        assert app.store.tasks.counts == whole.tasks.counts
        assert app.store.malformed_count == 1 and app.store.blocked_count == 1
        rules = {alert.rule for alert in app.alerts.alerts}
        assert {STREAK, SAFETY, MALFORMED_LINES} <= rules
        assert not any(alert.live for alert in app.alerts.alerts)  # history, not rung
        with open(log, "ab") as handle:
            handle.write(line(3001, "failed"))
        await tui.wait_until(pilot, lambda: "Queue 3001 tasks" in tui.screen_text(app))
        assert app.store.tasks.counts["failed"] == whole.tasks.counts["failed"] + 1


async def test_the_budget_says_it_is_counting_until_the_audit_log_is_read(tui, tmp_path,
                                                                           monkeypatch):
    # Its spend, calls and forecast are the whole file's: none while the file
    # is counted apart, not "Spend $0.00 in 0 calls".
    from vivtui.demo import write_forever
    go = backlogs_held(monkeypatch)
    write_forever(tmp_path, rate=0, limit=1500)
    log = tmp_path / "api_audit.log"
    assert log.stat().st_size > 20_000
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(140, 30)) as pilot:
        await tui.wait_until(pilot, lambda: "NEWEST LINES ONLY" in tui.screen_text(app))
        screen = tui.screen_text(app)
        assert "Spend counting 0% of the audit log" in screen
        assert "$0.00 in 0 calls" not in screen and "forecast none" not in screen
        assert "$ counting" in screen and "$ $0.00" not in screen  # the status line too
        go.set()
        await tui.wait_until(pilot, lambda: "NEWEST LINES ONLY" not in tui.screen_text(app))
        calls, spend = app.store.budget.calls, render.money(app.store.budget.cost)
        assert calls > 0
        # (The pane and the status line may take a frame more than the preview's note.)
        await tui.wait_until(pilot, lambda: f"in {calls} calls" in tui.screen_text(app))
        await tui.wait_until(pilot, lambda: f"$ {spend}" in tui.screen_text(app))


async def test_the_timeline_shows_the_newest_lines_while_the_files_are_counted(tui, tmp_path,
                                                                               monkeypatch):
    # It said "rows 0" for the seconds a big run took to count; then each file's
    # rows once it is read, the preview's let go (not both).
    from vivtui.demo import write_forever
    go = backlogs_held(monkeypatch)
    write_forever(tmp_path, rate=0, limit=1500)
    app = VivtuiApp(discover(tmp_path), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.main.panes["timeline"]
        await pilot.press("6")
        await tui.wait_until(pilot, lambda: "NEWEST LINES ONLY" in tui.screen_text(app)
                             and len(pane.view.rows) > 0)
        assert app.main.reading() is not None  # (the files are held: nothing counted yet)
        go.set()
        await tui.wait_until(pilot, lambda: app.main.reading() is None
                             and "NEWEST LINES ONLY" not in tui.screen_text(app))
        await tui.wait_until(pilot, lambda: not pane.gathering)
        await pilot.pause()
        kept = sum(min(buffer.total - buffer.first_seq, len(list(buffer)))
                   for kind, buffer in app.store.buffers.items() if kind != "performance")
        assert 0 < len(pane.timeline.rows) <= kept
        places = [(entry[2].kind, entry[2].line, entry[2].offset) for entry in pane.timeline.rows]
        assert len(places) == len(set(places))  # the previews' rows not kept beside the run's


async def lines_gone_to(tui, app, pilot, pane, keys: str) -> list[int]:
    """Once the pane's 5,000-line file is shown whole and counted: ``g``, then
    each of ``keys``, and the line selected after each."""
    await tui.file_opened(pilot, pane)
    await tui.wait_until(pilot, lambda: pane.view._first_seq == pane.file_rows.first_seq
                         and len(pane.file_rows) == 5_000)
    # (Not ``reading() is None``: that is so, too, before the tail loops start.)
    await tui.wait_until(pilot, lambda: app.store.buffers[pane.kind].total == 5_000)
    await pilot.press("g")
    lines = []
    for key in keys:
        await pilot.press(key)
        await tui.workers_done(app, pilot, pane)
        lines.append(pane.view.selected.line)
    return lines


async def test_e_and_E_in_the_kernel_pane_walk_its_file(tui, tmp_path):
    # Its backlog's lines have no time of their own to be ranked by across the
    # run: e/E go to the next failure in the file (a kernel log opened alone
    # said "no failures" beside 105,193 of them).
    log = tmp_path / "kernel_run.log"
    log.write_text("".join(f"[{n}] FAILED: task {n}\n" if n % 1000 == 0 else
                           f"[{n}] DONE (5s) - 1 files\n" for n in range(1, 5_001)))
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.main.panes["kernel"]
        lines = await lines_gone_to(tui, app, pilot, pane, "eeEE")
        assert lines == [1000, 2000, 1000, 1000]  # (none above the first: it stays)
        assert "no failures above this line" in [n.message for n in app._notifications]
        await pilot.press("G", "e")
        await tui.workers_done(app, pilot, pane)
        assert pane.view.selected.line == 5000
        assert "no failures below this line" in [n.message for n in app._notifications]


async def test_e_in_an_action_log_longer_than_the_timeline_walks_its_file(tui, tmp_path,
                                                                         action_lines,
                                                                         monkeypatch):
    # The timeline keeps the newest rows: ranked there, the next failure from
    # the top was the oldest one it kept (a 1M-line log: line 950,014).
    monkeypatch.setattr(timeline, "CAPACITY", 2_000)
    app = action_log_app(action_lines, tmp_path / "action_log.jsonl", 5_000)  # ERROR: 1, 1001…
    async with app.run_test(size=(140, 30)) as pilot:
        lines = await lines_gone_to(tui, app, pilot, app.main.panes["actions"], "eeE")
        assert lines == [1001, 2001, 1001]


async def test_e_from_another_pane_finds_action_failures_older_than_the_timeline_keeps(
        tui, tmp_path, monkeypatch):
    # Ranked where the timeline has them (its newest rows only), the action
    # log's older failures were skipped: from a failed task early in a big
    # run, e went to the next failed task, over every action failure between.
    import orjson

    monkeypatch.setattr(timeline, "CAPACITY", 2_000)
    start = datetime(2026, 2, 3, 12, tzinfo=timezone.utc)

    def at(seconds: int) -> str:
        return (start + timedelta(seconds=seconds)).isoformat()

    (tmp_path / "action_log.jsonl").write_bytes(b"".join(orjson.dumps(
        {"timestamp": at(i), "actor": "A-1", "action": "act", "detail": f"seq={i:08d}",
         "action_type": "ERROR" if i in (1500, 2500) else "TOOL"}) + b"\n"
        for i in range(5_000)))
    (tmp_path / "execution_log.jsonl").write_bytes(b"".join(orjson.dumps(
        {"timestamp": at(seconds), "task_id": task, "status": status}) + b"\n"
        for seconds, task, status in ((1000, "task-1", "failed"), (1200, "task-2", "completed"),
                                      (3000, "task-3", "failed"))))
    app = VivtuiApp(discover(tmp_path), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(140, 30)) as pilot:
        actions, queue = app.main.panes["actions"], app.main.panes["queue"]
        await tui.file_opened(pilot, actions)
        await tui.wait_until(pilot, lambda: app.store.buffers["actions"].total == 5_000
                             and len(actions.file_rows) == 5_000 and app.main.reading() is None)
        for task, key, line in (("task-1", "e", 1501), ("task-3", "E", 2501)):
            await pilot.press("3")
            await tui.wait_until(pilot, lambda: len(queue.view.rows) == 3)
            tui.select_where(queue, lambda row, task=task: row.task_id == task)
            await pilot.press(key)
            await tui.wait_until(pilot, lambda: app.main.active_name() == "actions")
            await tui.workers_done(app, pilot, actions)
            assert actions.view.selected.line == line


async def test_the_timeline_says_when_it_holds_the_newest_rows_only(tui, tmp_path,
                                                                    action_lines, monkeypatch):
    monkeypatch.setattr(timeline, "CAPACITY", 2_000)
    log = tmp_path / "action_log.jsonl"
    action_lines.write(log, range(5_000))
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(140, 30)) as pilot:
        await tui.wait_until(pilot, lambda: app.store.buffers["actions"].total == 5_000)
        await pilot.press("6")
        await tui.wait_until(pilot, lambda: "the newest only: older rows of action not kept"
                             in tui.screen_text(app))
        assert "rows 2000" in tui.screen_text(app)


async def test_a_stream_panes_first_read_is_made_off_the_ui_thread(tui, action_lines, tmp_path,
                                                                   monkeypatch):
    """On a cold disk, with the backlogs' processes reading, the first read
    held the UI thread 311-460 ms: the screen answers keys meanwhile."""
    import threading

    from vivtui.ui.panes import stream

    log = tmp_path / "action_log.jsonl"
    app = action_log_app(action_lines, log, 3_000)
    go, polled_on = threading.Event(), []

    class SlowView(fileview.FileView):
        def poll(self) -> bool:
            if not polled_on:
                polled_on.append(threading.current_thread())
                go.wait(20)
            return super().poll()

    monkeypatch.setattr(stream, "FileView", SlowView)
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.main.panes["actions"]
        await tui.wait_until(pilot, lambda: polled_on)
        assert polled_on[0] is not threading.main_thread()
        await pilot.press("2")  # answered while the file is being read
        assert app.main.active_name() == "sessions" and pane.file_rows is None
        await pilot.press("1")
        go.set()
        await tui.file_opened(pilot, pane)
        await tui.wait_until(pilot, lambda: "seq=00002999" in tui.screen_text(app))
        assert isinstance(pane.file_rows, FileRows)


async def test_a_change_notice_before_a_hidden_pane_is_mounted_leaves_its_opening_to_its_mount(
        tui, run_dir):
    # The file was opened by a worker whose answer went to a pane not in the
    # screen yet: "opening the kernel file failed: NoActiveAppError", and it never was.
    from vivtui.ui.panes.stream import KernelPane

    async with tui.opened(run_dir) as (app, pilot):
        feed = next(feed for feed in app.layout_.feeds if feed.kind == "kernel")
        pane = KernelPane()
        pane.follow_file(feed, timezone.utc, lambda: None, 60.0)
        pane.poll_file()  # as the run's change notices do, for every pane
        assert not pane._opening and pane.file_view is None
        await app.main.mount(pane)
        await tui.file_opened(pilot, pane)
        assert len(pane.file_rows) > 0


@pytest.mark.parametrize("in_place", [True, False])
async def test_a_filters_counts_follow_a_live_run(tui, tmp_path, monkeypatch, in_place):
    """The filter bar's "N shown" and hits are of the rows shown now: on a live
    run they stayed at what they were when the filter was typed. (Counted
    again here, or by a worker past a few thousand rows.)"""
    import orjson

    from vivtui.ui.panes import memory_query

    if not in_place:
        monkeypatch.setattr(memory_query, "RECOUNT_IN_PLACE_MOST", 5)

    def tasks(numbers) -> bytes:
        return b"".join(orjson.dumps(
            {"timestamp": f"2026-02-03T05:00:{n % 60:02d}", "task_id": f"task-{n:05d}",
             "status": "failed" if n % 2 else "completed"}) + b"\n" for n in numbers)

    log = tmp_path / "execution_log.jsonl"
    log.write_bytes(tasks(range(1, 11)))
    app = VivtuiApp(discover(tmp_path), Options(zone=timezone.utc))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("3")
        await tui.wait_until(pilot, lambda: "Queue 10 tasks" in tui.screen_text(app))
        await tui.type_in(pilot, "ampersand", "task")
        await tui.type_in(pilot, "slash", "failed")
        await tui.wait_until(pilot, lambda: "10 shown  search failed  5 hits"
                             in tui.screen_text(app))
        with open(log, "ab") as handle:
            handle.write(tasks(range(11, 31)))
        await tui.wait_until(pilot, lambda: "30 shown  search failed  15 hits"
                             in tui.screen_text(app))


async def test_a_hidden_panes_filter_is_scanned_once_it_is_shown(tui, tmp_path, action_lines):
    """A filter put on a pane that is not on screen (a kept view, on a run
    reopened) scans nothing until the pane is shown: the scans of every pane
    at once took the cores the backlogs' processes count on."""
    app = action_log_app(action_lines, tmp_path / "action_log.jsonl", 20_000)
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.main.panes["actions"]
        await tui.file_opened(pilot, pane)
        await tui.wait_until(pilot, lambda: len(pane.file_rows) == 20_000)
        await pilot.press("2")
        pane.add_filter("ERROR")
        await pilot.pause(0.6)
        assert pane.row_query.progress() == 0.0 and len(pane.view.rows) == 0
        await pilot.press("1")
        await tui.wait_until(pilot, lambda: pane.row_query.progress() is None)
        assert len(pane.view.rows) == 20


async def test_a_long_lines_row_is_drawn_once_a_thread_has_read_it(tui, tmp_path, monkeypatch):
    # Read, split and parsed on the screen's thread to draw its row, a 20 MB
    # line held the screen 184 ms, a 100 MB one 627 ms.
    import threading

    import orjson

    from vivtui.parsing.record import UnreadRecord
    from vivtui.store import big_rows, filerows
    from vivtui.ui.inspector import InspectorScreen

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(filerows, "LONG_LINE", 4000)
    go = threading.Event()
    read = big_rows.BigRows.read
    monkeypatch.setattr(big_rows.BigRows, "read", lambda self, *a: (
        threading.current_thread().name != "reading long lines" or go.wait(20))
        and read(self, *a))
    lines = [orjson.dumps({"timestamp": f"2026-02-03T05:44:{n:02d}+00:00", "actor": "A",
                           "action_type": "ERROR" if n == 5 else "TOOL", "action": "x",
                           "detail": ("long " * 2000 + "end") if n == 5 else f"d{n}"})
             for n in range(8)]
    log = tmp_path / "run" / "action_log.jsonl"
    log.parent.mkdir()
    log.write_bytes(b"".join(line + b"\n" for line in lines))
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.main.panes["actions"]
        await tui.file_opened(pilot, pane)
        await tui.wait_until(pilot, lambda: "reading a 0.0 MB line" in tui.screen_text(app))
        assert pane.file_rows[5].__class__ is UnreadRecord
        go.set()
        await tui.wait_until(pilot, lambda: "long long" in tui.screen_text(app))
        assert "reading a" not in tui.screen_text(app)
        go.clear()
        # The inspector waits for the thread's row, and says so: read at once,
        # a hostile line held the screen for its whole decoding (5 s).
        pane.file_rows._pages.clear()
        pane.file_rows._long._rows.clear()
        tui.select_where(pane, lambda row: row.line == 6)
        await pilot.press("enter")
        assert not isinstance(app.screen, InspectorScreen)
        assert any(n.message == "reading a 0.0 MB line…: ask again once its row shows it"
                   for n in app._notifications)
        go.set()
        await tui.wait_until(pilot, lambda: pane.being_read(pane.view.selected) is None)
        await pilot.press("enter")
        assert isinstance(app.screen, InspectorScreen)
        assert "action_type: ERROR" in tui.screen_text(app)
        assert "long long" in tui.screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        # A save reads it whole at once (on its thread), a stand-in or not.
        go.clear()
        pane.file_rows._pages.clear()
        pane.file_rows._long._rows.clear()
        saved = tmp_path / "saved.jsonl"
        await tui.type_in(pilot, "ctrl+s", saved.name)
        await tui.wait_until(pilot, lambda: saved.exists() and
                             saved.read_bytes().count(b"\n") == 8)
        assert orjson.loads(saved.read_bytes().splitlines()[5])["detail"].endswith("end")
        go.set()


async def test_a_run_written_hours_ahead_of_this_clock_is_timed_by_its_own_clock(tui, tmp_path):
    """Naive times written in UTC, read as a zone 8 h behind it: the sessions
    were "0s" old and the run live for 8 h after its writer stopped."""
    import orjson

    log = tmp_path / "structured_logs.jsonl"
    log.write_bytes(b"")
    wall = datetime(2026, 2, 3, 5, 0, tzinfo=timezone.utc)
    behind = timezone(-timedelta(hours=8))
    app = VivtuiApp(discover(tmp_path, behind), Options(zone=behind, display_zone=timezone.utc,
                                                        clock=lambda: wall))
    async with app.run_test(size=(120, 30)) as pilot:
        for session_id in (1, 2, 3):  # (the first read is the backlog; then two as written)
            with open(log, "ab") as handle:  # stamped at the wall time, in UTC
                handle.write(orjson.dumps({
                    "timestamp": wall.replace(tzinfo=None).isoformat(), "level": "INFO",
                    "message": "GrindSession started", "worker_id": "w",
                    "context": {"session_id": session_id, "run": 1}}) + b"\n")
            await tui.wait_until(pilot, lambda n=session_id: app.store.sessions.started == n)
        assert app.now() - wall == timedelta(hours=8)
        await tui.wait_until(pilot, lambda: "⚠ times 8h00m ahead (--tz?)" in tui.screen_text(app))


async def test_a_finished_runs_last_lines_with_no_newline_are_shown_and_counted(tui, run_dir):
    """A crash's last words: a kernel line and an audit line cut off mid-write.
    ``vivtui summary`` counted them; the monitor held them for good, waiting
    for newlines that would never come."""
    from vivtui.summary import collect, summary_dict

    with open(run_dir / "kernel_run.log", "ab") as handle:
        handle.write(b"[9] START: half a lin")
    with open(run_dir / "api_audit.log", "ab") as handle:
        handle.write(b'{"timestamp": "2026-02-11T01:00:00", "event": "API_CALL_SUCC')
    report = summary_dict(*collect(run_dir, timezone.utc))
    app = VivtuiApp(discover(run_dir, timezone.utc), Options(zone=timezone.utc))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        await tui.wait_until(pilot, lambda: "[9] START: half a lin" in tui.screen_text(app))
        assert app.store.run_state().state == "finished"
        await tui.wait_until(pilot, lambda: app.store.malformed_count == len(report["malformed"]))
        assert report["files"]["api_audit.log"]["malformed"] == 1


async def test_a_hostile_long_line_written_live_is_decoded_by_the_helper(tui, tmp_path):
    # Decoded on the screen's process, a 42 MB line of objects held its GIL
    # 2.3 s: no key was answered. Here the helper decodes it, cut to a bound.
    from vivtui.parsing import long_lines
    from vivtui.sources import elsewhere
    from vivtui.ui.inspector import InspectorScreen

    path = tmp_path / "execution_log.jsonl"
    path.write_bytes(b'{"task_id": "t0", "status": "queued"}\n')
    app = VivtuiApp(discover(tmp_path), Options(zone=timezone.utc))
    async with app.run_test(size=(120, 40)) as pilot:
        await tui.wait_until(pilot, lambda: "t0" in app.store.tasks.tasks)
        with open(path, "ab") as handle:
            handle.write(b'{"task_id": "t1", "status": "failed", "errors": [' + b",".join(
                [b"{}"] * 400_000) + b"]}\n")
        await tui.wait_until(pilot, lambda: "t1" in app.store.tasks.tasks, timeout=30)
        helper = elsewhere._HELPER._process
        assert helper is not None and helper.poll() is None
        # Inspected, the task's record is read back from the file: not decoded
        # again while the screen waits (3.4 s for a 36 MB line).
        asked = []
        real = elsewhere.run
        elsewhere.run = lambda work, data: asked.append(work) or real(work, data)
        try:
            await pilot.press("3")
            pane = app.main.panes["queue"]
            await tui.wait_until(pilot, lambda: any(t.task_id == "t1" for t in pane.view.rows))
            tui.select_where(pane, lambda t: t.task_id == "t1")
            await pilot.press("enter")
            assert isinstance(app.screen, InspectorScreen)
            await tui.wait_until(pilot, lambda: "errors:" in tui.screen_text(app))
            await pilot.press("G")
            await tui.wait_until(pilot, lambda: "… 399,000 more items not read"
                                 in tui.screen_text(app))
        finally:
            elsewhere.run = real
        assert asked == []
        errors = app.store.tasks.tasks["t1"].latest.fields["errors"]
        assert len(errors) < long_lines.LONG_LINE and errors[-1].endswith(" more items not read")
    assert elsewhere._HELPER.owner is None and helper.wait(5) is not None  # (ended with it)
