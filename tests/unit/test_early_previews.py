"""The previews read by a forked process while the monitor starts
(``ingest.early_previews``): the same rows as read here, the file followed on
from where the child stopped, and the child never left behind."""

from __future__ import annotations

import os
import sys
import threading
import time
from functools import partial

import orjson
import pytest

from vivtui.ingest import early_previews, feeds
from vivtui.ingest.early_previews import EarlyPreviews
from vivtui.ingest.feeds import PREVIEWED_KINDS
from vivtui.ingest.layout import discover
from vivtui.store.run import RunStore

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


def task_line(n: int) -> bytes:
    return orjson.dumps({"timestamp": f"2026-02-03T05:{n // 60 % 60:02d}:{n % 60:02d}",
                         "task_id": f"task-{n:05d}",
                         "status": "failed" if n % 7 == 0 else "completed"}) + b"\n"


@pytest.fixture
def big_queue(tmp_path, monkeypatch):
    """A queue over the (lowered) preview size: its newest 4,000 bytes
    previewed; the threads other tests left winding down not counted."""
    monkeypatch.setattr(early_previews, "other_threads", lambda: False)
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 20_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 4_000)
    path = tmp_path / "execution_log.jsonl"
    path.write_bytes(b"".join(task_line(n) for n in range(1, 2001)))
    return path


def queue_feed(path):
    return next(feed for feed in discover(path).feeds if feed.kind == "tasks")


def rows_of(store: RunStore) -> list[tuple[str, str]]:
    return [(task.task_id, task.status) for task in store.tasks.triage_order()]


def test_the_childs_preview_is_the_one_read_here_and_the_file_follows_on(big_queue):
    here = RunStore()
    here.apply_batch(queue_feed(big_queue).preview())

    feed = queue_feed(big_queue)
    early = EarlyPreviews.start([feed], PREVIEWED_KINDS, RunStore)
    assert early is not None
    store = early.take(feed)
    assert store is not None and rows_of(store) == rows_of(here)
    assert 20 < len(rows_of(store)) < 100 and "task-02000" in dict(rows_of(store))
    # The feed goes on from where the child stopped: only what came since.
    with open(big_queue, "ab") as handle:
        handle.write(task_line(2001))
    more = feed.preview_more()
    assert [record.fields["task_id"] for record in more.records] == ["task-02001"]
    assert feed.poll().records[0].fields["task_id"] == "task-00001"  # the reading from the start
    early.close()


def _failing_store() -> RunStore:
    raise MemoryError("the child could not make its store")


def test_a_child_that_fails_leaves_the_preview_to_be_read_here(big_queue):
    feed = queue_feed(big_queue)
    early = EarlyPreviews.start([feed], PREVIEWED_KINDS, _failing_store)
    assert early is not None
    assert early.take(feed) is None
    batch = feed.preview()  # read here instead, from the start of the newest bytes
    assert batch is not None and batch.records[-1].fields["task_id"] == "task-02000"
    assert 20 < len(batch.records) < 100
    early.close()


def _slow_store(delay: float) -> RunStore:
    time.sleep(delay)
    return RunStore()


def test_an_answer_not_in_yet_is_not_waited_for_without_a_wait_and_comes_later(big_queue):
    feed = queue_feed(big_queue)
    early = EarlyPreviews.start([feed], PREVIEWED_KINDS, partial(_slow_store, 0.5))
    assert early.take(feed, wait=0.0) is None  # not in yet: asked again later
    store = early.take(feed, wait=5.0)
    assert store is not None and "task-02000" in dict(rows_of(store))
    assert early.take(feed) is None  # taken once


def test_the_child_is_reaped_once_its_answers_are_taken_or_let_go(big_queue, monkeypatch):
    feed = queue_feed(big_queue)
    early = EarlyPreviews.start([feed], PREVIEWED_KINDS, RunStore)
    pid = early._pid
    early.take(feed)
    time.sleep(0.2)  # (the child writes its answer, then ends)
    early.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # no zombie left: reaped already

    slow = EarlyPreviews.start([queue_feed(big_queue)], PREVIEWED_KINDS,
                               partial(_slow_store, 30.0))
    pid = slow._pid
    slow.close()  # at exit, with the child still at work: killed and reaped
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_only_big_line_files_of_previewed_kinds_are_read_early(big_queue, tmp_path):
    (tmp_path / "kernel_run.log").write_bytes(b"[1] START: x\n" * 5000)  # big, not previewed
    layout = discover(tmp_path)
    early = EarlyPreviews.start(layout.feeds, PREVIEWED_KINDS, RunStore)
    assert [feed.kind for feed in early._answers] == ["tasks"]
    early.close()
    small = tmp_path / "small"
    small.mkdir()
    (small / "execution_log.jsonl").write_bytes(task_line(1))
    assert EarlyPreviews.start(discover(small).feeds, PREVIEWED_KINDS, RunStore) is None


def test_no_process_is_forked_while_another_thread_runs(big_queue, monkeypatch):
    # (A stream's receiver runs before its run's monitor opens.)
    monkeypatch.undo()
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 20_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 4_000)
    stop = threading.Event()
    receiver = threading.Thread(target=stop.wait, daemon=True)
    receiver.start()
    try:
        assert EarlyPreviews.start([queue_feed(big_queue)], PREVIEWED_KINDS, RunStore) is None
    finally:
        stop.set()
        receiver.join()
    feed = queue_feed(big_queue)
    assert feed.preview().records[-1].fields["task_id"] == "task-02000"  # read by its loop
