"""Every safety block of every file, kept as each file's rows are (past the
newest hundred as places in the file): listed in time order, file after file,
by kind and time, and taken over from another process's store as one store
reading file after file keeps them."""

from __future__ import annotations

import random

import orjson

from vivtui.parsing import actions, execution, kernel
from vivtui.parsing.context import ParseContext
from vivtui.store.blocks import Blocks
from vivtui.store.related import sort_time
from vivtui.store.run import RunStore

UTC = ParseContext(None)


def blocks_of(rng: random.Random, count: int) -> list[tuple[str, object]]:
    """(kind, record): kernel blocks (no time) and the queue's (timed, some not)."""
    made = []
    for n in range(count):
        if rng.random() < 0.4:
            made.append(("kernel", kernel.parse(f"BLOCKED: write {n}".encode(), n + 1, n * 10,
                                                UTC)))
        else:
            stamp = ({"timestamp": f"2026-02-03T05:{rng.randrange(60):02d}:00+00:00"}
                     if rng.random() < 0.9 else {})
            made.append(("tasks", execution.parse(orjson.dumps(
                {"task_id": f"t{n}", "status": "safety_blocked", **stamp}), n + 1, n * 10, UTC)))
    return made


def read(store: RunStore, made, kinds=("kernel", "tasks")) -> None:
    for kind, record in made:
        if kind in kinds:
            store.apply(kind, [record])


def identity(record) -> tuple:
    return (record.kind, record.line, record.offset)


def kept_by_file(made, capacity: int) -> list:
    """Each file's newest ``capacity`` blocks, file after file (first seen first)."""
    files = list(dict.fromkeys(kind for kind, _ in made))
    return [record for kind in files
            for record in [r for k, r in made if k == kind][-capacity:]]


def test_blocks_are_listed_by_time_file_after_file_the_newest_of_each_file_kept():
    rng = random.Random(8)
    for capacity, count in ((5, 300), (40, 300), (10_000, 300), (5, 10_000)):
        made = blocks_of(rng, count)
        store = RunStore(listed=capacity)
        read(store, made)
        kept = kept_by_file(made, capacity)
        blocks = store.blocked
        assert len(blocks) == len(kept) and store.blocked_count == count
        assert sum(len(file.times) for file in blocks.files.values()) < 2 * len(kept) + 8192
        assert list(map(identity, blocks)) == list(map(identity, kept))
        by_time = sorted(kept, key=lambda record: sort_time(record.ts))  # (stable)
        assert list(map(identity, blocks.in_time_order())) == list(map(identity, by_time))
        since = by_time[len(by_time) // 2].ts
        if since is not None:
            wanted = [record for record in kept
                      if record.kind == "tasks" and record.ts is not None and record.ts >= since]
            found = blocks.of_kind_since("tasks", since.timestamp(), 7)
            assert list(map(identity, found)) == list(map(identity, wanted[:7]))


def test_the_time_order_kept_as_blocks_come_is_the_order_sorted_afresh(monkeypatch):
    """Blocks newer than the rest are put at the end; others sort all again."""
    rng = random.Random(10)
    made = [("kernel", kernel.parse(f"BLOCKED: write {n}".encode(), n + 1, n * 10, UTC))
            for n in range(50)]
    for n in range(3000):
        second = n - 40 if rng.random() < 0.03 else n  # a few late
        made.append(("tasks", execution.parse(orjson.dumps(
            {"task_id": f"t{n}", "status": "safety_blocked",
             "timestamp": f"2026-02-03T{5 + second // 3600:02d}:{second // 60 % 60:02d}:"
                          f"{second % 60:02d}+00:00"}), n + 51, n * 10, UTC)))
    sorts = {True: 0, False: 0}  # (True: the new ones put at the end)
    afresh = []  # (sorted afresh: by the column of every kept block's time)
    real = Blocks._kept_times
    monkeypatch.setattr(Blocks, "_kept_times", lambda self: (afresh.append(1), real(self))[1])
    for capacity in (700, 10_000):  # blocks let go, or not
        store = RunStore(listed=capacity)
        for start in range(0, len(made), 37):
            read(store, made[start:start + 37])
            afresh.clear()
            got = list(map(identity, store.blocked.in_time_order()))
            kept = kept_by_file(made[:start + 37], capacity)
            sorts[not afresh] += 1
            assert got == list(map(identity, sorted(kept,
                                                    key=lambda record: sort_time(record.ts))))
    assert sorts[True] > 20 and sorts[False] > 20  # put at the end, and sorted afresh


def test_blocks_taken_over_from_another_process_are_those_one_reading_file_after_file_keeps():
    rng = random.Random(9)
    made = blocks_of(rng, 200)
    here, there, whole = RunStore(listed=50), RunStore(listed=50), RunStore(listed=50)
    read(here, made, ("kernel",))
    read(there, made, ("tasks",))
    here.absorb(there, {"tasks"}, ["kernel", "tasks"])
    read(whole, [(kind, record) for kind, record in made if kind == "kernel"])
    read(whole, [(kind, record) for kind, record in made if kind == "tasks"])
    assert list(map(identity, here.blocked)) == list(map(identity, whole.blocked))
    assert list(map(identity, here.blocked.in_time_order())) == list(
        map(identity, whole.blocked.in_time_order()))
    assert here.blocked_count == whole.blocked_count == 200


def test_blocks_of_a_file_not_read_back_are_kept_whole_the_newest_5000():
    """Entries spanning lines (``action_log.log``), or a report: each kept
    packed, a few hundred bytes, so not a million of them."""
    store = RunStore()
    store.apply("kernel", [kernel.parse(f"BLOCKED: write {n}".encode(), n + 1, n * 10, UTC)
                           for n in range(6_000)])
    assert store.blocked_count == 6_000 and len(store.blocked) == 5_000
    assert [record.line for record in store.blocked][:1] == [1_001]


def test_blocks_taken_frozen_read_later_as_they_were_while_more_come():
    """(A save of the blocks view: taken on the UI thread, read by a worker.)"""
    rng = random.Random(3)
    made = blocks_of(rng, 400)
    store = RunStore(listed=150)
    read(store, made[:300])
    shown = store.blocked.in_time_order()
    picked = list(range(0, len(shown), 3))
    before = list(map(identity, shown))
    taken, whole = shown.frozen(picked), shown.frozen()
    read(store, made[300:])  # the oldest blocks of each file let go meanwhile
    assert len(store.blocked.in_time_order()) == len(kept_by_file(made, 150))
    assert list(map(identity, taken)) == [before[at] for at in picked]
    assert list(map(identity, whole)) == before


def test_the_commonest_reasons_are_the_tallys_sorted_by_count_then_name():
    # Found in C (a run's 150k reasons, sorted with a Python key at each draw
    # of the blocks, held the screen 50-64 ms a second): the same list.
    from collections import Counter

    from vivtui.store.safety import SafetyTally

    rng = random.Random(3)
    for _ in range(300):
        tally = SafetyTally()
        tally.by_reason = Counter({f"reason {rng.randrange(60)}": rng.randrange(1, 5)
                                   for _ in range(rng.choice([0, 1, 3, 8, 50]))})
        whole = sorted(tally.by_reason.items(), key=lambda item: (-item[1], item[0]))
        assert tally.reasons() == whole
        for most in (1, 2, 6, 10, 100):
            assert tally.reasons(most) == whole[:most]


def test_blocks_at_the_time_of_the_last_put_at_the_end_unless_an_earlier_files(monkeypatch):
    # A live run writes many blocks in one second: each batch but a second's
    # first had every block sorted again (100 ms for 150k at each draw).
    afresh = []
    real = Blocks._kept_times
    monkeypatch.setattr(Blocks, "_kept_times", lambda self: (afresh.append(1), real(self))[1])

    def block(n: int, kind: str):
        stamp = f"2026-02-03T05:{n // 600:02d}:{n // 10 % 60:02d}+00:00"  # ten a second
        if kind == "tasks":
            return kind, execution.parse(orjson.dumps(
                {"task_id": f"t{n}", "status": "safety_blocked", "timestamp": stamp}),
                n + 1, n * 10, UTC)
        return kind, actions.parse(orjson.dumps(
            {"timestamp": stamp, "action_type": "SAFETY", "action": "BLOCKED"}),
            n + 1, n * 10, UTC)

    for kinds in (("tasks",), ("actions", "tasks")):  # (actions first seen: first at a time)
        made = [block(n, kinds[n % 3 % len(kinds)]) for n in range(600)]
        store, sorted_afresh = RunStore(), 0
        for start in range(0, len(made), 7):
            read(store, made[start:start + 7], kinds)
            afresh.clear()
            got = list(map(identity, store.blocked.in_time_order()))
            sorted_afresh += bool(afresh)
            kept = kept_by_file(made[:start + 7], 10_000)
            assert got == list(map(identity, sorted(kept,
                                                    key=lambda record: sort_time(record.ts))))
        if len(kinds) == 1:
            assert sorted_afresh == 1  # the first look
        else:  # a batch with an action at the time of the last one, a task, is sorted in
            assert 1 < sorted_afresh < len(made) // 7
