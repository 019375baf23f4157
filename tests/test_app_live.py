"""The monitor with its workers running: every file's worker gets a thread, and
the action stream of a big file is read on demand (filters and search scan it
in workers while the screen stays live)."""

from __future__ import annotations

import time
from datetime import timezone

from tests.test_fileview import write_actions
from tests.tui_helpers import empty_app, screen_text
from vivtui.app import Options, VivtuiApp
from vivtui.ingest.layout import discover
from vivtui.sources import fileview
from vivtui.store.filerows import FileRows
from vivtui.store.scan import RowScan


async def wait_until(pilot, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


async def type_in(pilot, key: str, text: str) -> None:
    await pilot.press(key, *text, "enter")
    await pilot.pause()


async def test_every_file_of_a_run_gets_its_worker(run_dir):
    # Thread workers share one executor; with seven files on two cores the
    # last files' workers and the watcher used to wait for a thread forever.
    app = VivtuiApp(discover(run_dir), Options(zone=timezone.utc))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: all(app.store.buffers[kind].total
                                            for kind in ("safety", "kernel", "api", "actions")))
        with open(run_dir / "safety_audit.log", "ab") as handle:
            handle.write(b'{"timestamp": "2026-02-11T00:59:00", "blocked_reason": "late"}\n')
        before = app.store.buffers["safety"].total
        await wait_until(pilot, lambda: app.store.buffers["safety"].total > before)


async def scans_done(app, pilot, pane) -> None:
    """The pane's scans finished, and what they found is on screen."""
    await app.workers.wait_for_complete()
    await wait_until(pilot, lambda: pane.row_query.progress() is None)
    await pilot.pause()


async def test_big_action_log_opens_at_its_end_and_scans_in_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(fileview, "TAIL_BYTES", 20_000)
    log = tmp_path / "action_log.jsonl"
    write_actions(log, range(40_000), every_error=1000)
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.main.panes["actions"]
        rows = pane.file_rows
        assert isinstance(rows, FileRows)
        await wait_until(pilot, lambda: "seq=00039999" in screen_text(app))
        await wait_until(pilot, lambda: len(rows) == 40_000)  # history indexed
        view = pane.view
        assert view.follow and view.cursor == 39_999
        await pilot.press("g")
        assert view.selected.line == 1
        await pilot.press("G")
        await type_in(pilot, "ampersand", "ERROR")
        await scans_done(app, pilot, pane)
        assert isinstance(view.rows, RowScan) and len(view.rows) == 40
        assert view.selected.fields["detail"] == "seq=00039000"
        assert "40 shown" in screen_text(app)
        write_actions(log, range(40_000, 41_001), every_error=1000)  # two more ERRORs
        await wait_until(pilot, lambda: len(view.rows) == 42)
        await wait_until(pilot, lambda: "seq=00041000" in screen_text(app))
        await type_in(pilot, "slash", "seq=0000[12]000")
        await scans_done(app, pilot, pane)
        assert pane.hits == 2 and "2 hits" in screen_text(app)
        await pilot.press("n")
        first = view.selected.fields["detail"]
        await pilot.press("n")
        assert {first, view.selected.fields["detail"]} == {"seq=00001000", "seq=00002000"}
        await pilot.press("escape")
        await pilot.pause()
        assert view.rows is rows


async def test_big_action_log_failures_and_saving_go_through_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(fileview, "TAIL_BYTES", 20_000)
    log = tmp_path / "run" / "action_log.jsonl"
    log.parent.mkdir()
    write_actions(log, range(40_000), every_error=1000)
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.main.panes["actions"]
        view = pane.view
        await wait_until(pilot, lambda: len(pane.file_rows) == 40_000
                         and app.store.buffers["actions"].total == 40_000)
        await pilot.press("G", "E")  # the previous failure, found without walking the file
        assert app.current_pane() is pane
        assert view.selected.fields["detail"] == "seq=00039000"
        await pilot.press("E")
        assert view.selected.fields["detail"] == "seq=00038000"
        await pilot.press("e")
        assert view.selected.fields["detail"] == "seq=00039000"
        saved = tmp_path / "all.jsonl"
        await type_in(pilot, "ctrl+s", str(saved))
        await wait_until(pilot, lambda: saved.exists() and
                         saved.read_bytes().count(b"\n") == 40_000)
        await type_in(pilot, "ampersand", "ERROR")
        await scans_done(app, pilot, pane)
        errors = tmp_path / "errors.jsonl"
        await type_in(pilot, "ctrl+s", str(errors))
        await wait_until(pilot, lambda: errors.exists() and
                         errors.read_bytes().count(b"\n") == 40)
        assert b'"detail":"seq=00039000"' in errors.read_bytes()


async def test_a_worker_that_meets_a_bug_says_so_and_goes_on(run_dir):
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
        await wait_until(pilot, lambda: any("a parser bug" in str(n.message)
                                            for n in app._notifications))
        assert any("reading kernel_run.log failed: RuntimeError" in str(n.message)
                   for n in app._notifications)
        await wait_until(pilot, lambda: app.store.buffers["kernel"].total > 0)


async def test_background_work_that_fails_says_so(tmp_path):
    # History indexing, scans and saves run this way: none may fail unseen.
    app = empty_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        app.run_worker(lambda: 1 / 0, thread=True, exit_on_error=False,
                       name="scanning the actions")
        await wait_until(pilot, lambda: any(
            "scanning the actions failed: ZeroDivisionError" in str(n.message)
            for n in app._notifications))
        # and it stays said in the status line, after the toast is gone
        assert "1 background failure: scanning the actions failed" in screen_text(app)
