"""Kept rows past the newest few live in their files: read back as they were,
said to be gone when the file no longer holds them, a few bytes each."""

from __future__ import annotations

import tracemalloc

import orjson

from vivtui.ingest.feeds import read_to_end
from vivtui.ingest.layout import LineReread, discover
from vivtui.store import buffer as buffer_module
from vivtui.store.buffer import RecordBuffer
from vivtui.store.filters import FilterSet
from vivtui.store.oldrows import GONE, OldRows
from vivtui.store.rows import UNKNOWN, FilteredRows, position_at
from vivtui.store.run import RunStore


def write_run(root, lines: int) -> None:
    with open(root / "action_log.jsonl", "wb") as handle:
        for n in range(lines):
            handle.write(orjson.dumps({
                "timestamp": f"2026-02-03T05:{n // 60 % 60:02d}:{n % 60:02d}.000+00:00",
                "actor": f"Actor-{n % 7}", "action_type": ("TOOL", "ERROR", "SAFETY")[n % 3],
                "action": "read_file", "detail": f"line {n}"}) + b"\n")
    with open(root / "kernel_run.log", "wb") as handle:
        for n in range(lines):
            handle.write(b"BLOCKED: gate %d\n" % n if n % 5 == 0 else b"[worker] step %d\n" % n)
    with open(root / "api_audit.log", "wb") as handle:
        for n in range(lines):
            handle.write(orjson.dumps({"timestamp": f"2026-02-03T06:00:{n % 60:02d}",
                                       "event": "API_CALL_SUCCESS", "model": "m",
                                       "cost": 0.001, "n": n}) + b"\n")


def load(root, reread: bool) -> RunStore:
    layout = discover(root)
    store = RunStore(capacity=3000)
    if reread:
        for kind, kept in store.buffers.items():
            kept.reread = LineReread.of(layout, kind)
    for feed in layout.feeds:
        read_to_end(feed, store.apply_batch)
    return store


def test_old_rows_read_back_as_they_were_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(buffer_module, "YOUNG", 100)
    write_run(tmp_path, 2500)
    packed, reread = load(tmp_path, False), load(tmp_path, True)
    for kind in ("actions", "kernel", "api"):
        ours, theirs = reread.buffers[kind], packed.buffers[kind]
        assert len(ours._old) > 2000  # most rows are kept as places in the file
        assert len(ours) == len(theirs) == 2500 and ours.first_seq == theirs.first_seq
        for record, expected in zip(ours, theirs):
            assert record.line == expected.line and record.offset == expected.offset
            assert record.category == expected.category and record.stamp == expected.stamp
            assert record.fields == expected.fields and record.summary == expected.summary
        assert ours[5].summary == theirs[5].summary and ours[-1] == theirs[-1]
        # Whether rows have a time is known without reading them back (a
        # kernel backlog's rows have none: the timeline counts them unread).
        for kept in (ours, ours.frozen(), theirs):
            for start, stop in ((0, 2500), (0, 10), (2450, 2500), (1200, 1300)):
                assert kept.stamped(start, stop) == any(
                    record.stamp is not None for record in list(kept.since(start))[:stop - start])
        assert ours.stamped(0, 2500) == (kind != "kernel")


def test_a_row_whose_line_changed_reads_as_gone_not_as_the_new_line(tmp_path, monkeypatch):
    monkeypatch.setattr(buffer_module, "YOUNG", 100)
    write_run(tmp_path, 1000)
    store = load(tmp_path, True)
    path = tmp_path / "kernel_run.log"
    data = path.read_bytes().replace(b"[worker] step 11\n", b"[worker] step XX\n")
    path.write_bytes(data)  # same length: the offsets still fall on lines
    kept = store.buffers["kernel"]
    assert kept[10].summary.startswith("BLOCKED: gate 10")
    assert kept[11].category == GONE and kept[11].malformed and "no longer" in kept[11].note
    assert kept[12].raw == "[worker] step 12"
    path.unlink()  # and a file gone altogether
    assert all(record.category == GONE for record in list(kept)[:800])


def test_an_old_row_costs_a_few_bytes(tmp_path):
    write_run(tmp_path, 12000)
    layout = discover(tmp_path)
    feed = next(f for f in layout.feeds if f.kind == "actions")
    batches = []
    read_to_end(feed, lambda batch: batches.append(batch.records.rows))
    kept = RecordBuffer(capacity=50_000, kind="actions")
    kept.reread = LineReread.of(layout, "actions")
    kept.extend(batches[0][:10])
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for rows in batches:
        kept.extend(rows)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    young = buffer_module.YOUNG * 2  # rows kept whole, at most
    assert len(kept) > 12000 - 1
    assert grown / (len(kept) - young) < 60, grown  # 16 bytes a row, and arrays' slack


def kernel_run(root, lines: int, monkeypatch) -> tuple[list[tuple], RecordBuffer]:
    """A run's kernel lines read as rows, and an empty buffer that keeps the
    kernel's rows past the newest 50 as places in the file."""
    monkeypatch.setattr(buffer_module, "YOUNG", 50)
    write_run(root, lines)
    layout = discover(root)
    feed = next(f for f in layout.feeds if f.kind == "kernel")
    rows: list[tuple] = []
    read_to_end(feed, lambda batch: rows.extend(batch.records.rows))
    kept = RecordBuffer(capacity=1000, kind="kernel")
    kept.reread = LineReread.of(layout, "kernel")
    return rows, kept


def test_frozen_rows_stay_as_taken_while_the_buffer_moves_on(tmp_path, monkeypatch):
    rows, kept = kernel_run(tmp_path, 3000, monkeypatch)
    for start in range(0, 2000, 100):
        kept.extend(rows[start:start + 100])
    frozen = kept.frozen()
    for start in range(2000, 3000, 100):  # every row then kept is pushed out
        kept.extend(rows[start:start + 100])
    assert [r.line for r in frozen] == [row[1] for row in rows[1000:2000]]
    assert [r.line for r in kept] == [row[1] for row in rows[2000:3000]]


def test_line_numbers_past_32_bits_widen_the_column():
    old = OldRows("kernel")
    old.add([("kernel", 7, 100, None, None, "info", "", "a", False, "")])
    old.add([("kernel", 5_000_000_000, 200, None, None, "info", "", "b", False, "")])
    assert list(old.copy()._lines) == [7, 5_000_000_000] and len(old) == 2


def test_a_live_kernel_lines_time_of_reading_comes_back_with_it(tmp_path, monkeypatch):
    """A kernel line has no time in it: a live one takes the time it was read,
    which reading the line back cannot give (the timeline showed such lines,
    once past the newest kept, as lines without a time)."""
    from datetime import UTC, datetime, timedelta

    rows, kept = kernel_run(tmp_path, 600, monkeypatch)
    read_at = datetime(2026, 2, 3, 7, 0, 0, 123456, tzinfo=UTC)
    live = [(*row[:3], read_at + timedelta(seconds=n), *row[4:])  # as if read live
            for n, row in enumerate(rows[300:])]
    kept.extend(rows[:300])  # the backlog's: no time
    kept.extend(live)
    assert len(kept._old) == 550
    back = list(kept)
    assert [record.stamp for record in back[:300]] == [None] * 300
    assert [record.stamp for record in back[300:]] == [row[3] for row in live]
    assert [record.line for record in back] == [row[1] for row in rows]
    frozen = kept.frozen()
    more = live + live[:200]
    kept.extend(more)  # the oldest 100 go: the times go with their rows
    assert [record.stamp for record in frozen][300:] == [row[3] for row in live]
    assert [record.stamp for record in kept] == [None] * 200 + [row[3] for row in live + more]


def test_a_filtered_lists_frozen_rows_are_read_later_as_they_were_taken(tmp_path,
                                                                         monkeypatch):
    """Taken on the UI thread without reading any back (a save of a big
    list read 30k rows back there: 175 ms), read by a worker meanwhile."""
    from vivtui.store import oldrows
    from vivtui.store.filters import FilterSet
    from vivtui.store.rows import FilteredRows

    rows, kept = kernel_run(tmp_path, 3000, monkeypatch)
    for start in range(0, 2000, 100):
        kept.extend(rows[start:start + 100])
    filters = FilterSet()
    filters.categories = frozenset({"blocked"})
    shown = FilteredRows(kept, lambda record: (record.raw, record.category), filters)
    shown.rebuild()
    reads = []
    real = oldrows.OldRows.read_at
    monkeypatch.setattr(oldrows.OldRows, "read_at",
                        lambda self, *args: reads.append(1) or real(self, *args))
    monkeypatch.setattr(oldrows.OldRows, "read",
                        lambda self, *args: reads.append(1) or [])
    taken = shown.frozen()
    assert reads == []  # nothing read back when taken
    for start in range(2000, 3000, 100):  # every row then kept is pushed out
        kept.extend(rows[start:start + 100])
    blocked = [row[1] for row in rows[1000:2000] if row[6] == "blocked"]
    assert len(taken) == len(blocked) > 100
    assert [record.line for record in taken] == blocked


def test_rows_of_a_rotated_file_read_back_from_the_copy_the_rotation_left(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(buffer_module, "YOUNG", 100)
    write_run(tmp_path, 1000)
    layout = discover(tmp_path)
    store = RunStore(capacity=3000)
    for kind, kept in store.buffers.items():
        kept.reread = LineReread.of(layout, kind)
    feed = next(f for f in layout.feeds if f.kind == "kernel")
    read_to_end(feed, store.apply_batch)
    kept = store.buffers["kernel"]
    before = [(record.line, record.raw) for record in kept]
    path = tmp_path / "kernel_run.log"
    path.rename(tmp_path / "kernel_run.log.1")
    # The new file's lines have the same lengths and places as the old ones
    # (and a different text): a row before and a row after share a place.
    path.write_bytes(b"".join(b"[worker] next %d\n" % n for n in range(300)))
    read_to_end(feed, store.apply_batch)
    rows = list(kept)
    assert len(rows) == 1300
    assert [(record.line, record.raw) for record in rows[:1000]] == before
    assert GONE not in {record.category for record in rows}
    assert [record.raw for record in rows[1000:]] == [f"[worker] next {n}" for n in range(300)]
    assert any((old.line, old.offset) == (new.line, new.offset)
               for old, new in zip(rows[:300], rows[1000:]))
    (tmp_path / "kernel_run.log.1").unlink()  # the copy removed: the old rows are gone
    rows = list(kept)
    assert {record.category for record in rows[:900]} == {GONE}
    assert [record.raw for record in rows[1000:]] == [f"[worker] next {n}" for n in range(300)]


def test_a_tasks_and_a_sessions_events_read_back_from_the_copy_a_rotation_left(tmp_path):
    """The models keep their events' places: after a rotation, a history (and
    a session's start) is read from the copy, each event known as its own
    (another one's line at the same place is not taken for it)."""
    from datetime import timezone

    from vivtui.ingest.layout import read_back_from

    def task(n: int, status: str) -> bytes:
        return orjson.dumps({"task_id": f"t{n}", "status": status, "worker_id": "w",
                             "timestamp": "2026-02-03T05:00:00"}) + b"\n"

    def session(n: int, message: str) -> bytes:
        return orjson.dumps({"timestamp": "2026-02-03T05:00:00", "level": "INFO",
                             "worker_id": "w", "message": message,
                             "context": {"session_id": n, "run": 1}}) + b"\n"

    queue, sessions_file = tmp_path / "execution_log.jsonl", tmp_path / "structured_logs.jsonl"
    queue.write_bytes(task(1, "queued") + task(2, "queued") + task(1, "failed"))
    sessions_file.write_bytes(session(1, "GrindSession started"))
    layout = discover(tmp_path, timezone.utc)
    store = RunStore()
    read_back_from(layout, store, timezone.utc)
    for feed in layout.feeds:
        if feed.kind in ("tasks", "sessions"):
            read_to_end(feed, store.apply_batch)
    for path, other in ((queue, task(7, "queued") * 3),
                        (sessions_file, session(9, "GrindSession started"))):
        path.rename(path.with_name(path.name + ".1"))
        path.write_bytes(other)  # other lines, at the same places
    t1 = store.tasks.tasks["t1"]
    history = store.tasks.history(t1)
    assert [record.category for record in history] == ["queued", "failed"]
    assert t1.latest.fields["status"] == "failed"
    assert store.sessions.sessions[0].start.fields["context"]["session_id"] == 1
    # Said to be in the copy (the inspector's head), and its line read there.
    assert store.source_of(history[0]) == "execution_log.jsonl.1"
    assert layout.line_of(history[0]) == task(1, "queued").rstrip(b"\n")
    for path in (queue, sessions_file):
        path.with_name(path.name + ".1").unlink()  # the copies gone: not found, not mistaken
    assert store.tasks.history(t1)[0] is None
    assert store.sessions.sessions[0].start.fields.get("context", {}).get("session_id") != 9


def test_a_kept_rows_place_is_found_without_reading_any_back(tmp_path, monkeypatch):
    """A kept cursor names its row by place: found from the places the
    buffer keeps, among its rows or its filtered rows, with none read back."""
    monkeypatch.setattr(buffer_module, "YOUNG", 100)
    write_run(tmp_path, 2500)
    kept = load(tmp_path, True).buffers["actions"]
    kept.extend(list(kept._items)[:3])  # a rotation: lines 2401.. again
    places = [(record.kind, record.line, record.offset) for record in kept]
    assert len(kept._old) > 2000
    read = []
    real = kept._old.read
    monkeypatch.setattr(kept._old, "read", lambda *a: read.append(a) or real(*a))
    filtered = FilteredRows(kept, lambda r: (r.summary, r.category, r.severity, None),
                            FilterSet(categories=frozenset({"ERROR"})))
    filtered.rebuild()
    read.clear()  # (the filter reads them all once, as it tests them)
    wanted = [places[index] for index in (0, 1, 1699, 2398, len(kept) - 4, len(kept) - 1)]
    found = [(position_at(kept, *place), position_at(filtered, *place)) for place in wanted]
    assert position_at(kept, "actions", 99_999, 0) is None
    assert position_at(kept, "kernel", *places[5][1:]) is None
    assert position_at([1, 2], "actions", 1, 0) is UNKNOWN
    assert not read
    for place, (among_all, shown) in zip(wanted, found):
        assert among_all == places.index(place)  # (a place repeated: its first row)
        if among_all + kept.first_seq in filtered._matches:
            assert (filtered[shown].line, filtered[shown].offset) == place[1:]
        else:
            assert shown is None
    assert sum(shown is not None for _, shown in found) >= 2
