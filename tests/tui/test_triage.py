"""The triage keys with Pilot: search, filters, pickers, failures first, inspector,
related events, timeline, copy, export, foreign paths."""

from __future__ import annotations

import os
from datetime import timezone

import orjson
import pytest
from textual import events
from textual.widgets import TabbedContent

from vivtui.app import Options, VivtuiApp
from vivtui.ingest.layout import discover
from vivtui.store.triage import identity
from vivtui.ui.inspector import InspectorScreen
from vivtui.ui.prompt import PickerScreen
from vivtui.ui.related_screen import RelatedScreen
from vivtui.ui.rowview import RowView


async def test_search_highlights_counts_and_steps(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        pane = app.current_pane()
        await tui.type_in(pilot, "slash", "orin")  # smart case: matches Orin-2
        assert pane.hits == 6 and "search orin  6 hits" in tui.screen_text(app)
        first = pane.view.cursor
        assert "Orin-2" in pane.view.selected.line_text
        await pilot.press("n")
        assert pane.view.cursor == first + 1
        await pilot.press("N", "N")
        assert pane.view.cursor == first + 6 - 1  # wrapped back to the last hit
        await tui.type_in(pilot, "slash", "[bold")  # not a regex: plain text
        assert pane.hits == 1
        await pilot.press("escape")
        assert pane.search is None and "hits" not in tui.screen_text(app)


async def test_filters_stack_toggle_and_clear(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        pane = app.current_pane()
        total = len(pane.view.rows)
        await tui.type_in(pilot, "ampersand", "Orin")
        assert len(pane.view.rows) == 6
        await tui.type_in(pilot, "ampersand", "!TEST")
        assert len(pane.view.rows) == 3
        text = tui.screen_text(app)
        assert "filters & Orin  ! TEST  3 shown" in text and "pytest" not in text
        await pilot.press("ctrl+f")
        assert len(pane.view.rows) == total and "(off: ctrl+f)" in tui.screen_text(app)
        await pilot.press("ctrl+f")
        assert len(pane.view.rows) == 3
        await pilot.press("escape")
        assert len(pane.view.rows) == total and pane.filters.describe() == []


async def test_filters_apply_to_rows_that_arrive(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        pane = app.current_pane()
        await tui.type_in(pilot, "ampersand", "needle")
        assert len(pane.view.rows) == 0
        app.apply_records("actions", [tui.action(100, "hay"), tui.action(101, "a needle here")])
        await pilot.pause()
        assert [r.fields["detail"] for r in pane.view.rows] == ["a needle here"]


async def test_type_picker_and_minimum_severity(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        pane = app.current_pane()
        await pilot.press("t")
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("down", "down", "enter")  # first is "all", then the most common type
        chosen = pane.filters.categories
        assert chosen is not None and len(chosen) == 1
        assert all(r.category in chosen for r in pane.view.rows)
        await pilot.press("t", "enter")  # "all"
        assert pane.filters.categories is None
        await pilot.press("L")
        assert pane.filters.min_severity == "warning"
        assert {r.severity for r in pane.view.rows} == {"warning", "error"}
        await pilot.press("L")
        assert {r.severity for r in pane.view.rows} == {"error"}
        await pilot.press("L")
        assert pane.filters.min_severity is None


async def test_failures_first_across_panes_in_time_order(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        tabs = app.query_one(TabbedContent)
        await pilot.press("g")  # top of the actions: earliest time
        seen = []
        for _ in range(30):
            await pilot.press("e")
            pane = app.current_pane()
            item = pane.view.selected
            seen.append((tabs.active, pane.problem_level(item), pane.time_of(item),
                         identity(pane.record_of(item))))
        assert all(level == "failure" for _, level, _, _ in seen)
        assert {"actions", "sessions", "queue", "budget", "kernel"} <= {
            name for name, _, _, _ in seen}
        # in time order until it wraps around to the lines without a time
        times = [t for _, _, t, _ in seen]
        wrap = next(i for i, t in enumerate(times) if t is None)
        timed = [t for t in times[:wrap]]
        assert timed == sorted(timed) and len(timed) >= 8
        # each failure once (the timeline repeats the other panes' rows)
        lines = [line for _, _, _, line in seen[:wrap]]
        assert len(set(lines)) == len(lines)
        await pilot.press("w")
        pane = app.current_pane()
        assert pane.problem_level(pane.view.selected) == "warning"
        here = (tabs.active, pane.view.cursor)
        await pilot.press("w", "W")
        assert (tabs.active, app.current_pane().view.cursor) == here


async def test_inspector_fields_raw_and_copy(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        pane = app.current_pane()
        tui.select_where(pane, lambda r: r.category == "JOURNAL")
        await pilot.press("enter")
        assert isinstance(app.screen, InspectorScreen)
        text = tui.screen_text(app)
        assert "action_log.jsonl:16  byte" in text and "JOURNAL" in text
        assert "detail: markup [bold]x[/bold] [@click=app.quit]q[/] \ufffd[2J\ufffd]0;pwned\ufffd end" in text
        await pilot.press("P")
        assert '"action_type": "JOURNAL"' in tui.screen_text(app) or '"action_type":"JOURNAL"' in tui.screen_text(app)
        copied = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await pilot.press("c")
        assert copied and orjson.loads(copied[0])["action_type"] == "JOURNAL"
        await pilot.press("escape")
        assert not isinstance(app.screen, InspectorScreen)


async def test_inspector_pages_a_huge_field(tui, tmp_path):

    huge = "x" * 2_000_000 + "\nsecond line"
    (tmp_path / "action_log.jsonl").write_bytes(orjson.dumps(
        {"actor": "Big", "action_type": "TOOL", "action": "dump", "detail": huge}) + b"\n")
    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        tui.load(app)
        await pilot.press("enter")
        view = app.screen.query_one("RowView")
        assert len(view.rows) > 20_000  # wrapped into rows; only the visible ones render
        await pilot.press("G")
        assert "second line" in tui.screen_text(app)


async def test_related_events_and_same_thread(tui, run_dir, monkeypatch):
    import gc

    from vivtui.ui import triage

    collecting = []  # (every kept row read back at once: not walked by the collector)
    real = triage.related_records
    monkeypatch.setattr(triage, "related_records",
                        lambda *a: collecting.append(gc.isenabled()) or real(*a))
    async with tui.opened(run_dir) as (app, pilot):
        await pilot.press("3")
        pane = app.current_pane()
        tui.select_where(pane, lambda t: t.task_id == "task-0042")
        await pilot.press("r")  # found on a thread
        await tui.wait_until(pilot, lambda: isinstance(app.screen, RelatedScreen))
        assert collecting == [False]
        await tui.wait_until(pilot, gc.isenabled)  # (given back after the key's answer time)
        text = tui.screen_text(app)
        assert "related events" in text and "TASK_BUDGET_EXCEEDED_ACTUAL" in text
        await pilot.press("enter")
        assert isinstance(app.screen, InspectorScreen)
        await pilot.press("escape", "escape")
        await pilot.press("1")
        actions = app.current_pane()
        first = tui.select_where(actions, lambda r: r.fields.get("session_id") == "session_2")
        await pilot.press("o")
        assert actions.view.selected.fields["session_id"] == "session_2"
        assert actions.view.cursor > first
        await pilot.press("O")
        assert actions.view.cursor == first


async def test_enter_r_and_o_read_a_tasks_record_on_a_thread_and_act_on_a_late_one_only_for_its_row(
        tui, run_dir, monkeypatch):
    """A task's record is read back from its file (a 33 MB line held the
    screen 140 ms when read on its thread): a thread reads it; late, the key
    says so and acts once it comes, unless the row is no longer selected."""
    import threading

    from vivtui.ui.panes.queue import QueuePane

    on_screen_thread, go, unreadable = [], threading.Event(), []
    real = QueuePane.record_of

    def record_of(self, task):
        on_screen_thread.append(threading.current_thread() is threading.main_thread())
        go.wait(20)
        return None if unreadable else real(self, task)

    monkeypatch.setattr(QueuePane, "record_of", record_of)
    async with tui.opened(run_dir) as (app, pilot):
        await pilot.press("3")
        pane = app.current_pane()
        tui.select_where(pane, lambda t: t.task_id == "task-0042")
        await pilot.press("enter")
        assert not isinstance(app.screen, InspectorScreen)
        assert any(n.message == "reading the row's line…" for n in app._notifications)
        go.set()
        await tui.wait_until(pilot, lambda: isinstance(app.screen, InspectorScreen))
        assert "task-0042" in tui.screen_text(app)
        await pilot.press("escape")
        go.clear()
        await pilot.press("enter", "j")  # the cursor moved on while it was read
        go.set()
        await tui.wait_until(pilot, lambda: len(on_screen_thread) == 2)
        await pilot.pause(0.2)
        assert not isinstance(app.screen, InspectorScreen)
        await pilot.press("k", "r")  # related events: the same wait, quick this time
        await tui.wait_until(pilot, lambda: isinstance(app.screen, RelatedScreen))
        assert on_screen_thread == [False, False, False]
        await pilot.press("escape")
        unreadable.append(True)  # (a row whose record cannot be read: o says so)
        await pilot.press("o")
        assert any(n.message == "this row has no session, task or identity"
                   for n in app._notifications)


async def test_timeline_merges_sources_in_time_order(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        await pilot.press("6")
        pane = app.current_pane()
        times = [item[0] for item in pane.view.rows]
        assert times == sorted(times)
        kinds = {item[2].kind for item in pane.view.rows}
        assert {"actions", "sessions", "tasks", "api", "safety"} <= kinds
        assert "lines without a time not shown" in tui.screen_text(app)


async def test_export_writes_the_filtered_view_and_refuses_run_files(tui, run_dir, tmp_path,
                                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short relative path to type
    async with tui.opened(run_dir) as (app, pilot):
        await tui.type_in(pilot, "ampersand", "Orin")
        target = tmp_path / "out.jsonl"
        await tui.type_in(pilot, "ctrl+s", target.name)
        await tui.workers_done(app, pilot)
        lines = target.read_bytes().splitlines()
        assert len(lines) == 6 and all(orjson.loads(l)["actor"] == "Orin-2" for l in lines)
        run_file = app.layout_.root / "action_log.jsonl"
        before = run_file.read_bytes()
        await tui.type_in(pilot, "ctrl+s", str(run_file.relative_to(tmp_path)))
        await tui.workers_done(app, pilot)
        assert run_file.read_bytes() == before
        assert any("vivtui never writes there" in str(n.message) for n in app._notifications)
        assert target.stat().st_mode & 0o777 == 0o600  # logs hold what others should not read
        # A hard link to a run file, outside the run's directory: refused all the same.
        link = tmp_path / "kernel-copy.log"
        os.link(app.layout_.root / "kernel_run.log", link)
        kernel = link.read_bytes()
        await tui.type_in(pilot, "ctrl+s", link.name)
        await tui.workers_done(app, pilot)
        assert link.read_bytes() == kernel
        # An existing file of one's own: asked first; "n" keeps it.
        await tui.type_in(pilot, "ctrl+s", target.name)
        await tui.type_in(pilot, "n", "")
        await tui.workers_done(app, pilot)
        assert len(target.read_bytes().splitlines()) == 6
        assert any("not saved" in str(n.message) for n in app._notifications)


async def test_hide_foreign_paths(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        await pilot.press("5")
        pane = app.current_pane()
        before = len(pane.view.rows)
        await pilot.press("H")
        texts = [r.raw for r in pane.view.rows]
        assert len(texts) == before - 2
        assert not any("D:\\" in t or "experiments/exp_" in t for t in texts)
        await pilot.press("H")
        assert len(pane.view.rows) == before


async def test_live_batches_while_the_inspector_is_open(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        await pilot.press("enter")
        assert isinstance(app.screen, InspectorScreen)
        app.apply_records("actions", [tui.action(200, "arrived under the inspector", "ERROR")])
        app.main.refresh_panes()
        await pilot.pause(0.6)  # the refresh timer runs too
        await pilot.press("escape")
        assert "arrived under the inspector" in tui.screen_text(app)


async def test_keys_typed_ahead_of_the_prompt_land_in_it(tui, run_dir):
    """A burst from the terminal (`&Orin⏎` in one read) is dispatched before the
    prompt opens; nothing of it may reach the pane's own keys."""
    async with tui.opened(run_dir) as (app, pilot):
        pane = app.current_pane()
        for key, char in [("ampersand", "&"), *[(c, c) for c in "Orin"], ("enter", "\r")]:
            app.post_message(events.Key(key, char))
        await pilot.pause(0.3)
        assert pane.filters.describe() == ["& Orin"]
        assert len(pane.view.rows) == 6
        await tui.type_in(pilot, "slash", "pytest")  # typed at a normal pace: not doubled
        assert pane.search.text == "pytest"


async def test_malformed_lines_of_every_file_are_shown_and_reached(tui, run_dir):
    with open(run_dir / "execution_log.jsonl", "ab") as handle:
        handle.write(b"{not json in the queue\n")
    async with tui.opened(run_dir) as (app, pilot):
        await pilot.press("6")
        pane = app.current_pane()
        bad = [item for item in pane.view.rows if item[2].malformed]
        assert [(r.kind, r.line) for _, _, r in bad] == [("actions", 14), ("actions", 15),
                                                         ("tasks", 8)]
        assert app.store.source_of(bad[-1][2]) == "execution_log.jsonl"
        seen = set()
        for _ in range(40):
            await pilot.press("e")
            pane = app.current_pane()
            record = pane.record_of(pane.view.selected)
            seen.add((record.kind, record.malformed))
        assert ("tasks", True) in seen


async def test_keys_typed_right_after_a_pane_switch_reach_the_new_pane(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        for key in ("6", "g"):
            app.post_message(events.Key(key, key))
        await pilot.pause(0.3)
        assert app.current_pane() is app.main.panes["timeline"]
        assert not app.main.panes["timeline"].view.follow  # `g` went to the timeline
        assert app.main.panes["actions"].view.follow  # not to the pane left behind


async def test_previous_failure_and_copy_from_the_list(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        await pilot.press("e", "e")
        second = (app.current_pane(), app.current_pane().view.cursor)
        await pilot.press("e", "E")
        assert (app.current_pane(), app.current_pane().view.cursor) == second
        copied = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await pilot.press("c")
        record = app.current_pane().record_of(app.current_pane().view.selected)
        assert copied == [record.line_text]


def test_utc_option_sets_the_display_zone(tui, monkeypatch, tmp_path):
    from datetime import timezone

    import vivtui.app as app_module
    from vivtui import cli
    seen = {}

    class Recorder:
        return_code = 0  # (the app's: its exit status)

        def __init__(self, layout, options):
            seen["options"] = options

        def run(self):
            return None

    monkeypatch.setattr(app_module, "VivtuiApp", Recorder)
    assert cli.main([str(tmp_path), "--utc"]) == 0
    assert seen["options"].display_zone is timezone.utc
    assert cli.main([str(tmp_path)]) == 0
    assert seen["options"].display_zone is None


async def test_a_filter_that_matches_nothing_says_so(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        await tui.type_in(pilot, "ampersand", "no such text anywhere")
        assert "no rows match the filters" in tui.screen_text(app)
        assert "waiting for" not in tui.screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "no rows match" not in tui.screen_text(app)


async def test_P_shows_the_line_as_the_file_has_it(tui, run_dir):
    async with tui.opened(run_dir, size=(200, 40)) as (app, pilot):
        await pilot.press("2")
        pane = app.main.panes["sessions"]
        tui.select_where(pane, lambda s: s.title == "Write docs")
        await pilot.press("enter", "P")
        await pilot.pause()
        text = tui.screen_text(app)
        # The file's own spacing and key order, not the parsed object written again.
        line = next(raw for raw in (run_dir / "structured_logs.jsonl").read_text().splitlines()
                    if '"session_id": 3' in raw and "completed" in raw)
        assert line[:150] in text


async def test_P_says_which_bytes_were_not_utf8_and_a_text_line_has_no_fields(tui, tmp_path):
    (tmp_path / "kernel_run.log").write_bytes(
        b"[1] START: ok\nBLOCKED: Attempt to write to protected file: r\xe9sum\xe9.py\n")
    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        tui.load(app)
        await pilot.press("5", "G", "enter")
        assert isinstance(app.screen, InspectorScreen)
        text = tui.screen_text(app)
        assert "r\u00e9sum\u00e9.py" in text and "not UTF-8: read as Windows-1252" in text
        await pilot.press("P")
        assert "no fields" in tui.screen_text(app)
        await pilot.press("escape", "k", "enter")
        assert "START: ok" in tui.screen_text(app)
        assert "Windows-1252" not in tui.screen_text(app)


async def test_the_inspector_copies_a_huge_record_as_far_as_a_terminal_takes(tui, tmp_path):
    # A 20 MB field was masked whole on the screen's thread for `c` (9.7 s frozen),
    # tmux then dropped the copy, and it said it had copied every character.
    from vivtui.parsing import actions
    from vivtui.parsing.context import ParseContext
    from vivtui.ui import clipboard, inspector

    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        most = clipboard.COPY_MOST
        line = orjson.dumps({"action_type": "ERROR", "detail": "gsk_abcdefghijklmnop " + "z" * most,
                             "metadata": {f"k{n}": "y" * most for n in range(8)}})
        app.apply_records("actions", [actions.parse(line, 1, 0, ParseContext(None))])
        await pilot.pause()
        await pilot.press("enter")
        assert isinstance(app.screen, InspectorScreen)
        masked, copied, made = [], [], []
        real_mask, real_tree = clipboard.shareable, inspector.tree_lines
        clipboard.shareable = lambda text: masked.append(len(text)) or real_mask(text)
        inspector.tree_lines = lambda *args, **kwargs: (
            made.append(len(made_line[0])) or made_line
            for made_line in real_tree(*args, **kwargs))
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        try:
            for raw in (False, True):
                await pilot.press(*(["P"] if raw else []), "c")
                await pilot.pause()
        finally:
            clipboard.shareable, inspector.tree_lines = real_mask, real_tree
        assert len(copied) == 2 and max(masked) <= most
        assert sum(length > most for length in made) <= 1  # the rest of the fields not made
        assert all("gsk_…[redacted]" in data and "abcdefghijklmnop" not in data
                   for data in copied)
        said = [n.message for n in app._notifications]
        assert sum(message.startswith("copied the first") for message in said) == 2


async def test_the_inspector_makes_a_records_lines_once_and_wraps_them_at_each_width(
        tui, tmp_path):
    # Its first resize, as it opened, made a 20 MB record's lines a second time.
    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        app.apply_records("actions", [tui.action(1, "word " * 200)])
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InspectorScreen)
        made = []
        real = screen.content_lines
        screen.content_lines = lambda raw: made.append(raw) or real(raw)
        screen._made.clear()
        screen.refill()
        wide = len(screen.query_one(RowView).rows)
        await pilot.resize_terminal(60, 30)
        await pilot.pause()
        assert len(screen.query_one(RowView).rows) > wide  # wrapped again, narrower
        await pilot.press("P", "P")
        assert made == [False, True]  # each view made once


async def test_the_inspector_makes_a_wide_records_first_fields_and_says_the_rest_is_not_shown(
        tui, tmp_path, monkeypatch):
    # Each field made safe on the screen's thread: a record of 500k fields froze it 5.4 s.
    from vivtui.parsing import actions
    from vivtui.parsing.context import ParseContext
    from vivtui.ui import inspector

    monkeypatch.setattr(inspector, "SHOWN_LINES", 300)
    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        line = orjson.dumps({"action_type": "ERROR", "detail": "wide",
                             "metadata": {f"k{n}": n for n in range(5000)}})
        app.apply_records("actions", [actions.parse(line, 1, 0, ParseContext(None))])
        await pilot.pause()
        made = []
        real = inspector.tree_lines

        def counted(value, indent=0, most=None):
            for made_line in real(value, indent, most):
                if not indent:  # (the whole tree's lines, once)
                    made.append(made_line)
                yield made_line

        monkeypatch.setattr(inspector, "tree_lines", counted)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InspectorScreen)
        rows = app.screen.query_one(RowView).rows
        assert len(made) <= 301 and rows[-1][0] == inspector.FIELDS_CUT
        assert any(row[0] == "  k0: 0" for row in rows)


async def test_copy_masks_secrets_and_escapes_and_a_catastrophic_search_answers(tui, tmp_path):
    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        secret = tui.action(1, "key gsk_abcdefghijklmnop \x1b]0;pwned\x07 " + "a" * 40 + "!",
                            "ERROR")
        app.apply_records("actions", [secret])
        await pilot.pause()
        copied = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await pilot.press("c")
        assert copied and "gsk_…[redacted]" in copied[0]
        assert "abcdefghijklmnop" not in copied[0] and "\x1b" not in copied[0]
        # Exponential with a backtracking engine on this row; RE2 answers at once.
        await tui.type_in(pilot, "slash", "(a+)+$")
        assert app.current_pane().hits == 0


async def test_digits_typed_in_the_prompt_are_its_own_not_pane_keys(tui, run_dir):
    async with tui.opened(run_dir) as (app, pilot):
        home = app.main.active_name()
        for key, char in [("slash", "/"), ("3", "3"), ("1", "1")]:  # one read: a burst
            app.post_message(events.Key(key, char))
        await pilot.pause(0.3)
        assert app.main.active_name() == home
        assert app.main.prompt.value == "31"
        await pilot.press("escape")
        await tui.type_in(pilot, "ampersand", "42")  # at a normal pace
        assert app.main.active_name() == home
        assert app.current_pane().filters.describe() == ["& 42"]
        await pilot.press("3")  # the prompt closed: a pane key again
        assert app.main.active_name() == "queue"


async def test_related_events_of_lines_no_longer_kept_are_found_in_their_file(tui, tmp_path):
    # A big action log's older lines are counted, not kept: r on one of them
    # found nothing but itself among the rows kept. Its file is scanned.
    log = tmp_path / "action_log.jsonl"
    log.write_bytes(b"".join(orjson.dumps({
        "timestamp": f"2026-02-03T12:{i // 60:02}:{i % 60:02}+00:00", "actor": "a",
        "action_type": "TOOL", "action": "act", "detail": f"seq={i:08d}",
        "session_id": f"s-{i % 100}"}) + b"\n" for i in range(3000)))
    utc = timezone.utc
    app = VivtuiApp(discover(log), Options(zone=utc, display_zone=utc))
    async with app.run_test(size=(140, 30)) as pilot:
        pane = app.main.panes["actions"]
        await tui.file_opened(pilot, pane)
        await tui.wait_until(pilot, lambda: len(pane.file_rows) == 3000
                             and app.store.buffers["actions"].total == 3000)
        app.store.buffers["actions"].pass_over(0)  # as a big log's: counted, none kept
        await pilot.press("g", "r")
        await tui.wait_until(pilot, lambda: isinstance(app.screen, RelatedScreen))
        screen = app.screen
        await tui.wait_until(pilot, lambda: len(screen.records) == 30)
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        assert [record.line for record in screen.records] == list(range(1, 3001, 100))
        text = tui.screen_text(app)
        assert "30 related events" in text and "not looked at" not in text


def test_a_file_that_changes_under_the_jump_is_ranked_as_kept_not_a_traceback():
    # Its rows are looked at by halves on the UI thread: a rotation meanwhile
    # made a row out of range (an exception there ended the monitor).
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from vivtui.store.timeline import Timeline
    from vivtui.ui.jump_gaps import gaps

    class Rotated:
        def __len__(self) -> int:
            return 1_000

        def __getitem__(self, index):
            raise IndexError("row out of range")

        def row_of(self, record):
            return None

    timeline = Timeline()
    timeline.let_go.add("actions")
    pane = SimpleNamespace(file_backed=True, view=SimpleNamespace(is_mounted=True),
                           kind="actions", file_rows=Rotated())
    when = datetime(2026, 2, 3, tzinfo=timezone.utc)
    assert gaps([pane], timeline, 1, when, None, False) == ([], [])


async def test_related_events_found_after_escape_or_a_pane_switch_do_not_pop_up(
        tui, run_dir, monkeypatch):
    """On a big run they take a while: their screen opened over whatever the
    user had gone on to."""
    import threading

    from vivtui.ui import triage

    gate = threading.Event()
    real = triage.related_records

    def held(*args):
        gate.wait(10)
        return real(*args)

    monkeypatch.setattr(triage, "related_records", held)
    async with tui.opened(run_dir) as (app, pilot):
        await pilot.press("3")
        for leave in ("escape", "1"):
            await pilot.press("3", "r", leave)
            gate.set()
            await tui.wait_until(pilot, lambda: all(worker.is_finished for worker in app.workers
                                                    if worker.group == "related"))
            await pilot.pause()
            assert app.screen is app.main, leave
            gate.clear()
        await pilot.press("3", "r")
        gate.set()
        await tui.wait_until(pilot, lambda: isinstance(app.screen, RelatedScreen))


async def test_the_type_picker_offers_the_most_frequent_and_says_how_many_rarer(tui, run_dir,
                                                                               monkeypatch):
    # A big run's blocks have 10k reasons: listing them all froze the screen 1.2 s.
    from vivtui.ui import prompt

    monkeypatch.setattr(prompt, "PICKED_MOST", 2)
    async with tui.opened(run_dir) as (app, pilot):
        pane = app.current_pane()
        counts = pane.categories(app.store)
        assert len(counts) > 3
        await pilot.press("t")
        picker = app.screen.query_one(prompt.OptionList)
        assert picker.option_count == 1 + 2 + 1  # all, the two most frequent, the rest said
        rest = counts[2:]
        assert f"… {len(rest):,} rarer ones ({sum(n for _, n in rest):,} rows)" in str(
            picker.get_option_at_index(3).prompt)
        assert picker.get_option_at_index(3).disabled


@pytest.mark.parametrize("key, tracker", [("3", "tasks"), ("2", "sessions")])
async def test_saving_a_models_list_reads_its_records_back_in_the_worker_a_chunk_at_a_time(
        tui, tmp_path, monkeypatch, key, tracker):
    """Read back one by one on the UI thread, a big queue's 200k latest
    events froze the screen for over a minute."""
    import threading

    from vivtui.demo import write_forever
    from vivtui.store import readback

    write_forever(tmp_path / "run", rate=0, limit=1200)
    monkeypatch.setattr(readback, "READ_CHUNK", 16)
    reads: list[tuple[str, int]] = []
    real = readback.ReadBack.each_at

    def each_at(self, places, pace=None):
        reads.append((threading.current_thread().name, len(places), pace))
        return real(self, places, pace)

    monkeypatch.setattr(readback.ReadBack, "each_at", each_at)
    monkeypatch.chdir(tmp_path)
    async with tui.opened(tmp_path / "run") as (app, pilot):
        await pilot.press(key)
        rows = len(app.current_pane().view.rows)
        assert rows > 32
        reads.clear()
        looks = []
        app.main.keys_first = lambda: lambda: looks.append(1)  # (the tail loops' when they run)
        await tui.type_in(pilot, "ctrl+s", "saved.jsonl")
        await tui.workers_done(app, pilot)
        lines = (tmp_path / "saved.jsonl").read_bytes().splitlines()
        assert len(lines) == rows
        assert reads and all(name != "MainThread" for name, _, _ in reads)
        assert len(reads) == -(-rows // 16) and max(count for _, count, _ in reads) == 16
        # Each chunk's reading looks at keys being answered as it goes.
        assert len({pace for _, _, pace in reads}) == 1 and reads[0][2] is not None
        assert looks
        pane = app.current_pane()
        # The records one by one would have given (the latest of each task, the
        # completion else the start of each session).
        wanted = [pane.record_of(row) for row in pane.view.rows]
        saved = [orjson.loads(line) for line in lines]
        assert [item.pop("_line") for item in saved] == [record.line for record in wanted]
        assert [{k: v for k, v in item.items() if not k.startswith("_")} for item in saved] == [
            record.fields for record in wanted]


def test_a_save_looks_at_keys_being_answered_every_few_hundred_records():
    from vivtui.store.readback import paced

    looks = []
    saved = list(paced(iter(range(1200)), lambda: looks.append(len(looks)), every=500))
    assert saved == list(range(1200)) and len(looks) == 3
    assert list(paced(iter(range(3)), None)) == [0, 1, 2]


async def test_the_inspector_of_a_glued_lines_row_shows_the_records_glued_after_it(tui, tmp_path):
    def action(actor, detail):
        return orjson.dumps({"timestamp": "2026-02-03T05:44:03.267+00:00", "actor": actor,
                             "action_type": "TOOL", "action": "write_file", "detail": detail})

    first = action("Glue-A", "first on the line")
    log = tmp_path / "action_log.jsonl"
    log.write_bytes(first + action("Glue-B", "glued second") + b"\n"
                    + action("Beam-31", "alone") + b"\n")
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.main.panes["actions"]
        await tui.file_opened(pilot, pane)
        await tui.wait_until(pilot, lambda: "alone" in tui.screen_text(app))
        await pilot.press("g", "enter")
        assert isinstance(app.screen, InspectorScreen)
        text = tui.screen_text(app)
        assert "+1 record glued on this line" in text and "first on the line" in text
        assert f"glued after it on this line, at byte {len(first)}: TOOL" in text
        assert "glued second" in text and "Glue-B" in text
        assert "action_log.jsonl:1" in text  # (its file, not the note)
        await pilot.press("P")  # the lines as written: the second record's too
        raw = tui.screen_text(app)
        assert '"actor":"Glue-B"' in raw and "glued after it" in raw
        await pilot.press("escape", "j", "enter")
        assert "alone" in tui.screen_text(app) and "glued after" not in tui.screen_text(app)


async def test_a_jump_draws_the_status_line_once_with_its_answer(tui, run_dir, monkeypatch):
    # The hidden panes are brought up to date before a jump looks at their
    # rows; the status line is drawn with the answer, not with them too (2-7
    # ms more of each e on a live big run).
    from vivtui.ui.main_screen import MainScreen

    drawn = []
    real = MainScreen.refresh_status
    monkeypatch.setattr(MainScreen, "refresh_status", lambda self: drawn.append(1) or real(self))
    async with tui.opened(run_dir) as (app, pilot):
        await pilot.press("2")
        await pilot.pause()
        before = app.current_pane().view.selected
        drawn.clear()
        app.main.action_jump("failure", 1)
        assert app.current_pane().view.selected is not before and len(drawn) == 1


async def test_the_inspector_says_it_is_reading_a_record_whose_lines_are_slow_to_make(
        tui, tmp_path, monkeypatch):
    # Made on the screen's thread as it opened, a 20 MB record's lines held it 130-154 ms.
    import threading

    slow = threading.Event()
    content_lines = InspectorScreen.content_lines
    monkeypatch.setattr(InspectorScreen, "content_lines", lambda self, raw=None: (
        threading.current_thread() is threading.main_thread() or slow.wait(20))
        and content_lines(self, raw))
    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        app.apply_records("actions", [tui.action(1, "the detail")])
        await pilot.pause()
        await pilot.press("enter")
        await tui.wait_until(pilot, lambda: "reading the record…" in tui.screen_text(app))
        assert isinstance(app.screen, InspectorScreen)
        slow.set()
        await tui.wait_until(pilot, lambda: "the detail" in tui.screen_text(app))
        assert "reading the record" not in tui.screen_text(app)


async def test_a_slow_copy_says_it_is_copying_and_copies_while_keys_go_on(tui, tmp_path,
                                                                          monkeypatch):
    # Made on the screen's thread, a copy of a record of 500k fields held it 280 ms.
    import threading

    from vivtui.ui import clipboard

    slow = threading.Event()
    copied = clipboard.copied
    monkeypatch.setattr(clipboard, "copied", lambda text: (
        threading.current_thread() is threading.main_thread() or slow.wait(20))
        and copied(text))
    app = tui.empty_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        app.apply_records("actions", [tui.action(n, f"detail {n}") for n in (1, 2)])
        await pilot.pause()
        said = []
        monkeypatch.setattr(app.main, "say", lambda text, *more: said.append(text))
        await pilot.press("c")
        assert said == ["copying…"]
        await pilot.press("k")  # answered meanwhile
        assert app.main.panes["actions"].view.cursor == 0
        slow.set()
        await tui.wait_until(pilot, lambda: len(said) == 2)
        assert said[1].startswith("copied ") and "detail 2" in app.clipboard


async def test_the_inspector_names_a_stream_rows_file_before_the_store_has_a_batch_of_it(
        tui, tmp_path):
    # The pane's rows come from its file view: a row inspected before the
    # store's first batch of the file was named by its kind, "actions:1"
    # (seen once in a CI run under load).
    log = tmp_path / "action_log.jsonl"
    log.write_bytes(orjson.dumps({"timestamp": "2026-02-03T05:44:03+00:00", "actor": "A",
                                  "action_type": "TOOL", "action": "x", "detail": "alone"})
                    + b"\n")
    app = VivtuiApp(discover(log), Options(zone=timezone.utc, display_zone=timezone.utc))
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.main.panes["actions"]
        await tui.file_opened(pilot, pane)
        await tui.wait_until(pilot, lambda: "alone" in tui.screen_text(app)
                             and app.store.buffers["actions"].total)
        app.store.sources.clear()  # (as before its first batch)
        await pilot.press("g", "enter")
        assert isinstance(app.screen, InspectorScreen)
        assert "action_log.jsonl:1" in tui.screen_text(app)
