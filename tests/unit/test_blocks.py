"""Every safety block of every file, kept as each file's rows are (past the
newest hundred as places in the file): listed in time order, by arrival, by
kind and time, and taken over from another process's store as one store
reading kind after kind keeps them."""

from __future__ import annotations

import random

import orjson

from vivtui.parsing import execution, kernel
from vivtui.parsing.context import ParseContext
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


def test_blocks_are_listed_by_time_and_by_arrival_the_newest_of_each_file_kept():
    rng = random.Random(8)
    for capacity, count in ((5, 300), (40, 300), (10_000, 300), (5, 10_000)):
        made = blocks_of(rng, count)
        store = RunStore(listed=capacity)
        read(store, made)
        kept = []
        for kind in ("kernel", "tasks"):
            own = [record for k, record in made if k == kind]
            kept += own[-capacity:]
        arrival = [record for _, record in made if any(record is k for k in kept)]
        blocks = store.blocked
        assert len(blocks) == len(arrival) and store.blocked_count == count
        assert len(blocks._seqs) < 2 * len(arrival) + 4096  # those let go, dropped in bulk
        assert list(map(identity, blocks)) == list(map(identity, arrival))
        by_time = sorted(arrival, key=lambda record: sort_time(record.ts))  # (stable)
        assert list(map(identity, blocks.in_time_order())) == list(map(identity, by_time))
        since = by_time[len(by_time) // 2].ts
        if since is not None:
            wanted = [record for record in arrival
                      if record.kind == "tasks" and record.ts is not None and record.ts >= since]
            found = blocks.of_kind_since("tasks", since.timestamp(), 7)
            assert list(map(identity, found)) == list(map(identity, wanted[:7]))


def test_blocks_taken_over_from_another_process_are_those_one_reading_kind_after_kind_keeps():
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
