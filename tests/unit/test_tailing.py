"""The live run's tail loops, driven through their callbacks, without a terminal."""

from __future__ import annotations

import queue
import time

import pytest

from vivtui.ingest import preview_loops, tailing
from vivtui.ingest.layout import discover
from vivtui.ingest.tailing import Tailing

WAIT_S = 5.0


def action_line(i: int) -> bytes:
    return (b'{"timestamp": "2026-02-03T05:44:03+00:00", "action_type": "TOOL", '
            b'"action": "a%d"}\n' % i)


@pytest.fixture
def collected():
    """(batches posted, failures reported) as queues the tail threads fill."""
    return queue.Queue(), queue.Queue()


def start(run_dir, collected, **kwargs) -> Tailing:
    batches, failures = collected
    layout = discover(run_dir)
    loop = Tailing(layout.feeds, layout.directories, batches.put,
                   lambda what, exc: failures.put((what, exc)), **kwargs)
    loop.start()
    return loop


def next_records(batches: queue.Queue, loop: Tailing, kind: str) -> list:
    """Records of the next batch of ``kind`` (taken in, so the next may come)."""
    while True:
        batch = batches.get(timeout=WAIT_S)
        loop.applied(batch.kind)
        if batch.kind == kind and batch.records:
            return list(batch.records)


def test_lines_written_later_are_posted_and_the_threads_stop(tmp_path, collected):
    (tmp_path / "action_log.jsonl").write_bytes(action_line(1))
    loop = start(tmp_path, collected)
    try:
        assert [r.line for r in next_records(collected[0], loop, "actions")] == [1]
        with open(tmp_path / "action_log.jsonl", "ab") as handle:
            handle.write(action_line(2))
        assert [r.line for r in next_records(collected[0], loop, "actions")] == [2]
    finally:
        loop.stop(join=2.0)
    assert not any(thread.is_alive() for thread in loop.threads)
    assert collected[1].empty()


def test_a_file_created_later_is_picked_up_when_polling(tmp_path, collected):
    loop = start(tmp_path, collected, poll=0.05)
    try:
        (tmp_path / "kernel_run.log").write_bytes(b"BLOCKED: write to x.py\n")
        records = next_records(collected[0], loop, "kernel")
        assert records[0].category == "blocked"
    finally:
        loop.stop(join=2.0)


def test_a_failure_is_reported_and_the_feed_is_read_again(tmp_path, collected):
    batches, failures = collected
    (tmp_path / "action_log.jsonl").write_bytes(action_line(1))
    calls = []

    def refuse_once(batch):
        calls.append(batch)
        if len(calls) == 1:
            raise ValueError("the store said no")
        batches.put(batch)

    layout = discover(tmp_path)
    loop = Tailing(layout.feeds, layout.directories, refuse_once,
                   lambda what, exc: failures.put((what, exc)), poll=0.05)
    loop.start()
    try:
        what, exc = failures.get(timeout=WAIT_S)
        assert what == "reading action_log.jsonl" and isinstance(exc, ValueError)
        loop.applied("actions")  # the refused batch's slot
        with open(tmp_path / "action_log.jsonl", "ab") as handle:
            handle.write(action_line(2))
        assert [r.line for r in next_records(batches, loop, "actions")] == [2]
    finally:
        loop.stop(join=2.0)


def test_a_failed_watcher_is_said_and_started_again(tmp_path, collected, monkeypatch):
    """A line written after the watcher failed comes by a change notice (the
    readers' once-a-second look is turned off here), not a second later."""
    from vivtui.sources import watcher

    batches, failures = collected
    real = watcher.RustNotify
    calls = []

    def fail_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise SystemError("watchfiles went wrong")
        return real(*args, **kwargs)

    monkeypatch.setattr(watcher, "RustNotify", fail_once)
    monkeypatch.setattr(watcher, "RECHECK_MS", 50)
    monkeypatch.setattr(tailing, "IDLE_RECHECK_S", 3600.0)
    (tmp_path / "action_log.jsonl").write_bytes(action_line(1))
    loop = start(tmp_path, collected)
    try:
        assert [r.line for r in next_records(batches, loop, "actions")] == [1]
        what, exc = failures.get(timeout=WAIT_S)
        assert what == "watching the run directory (started again)"
        assert isinstance(exc, SystemError)
        deadline = time.monotonic() + WAIT_S
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # the new watcher's first look
        with open(tmp_path / "action_log.jsonl", "ab") as handle:
            handle.write(action_line(2))
        assert [r.line for r in next_records(batches, loop, "actions")] == [2]
    finally:
        loop.stop(join=2.0)


def test_at_most_two_batches_wait_to_be_taken_in(tmp_path, collected, monkeypatch):
    monkeypatch.setattr(tailing, "BACKLOG_BUDGET", 256)
    (tmp_path / "action_log.jsonl").write_bytes(b"".join(action_line(i) for i in range(200)))
    batches, _ = collected
    loop = start(tmp_path, collected, poll=0.05)
    try:
        first, second = batches.get(timeout=WAIT_S), batches.get(timeout=WAIT_S)
        with pytest.raises(queue.Empty):
            batches.get(timeout=0.3)  # a third waits for a slot
        loop.applied(first.kind)
        assert batches.get(timeout=WAIT_S).records[0].line > second.records[-1].line
    finally:
        loop.stop(join=2.0)


def test_the_backlog_takes_small_batches_while_lines_arrive(tmp_path, collected, monkeypatch):
    monkeypatch.setattr(tailing, "BACKLOG_REST_S", 0.0)
    (tmp_path / "action_log.jsonl").write_bytes(action_line(1))
    layout = discover(tmp_path)
    feed = layout.feeds[0]
    loop = Tailing([feed], [], lambda batch: None, lambda what, exc: None, poll=1)
    loop.line_arrived()
    loop.line_drawn()
    loop.read_all(feed)
    assert feed.budget == tailing.BACKLOG_LIVE_BUDGET


def test_a_change_notice_is_passed_on(tmp_path):
    layout = discover(tmp_path)
    seen = []
    loop = Tailing(layout.feeds, [], lambda batch: None, lambda what, exc: None,
                   on_change=seen.append)
    loop.changed({"kernel_run.log"})
    assert seen == [{"kernel_run.log"}]


def test_reading_backlog_until_every_file_is_read_missing_ones_included(tmp_path):
    (tmp_path / "action_log.jsonl").write_bytes(b"".join(action_line(i) for i in range(100)))
    layout = discover(tmp_path)
    loop = Tailing(layout.feeds, layout.directories, lambda batch: None, lambda *a: None)
    assert loop.reading_backlog() is None  # not started: nothing will be read
    loop.threads.append(object())  # as if started, without threads reading
    assert loop.reading_backlog() == 0.0  # nothing looked at yet
    for feed in layout.feeds:
        while feed.poll().more:
            pass
    assert loop.reading_backlog() is None  # read; the missing files have no backlog


def test_reading_backlog_weighs_each_file_by_its_cost(tmp_path):
    # Not the least read file's share: 0 % for most of a big run's loading.
    from vivtui.ingest.costs import cost_of

    (tmp_path / "action_log.jsonl").write_bytes(b"".join(action_line(i) for i in range(100)))
    (tmp_path / "kernel_run.log").write_bytes(b"[INFO] a line\n" * 500)
    layout = discover(tmp_path)
    loop = Tailing(layout.feeds, layout.directories, lambda batch: None, lambda *a: None)
    loop.threads.append(object())  # as if started, without threads reading
    actions = next(feed for feed in layout.feeds if feed.kind == "actions")
    while actions.poll().more:
        pass
    kernel = next(feed for feed in layout.feeds if feed.kind == "kernel")
    kernel.budget = 1_000
    kernel.poll()  # a part of its backlog
    costs = {feed.kind: cost_of(*feed.current_choice()) for feed in (actions, kernel)}
    assert costs["kernel"] > costs["actions"] > 0
    progress = loop.reading_backlog()
    kernel_read = kernel.reading_backlog()
    assert kernel_read is not None and kernel_read < 1.0
    assert progress == pytest.approx((costs["actions"] + kernel_read * costs["kernel"])
                                     / (costs["actions"] + costs["kernel"]))


def test_a_big_files_preview_is_posted_before_its_first_batch(tmp_path, collected,
                                                             monkeypatch):
    from vivtui.ingest import feeds
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 10_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 4_000)
    (tmp_path / "action_log.jsonl").write_bytes(b"".join(action_line(i) for i in range(1, 400)))
    loop = start(tmp_path, collected, previewed={"actions"})
    try:
        first = collected[0].get(timeout=WAIT_S)
        loop.applied(first.kind)
        assert first.preview and first.records[-1].fields["action"] == "a399"
        second = collected[0].get(timeout=WAIT_S)
        loop.applied(second.kind)
        assert not second.preview and second.records[0].line == 1
    finally:
        loop.stop(join=2.0)
    loop = start(tmp_path, collected)  # not asked for: no preview
    try:
        assert next_records(collected[0], loop, "actions")[0].line == 1
    finally:
        loop.stop(join=2.0)


def test_a_preview_is_taken_in_by_its_reading_thread_a_piece_at_a_time(tmp_path, collected,
                                                                        monkeypatch):
    """With a store to take it in, the preview is posted as that store (the
    UI thread swaps it in), taken in a piece at a time, looking between two
    pieces for a frame on its way."""
    import threading

    from vivtui.ingest import feeds
    from vivtui.store.run import RunStore
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 10_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 4_000)
    monkeypatch.setattr(preview_loops, "PREVIEW_PIECE", 10)
    (tmp_path / "execution_log.jsonl").write_bytes(b"".join(
        b'{"task_id": "t%d", "status": "completed"}\n' % i for i in range(1, 400)))
    made, paced = [], []

    def store():
        made.append(threading.current_thread().name)
        return RunStore()

    monkeypatch.setattr(tailing.Tailing, "_frames_first",
                        lambda self, most, keys=0.0: lambda: paced.append((most, keys)))
    loop = start(tmp_path, collected, previewed={"tasks"}, preview_store=store)
    try:
        first = collected[0].get(timeout=WAIT_S)
        loop.applied(first.kind)
    finally:
        loop.stop(join=2.0)
    assert first.preview and not first.records and first.apart is not None
    assert made == ["vivtui reading tasks"]
    tasks = first.apart.store.tasks
    assert "t399" in tasks.tasks and 40 < len(tasks.tasks) < 399  # the newest lines only
    taking_in = [pace for pace in paced if pace[0] == preview_loops.PREVIEW_PACE_S]
    assert len(taking_in) == -(-len(tasks.tasks) // 10)  # a look before each piece
    assert {keys for _, keys in paced} == {preview_loops.KEYS_MOST_S}  # and for keys, parsing too


@pytest.mark.parametrize("previewed", [{"actions"}, set()], ids=["previewed", "not previewed"])
def test_a_big_files_backlog_taken_in_apart_is_posted_whole(tmp_path, collected,
                                                             monkeypatch, previewed):
    """Previewed or not (a stream pane shows the file's newest lines itself),
    a big backlog is taken in by its reading thread, not by the UI thread."""
    from vivtui.ingest import feeds
    from vivtui.ingest.apart import ReadApart
    from vivtui.store.run import RunStore
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 10_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 4_000)
    monkeypatch.setattr(tailing, "BACKLOG_BUDGET", 5_000)  # many batches
    log = tmp_path / "action_log.jsonl"
    log.write_bytes(b"".join(action_line(i) for i in range(1, 400)))
    threads = set()

    def apart(kind):
        import threading
        threads.add(threading.current_thread().name)
        return ReadApart(kind, RunStore())

    loop = start(tmp_path, collected, previewed=previewed, apart=apart)
    feed = loop.feeds[0]
    try:
        batches = []
        while not batches or batches[-1].apart is None:
            batches.append(collected[0].get(timeout=WAIT_S))
            loop.applied(batches[-1].kind)
        assert batches[0].preview == bool(previewed)
        assert not any(b.records for b in batches if not b.preview)
        reading = batches[-1].apart
        assert threads == {"vivtui reading actions"}  # taken in by the reading thread
        assert reading.store.buffers["actions"].total == 399
        # Read, but not yet on screen: the backlog counts as being read till then.
        assert feed.apart and feed.reading_backlog() == 1.0
        feed.apart = False
        assert feed.reading_backlog() is None
        with open(log, "ab") as out:
            out.write(action_line(400))
        assert next_records(collected[0], loop, "actions")[0].line == 400  # the usual way
    finally:
        loop.stop(join=2.0)


class Clock:
    """``tailing``'s clock and its screen's event: a wait passes its timeout."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self.free = False

    def monotonic(self) -> float:
        return self.now

    def is_set(self) -> bool:
        return self.free

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        self.now += timeout
        return self.free


def test_work_that_holds_the_gil_waits_for_frames_a_bounded_time_in_all(tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(tailing, "monotonic", clock.monotonic)
    loop = Tailing([], [], lambda batch: None, lambda what, exc: None)
    loop._screen_free = clock
    pace = loop._frames_first(0.12)
    clock.free = True
    pace()
    assert clock.waits == []  # no frame on its way: on at once
    clock.free = False
    for _ in range(10):  # frames on their way all along: 0.12 s in all, then on
        pace()
    assert clock.waits == [0.05, 0.05, pytest.approx(0.02)]


class KeyEvent:
    """A key's event on the clock: each wait while a key is being answered is
    recorded, and passes its time."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.free = True
        self.waits: list[float] = []

    def is_set(self) -> bool:
        return self.free

    def wait(self, timeout: float) -> bool:
        if not self.free:
            self.waits.append(timeout)
            self.clock.now += timeout
        return self.free


def test_a_key_being_answered_is_waited_for_whatever_the_pace_has_waited(tmp_path,
                                                                          monkeypatch):
    """A key typed as a big run shows up: the previews' parsing and taking in
    held the GIL while the key passed to its binding and its pane was drawn."""
    clock = Clock()
    monkeypatch.setattr(tailing, "monotonic", clock.monotonic)
    loop = Tailing([], [], lambda batch: None, lambda what, exc: None)
    loop._screen_free, loop._key_free = clock, KeyEvent(clock)
    pace = loop._frames_first(0.1, keys=0.7)
    for _ in range(4):  # frames on their way: the pace's 0.1 s spent
        pace()
    spent = list(clock.waits)
    assert sum(spent) == pytest.approx(0.1) and loop._key_free.waits == []
    loop._key_free.free = False  # a key being answered, and answered again: 0.7 s in all
    for _ in range(4):
        pace()
    assert loop._key_free.waits == [tailing.KEY_WAIT_S, tailing.KEY_WAIT_S,
                                    pytest.approx(0.1)] and clock.waits == spent
    assert loop._frames_first(0.1)() is None and len(loop._key_free.waits) == 3  # none: not


def test_a_key_holds_back_the_previews_until_it_is_answered(tmp_path):
    loop = Tailing([], [], lambda batch: None, lambda what, exc: None)
    loop.key_pressed()
    assert not loop._key_free.is_set() and not loop._screen_free.is_set()
    loop.line_drawn()  # its first frame: the key may not have reached its binding yet
    assert loop._screen_free.is_set() and not loop._key_free.is_set()
    loop.key_answered()
    assert loop._key_free.is_set()


def test_work_beside_the_tail_loops_waits_for_a_key_and_not_for_frames(tmp_path, monkeypatch):
    """A file's history indexed in the screen's process: at a big run's first
    frame its reads shared the GIL with a key's frame (a pane switch took
    120-175 ms)."""
    clock = Clock()
    monkeypatch.setattr(tailing, "monotonic", clock.monotonic)
    loop = Tailing([], [], lambda batch: None, lambda what, exc: None)
    loop._screen_free, loop._key_free = clock, KeyEvent(clock)
    clock.free = False  # frames on their way all along: not waited for
    pace = loop.keys_first()
    pace()
    assert clock.waits == [] and loop._key_free.waits == []
    loop._key_free.free = False  # a key being answered: waited for, a bounded time
    for _ in range(5):
        pace()
    assert sum(loop._key_free.waits) == pytest.approx(tailing.KEYS_MOST_S)
    assert clock.waits == []
