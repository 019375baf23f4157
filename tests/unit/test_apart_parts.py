"""A big queue read in two parts at once (``ingest.apart_parts``) must leave
the store, the alerts and the feed exactly as reading it whole does, wherever
the cut falls: tasks, histories, kept rows, blocks and streaks across it."""

from __future__ import annotations

import os
import shutil
import threading
from datetime import timezone

import orjson
import pytest

from tests.unit.test_apart_process import (
    feed_of,
    follow_until_read,
    outcome,
    read_here,
    reading_of,
)
from vivtui.alerts.alert import FILE_TROUBLE, STREAK
from vivtui.alerts.rules import AlertEngine
from vivtui.alerts.streaks import Streak
from vivtui.demo import write_forever
from vivtui.ingest import apart_parts, apart_process, python_child
from vivtui.ingest.apart_parts import ApartParts, cut_of, joined
from vivtui.ingest.feeds import BATCH_BYTES, Feed, read_to_end
from vivtui.ingest.layout import LineReread, read_back_from
from vivtui.parsing.kinds import spec_for_name
from vivtui.parsing.record import ERROR, OK, Record
from vivtui.store import buffer
from vivtui.store.run import RunStore

QUEUE = "execution_log.jsonl"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    write_forever(root, rate=0, limit=300)
    with open(root / QUEUE, "ab") as out:
        out.write(b"{not json at all\n")
    return root


def event(task: str, status: str, at: int, **more) -> bytes:
    return orjson.dumps({"task_id": task, "status": status, "worker_id": f"w{at % 3}",
                         "timestamp": f"2026-02-04T01:{at // 60:02d}:{at % 60:02d}+00:00",
                         **more}) + b"\n"


def crafted_queue() -> bytes:
    """Tasks whose events span any cut; failures in a row (3, 2, 5), broken
    by successes; safety blocks; a malformed line; an error only an older
    event gave."""
    lines = []
    for n in range(12):
        lines.append(event(f"t{n}", "queued", len(lines)))
        lines.append(event(f"t{n}", "in_progress", len(lines), model=f"m{n % 2}"))
    outcomes = ["failed", "failed", "failed", "completed", "failed", "failed", "completed",
                "safety_blocked", "failed", "failed", "failed", "failed"]
    for n, status in enumerate(outcomes):
        lines.append(event(f"t{n}", status, len(lines),
                           **({"errors": f"boom {n}"} if status == "failed" else {})))
        if n == 5:
            lines.append(b"{not json\n")
    lines.append(event("t0", "requeued", len(lines)))
    lines.append(event("t0", "completed", len(lines)))
    return b"".join(lines)


def read_part(path, begin: int, limit: int, capacity: int, batch: int = BATCH_BYTES) -> tuple:
    """The file's bytes ``begin``..``limit`` read as a backlog process reads
    them (``batch``: bytes read at a time)."""
    spec = spec_for_name(path.name)
    feed = Feed([(spec, path)], timezone.utc, batch)
    feed.read_through(path, limit, begin)
    store, engine = RunStore(capacity=capacity, listed=2), AlertEngine("run")
    if begin:
        engine.reads_after_cut(feed.kind)
    for kept in store.kept_rows(feed.kind):
        kept.reread = LineReread(feed)

    def take(batch) -> None:
        engine.saw_batch(batch, store.apply_batch(batch), store)

    read_to_end(feed, take, final=False)
    store.settle(feed.kind)  # (as the process does: its orders placed before the join)
    place = feed.place()
    feed.close()  # (a descriptor left open per part: past 1,023 of them, ``select`` failed)
    return store, engine, place


def join_parts(path, cut: int, capacity: int = 1000, batch: int = BATCH_BYTES,
               before_join=None) -> tuple:
    """The file read in two parts, cut at ``cut``, and joined as the
    monitor joins them (``apart_parts.joined``); where they cannot be, the
    first part read on (as the feed's reading does): (store, engine, place,
    whether they were joined). ``before_join`` is given the first part's store."""
    size = path.stat().st_size
    first = read_part(path, 0, cut, capacity, batch)
    if before_join is not None:
        before_join(first[0])
    second = read_part(path, cut, size, capacity, batch)
    feed = Feed([(spec_for_name(path.name), path)], timezone.utc, batch)
    store, engine, place = joined(first, second, feed, cut)
    was_joined = place[0].offset == second[2][0].offset
    if not was_joined:
        feed.read_through(path, size, place[0].offset)

        def take(batch) -> None:
            engine.saw_batch(batch, store.apply_batch(batch), store)

        read_to_end(feed, take, final=False)
    feed.close()
    return store, engine, place, was_joined


def seen(layout, store, engine) -> tuple:
    """What the screens and the report show of a queue read into ``store``."""
    read_back_from(layout, store, timezone.utc)
    tasks = store.tasks
    histories = [(task.task_id, task.status, task.line, task.events, task.carried,
                  [record.line for record in tasks.history(task)])
                 for task in tasks.tasks.values()]
    kept = [(record.line, record.offset, record.category) for record in store.buffers["tasks"]]
    blocks = [(record.line, record.category) for record in store.blocked]
    alerts = sorted((alert.rule, alert.message, alert.line) for alert in engine.alerts)
    streak = engine._streaks["tasks"]
    return (histories, +tasks.counts, kept, blocks, alerts, (streak.length, streak.fired),
            store.by_category["tasks"], store.malformed_count,
            [record.line for record in store.malformed], store.timebins.events)


def line_starts(data: bytes) -> list[int]:
    return [at + 1 for at, byte in enumerate(data[:-1]) if byte == ord("\n")]


@pytest.mark.parametrize("capacity, young", [(5, 100), (1000, 100), (9, 2), (1000, 2)])
def test_two_parts_joined_are_the_whole_queue_read_at_once_wherever_the_cut(
        tmp_path, monkeypatch, capacity, young):
    """Capacity 5: the kept rows are the newest 5 of both parts (some of the
    first part's, or none). Young 2: rows past the newest 2 are kept as
    places in the file (``store.oldrows``), in both parts."""
    monkeypatch.setattr(buffer, "YOUNG", young)
    data = crafted_queue()
    path = tmp_path / QUEUE
    path.write_bytes(data)
    layout, _ = feed_of(tmp_path, QUEUE)
    whole = read_part(path, 0, len(data), capacity)
    expected = seen(layout, whole[0], whole[1])
    assert expected[4] and expected[3] and expected[7] == 1  # streaks, blocks, malformed
    assert whole[0].buffers["tasks"].reads_back is (young == 2)
    for cut in line_starts(data):
        store, engine, place, was_joined = join_parts(path, cut, capacity)
        assert was_joined and seen(layout, store, engine) == expected, cut
        assert (place[0].line_no, place[1], place[2]) == (
            whole[2][0].line_no, whole[2][1], whole[2][2])


def test_the_second_parts_models_are_freed_once_joined_without_the_collector(tmp_path):
    """A class made per tracker for its handles is in a cycle of its own: the
    part it held waited for a pass of the collector, which the monitor's
    freeze of its heap (once a backlog joins) may never make."""
    import gc
    import weakref

    data = crafted_queue()
    path = tmp_path / QUEUE
    path.write_bytes(data)
    cut = line_starts(data)[len(line_starts(data)) // 2]
    first = read_part(path, 0, cut, 1000)
    second = read_part(path, cut, len(data), 1000)
    models = [weakref.ref(second[0].tasks), weakref.ref(second[0].sessions)]
    feed = Feed([(spec_for_name(QUEUE), path)], timezone.utc)
    gc.disable()
    try:
        store, _, _ = joined(first, second, feed, cut)
        del second
        assert [model() for model in models] == [None, None]
    finally:
        gc.enable()
        feed.close()
    # The joined store's own handles still read their tracker.
    tasks = store.tasks.tasks
    assert tasks and all(tasks[task_id].tracker is store.tasks for task_id in tasks)


def test_the_real_processes_read_both_parts_and_what_came_meanwhile_after(
        demo, tmp_path, monkeypatch):
    monkeypatch.setattr(apart_process, "WORTH_OVER", 0)
    monkeypatch.setattr(apart_parts, "PARTS_OVER", 0)
    whole = (demo / QUEUE).read_bytes()
    cut = len(whole) * 3 // 5  # mid-line: the line is finished by what comes after
    (tmp_path / QUEUE).write_bytes(whole[:cut])
    layout, feed = feed_of(tmp_path, QUEUE)
    reading = reading_of(feed.kind)
    parts = ApartParts.start(feed, reading)
    assert isinstance(parts, ApartParts)
    with open(tmp_path / QUEUE, "ab") as out:  # written while the processes read
        out.write(whole[cut:])
    assert parts.wait(threading.Event(), lambda: None)
    assert parts.offset == cut - len(whole[:cut].rsplit(b"\n", 1)[1])  # (both parts' bytes)
    assert parts.take_over(feed, reading)
    read_to_end(feed, reading.take)
    assert outcome(layout, reading) == read_here(tmp_path, QUEUE)


# A part's process that fails once it has its work: ``false`` alone can end
# before the work is sent to it, and then the part fails at its launch (a
# broken pipe) instead of in its reading (seen on a CI machine).
FAILS = ["sh", "-c", "cat > /dev/null; exit 1"]


def parts_whose_second_runs(demo, tmp_path, monkeypatch, second, first=None) -> tuple:
    """The demo's queue in two parts read by real processes, the second part's
    command ``second(command)`` (and the first's ``first(command)``):
    (layout, feed, reading, parts)."""
    monkeypatch.setattr(apart_process, "WORTH_OVER", 0)
    monkeypatch.setattr(apart_parts, "PARTS_OVER", 0)
    monkeypatch.setattr(python_child, "can_fork", lambda: False)  # (the commands run)
    shutil.copy(demo / QUEUE, tmp_path / QUEUE)
    layout, feed = feed_of(tmp_path, QUEUE)
    reading = reading_of(feed.kind)
    real = apart_process._command
    calls = []

    def command() -> list[str]:
        calls.append(1)
        if len(calls) == 1:
            return real() if first is None else first(real())
        return second(real())

    monkeypatch.setattr(apart_process, "_command", command)
    parts = ApartParts.start(feed, reading)
    assert isinstance(parts, ApartParts)
    return layout, feed, reading, parts


def test_the_part_done_first_is_loaded_while_the_other_is_still_read(
        demo, tmp_path, monkeypatch):
    """Its answer loaded ahead (``wait``'s ``ahead``), while the other part's
    process still runs, and taken over with the other's as if loaded then."""
    layout, feed, reading, parts = parts_whose_second_runs(
        demo, tmp_path, monkeypatch,
        lambda command: ["sh", "-c", 'sleep 3; exec "$@"', "sh", *command])
    ahead = []

    def load_ahead(load) -> bool:
        ahead.append((load(None), parts._second._process.poll()))
        return ahead[-1][0]

    assert parts.wait(threading.Event(), lambda: None, load_ahead)
    assert ahead == [(True, None)]  # loaded, the second still running
    assert parts.take_over(feed, reading)
    read_to_end(feed, reading.take)
    assert outcome(layout, reading) == read_here(tmp_path, QUEUE)


def test_a_part_that_failed_while_the_other_ran_leaves_the_whole_backlog_to_read_here(
        demo, tmp_path, monkeypatch):
    """Loaded ahead, its answer is none: nothing is taken over, both are stopped."""
    layout, feed, reading, parts = parts_whose_second_runs(
        demo, tmp_path, monkeypatch,
        lambda command: ["sh", "-c", 'sleep 3; exec "$@"', "sh", *command],
        first=lambda command: FAILS)
    ahead = []
    assert parts.wait(threading.Event(), lambda: None, lambda load: ahead.append(load(None)))
    assert ahead == [False]
    assert not parts.take_over(feed, reading)
    assert reading.store.buffers["tasks"].total == 0
    read_to_end(feed, reading.take)
    assert outcome(layout, reading) == read_here(tmp_path, QUEUE)


def test_a_part_that_fails_leaves_the_whole_backlog_to_read_here(demo, tmp_path, monkeypatch):
    layout, feed, reading, parts = parts_whose_second_runs(
        demo, tmp_path, monkeypatch, lambda command: FAILS)
    parts.wait(threading.Event(), lambda: None)
    assert not parts.take_over(feed, reading)
    assert reading.store.buffers["tasks"].total == 0  # nothing taken: read here, from the start
    read_to_end(feed, reading.take)
    assert outcome(layout, reading) == read_here(tmp_path, QUEUE)


def launches(monkeypatch) -> list[int]:
    """Where each backlog process starts reading its file, as they are started."""
    launched = []
    real = apart_process.ApartProcess.launch.__func__
    monkeypatch.setattr(apart_process.ApartProcess, "launch", classmethod(
        lambda cls, feed, reading, fd, size, begin=0, kept=None: launched.append(begin)
        or real(cls, feed, reading, fd, size, begin, kept)))
    return launched


def test_a_queue_alone_is_read_in_two_parts_by_the_tail_loop(demo, tmp_path, monkeypatch):
    monkeypatch.setattr(apart_process, "WORTH_OVER", 0)
    monkeypatch.setattr(apart_parts, "PARTS_OVER", 0)
    shutil.copy(demo / QUEUE, tmp_path / QUEUE)
    launched = launches(monkeypatch)
    _, readings = follow_until_read(tmp_path, [QUEUE], monkeypatch)
    assert len(launched) == 2 and launched[0] == 0 < launched[1]
    layout, _ = feed_of(tmp_path, QUEUE)
    assert outcome(layout, readings["tasks"])[1] == read_here(tmp_path, QUEUE)[1]


def test_beside_another_big_backlog_a_queue_is_read_whole_by_one_process(
        demo, tmp_path, monkeypatch):
    """Both cores are busy then: parts would only wait for each other."""
    monkeypatch.setattr(apart_process, "WORTH_OVER", 0)
    monkeypatch.setattr(apart_parts, "PARTS_OVER", 0)
    names = [QUEUE, "structured_logs.jsonl"]
    for name in names:
        shutil.copy(demo / name, tmp_path / name)
    launched = launches(monkeypatch)
    follow_until_read(tmp_path, names, monkeypatch)
    assert launched == [0, 0]


def test_the_cut_is_where_a_line_starts_near_the_middle(tmp_path):
    path = tmp_path / "lines"
    path.write_bytes(b"a" * 10 + b"\n" + b"b" * 10 + b"\n" + b"c" * 40 + b"\n")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert cut_of(fd, 33) == 22  # the middle (16) is in the second line
        assert cut_of(fd, 63) is None  # the last line holds the middle: no cut
    finally:
        os.close(fd)


def row(severity: str, line: int) -> tuple:
    return ("tasks", line, line * 10, None, None, severity, "x", {}, False, "")


@pytest.mark.parametrize("before, after, fires_at, length", [
    ([ERROR] * 2, [ERROR, OK, ERROR], 3, 1),  # the streak across the cut fires at its third
    ([ERROR] * 3, [ERROR] * 3, None, 6),  # fired before the cut: not again after it
    ([OK], [ERROR] * 3, 4, 3),  # all after the cut: where the later part fired it
    ([ERROR, OK], [ERROR] * 2, None, 2),  # too short on both sides
])
def test_a_streak_across_the_cut_fires_once_where_one_reading_fires_it(
        before, after, fires_at, length):
    needed = 3
    whole, first, second = Streak("tasks"), Streak("tasks"), Streak("tasks")
    rows = [row(severity, line) for line, severity in enumerate(before + after, 1)]
    fired_whole = [r[1] for r in whole.firing(rows, needed)]
    fired_first = [r[1] for r in first.firing(rows[:len(before)], needed)]
    fired_second = []
    for fired in second.firing(rows[len(before):], needed):
        fired_second.append(fired[1])
        second.fired_alert(fired[1])  # (the alert: its line, here)
    dropped, fire_at = first.followed_by(second, needed)
    joined = fired_first + [line for line in fired_second if line != dropped]
    joined += [fire_at[1]] if fire_at is not None else []
    assert sorted(joined) == fired_whole
    assert (fire_at[1] if fire_at else None) == fires_at
    assert (first.length, first.fired) == (whole.length, whole.fired) and first.length == length


def test_the_engine_joins_the_streak_alert_across_the_cut(tmp_path):
    data = crafted_queue()
    path = tmp_path / QUEUE
    path.write_bytes(data)
    # Between the second and the third failure of the first streak.
    third = data.index(b'"failed"', data.index(b'"failed"', data.index(b'"failed"') + 1) + 1)
    cut = data.rindex(b"\n", 0, third) + 1
    assert not [a for a in read_part(path, 0, cut, 1000)[1].alerts if a.rule == STREAK]
    store, engine, _, was_joined = join_parts(path, cut)
    streaks = [a for a in engine.alerts if a.rule == STREAK]
    assert was_joined
    whole = read_part(path, 0, len(data), 1000)[1]
    assert [(a.line, a.message) for a in streaks] == [
        (a.line, a.message) for a in whole.alerts if a.rule == STREAK]
    assert streaks[0].message.startswith("3 tasks failed in a row")
    assert Record._fields.index("severity") == 5  # (``row`` above builds records so)


def test_a_file_cut_while_its_parts_are_read_is_read_as_one_reading_reads_it(tmp_path):
    """A part's reading ends where the file was cut (copytruncate, and the
    writer went on): it does not start over on the new lines, and the parts
    are not joined across the lines lost. What comes after is read once,
    and the cut is said once (each part had started over and said it)."""
    data = crafted_queue()
    path = tmp_path / QUEUE
    path.write_bytes(data)
    cut = line_starts(data)[len(line_starts(data)) // 2]
    refilled = b"".join(event(f"new{n}", "failed", n, errors=f"after {n}") for n in range(40))
    assert len(refilled) > cut  # the new lines reach past the part's end
    spec = spec_for_name(QUEUE)
    feed = Feed([(spec, path)], timezone.utc)
    assert feed.descriptor() is not None  # (the monitor's, open before the parts start)

    part = Feed([(spec, path)], timezone.utc, 300)
    part.read_through(path, cut, 0)
    store, engine = RunStore(capacity=1000, listed=2), AlertEngine("run")
    batches = []

    def take(batch) -> None:
        engine.saw_batch(batch, store.apply_batch(batch), store)
        if not batches:
            path.write_bytes(refilled)  # cut and written again, after the first batch
        batches.append(batch)

    read_to_end(part, take, final=False)
    store.settle(part.kind)
    first = (store, engine, part.place())
    part.close()
    read_first = set(store.tasks.tasks)
    assert read_first and not any(task.startswith("new") for task in read_first)
    assert first[2][0].offset < cut
    second = read_part(path, cut, len(data), 1000)

    store, engine, place = joined(first, second, feed, cut)
    assert place[0].offset == first[2][0].offset  # not joined across the lines lost
    feed.took_over(*place)

    def read_on(batch) -> None:
        engine.saw_batch(batch, store.apply_batch(batch), store)

    read_to_end(feed, read_on)
    feed.close()
    cut_said = [alert for alert in engine.alerts if alert.rule == FILE_TROUBLE]
    assert len(cut_said) == 1
    tasks = store.tasks.tasks
    assert set(tasks) == read_first | {f"new{n}" for n in range(40)}
    assert all(tasks[f"new{n}"].events == 1 and tasks[f"new{n}"].error == f"after {n}"
               for n in range(40))  # each new line read once
