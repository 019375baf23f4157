"""The store's timeline merge and the triage rules, without a terminal."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

import orjson

from vivtui.parsing import execution
from vivtui.parsing.context import ParseContext
from vivtui.parsing.record import malformed
from vivtui.store.run import RunStore
from vivtui.store.timeline import Timeline
from vivtui.store.triage import (
    NO_RANK,
    TimedRows,
    identity,
    malformed_only_in_timeline,
    next_among,
    next_of_thread,
)

T0 = datetime(2026, 2, 10, 1, 0, tzinfo=timezone.utc)
CTX = ParseContext(timezone.utc)


def task(line: int, task_id: str, status: str, minute: int):
    data = orjson.dumps({"task_id": task_id, "status": status,
                         "timestamp": (T0 + timedelta(minutes=minute)).isoformat()})
    return execution.parse(data, line, line * 100, CTX)


def test_records_are_merged_by_time_and_a_malformed_line_follows_the_line_before_it():
    store = RunStore()
    store.apply("tasks", [task(1, "t1", "queued", 5), task(2, "t2", "queued", 1)])
    timeline = Timeline()
    assert timeline.catch_up(store) and timeline.version == 1
    assert [entry[2].line for entry in timeline.rows] == [2, 1]
    store.apply("tasks", [malformed("tasks", 3, 300, "{oops", "not JSON"),
                          task(4, "t1", "failed", 3)])
    assert timeline.catch_up(store)
    placed = [(entry[2].line, entry[0]) for entry in timeline.rows]
    # line 3 has no time: it takes line 2's (minute 1), the line before it in its file
    assert placed == [(2, T0 + timedelta(minutes=1)), (3, T0 + timedelta(minutes=1)),
                      (4, T0 + timedelta(minutes=3)), (1, T0 + timedelta(minutes=5))]
    assert not timeline.catch_up(store)  # nothing new: no work, no new version
    assert timeline.version == 2


def test_the_timeline_keeps_its_capacity_and_counts_lines_without_any_time():
    store = RunStore()
    store.apply("tasks", [malformed("tasks", 1, 0, "{", "not JSON")])
    store.apply("tasks", [task(i, f"t{i}", "queued", i) for i in range(2, 12)])
    everything = Timeline()
    everything.catch_up(store)
    assert everything.untimed == 1 and len(everything.rows) == 10
    assert everything.short == {"tasks"} and everything.let_go == set()  # (its untimed line)
    newest = Timeline(capacity=4)
    newest.catch_up(store)
    assert [entry[2].line for entry in newest.rows] == [8, 9, 10, 11]
    assert newest.short == newest.let_go == {"tasks"}  # (e/E walk such a file itself)


def test_a_kind_whose_rows_the_merge_let_go_is_short_of_rows():
    store = RunStore()
    store.apply("tasks", [task(i, f"t{i}", "queued", i) for i in range(1, 4)])
    timeline = Timeline(capacity=4)
    timeline.catch_up(store)
    assert timeline.short == set()
    store.apply("tasks", [task(i, f"t{i}", "queued", i) for i in range(4, 6)])
    timeline.catch_up(store)  # five rows: the oldest let go
    assert timeline.short == {"tasks"} and len(timeline.rows) == 4


def test_a_merge_from_frozen_buffers_is_the_merge_from_the_store():
    """The timeline pane merges many rows on a thread, from frozen copies of
    the buffers: the same merge, and what came since is taken in after it."""
    store = RunStore()
    store.apply("tasks", [malformed("tasks", 1, 0, "{", "not JSON")])
    store.apply("tasks", [task(i, f"t{i}", "queued", 20 - i) for i in range(2, 12)])
    here = Timeline(capacity=8)
    assert here.behind(store.buffers) == 8  # the newest 8: the capacity
    frozen = {kind: buffer.frozen() for kind, buffer in store.buffers.items()}
    apart = here.copy()
    assert here.catch_up(store)  # (as the pane did before: then, on the UI thread)
    store.apply("tasks", [task(12, "t12", "failed", 30)])  # after the freeze
    assert apart.catch_up_with(frozen)
    assert apart.behind(store.buffers) == here.behind(store.buffers) == 1
    assert apart.catch_up(store) and here.catch_up(store)
    assert ([(e[0], e[2].line) for e in apart.rows] == [(e[0], e[2].line) for e in here.rows])
    assert (apart.untimed, apart.version) == (here.untimed, 2)
    tasks = store.buffers["tasks"]
    assert [r.line for r in tasks.frozen().since(tasks.total - 3)] == [10, 11, 12]


def test_a_positions_time_comes_back_as_the_time_it_was_even_at_the_ends_of_time():
    # e/E rank by seconds and walk the files between two times: a hostile line
    # dated 9999-12-31T23:59:59.999999 came back past year 9999 and raised.
    from vivtui.store.triage import LAST_TIME, NO_RANK, moment, rank_of

    for when in (T0, T0 + timedelta(microseconds=123_457), datetime(1970, 1, 1, tzinfo=timezone.utc)):
        assert moment(rank_of(when)) == when
    # (Seconds in a float lose microseconds far from 1970: a few at year 1 or 9999.)
    for when in (datetime(1, 1, 1, tzinfo=timezone.utc), LAST_TIME - timedelta(seconds=1),
                 LAST_TIME):
        assert abs(moment(rank_of(when)) - when) < timedelta(microseconds=100)
    assert moment(rank_of(None)) == moment(NO_RANK) == datetime.min.replace(tzinfo=timezone.utc)
    assert moment(1e20) == LAST_TIME and moment(-1e20) == moment(NO_RANK)


def test_the_next_position_wraps_around_both_ways():
    t0 = T0.timestamp()
    panes = [(0, TimedRows.of([(t0 + 60, 9), (t0, 5), (t0, 3)]), 5),
             (1, TimedRows.of([(t0, 0)]), -1)]
    here = (t0, 0, 5)
    assert next_among(panes, here, 1) == (t0, 1, 0)
    assert next_among(panes, here, -1) == (t0, 0, 3)
    assert next_among(panes, (t0 + 120, 0, 0), 1) == (t0, 0, 3)
    assert next_among(panes, (t0 - 60, 0, 0), -1) == (t0 + 60, 0, 9)
    assert next_among([], here, 1) is None
    assert next_among([(0, TimedRows.of([(t0, 5)]), 5)], here, 1) is None  # only the cursor's own
    assert next_among([(0, TimedRows.of([]), -1)], here, -1) is None


def looked_through(panes, here, step):
    """The rule as a look at every candidate (what e did before halving),
    no time (NaN) as ``NO_RANK``."""
    candidates = [(when if when == when else NO_RANK, rank, row)
                  for rank, pairs, skip in panes for when, row in pairs if row != skip]
    if step > 0:
        return min((c for c in candidates if c > here), default=None) or min(
            candidates, default=None)
    return max((c for c in candidates if c < here), default=None) or max(
        candidates, default=None)


def test_each_panes_nearest_problem_is_what_looking_through_all_of_them_finds():
    chance = random.Random(3)
    for _ in range(3000):
        panes, pairs_of = [], []
        for rank in chance.sample(range(6), chance.randint(0, 4)):
            rows = chance.sample(range(40), chance.randint(0, 12))
            times = [chance.choice([float(chance.randint(0, 5)), NO_RANK, math.nan, 3])
                     for _ in rows]
            pairs = list(zip(times, rows))
            skip = chance.choice([*rows, -1]) if rows else -1
            ranked = chance.choice([TimedRows.of(pairs), TimedRows(times, rows)])
            assert sorted(ranked) == sorted((when if when == when else NO_RANK, row)
                                            for when, row in pairs)
            panes.append((rank, ranked, skip))
            pairs_of.append((rank, pairs, skip))
        here = (chance.choice([float(chance.randint(-1, 6)), NO_RANK, math.nan, 2]),
                chance.randint(0, 6), chance.randint(-1, 40))
        for step in (1, -1):
            assert next_among(panes, here, step) == looked_through(
                pairs_of, (NO_RANK, *here[1:]) if here[0] != here[0] else here, step)


def test_the_next_row_of_the_same_task_within_reach():
    rows = [task(1, "a", "queued", 0), task(2, "b", "queued", 0), task(3, "c", "queued", 0),
            task(4, "a", "failed", 0)]
    keys = {("task_id", "a")}
    assert next_of_thread(keys, rows.__getitem__, len(rows), 0, 1, len(rows)) == 3
    assert next_of_thread(keys, rows.__getitem__, len(rows), 3, -1, len(rows)) == 0
    assert next_of_thread(keys, rows.__getitem__, len(rows), 0, 1, reach=3) is None


def test_what_only_the_timeline_lists_and_what_is_the_same_line():
    bad = malformed("tasks", 3, 300, "{oops", "not JSON")
    assert malformed_only_in_timeline(bad.kind, ["actions", "kernel"])
    assert not malformed_only_in_timeline("actions", ["actions", "kernel"])
    assert identity(bad) == ("tasks", 3, 300) and identity(None) is None


def test_a_kind_forgotten_is_merged_again_from_other_buffers():
    # A big file's preview rows, then its rows once read: not both.
    preview, whole = RunStore(), RunStore()
    preview.apply("tasks", [task(n, f"t{n}", "queued", n) for n in (8, 9)])
    whole.apply("tasks", [task(n, f"t{n}", "queued", n) for n in range(1, 10)])
    timeline = Timeline()
    timeline.catch_up_with(preview.buffers)
    assert [entry[2].line for entry in timeline.rows] == [8, 9]
    version = timeline.version
    timeline.forget({"tasks"})
    assert timeline.rows == [] and timeline.version > version
    timeline.catch_up_with(whole.buffers)
    assert [entry[2].line for entry in timeline.rows] == list(range(1, 10))


def test_lines_without_a_time_of_a_kind_forgotten_are_no_longer_counted():
    # (A preview's untimed lines were counted again with the file's own.)
    preview = RunStore()
    preview.apply("tasks", [malformed("tasks", 1, 0, "{", "not JSON"), task(2, "t2", "queued", 2)])
    timeline = Timeline()
    timeline.catch_up_with(preview.buffers)
    assert timeline.untimed == 1 and timeline.untimed_kinds == {"tasks"}
    timeline.forget({"tasks"})
    assert timeline.untimed == 0 and timeline.short == set()


class _Rows:
    """A kind's kept rows (``timeline.Buffer``), the oldest ``first_seq`` gone."""

    read = 0  # rows read by every buffer

    def __init__(self, records, first_seq=0):
        self.records, self.first_seq = records, first_seq
        self.total = first_seq + len(records)

    def since(self, seq):
        for record in self.records[max(0, seq - self.first_seq):]:
            _Rows.read += 1
            yield record

    def stamped(self, start, stop):
        return any(record.stamp is not None
                   for record in self.records[start - self.first_seq:stop - self.first_seq])


class _InOrder(Timeline):
    """The merge as it was: every row taken in, then the newest kept."""

    _newest_first = Timeline._in_order


def test_a_big_merge_read_newest_first_keeps_what_reading_every_row_keeps(monkeypatch):
    # A big run's first merge read 160k rows back from their files to keep
    # 50k; read from the newest back, it stops at a chunk older than all it keeps.
    import random

    from vivtui.parsing.record import INFO, make
    from vivtui.store import timeline
    from vivtui.store.run import KINDS

    monkeypatch.setattr(timeline, "NEWEST_CHUNK", 7)
    rng = random.Random(3)
    read = {Timeline: 0, _InOrder: 0}
    for trial in range(60):
        buffers = {}
        for kind in KINDS:
            minute, records = rng.randrange(50), []
            for line in range(rng.choice((0, 3, 40, 200))):
                minute += rng.choice((0, 0, 1, 2, 9))  # a file is written in time order
                untimed = rng.random() < (0.9 if line < 5 and trial % 3 == 0 else 0.1) or (
                    kind == "kernel" and trial % 4 == 1)  # (a backlog without times)
                stamp = None if untimed else T0 + timedelta(minutes=minute)
                records.append(make(kind, line, line * 10, stamp, None, INFO, "x", b""))
            buffers[kind] = _Rows(records, first_seq=rng.choice((0, 0, 5)))
        capacity = rng.choice((10, 60, 150))
        fast, plain = Timeline(capacity), _InOrder(capacity)
        if trial % 2:  # (what an earlier merge took in: the next one goes on from there)
            early = {kind: _Rows(rows.records[:len(rows.records) // 2], rows.first_seq)
                     for kind, rows in buffers.items()}
            fast.catch_up_with(early)
            plain.catch_up_with(early)
        changed = []
        for merge in (fast, plain):
            before = _Rows.read
            changed.append(merge.catch_up_with(buffers))
            read[type(merge)] += _Rows.read - before
        assert changed[0] == changed[1]
        shown = [(ts, identity(record)) for ts, _, record in fast.rows]
        assert shown == [(ts, identity(record)) for ts, _, record in plain.rows]
        assert fast.short == plain.short and fast.let_go <= plain.let_go | plain.untimed_kinds
        assert fast.untimed <= plain.untimed and fast._last_ts == plain._last_ts
        # Taken in again, whatever comes after is placed alike.
        more = {kind: _Rows(rows.records + [make(kind, 999, 9990, None, None, INFO, "x", b"")],
                            rows.first_seq) for kind, rows in buffers.items()}
        fast.catch_up_with(more)
        plain.catch_up_with(more)
        assert [(ts, identity(record)) for ts, _, record in fast.rows] == [
            (ts, identity(record)) for ts, _, record in plain.rows]
    assert read[Timeline] < 0.8 * read[_InOrder]  # (rows that would be cut were not read)


def test_a_big_merge_runs_with_the_cyclic_collector_paused():
    # A big run's first merge made the collector walk everything kept three
    # times (40-58 ms each, with the GIL): its rows are kept, not garbage.
    import gc

    from vivtui.parsing.record import INFO, make
    from vivtui.store.run import KINDS

    seen = []

    class Watched(_Rows):
        def since(self, seq):
            for record in super().since(seq):
                seen.append(gc.isenabled())
                yield record

    buffers = {kind: Watched([make(kind, n, n, T0 + timedelta(seconds=n), None, INFO, "x", b"")
                              for n in range(50)] if kind in ("tasks", "api") else [])
               for kind in KINDS}  # (more rows of all files than it keeps: a big merge)
    assert gc.isenabled()
    Timeline(capacity=10).catch_up_with(buffers)
    assert seen and not any(seen) and gc.isenabled()


def test_a_merge_is_paced_between_chunks_of_its_rows(monkeypatch):
    # On a thread, a big merge took half the GIL from a pane switch's frame
    # (105-131 ms against 60-70): its pace lets the screen's keys and frames
    # go first, never more than a chunk of rows apart.
    from vivtui.parsing.record import INFO, make
    from vivtui.store import timeline
    from vivtui.store.run import KINDS

    monkeypatch.setattr(timeline, "NEWEST_CHUNK", 5)
    monkeypatch.setattr(timeline, "BULK", 3)
    steps = []

    class Watched(_Rows):
        def since(self, seq):
            for record in super().since(seq):
                steps.append("row")
                yield record

    for capacity in (1000, 30):  # taken in order; read back from the newest
        steps.clear()
        buffers = {kind: Watched([make(kind, n, n, T0 + timedelta(seconds=n), None, INFO,
                                       "x", b"") for n in range(23)]
                                 if kind in ("tasks", "api") else []) for kind in KINDS}
        merge = Timeline(capacity=capacity)
        assert merge.catch_up_with(buffers, lambda: steps.append("pace"))
        runs = "".join("r" if step == "row" else "|" for step in steps).split("|")
        assert steps.count("pace") >= 46 // 5 and max(map(len, runs)) <= 5
        assert steps[-1] == "pace"  # (and before the sort of what it found)
        plain = Timeline(capacity=capacity)
        plain.catch_up_with(buffers)
        assert [entry[:2] for entry in merge.rows] == [entry[:2] for entry in plain.rows]


def test_the_rows_codes_follow_the_rows_through_merges_cuts_and_forgetting(monkeypatch):
    # e/E pick a level's rows from the codes (from the rows, a live big run's
    # 50k took 15-40 ms of each e): they must say what each row is, wherever
    # a late row is placed, whatever is cut or forgotten.
    import random

    from vivtui.parsing.record import ERROR, INFO, OK, WARNING, make
    from vivtui.store import timeline
    from vivtui.store.run import KINDS
    from vivtui.store.timeline import code_parts, row_codes

    monkeypatch.setattr(timeline, "BULK", 6)  # many rows at once: sorted whole
    rng = random.Random(8)
    kinds = [kind for kind in KINDS if kind != "performance"]
    records = {kind: [] for kind in KINDS}
    merge = Timeline(capacity=40)
    for step in range(300):
        for _ in range(rng.choice((0, 1, 2, 3, 12))):
            kind = rng.choice(kinds)
            line = len(records[kind])
            stamp = T0 + timedelta(seconds=rng.randrange(200))  # late rows land anywhere
            records[kind].append(make(kind, line, line, stamp, None,
                                      rng.choice((ERROR, WARNING, INFO, OK)), "x", b"",
                                      )._replace(malformed=rng.random() < 0.2))
        merge.catch_up_with({kind: _Rows(rows) for kind, rows in records.items()})
        if step % 37 == 36:
            merge.forget({rng.choice(kinds)})
        if step % 23 == 22:  # (a merge on a thread goes on in a copy)
            before, merge = merge, merge.copy()
            kind = rng.choice(kinds)
            records[kind].append(make(kind, len(records[kind]), 0, T0 + timedelta(seconds=300),
                                      None, ERROR, "x", b""))
            merge.catch_up_with({kind: _Rows(rows) for kind, rows in records.items()})
            assert before.codes == row_codes(before.rows)
        assert merge.codes == row_codes(merge.rows) and len(merge.codes) == len(merge.rows)
        assert [code_parts(code) for code in merge.codes] == [
            (record.kind, record.severity if record.severity in (ERROR, WARNING) else None,
             record.malformed) for _, _, record in merge.rows]
    assert len(merge.rows) == 40
