"""Feeds over a run directory being written: live appends, late files, change notices."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import orjson

from vivtui.ingest.layout import AUDIT_SUBDIR, discover
from vivtui.parsing.kinds import LineParser
from vivtui.sources.watcher import notices, watch_directories


def poll_all(layout):
    found = {}
    for feed in layout.feeds:
        batch = feed.poll()
        found.setdefault(batch.kind, []).extend(batch.records)
    return found


def append(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        handle.write(data)


def test_live_appends_and_late_files(tmp_path):
    append(tmp_path / "kernel_run.log", b"[WAVE 1] Starting\n")
    layout = discover(tmp_path)
    found = poll_all(layout)
    # kernel lines of the backlog have no time; later ones take their read time
    assert found["kernel"][0].ts is None
    audit = tmp_path / AUDIT_SUBDIR
    append(audit / "execution_log.jsonl", b'{"task_id": "t1", "status": "queued"}\n{"task_id"')
    tasks = next(feed for feed in layout.feeds if feed.kind == "tasks")
    batch = tasks.poll()
    assert [r.category for r in batch.records] == ["queued"]
    assert batch.fresh  # missing at the first look: no backlog, all of it written since
    append(audit / "execution_log.jsonl", b': "t1", "status": "failed"}\n')
    append(tmp_path / "kernel_run.log", b"BLOCKED: x\n")
    found = poll_all(layout)
    assert [r.category for r in found["tasks"]] == ["failed"]
    assert found["tasks"][0].line == 2
    assert found["kernel"][0].ts is not None
    statuses = {s.name: s for s in layout.statuses()}
    assert statuses["execution_log.jsonl"].state == "ok"
    assert statuses["execution_log.jsonl"].records == 2
    assert statuses["api_audit.log"].state == "missing"


def test_performance_snapshot_through_feed(tmp_path):
    layout = discover(tmp_path)
    path = tmp_path / "performance_history.json"
    path.write_bytes(orjson.dumps([{"session_id": 1, "success": True}]))
    feed = next(f for f in layout.feeds if f.kind == "performance")
    batch = feed.poll()
    assert [r.line for r in batch.records] == [1] and not batch.reset
    path.write_bytes(orjson.dumps([{"session_id": 7, "success": False}]))
    batch = feed.poll()
    assert batch.reset and batch.records[0].fields["session_id"] == 7
    assert "performance_history.json rewritten" in batch.events


def test_a_long_history_is_handed_out_a_few_thousand_entries_a_batch(tmp_path, monkeypatch):
    """250k entries in one batch were taken in with the collector paused, and
    its pass over them all, after, held the screen's thread 460 ms."""
    import os

    from vivtui.ingest import feeds
    monkeypatch.setattr(feeds, "SNAPSHOT_BATCH", 3)
    frozen = []  # (its decoded entries out of the collector's passes: they stay a while)
    monkeypatch.setattr(feeds.gc, "freeze", lambda: frozen.append(1))
    path = tmp_path / "performance_history.json"
    path.write_bytes(orjson.dumps([{"session_id": n} for n in range(7)]))
    feed = next(f for f in discover(tmp_path).feeds if f.kind == "performance")

    def batches() -> list:
        out = [feed.poll()]
        while out[-1].more:
            out.append(feed.poll())
        return out

    first = batches()
    assert [[r.fields["session_id"] for r in b.records] for b in first] == [
        [0, 1, 2], [3, 4, 5], [6]]
    assert [r.line for b in first for r in b.records] == list(range(1, 8))
    assert [(b.fresh, b.reset) for b in first] == [(False, False)] * 3  # the backlog, all of it
    assert feed.records == 7 and frozen == [1]
    path.write_bytes(orjson.dumps([{"session_id": n} for n in range(100, 108)]))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    again = batches()
    assert [[r.fields["session_id"] for r in b.records] for b in again] == [
        [100, 101, 102], [103, 104, 105], [106, 107]]
    assert [(b.fresh, b.reset) for b in again] == [(True, True), (True, False), (True, False)]
    assert feed.records == 8 and not feed.poll().records and frozen == [1, 1]
    path.write_bytes(orjson.dumps([{"session_id": n} for n in range(100, 109)]))
    assert [r.fields["session_id"] for r in feed.poll().records] == [108]
    assert frozen == [1, 1]  # (one new entry: nothing to freeze)
    from vivtui.sources import snapshot
    monkeypatch.setattr(snapshot, "PIECE", 0)  # read whole: decoded as handed out
    path.write_bytes(orjson.dumps([{"session_id": n} for n in range(200, 210)]))
    assert [[r.fields["session_id"] for r in b.records] for b in batches()] == [
        [200, 201, 202], [203, 204, 205], [206, 207, 208], [209]]
    assert frozen == [1, 1]  # (nothing decoded waits)


def test_watcher_reports_changes_and_new_directories(tmp_path):
    seen: list[set[str]] = []
    changed = threading.Event()
    stop = threading.Event()

    def on_change(names):
        seen.append(names)
        if "api_audit.log" in names:
            changed.set()

    audit = tmp_path / AUDIT_SUBDIR
    thread = threading.Thread(target=watch_directories, args=([tmp_path, audit], on_change, stop),
                              daemon=True)
    thread.start()
    try:
        time.sleep(0.3)
        audit.mkdir(parents=True)  # appears after the watch started
        deadline = time.monotonic() + 10
        while not changed.is_set() and time.monotonic() < deadline:
            append(audit / "api_audit.log", b'{"event": "X"}\n')
            changed.wait(0.5)
        assert changed.is_set(), f"no notice for the late directory; saw {seen}"
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


class FakeNotifier:
    """``RustNotify`` as ``watcher.notices`` uses it: each ``watch`` call
    takes a second of the clock and gives the next answer."""

    def __init__(self, answers: list, now: list[float]) -> None:
        self.answers, self.now, self.steps = answers, now, []

    def __call__(self, *args):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def watch(self, debounce_ms, step_ms, timeout_ms, stop):
        self.steps.append(step_ms)
        self.now[0] += 1.0
        return self.answers.pop(0)


def test_the_watcher_looks_less_often_once_the_directory_has_been_quiet(tmp_path):
    now = [0.0]
    notifier = FakeNotifier(["timeout"] * 4 + [{(2, str(tmp_path / "a.log"))}, "timeout", "stop"],
                            now)
    got = list(notices((tmp_path,), threading.Event(), 20, 2, quiet_after_s=2.5,
                       quiet_step_ms=20, clock=lambda: now[0], notifier=notifier))
    assert got == [set(), set(), set(), set(), {(2, str(tmp_path / "a.log"))}, set()]
    # Every 2 ms until 2.5 s passed without a change, then every 20 ms; every
    # 2 ms again from the change on.
    assert notifier.steps == [2, 2, 2, 20, 20, 2, 2]


def test_backlog_progress_from_before_the_first_read_to_the_end(tmp_path):
    path = tmp_path / "action_log.jsonl"
    append(path, b'{"action_type": "TOOL"}\n' * 3000)
    feed = discover(tmp_path).feeds[0]
    feed.budget = 16 << 10
    assert feed.backlog_progress() == 0.0  # nothing counted yet: not "done"
    seen = []
    while feed.poll().more:
        seen.append(feed.backlog_progress())
    assert seen and all(0 < p < 1 for p in seen) and seen == sorted(seen)
    assert feed.backlog_progress() is None and feed.records == 3000


def test_a_batch_says_about_how_many_lines_the_file_holds_after_it(tmp_path):
    path = tmp_path / "action_log.jsonl"
    append(path, b'{"action_type": "TOOL", "detail": "same length"}\n' * 4000)
    feed = discover(tmp_path).feeds[0]
    feed.budget = 50 * 1000  # about 1000 of these lines a batch
    guesses, read = [], 0
    while True:
        batch = feed.poll()
        read += len(batch.records)
        guesses.append((batch.rows_to_come, 4000 - read))
        if not batch.more:
            break
    assert guesses[-1] == (0, 0)
    assert all(abs(guess - left) <= 2 for guess, left in guesses)


def task_lines(count: int) -> bytes:
    return b"".join(orjson.dumps({"timestamp": "2026-02-03T05:44:03", "task_id": f"t{n:05d}",
                                  "status": "failed" if n % 7 == 0 else "completed"}) + b"\n"
                    for n in range(1, count + 1))


def test_a_big_line_file_is_previewed_by_its_newest_lines_before_it_is_read(tmp_path,
                                                                           monkeypatch):
    from vivtui.ingest import feeds
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 20_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 4_000)
    data = task_lines(2000)
    path = tmp_path / "execution_log.jsonl"
    path.write_bytes(data + b'{"task_id": "t02001", "sta')  # a line being written
    feed = next(feed for feed in discover(tmp_path).feeds if feed.kind == "tasks")
    batch = feed.preview()
    records = list(batch.records)
    assert batch.preview and 20 < len(records) < 100  # the newest 4,000 bytes' whole lines
    assert records[-1].fields["task_id"] == "t02000"  # not the half-written one
    last = data.rindex(b"\n", 0, len(data) - 1) + 1
    assert (records[-1].line, records[-1].offset) == (0, last)  # numbers not known yet
    assert data[records[0].offset - 1:records[0].offset] == b"\n"  # a whole first line
    assert feed.records == 0 and feed.reading_backlog() == 0.0  # the reading is still to come
    assert feed.status()[0].state == "ok"  # the file is there: not "waiting" for it
    assert feed.poll().records[0].fields["task_id"] == "t00001"  # from the start, in order
    assert feed.preview() is None  # once only, before the first read


def test_a_backlog_handed_to_another_process_first_is_still_previewed(tmp_path, monkeypatch):
    # A run directory's big backlogs are handed to their processes before the
    # panes' previews are read: marked as read, the sessions and queue panes
    # said "reading the file's newest lines…" until every line was counted.
    from vivtui.ingest import feeds
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 20_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 4_000)
    (tmp_path / "execution_log.jsonl").write_bytes(task_lines(2000))
    feed = next(feed for feed in discover(tmp_path).feeds if feed.kind == "tasks")
    handed = feed.descriptor()
    assert handed is not None and handed[1] == len(task_lines(2000))
    batch = feed.preview()
    assert batch is not None and batch.preview
    assert list(batch.records)[-1].fields["task_id"] == "t02000"
    feed.poll()  # read here from the start: no preview after that
    assert feed.preview() is None


def test_a_preview_is_parsed_a_piece_at_a_time_with_its_pace_between(tmp_path, monkeypatch):
    """A key typed as a big run shows up is not kept waiting by a whole
    preview's parsing (the pace waits while a key is being answered)."""
    from vivtui.ingest import feeds
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 20_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 40_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PIECE_LINES", 100)
    (tmp_path / "execution_log.jsonl").write_bytes(task_lines(3000))
    feed = next(feed for feed in discover(tmp_path).feeds if feed.kind == "tasks")
    parsed, paces = [], []
    real_parse = LineParser.parse
    monkeypatch.setattr(LineParser, "parse", lambda parser, lines: (
        parsed.append(len(lines)), real_parse(parser, lines))[1])
    batch = feed.preview(pace=lambda: paces.append(len(parsed)))
    records = list(batch.records)
    assert len(records) == sum(parsed) > 500 and max(parsed) == 100
    assert paces == list(range(1, len(parsed)))  # between every two pieces
    assert [record.fields["task_id"] for record in records] == [
        f"t{n:05d}" for n in range(3001 - len(records), 3001)]  # whole, in order


def test_a_small_file_or_a_snapshot_is_not_previewed(tmp_path, monkeypatch):
    from vivtui.ingest import feeds
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 20_000)
    (tmp_path / "execution_log.jsonl").write_bytes(task_lines(100))  # under 20,000 bytes
    (tmp_path / "performance_history.json").write_bytes(b"[" + b",".join(
        b'{"session_id": %d}' % n for n in range(5000)) + b"]")
    assert all(feed.preview() is None for feed in discover(tmp_path).feeds)


def test_lines_written_after_a_preview_are_previewed_until_the_reading_gets_there(
        tmp_path, monkeypatch):
    from vivtui.ingest import feeds
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 20_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 4_000)
    path = tmp_path / "execution_log.jsonl"
    path.write_bytes(task_lines(2000))
    feed = next(feed for feed in discover(tmp_path).feeds if feed.kind == "tasks")
    feed.budget = 20_000  # the reading from the start, a few batches
    assert feed.preview() is not None
    assert feed.preview_more() is None  # nothing new yet
    append(path, b'{"task_id": "late", "status": "failed"}\n')
    more = feed.preview_more()
    assert more.preview and [r.fields["task_id"] for r in more.records] == ["late"]
    assert more.records[0].offset == len(task_lines(2000))
    while feed.poll().more:
        pass
    append(path, b'{"task_id": "later", "status": "failed"}\n')
    assert feed.preview_more() is None and feed._preview is None  # read to its end: done
    assert [r.fields["task_id"] for r in feed.poll().records] == ["later"]


def test_a_preview_stays_until_a_backlog_read_apart_is_on_screen(tmp_path, monkeypatch):
    from vivtui.ingest import feeds
    from vivtui.store.run import RunStore
    from vivtui.ui.preview import Previews
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 10_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 2_000)
    read_to_end = feeds.read_to_end
    log = tmp_path / "execution_log.jsonl"
    log.write_bytes(b"".join(b'{"task_id": "t%d", "status": "completed"}\n' % n
                             for n in range(1000)))
    feed = discover(log).feeds[0]
    previews = Previews(RunStore, [feed])
    previews.take(feed.preview())
    assert previews.for_reads(["tasks"]).counting is False  # counted as it is read
    feed.apart = True  # its reading thread takes the backlog in (``ingest.apart``)
    read_to_end(feed, lambda batch: None)
    shown = previews.for_reads(["tasks"])
    assert shown is not None and shown.counting and shown.progress == 1.0
    feed.apart = False  # absorbed: the models are whole
    assert previews.for_reads(["tasks"]) is None


def test_until_a_big_files_preview_is_all_in_its_panes_show_nothing_and_say_counting(
        tmp_path, monkeypatch):
    """Not the store's "Queue 0 tasks" of a file not read yet, nor the preview's
    older lines while its pieces come in (the newest come last)."""
    from dataclasses import replace

    from vivtui.ingest import feeds
    from vivtui.parsing.record import Records, rows_of
    from vivtui.store.run import RunStore
    from vivtui.ui.preview import Previews
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 10_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 2_000)
    (tmp_path / "execution_log.jsonl").write_bytes(task_lines(1000))
    feed = next(feed for feed in discover(tmp_path).feeds if feed.kind == "tasks")
    previews = Previews(RunStore, [feed], previewed=["tasks"])
    assert previews.for_reads(["actions"]) is None  # no preview coming for that pane
    waiting = previews.for_reads(["tasks"])  # the preview is not posted yet
    assert waiting.coming and waiting.counting and waiting.progress == 0.0
    assert not waiting.store.tasks.tasks
    batch = feed.preview()
    rows = rows_of(batch.records)
    previews.take(replace(batch, records=Records(rows[:5]), more=True))  # a first piece
    shown = previews.for_reads(["tasks"])
    assert shown.counting and not shown.store.tasks.tasks  # still nothing half-taken-in
    previews.take(replace(batch, records=Records(rows[5:])))  # its last piece
    shown = previews.for_reads(["tasks"])
    assert not (shown.coming or shown.counting) and len(shown.store.tasks.tasks) == len(rows)
    assert previews.for_reads(["tasks"]).store is shown.store


def test_previews_taken_in_by_their_reading_threads_are_joined_into_one_store(
        tmp_path, monkeypatch):
    from vivtui.ingest import feeds
    from vivtui.ingest.apart import ReadApart
    from vivtui.ingest.batch import Batch
    from vivtui.store.run import RunStore
    from vivtui.ui.preview import Previews
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 10_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 2_000)
    (tmp_path / "execution_log.jsonl").write_bytes(task_lines(1000))
    (tmp_path / "api_audit.log").write_bytes(b"".join(
        b'{"timestamp": "2026-02-03T05:44:03", "event": "API_CALL_FAILURE", "user": "u%d"}\n' % n
        for n in range(1000)))
    by_kind = {feed.kind: feed for feed in discover(tmp_path).feeds}
    previews = Previews(RunStore, by_kind.values(), previewed=["tasks", "api"])
    for kind in ("tasks", "api"):
        made = ReadApart(kind, RunStore())
        made.take(by_kind[kind].preview())
        previews.take(Batch(kind, source=kind, preview=True, apart=made))
    shown = previews.for_reads(["tasks", "api"])
    assert not shown.coming and shown.store is previews.store
    assert "t01000" in shown.store.tasks.tasks
    assert 0 < shown.store.budget.failed < 1000  # the newest lines of each, in one store
    assert 0 < len(shown.store.tasks.tasks) < 1000


def test_a_small_file_has_no_preview_on_its_way(tmp_path, monkeypatch):
    from vivtui.store.run import RunStore
    from vivtui.ui.preview import Previews
    (tmp_path / "execution_log.jsonl").write_bytes(task_lines(10))
    feed = next(feed for feed in discover(tmp_path).feeds if feed.kind == "tasks")
    assert Previews(RunStore, [feed], previewed=["tasks"]).for_reads(["tasks"]) is None


def action_line(n: int) -> bytes:
    return orjson.dumps({"timestamp": f"2026-02-03T05:00:{n % 60:02d}", "actor": "A",
                         "action_type": "TOOL", "action": "read_file", "detail": str(n)}) + b"\n"


def test_a_rotated_copy_is_said_unread_unless_its_lines_were_followed(tmp_path):
    from vivtui.summary import collect, summary_dict

    log = tmp_path / "action_log.jsonl"
    append(log, b"".join(map(action_line, range(5))))
    followed = discover(tmp_path)
    poll_all(followed)
    log.rename(tmp_path / "action_log.jsonl.1")  # rotated while followed
    append(log, b"".join(map(action_line, range(5, 8))))
    poll_all(followed)
    poll_all(followed)
    (tmp_path / "api_audit.log.bak").mkdir()  # not a regular file: no copy
    status = next(s for s in followed.statuses() if s.name == "action_log.jsonl")
    assert status.unread_copies == 0 and status.note == ""
    # Opened afresh, the copy's lines are not read: said, with its name.
    opened = discover(tmp_path)
    poll_all(opened)
    status = next(s for s in opened.statuses() if s.name == "action_log.jsonl")
    assert status.unread_copies == 1 and status.records == 3
    assert "action_log.jsonl.1" in status.note and "not read" in status.note
    audit = next(s for s in opened.statuses() if s.name == "api_audit.log")
    assert audit.unread_copies == 0
    # And in the report: its count is the new file's, with the copy named.
    entry = summary_dict(*collect(tmp_path))["files"]["action_log.jsonl"]
    assert entry["records"] == 3 and "action_log.jsonl.1" in entry["note"]


def test_rotated_copies_are_looked_for_again_only_once_the_directory_changed(tmp_path,
                                                                           monkeypatch):
    """A status is asked for every second, for each file: a big directory
    looked through each time took 97 ms a file."""
    import os as os_module

    from vivtui.ingest import rotated

    listed = []
    real = os_module.listdir
    monkeypatch.setattr(rotated.os, "listdir", lambda path: (listed.append(path), real(path))[1])
    for name in ("action_log.jsonl", "api_audit.log"):
        append(tmp_path / name, b"x\n")
    quiet = time.time() - 60
    os_module.utime(tmp_path, (quiet, quiet))  # (changed just now, it is looked at again)
    watches = {name: rotated.UnreadCopies() for name in ("action_log.jsonl", "api_audit.log")}

    def unread() -> dict:
        return {name: watch.of(tmp_path / name, set()) for name, watch in watches.items()}

    assert unread() == unread() == {"action_log.jsonl": [], "api_audit.log": []}
    assert len(listed) == 1  # one listing for both files, and none again
    (tmp_path / "api_audit.log").rename(tmp_path / "api_audit.log.1")
    append(tmp_path / "api_audit.log", b"y\n")
    assert unread() == {"action_log.jsonl": [], "api_audit.log": ["api_audit.log.1"]}
    assert len(listed) >= 2


def test_a_big_directory_is_looked_through_for_copies_apart_from_the_status(tmp_path,
                                                                          monkeypatch):
    """The status is made on the screen's thread: a directory of 100k entries
    took 139 ms to list. Said once found, at the next look."""
    import os as os_module
    import threading

    from vivtui.ingest import rotated

    listed_by = []
    real = os_module.listdir
    go = threading.Event()  # the listing waits for it: said only once it is done

    def listdir(path):
        listed_by.append(threading.current_thread())
        go.wait(5)
        return real(path)

    monkeypatch.setattr(rotated.os, "listdir", listdir)
    monkeypatch.setattr(rotated, "LIST_HERE_MOST", -1)  # every directory is big
    append(tmp_path / "api_audit.log.1", b"x\n")
    append(tmp_path / "api_audit.log", b"y\n")
    quiet = time.time() - 60
    os_module.utime(tmp_path, (quiet, quiet))
    watch = rotated.UnreadCopies()
    assert watch.of(tmp_path / "api_audit.log", set()) == []  # not known yet
    go.set()
    watch._looking.join(timeout=5)
    assert watch.of(tmp_path / "api_audit.log", set()) == ["api_audit.log.1"]
    assert listed_by and threading.main_thread() not in listed_by


def test_a_last_line_with_no_newline_is_held_while_live_and_taken_once_the_run_has_ended(
        tmp_path):
    from vivtui.ingest.feeds import Feed
    from vivtui.parsing.kinds import spec_for_name

    log = tmp_path / "kernel_run.log"
    log.write_bytes(b"[1] START: one\n[1] DONE (3s)\n[2] START: half a li")
    feed = Feed([(spec_for_name(log.name), log)])
    backlog = feed.poll()
    assert [r.line for r in backlog.records] == [1, 2] and not backlog.more
    assert feed.poll().records.rows == []  # held: its writer may be writing it
    ended = feed.poll(final=True)  # the run is over: it will never end
    assert [(r.line, r.offset, r.raw) for r in ended.records] == [(3, 29, "[2] START: half a li")]
    assert not ended.fresh  # (the file did not grow: no sign of life)
    again = feed.poll(final=True)
    assert again.records.rows == [] and again.events == []  # not taken for a file cut under it
    append(log, b"[3] START: later\n")  # the run goes on after all: a line of its own
    later = feed.poll()
    assert [(r.line, r.raw) for r in later.records] == [(4, "[3] START: later")] and later.fresh
