"""The models: sessions pairing, task histories, budget sums, kernel classes, buffers."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone
from types import SimpleNamespace

import orjson
import pytest

from vivtui.parsing import api_audit, execution, kernel, sessions
from vivtui.parsing.context import ParseContext
from vivtui.parsing.performance import parse_entry
from vivtui.store.activity import FINISHED, IDLE, LIVE
from vivtui.store.buffer import RecordBuffer
from vivtui.store.columns import SEVERITY_CODE, Handles
from vivtui.store.run import RunStore
from vivtui.store.session_order import timed_problems
from vivtui.store.session_states import STATE_ORDER, is_problem
from vivtui.store.sessions import (
    FAILED,
    RUNNING,
    STALLED,
    SUCCEEDED,
    UNFINISHED,
)
from vivtui.store.task_ranks import _block_at, timed_at_severity
from vivtui.store.triage import rank_of, seconds_rank

UTC = ParseContext(timezone.utc)


LINES = itertools.count(1)


def session_event(message, worker="w", run=1, session_id=1, timestamp="2026-02-03T05:44:03",
                  **context):
    line = orjson.dumps({**({"timestamp": timestamp} if timestamp is not None else {}),
                         "level": "INFO", "message": message, "worker_id": worker,
                         "context": {"session_id": session_id, "run": run, **context}})
    number = next(LINES)
    return sessions.parse(line, number, number * 1000, UTC)


def test_completion_pairs_with_most_recent_open_start_of_same_key():
    store = RunStore()
    records = [
        session_event(sessions.STARTED, session_id=1, task="first"),
        session_event(sessions.STARTED, session_id=1, task="again, same key"),
        session_event(sessions.STARTED, session_id=2, task="other"),
        session_event(sessions.STARTED, run=2, session_id=1, task="next wave"),
        session_event(sessions.COMPLETED, session_id=1, success=True),
        session_event(sessions.COMPLETED, session_id=2, success=False, returncode=1),
        session_event(sessions.COMPLETED, session_id=9, success=True),  # no start
    ]
    store.apply("sessions", records)
    tracker = store.sessions
    first, again, other, wave2 = tracker.sessions[:4]
    assert again.owns(records[4]) and first.ended is None and first.end is None
    assert other.owns(records[5]) and not other.owns(records[4])
    # Without its file the event is what the session kept of it.
    assert (again.end.line, again.end.offset, again.end.category) == (
        records[4].line, records[4].offset, sessions.COMPLETED)
    assert again.end.fields["context"]["success"] is True
    assert (tracker.started, tracker.completed, tracker.succeeded, tracker.failed) == (4, 3, 2, 1)
    assert tracker.orphan_completions == 1
    assert [s.title for s in tracker.unfinished] == ["first", "next wave"]
    assert first.state() == UNFINISHED  # a later start of its key came before any completion
    assert first.why_left_behind() == "a later start of its key came first"
    assert tracker._by_key is None  # (found by a walk: made, it held the screen 124 ms)
    assert wave2.state(LIVE) == RUNNING and wave2.state(IDLE) == STALLED
    assert wave2.state(FINISHED) == UNFINISHED
    assert other.state() == FAILED
    assert (again.state(), other.state()) == (SUCCEEDED, FAILED)
    assert other.context("returncode") == 1 and other.title == "other"


def test_open_sessions_of_an_earlier_run_are_unfinished_once_a_later_run_starts():
    store = RunStore()
    store.apply("sessions", [session_event(sessions.STARTED, run=1, session_id=4),
                             session_event(sessions.STARTED, worker="other", run=1, session_id=5)])
    first, other_worker = store.sessions.sessions
    assert first.state() == RUNNING
    store.apply("sessions", [session_event(sessions.STARTED, run=2, session_id=1)])
    assert first.state() == UNFINISHED  # its worker moved on to run 2
    assert other_worker.state() == RUNNING  # another worker's run is its own


def test_open_sessions_from_before_a_kernel_restart_are_unfinished():
    """``run`` starts again at 1 when the kernel restarts (FORMATS.md): a
    session its worker had open before will not finish, whatever its run."""
    store = RunStore()
    store.apply("sessions", [session_event(sessions.STARTED, run=2, session_id=1),
                             session_event(sessions.STARTED, run=3, session_id=1),
                             session_event(sessions.STARTED, worker="other", run=3,
                                           session_id=2)])
    left, killed, other_worker = store.sessions.sessions
    assert (left.state(), killed.state()) == (UNFINISHED, RUNNING)
    store.apply("sessions", [session_event(sessions.STARTED, run=1, session_id=1),
                             session_event(sessions.STARTED, run=2, session_id=2)])
    assert killed.state() == UNFINISHED  # the kernel that ran it is gone
    assert killed.why_left_behind() == left.why_left_behind() == "its worker began another run"
    restarted, second_wave = store.sessions.sessions[3:]
    assert restarted.state() == UNFINISHED and second_wave.state() == RUNNING  # waves again
    assert other_worker.state() == RUNNING  # another worker's runs are its own
    assert store.sessions.state_counts(LIVE)[UNFINISHED] == 3


def test_a_run_number_past_64_bits_is_no_wave_and_no_traceback():
    store = RunStore()
    huge = str(1 << 70)
    store.apply("sessions", [session_event(sessions.STARTED, run=huge, session_id=1),
                             session_event(sessions.STARTED, run=2, session_id=1),
                             session_event(sessions.STARTED, run="-" + huge, session_id=3)])
    tracker = store.sessions
    assert [s.key[1] for s in tracker.sessions] == [huge, "2", "-" + huge]
    # Not a wave: run 2 does not leave it behind, as with a run that is no number.
    assert [s.state() for s in tracker.sessions] == [RUNNING, RUNNING, RUNNING]


def one_by_one_and_in_batches(kind: str, rows: list, rng,
                              made=RunStore) -> tuple[RunStore, list[RunStore]]:
    """``rows`` taken in one at a time; and in one batch, and in batches cut
    at five random places, each into a store ``made`` afresh."""
    apart = RunStore()
    for row in rows:
        apart.apply(kind, [row])
    wholes = []
    for cuts in ([], sorted(rng.sample(range(len(rows)), 5))):
        whole = made()
        for start, stop in zip([0, *cuts], [*cuts, len(rows)]):
            whole.apply(kind, rows[start:stop])
        wholes.append(whole)
    return apart, wholes


def hostile_session_line(rng, at: int) -> bytes:
    """A start or completion whose key parts, outcome and kept fields are of
    any JSON type, sometimes with no context, or not a session line at all."""
    def anything(*usual):
        return rng.choice([*usual, None, True, 2.0, "2", [1], {"a": 1}, 1 << 70, "x"])

    start = rng.random() < 0.55
    context = {"session_id": anything(1, 2, 3) if rng.random() < 0.2 else rng.randrange(1, 5),
               "run": anything(1, 2, -5) if rng.random() < 0.2 else rng.randrange(1, 4)}
    if start:
        context.update(task=anything("t1", "t2"), model=rng.choice(["m", "n", None]))
    else:
        if rng.random() < 0.9:
            context["success"] = anything(True, False, "No", "true", 1)
        context.update(returncode=anything(0, 1), elapsed_seconds=anything(1.5, float("nan")),
                       verification_status=rng.choice(["ok", None, "bad"]))
    line = {"timestamp": rng.choice([f"2026-02-04T01:{at // 60 % 60:02d}:{at % 60:02d}", None,
                                     "bad", f"2026-02-04T01:00:{at % 60:02d}Z", 5]),
            "level": rng.choice(["INFO", "ERROR", 3]),
            "message": "GrindSession " + ("started" if start else "completed"),
            "worker_id": anything("a", "b") if rng.random() < 0.3 else rng.choice("ab"),
            "context": context if rng.random() < 0.95 else rng.choice([None, "c", [1]])}
    if rng.random() < 0.2:
        line["note"] = float("nan")  # (read by Python's json: an int past 64 bits stays one)
    if rng.random() < 0.03:
        line = {"message": "other", "level": "INFO"}
    return json.dumps(line).encode()  # (orjson refuses an int past 64 bits)


def test_a_batch_of_session_lines_is_taken_in_as_they_are_one_by_one():
    """The tracker takes a batch a column at a time (its keys, events and kept
    fields), and pairs and orders line by line: the same sessions, states,
    orders and kept fields as lines taken one at a time, whatever the types
    of what the lines give, and a completion's kept fields over its start's
    when both are in one batch."""
    import random

    from tests.unit.test_session_parts import tracker_seen
    from vivtui.parsing.kinds import LineParser, spec_for_name

    parser = LineParser(spec_for_name("structured_logs.jsonl"))
    for seed in range(60):
        rng = random.Random(seed)
        lines = [(at, at * 100, hostile_session_line(rng, at))
                 for at in range(rng.randrange(40, 160))]
        def made() -> RunStore:
            store = RunStore()
            store.sessions.intern._most = 1000 if seed % 3 else 6  # (a full table too)
            if seed % 2:
                _ = store.sessions.by_key  # (kept up to date from the first line on)
            return store

        apart, wholes = one_by_one_and_in_batches("sessions", parser.parse(lines), rng, made)
        for whole in wholes:
            assert tracker_seen(whole.sessions) == tracker_seen(apart.sessions), seed
    assert apart.sessions.orphan_completions and apart.sessions.state_counts(LIVE)[UNFINISHED]
    store = RunStore()
    store.apply("sessions", [session_event(sessions.STARTED, task="t", returncode=7),
                             session_event(sessions.COMPLETED, success=True, returncode=0,
                                           elapsed_seconds=2.5)])
    done, = store.sessions.sessions
    assert done.kept == ("t", None, 0, 2.5, None) and done.state() == SUCCEEDED


def test_sessions_counted_by_state_as_they_change_agree_with_each_sessions_state():
    """``state_counts`` keeps counts as sessions start, end and are left behind;
    on a random history they are what every session's own state adds up to."""
    import random
    rng = random.Random(7)
    store = RunStore()
    for _ in range(40):
        batch = []
        for _ in range(rng.randrange(1, 12)):
            kind = rng.choice((sessions.STARTED, sessions.STARTED, sessions.COMPLETED))
            success = rng.choice((True, False, None))
            extra = {"success": success} if kind == sessions.COMPLETED and success is not None else {}
            batch.append(session_event(kind, worker=rng.choice("ab"), run=rng.randrange(1, 4),
                                       session_id=rng.randrange(1, 5), **extra,
                                       timestamp=rng.choice((None, "2026-02-03T05:44:03Z",
                                                             "2026-02-03T05:45:00Z"))))
        store.apply("sessions", batch)
        tracker = store.sessions
        for run in (LIVE, IDLE, FINISHED):
            each = [session.state(run) for session in tracker.sessions]
            counted = tracker.state_counts(run)
            assert counted == {state: each.count(state) for state in counted}
            assert sum(counted.values()) == len(each)
    assert tracker.state_counts(FINISHED)[UNFINISHED] and tracker.state_counts(LIVE)[RUNNING]
    shuffled = list(tracker.sessions)
    rng.shuffle(shuffled)  # (a pane's order)
    for run in (LIVE, IDLE, FINISHED):  # e/E's walk agrees with each session's own
        for listed in (shuffled, Handles(tracker._session, [int(s) for s in shuffled])):
            assert list(timed_problems(listed, run)) == [
                (seconds_rank(session.ts), index)
                for index, session in enumerate(shuffled) if is_problem(session, run)]
            assert all(when == rank_of((shuffled[index].ended or shuffled[index].began).when)
                       for when, index in timed_problems(listed, run))  # its end's, else its start's
    assert list(timed_problems([], LIVE)) == []
    now = datetime.now(timezone.utc)
    for made_for in (LIVE, IDLE, FINISHED):  # the triage order's problems come first
        ordered = tracker.triage_order(made_for, now)
        for run in (LIVE, IDLE, FINISHED):
            assert list(timed_problems(ordered, run)) == [
                (seconds_rank(session.ts), index)
                for index, session in enumerate(ordered) if is_problem(session, run)]
        assert ordered.problems == sum(is_problem(session, made_for) for session in ordered)


def removals_found_by_halving(monkeypatch):
    """A moved session or task is found where the key it was placed by says
    (looked for by value, each took 0.3 ms in 200k)."""
    from vivtui.store import kept_order, session_order
    real = session_order.remove_at

    def found(members, where, at):
        assert members[where] == at
        real(members, where, at)

    for module in (kept_order, session_order):
        monkeypatch.setattr(module, "remove_at", found)


def settled_by_moves_alone(store, sorts):
    """``settle_moves`` moves what changed, and leaves a whole sort to the look."""
    sorted_before = len(sorts)
    store.settle_moves()
    assert len(sorts) == sorted_before
    assert {store.sessions.pending_moves(), store.tasks.pending_moves()} <= {0, None}


def test_the_key_of_a_triage_orders_problems_changes_when_what_e_ranks_does():
    """e/E rank a big run's problems again only when they change: which they
    are, in order, and their times; an open session that fails is still the
    one problem, now at its end's time."""
    from vivtui.store.session_order import problems_key

    store = RunStore()
    now = datetime(2026, 2, 3, 6, tzinfo=timezone.utc)
    store.apply("sessions", [session_event(sessions.STARTED, timestamp="2026-02-03T05:40:00Z")])
    tracker = store.sessions
    open_, = tracker.triage_order(FINISHED, now)  # never finished: a problem
    key = problems_key(tracker.triage_order(FINISHED, now), FINISHED)
    assert key == problems_key(tracker.triage_order(FINISHED, now), FINISHED)
    assert problems_key(tracker.triage_order(FINISHED, now), LIVE) is None  # judged otherwise
    store.apply("sessions", [session_event(sessions.COMPLETED, success=False,
                                           timestamp="2026-02-03T05:50:00Z")])
    failed = tracker.triage_order(FINISHED, now)
    assert list(failed.numbers) == [int(open_)] and failed.problems == 1  # the same one
    assert problems_key(failed, FINISHED) != key
    assert list(timed_problems(failed, FINISHED)) == [(datetime(
        2026, 2, 3, 5, 50, tzinfo=timezone.utc).timestamp(), 0)]


def test_the_triage_order_kept_as_sessions_change_is_the_order_sorted_afresh(monkeypatch):
    """The order is kept sorted as sessions start, end and are left behind
    (a few moved at a time, or sorted whole after many changes, or in another
    process before the hand-over); at every look it is every session sorted
    by state, then newest first (its start's time, else its end's; one
    without a time as if at the moment asked), then by number."""
    import pickle
    import random

    from vivtui.store.session_order import SessionOrder
    sorts = []
    whole = SessionOrder._sort_all
    monkeypatch.setattr(SessionOrder, "_sort_all",
                        lambda self, count: (sorts.append(count), whole(self, count)))
    removals_found_by_halving(monkeypatch)
    rng = random.Random(11)
    store = RunStore()
    stamps = [None, "2026-02-03T05:44:03", "2026-02-03T05:44:03.500000+00:00",
              *(f"2026-02-03T05:{minute:02d}:{second:02d}Z" for minute in (40, 44, 50)
                for second in (0, 7, 30))]
    for step in range(60):
        batch = []
        for _ in range(rng.choice((1, 2, 5, 12, 12, 600))):
            kind = rng.choice((sessions.STARTED, sessions.STARTED, sessions.COMPLETED))
            success = rng.choice((True, False, None))
            extra = {"success": success} if kind == sessions.COMPLETED and success is not None else {}
            batch.append(session_event(kind, worker=rng.choice("abc"), run=rng.randrange(1, 6),
                                       session_id=rng.randrange(1, 9),
                                       timestamp=rng.choice(stamps), **extra))
        store.apply("sessions", batch)
        if step == 30:
            store.sessions.settle_order()  # as the process that read a backlog does
            store = pickle.loads(pickle.dumps(store))
        if step % 3 == 0:
            settled_by_moves_alone(store, sorts)  # as the screen's tick does
        tracker = store.sessions
        for _ in range(2):
            run = rng.choice((LIVE, IDLE, FINISHED))
            now = datetime(2026, 2, 3, 5, rng.choice((30, 44, 59)), 3, tzinfo=timezone.utc)
            ordered = tracker.triage_order(run, now)

            def key(session):
                began, ended = session.started_at, session.ended_at
                when = began if began is not None else ended
                return (STATE_ORDER[session.state(run)],
                        -when.timestamp() if when is not None else -now.timestamp(), int(session))

            assert list(ordered.numbers) == [int(s) for s in sorted(tracker.sessions, key=key)]
            assert ordered.problems == sum(is_problem(session, run) for session in ordered)
    states = {session.state(run) for run in (LIVE, IDLE, FINISHED) for session in tracker.sessions}
    assert states == set(STATE_ORDER)  # every state was seen
    assert len(tracker.sessions) > 1_000
    assert 3 <= len(sorts) <= 30  # most looks moved a few sessions; some sorted whole


def test_the_queues_order_kept_as_tasks_change_is_the_order_sorted_afresh(monkeypatch):
    """The queue's triage order is kept sorted as tasks come and change (a
    few moved at a time, sorted whole after many changes, in another process
    before the hand-over, or when a part read apart joins on): at every look
    it is failures, warnings, the rest; newest first (no time: as if at the
    epoch); then by number."""
    import pickle
    import random

    from vivtui.store.kept_order import KeptOrder
    from vivtui.store.tasks import TaskTracker
    sorts = []
    whole = KeptOrder._sort_all
    monkeypatch.setattr(KeptOrder, "_sort_all",
                        lambda self, keys: (sorts.append(len(keys)), whole(self, keys)))
    removals_found_by_halving(monkeypatch)
    rng = random.Random(5)
    stamps = [None, *(f"2026-02-03T05:{minute:02d}:{second:02d}Z" for minute in (40, 44, 50)
                      for second in (0, 7, 30))]

    def batch(size=None):
        return [task_event(f"t{rng.randrange(2_000)}", rng.choice(
            ("queued", "in_progress", "completed", "failed", "requeue", "safety_blocked")),
            **({"timestamp": stamp} if (stamp := rng.choice(stamps)) else {}))
            for _ in range(size or rng.choice((1, 2, 5, 12, 12, 700)))]

    store = RunStore()
    severity_rank = {"error": 0, "warning": 1}
    joined = False
    for step in range(70):
        events = batch()
        store.apply("tasks", events)
        if step % 3 == 0:
            settled_by_moves_alone(store, sorts)  # as the screen's tick does
        if step == 30:
            store.settle("tasks")  # as the process that read a backlog does
            store = pickle.loads(pickle.dumps(store))
        if step >= 50 and not joined and len(events) < 100:  # the rest, read apart, joins on
            later = TaskTracker()
            later.apply(batch(12))  # (few: its tasks would be sorted afresh anyway)
            store.tasks.followed_by(later)
            joined = True
        tracker = store.tasks
        ordered = tracker.triage_order()
        assert [task.task_id for task in ordered] == [task.task_id for task in sorted(
            tracker.tasks.values(),
            key=lambda task: (severity_rank.get(task.severity, 2), -(task.ts or 0.0), task.at))]
        # e/E's: found as a run of rows in the order (no walk over every
        # row), as a walk over it finds them.
        failures = tracker._severities.count(SEVERITY_CODE["error"])
        assert _block_at(tracker._severities, ordered.numbers, SEVERITY_CODE["error"]) == range(
            failures)
        for rows in (ordered, Handles(ordered._make, ordered.numbers[1:])):
            for severity in ("error", "warning"):
                assert list(timed_at_severity(rows, severity)) == [
                    (seconds_rank(task.ts), index) for index, task in enumerate(rows)
                    if task.severity == severity]
    assert {task.severity for task in tracker.tasks.values()} >= {"error", "warning", "ok"}
    assert joined and len(tracker.tasks) > 1_000
    assert 3 <= len(sorts) <= 30  # most looks moved a few tasks; some sorted whole


def test_tasks_at_a_severity_are_those_whose_own_severity_it_is():
    store = RunStore()
    store.apply("tasks", [task_event(f"t{n}", status) for n, status in enumerate(
        ("completed", "failed", "requeued", "failed", "in_progress", "safety_blocked"))])
    tasks = list(reversed(store.tasks.triage_order()))
    for severity in {task.severity for task in tasks}:
        assert list(timed_at_severity(tasks, severity)) == [
            (rank_of(task.when), index) for index, task in enumerate(tasks)
            if task.severity == severity]
    assert [tasks[index].task_id for _, index in timed_at_severity(tasks, "error")] != []
    assert list(timed_at_severity(tasks, "no such severity")) == []


def test_a_tasks_row_is_its_newest_events_and_its_time_parsed_once_a_batch():
    """Of a task's events in one batch, the newest gives its status, severity,
    time, line and place in the triage order (a time it lacks is none, what an
    older event gave notwithstanding); its time is parsed for it alone."""
    store = RunStore()
    tracker = store.tasks
    parsed = []
    real = tracker._minutes.seconds
    tracker._minutes.seconds = lambda stamp, zone: parsed.append(stamp) or real(stamp, zone)
    stamp = "2026-02-04T01:00:0{}+00:00".format
    store.apply("tasks", [
        task_event("t1", "queued", timestamp=stamp(1)),
        task_event("t2", "failed", timestamp=stamp(2)),
        task_event("t1", "failed", timestamp=stamp(3)), task_event("t2", "completed"),
        task_event("t1", "requeue", timestamp=stamp(4))._replace(line=7)])
    assert sorted(parsed, key=str) == sorted([stamp(4), None], key=str)  # once a task
    t1, t2 = tracker.tasks["t1"], tracker.tasks["t2"]
    assert (t1.status, t1.severity, t1.line, t1.events) == ("requeue", "warning", 7, 3)
    assert t1.when == datetime(2026, 2, 4, 1, 0, 4, tzinfo=timezone.utc)
    assert (t2.status, t2.severity, t2.when, t2.failed) == ("completed", "ok", None, False)
    assert [task.task_id for task in tracker.triage_order()] == ["t1", "t2"]  # warnings first
    assert tracker.by_status() == {"requeue": 1, "completed": 1}
    store.apply("tasks", [task_event("t2", "failed", timestamp=stamp(5))])
    assert [task.task_id for task in tracker.triage_order()] == ["t2", "t1"]
    assert tracker.by_status() == {"requeue": 1, "failed": 1}
    assert tracker.tasks["t2"].when == datetime(2026, 2, 4, 1, 0, 5, tzinfo=timezone.utc)


def task_event(task_id, status, **extra):
    return execution.parse(orjson.dumps({"task_id": task_id, "status": status, **extra}), 1, 0, UTC)


def task_file(path, events) -> list:
    """The events written as the queue file, parsed as the feed parses them."""
    lines = [orjson.dumps({"task_id": task_id, "status": status, **extra})
             for task_id, status, extra in events]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    return [execution.parse(line, n, offset, UTC)
            for n, (line, offset) in enumerate(zip(lines, offsets), 1)]


def read_lines_of(path):
    def read(offsets: list[int], pace=None) -> list[bytes | None]:
        with open(path, "rb") as handle:
            out = []
            for offset in offsets:
                handle.seek(offset)
                out.append(handle.readline().rstrip(b"\n") or None)
            return out
    return read


def test_tasks_latest_status_and_history_read_back_from_the_file(tmp_path):
    path = tmp_path / "execution_log.jsonl"
    store = RunStore()
    store.tasks.source.read = read_lines_of(path)
    store.apply("tasks", task_file(path, [
        ("t1", "queued", {"worker_id": "w1"}), ("t1", "in_progress", {}), ("t2", "queued", {}),
        ("t1", "failed", {"errors": "No subtasks generated", "budget_used": "0.5"}),
        ("t1", "requeue", {"model": "m"}), ("t3", "safety_blocked", {}),
    ]))
    tasks = store.tasks.tasks
    t1 = tasks["t1"]
    assert [r.category for r in store.tasks.history(t1)] == [
        "queued", "in_progress", "failed", "requeue"]
    assert t1.status == "requeue" and not t1.failed and t1.events == 4
    # What the row shows comes from whichever event last gave it.
    assert t1.error == "No subtasks generated" and t1.budget_used == 0.5
    assert (t1.last("worker_id"), t1.last("model")) == ("w1", "m")
    assert t1.latest.fields == {"task_id": "t1", "status": "requeue", "model": "m"}
    assert dict(store.tasks.by_status()) == {"requeue": 1, "queued": 1, "safety_blocked": 1}
    assert [t.task_id for t in store.tasks.failed()] == ["t3"]
    # The file rewritten (rotated, truncated): other lines at those offsets are
    # not taken for the task's; its latest event is still known.
    path.write_bytes(b'{"task_id": "other", "status": "x"}\n' * 20)
    history = store.tasks.history(t1)
    assert history[:3] == [None, None, None] and history[3].category == "requeue"


def test_a_sessions_events_are_read_back_from_its_file(tmp_path):
    path = tmp_path / "structured_logs.jsonl"
    objects = [{"timestamp": "2026-02-03T05:44:03", "level": "INFO", "worker_id": "w",
                "message": sessions.STARTED, "context": {"session_id": 1, "run": 1, "task": "t",
                                                         "extra": "kept in the file only"}},
               {"timestamp": "2026-02-03T05:45:03", "level": "ERROR", "worker_id": "w",
                "message": sessions.COMPLETED, "context": {"session_id": 1, "run": 1,
                                                           "success": False, "returncode": 2}}]
    lines = [orjson.dumps(o) for o in objects]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    store = RunStore()
    store.sessions.source.read = read_lines_of(path)
    store.apply("sessions", [sessions.parse(lines[0], 1, 0, UTC),
                             sessions.parse(lines[1], 2, len(lines[0]) + 1, UTC)])
    session = store.sessions.sessions[0]
    assert session.start.fields == objects[0] and session.end.fields == objects[1]
    assert session.context("extra") == "kept in the file only"  # not kept: read back
    assert (session.context("returncode"), session.title, session.elapsed) == (2, "t", 60.0)
    assert session.state() == "failed"
    path.write_bytes(b'{"message": "something else"}\n' * 5)  # rewritten since
    kept = session.start.fields["context"]  # what the session kept, not the line now there
    assert {"run": "1", "session_id": "1", "task": "t"}.items() <= kept.items()


def bytes_kept(apply, records) -> int:
    """What ``apply(records)`` leaves allocated (the model's growth), in bytes."""
    import tracemalloc

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    apply(records)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return grown


def test_a_session_costs_a_few_hundred_bytes():
    records = [sessions.parse(orjson.dumps(
        {"timestamp": "2026-02-03T05:44:03.123456", "level": "INFO", "worker_id": "default",
         "message": message, "context": {"session_id": n % 6, "run": n // 6, **extra}}),
        2 * n + i, (2 * n + i) * 300, UTC)
        for n in range(20_000) for i, (message, extra) in enumerate((
            (sessions.STARTED, {"task": "Write tests for the safety gate", "model": "m"}),
            (sessions.COMPLETED, {"success": True, "elapsed_seconds": 12.5 + n,
                                  "returncode": 0, "verification_status": "verified"})))]
    store = RunStore()
    per_session = bytes_kept(store.sessions.apply, records) / 20_000
    # In columns, about 230 bytes (with a handle kept each: 310; an object
    # each, with a tuple of its values: 400).
    assert len(store.sessions.sessions) == 20_000 and per_session < 260, per_session


def test_a_task_costs_a_few_hundred_bytes():
    records = [execution.parse(orjson.dumps(
        {"task_id": f"task-{n:06d}", "status": status, "worker_id": f"worker-{n % 8}",
         "timestamp": "2026-02-03T05:44:03.123+00:00", "model": "llama-3.3-70b-versatile",
         "budget_used": 0.0816, "errors": None}), n, n * 200, UTC)
        for n in range(20_000) for status in ("queued", "in_progress", "completed", "verified")]
    store = RunStore()
    per_task = bytes_kept(store.tasks.apply, records) / 20_000
    # In columns, about 220 bytes (with a handle kept each: 300; an object
    # each, with an array of its offsets: 370).
    assert len(store.tasks.tasks) == 20_000 and per_task < 260, per_task


def api_event(event, **fields):
    return api_audit.parse(orjson.dumps({"event": event, **fields}), 1, 0, UTC)


def test_budget_sums_successes_and_counts_events():
    store = RunStore(budget_limit=1.0)
    store.apply("api", [
        api_event("API_CALL_SUCCESS", model="m1", cost=0.25, input_tokens=100, output_tokens=50,
                  call_type="task", timestamp="2026-02-03T00:00:00+00:00"),
        api_event("API_CALL_SUCCESS", model="m2", cost="0.25", input_tokens="10",
                  timestamp="2026-02-03T00:00:10+00:00"),
        api_event("API_CALL_SUCCESS", model="m2", cost={"no": 1}, output_tokens=None),
        api_event("API_CALL_FAILURE", error="boom", cost=5),
        api_event("BUDGET_EXCEEDED", remaining=0.01, requested=0.3),
        api_event("TASK_BUDGET_EXCEEDED", task_id="t"), api_event("TASK_BUDGET_EXCEEDED_ACTUAL"),
        api_event("RATE_LIMITED", model="m1"), api_event("CONSTITUTIONAL_VIOLATION"),
        api_event("SOMETHING_ELSE"),
    ])
    budget = store.budget
    assert (budget.calls, budget.succeeded, budget.failed) == (4, 3, 1)
    assert budget.cost == 0.5 and budget.remaining == 0.5 and budget.fraction_used == 0.5
    assert (budget.input_tokens, budget.output_tokens) == (110, 50)
    assert budget.unreadable_costs == 1
    assert (budget.budget_exceeded, budget.task_budget_exceeded, budget.rate_limited,
            budget.violations) == (1, 2, 1, 1)
    assert budget.by_model["m2"].calls == 2 and budget.by_model["m2"].cost == 0.25
    assert budget.by_call_type["task"].cost == 0.25
    assert len(budget.problems) == 6
    # Kept as the buffers keep rows (past the newest hundred, places in the
    # file or packed: a run out of budget refuses every call), read as they were.
    assert isinstance(budget.problems, RecordBuffer)
    assert budget.problems[0].fields == {"event": "API_CALL_FAILURE", "error": "boom", "cost": 5}
    assert budget.limit_source == "option"  # the refusal implies a limit; the option wins


def hostile_audit_line(rng, at: int) -> bytes:
    """An audit event whose names, amounts and stamp are of any JSON type
    now and then, or a field missing."""
    def anything(usual, *more):
        return rng.choice([usual, None, True, "2", [1], {"a": 1}, -1, 1e308, "x", 0, *more]) \
            if rng.random() < 0.2 else usual

    event = rng.choice(["API_CALL_SUCCESS"] * 8 + ["API_CALL_FAILURE", "BUDGET_EXCEEDED",
                                                   "RATE_LIMITED", "TASK_BUDGET_EXCEEDED"])
    stamp = f"2026-02-04T01:{at // 60 % 60:02d}:{at % 60:02d}"
    line = {"timestamp": rng.choice([stamp + f".{rng.randrange(10 ** 6):06d}"] * 6 + [
                stamp, None, "bad", stamp + "Z", stamp + ".5+01:00", 5]),
            "event": event, "user": anything(rng.choice(["u1", "u2", ""]), 0.0),
            "model": anything(rng.choice(["m1", "m2"]), 0.0),
            "call_type": anything(rng.choice(["plan", "task"]), 0.0),
            "cost": anything(round(rng.random() / 100, 6), 0.0, float("nan")),
            "input_tokens": anything(rng.randrange(1000)),
            "output_tokens": anything(rng.randrange(1000)),
            **({"remaining": rng.choice([0.5, None, "x"])} if event == "BUDGET_EXCEEDED" else {})}
    if rng.random() < 0.1:
        del line[rng.choice(list(line))]
    return json.dumps(line).encode()


def budget_seen(budget) -> tuple:
    """What the audit pane, the strip and the alerts read of a budget (sums
    to 9 places: summed in another grouping, a float differs past them)."""
    def usage(table):
        return {name: (u.calls, round(u.cost, 9), u.input_tokens, u.output_tokens)
                for name, u in table.items()}

    return ({user: (w.calls, round(w.cost, 9), w.refused, w.last_remaining, w.inferred_limit,
                    {minute: round(cost, 9) for minute, cost in w.by_minute.items()})
             for user, w in budget.by_user.items()}, list(budget.by_user),
            usage(budget.by_model), usage(budget.by_call_type),
            (budget.succeeded, budget.failed, round(budget.cost, 9), budget.input_tokens,
             budget.output_tokens, budget.budget_exceeded, budget.task_budget_exceeded,
             budget.rate_limited, budget.unreadable_costs, budget.bad_value_count),
            [(record.line, name, repr(value)) for record, name, value in budget.bad_values],
            {minute: round(cost, 9) for minute, cost in budget.spend_by_minute.items()},
            dict(budget.tokens_by_minute), [(r.line, r.category) for r in budget.problems],
            budget.last_refusal and budget.last_refusal.user)


def test_a_batch_of_audit_lines_is_summed_as_they_are_one_by_one():
    """Successes are summed a batch's column at a time, up to each refusal:
    the same spend, tables, minutes and bad values as lines taken one at a
    time, whatever the types of their names, amounts and stamps; a name of
    0 and one of 0.0 are two names, as written."""
    import random

    from vivtui.parsing.kinds import LineParser, spec_for_name

    parser = LineParser(spec_for_name("api_audit.log"))
    for seed in range(60):
        rng = random.Random(seed)
        lines, at = [], 0
        for number in range(rng.randrange(40, 200)):
            lines.append((number, number * 100, hostile_audit_line(rng, at)))
            at += rng.randrange(0, 30)
        apart, wholes = one_by_one_and_in_batches("api", parser.parse(lines), rng)
        for whole in wholes:
            assert budget_seen(whole.budget) == budget_seen(apart.budget), seed
    budget = apart.budget
    assert budget.bad_value_count and budget.budget_exceeded and budget.spend_by_minute
    store = RunStore()
    store.apply("api", [api_event("API_CALL_SUCCESS", call_type=call_type, cost=0.5)
                        for call_type in (0, 0.0, True, 1)])
    assert {name: usage.calls for name, usage in store.budget.by_call_type.items()} == {
        "0": 1, "0.0": 1, "true": 1, "1": 1}


def test_a_batch_with_one_odd_call_looks_again_at_that_call_only(monkeypatch):
    """A producer that writes a free call's cost as 0 (an int) must not send
    every call of its batches the slow way."""
    from vivtui.store.budget import BudgetTracker

    looked = []
    real = BudgetTracker._usable
    monkeypatch.setattr(BudgetTracker, "_usable",
                        lambda self, row, f: looked.append(f["cost"]) or real(self, row, f))
    store = RunStore()
    store.apply("api", [api_event("API_CALL_SUCCESS", cost=0 if n == 40 else 0.5, user="u",
                                  input_tokens=1, output_tokens=2) for n in range(100)])
    assert looked == [0] and store.budget.cost == 49.5 and store.budget.succeeded == 100
    assert store.budget.bad_value_count == 0  # (0 is a usable amount)


def test_kernel_tracker_and_blocked_collection():
    store = RunStore()
    lines = [b"[WAVE 3] Starting", b"[99] START: x", b"[99] DONE (62s)", b"BLOCKED: write",
             b"[104] FAILED: Budget", b"CAUTION: y", b"[WAVE 4] Starting", b"[WAVE 4] Complete",
             b"  [WAVE 5] Starting again", b"text [WAVE 6] Starting"]
    store.apply("kernel", [kernel.parse(l, i, 0, UTC) for i, l in enumerate(lines, 1)])
    assert store.kernel.lines == 10
    assert dict(store.kernel.by_class) == {"other": 7, "blocked": 1, "error": 1, "caution": 1}
    assert store.kernel.waves == [3, 4, 5]  # a wave line starts with it
    assert store.kernel.wave_starts == 3
    assert store.blocked_count == 1 and store.errors == 2 and store.warnings == 1


def test_performance_reset_replaces_entries():
    store = RunStore()
    store.apply("performance", [parse_entry({"success": True, "duration_seconds": 10,
                                             "quality_score": 1.0}, 0, UTC),
                                parse_entry({"success": False, "duration_seconds": 20}, 1, UTC)])
    perf = store.performance
    assert (perf.count, perf.succeeded, perf.failed) == (2, 1, 1)
    assert perf.mean_duration == 15 and perf.mean_quality == 1.0
    store.apply("performance", [parse_entry({"success": False}, 0, UTC)], reset=True)
    assert (perf.count, perf.succeeded, perf.failed, perf.mean_duration) == (1, 0, 1, None)
    assert len(store.buffers["performance"]) == 1


def test_buffer_is_bounded_with_stable_sequence_numbers():
    buffer = RecordBuffer(capacity=3)
    records = [kernel.parse(str(i).encode(), i, 0, UTC) for i in range(5)]
    buffer.extend(records[:2])
    buffer.extend(records[2:])
    assert len(buffer) == 3 and buffer.total == 5 and buffer.first_seq == 2
    assert [r.raw for r in buffer] == ["2", "3", "4"]


def test_rows_a_long_backlog_will_push_out_are_counted_not_kept():
    store = RunStore(capacity=3)
    lines = [b"BLOCKED: a", b"plain", b"BLOCKED: b", b"x", b"y", b"z", b"last"]
    records = [kernel.parse(line, i, 0, UTC) for i, line in enumerate(lines, 1)]
    store.apply("kernel", records[:1], rows_to_come=100)
    store.apply("kernel", records[1:3], rows_to_come=6)  # 2 buffers' worth: not kept
    buffer = store.buffers["kernel"]
    assert len(buffer) == 0 and buffer.total == 3 and buffer.first_seq == 3
    store.apply("kernel", records[3:], rows_to_come=5)  # fewer: kept
    assert [r.raw for r in buffer] == ["y", "z", "last"] and buffer.first_seq == 4
    # every row still counts, and the gates' refusals are all kept aside
    assert store.kernel.lines == 7 and store.blocked_count == 2
    assert sum(store.by_category["kernel"].values()) == 7


def test_kept_rows_past_the_newest_are_packed_and_read_as_before(monkeypatch):
    from vivtui.parsing.record import Packed, same_line
    from vivtui.store import buffer

    monkeypatch.setattr(buffer, "YOUNG", 3)
    kept = RecordBuffer(capacity=10)
    lines = [orjson.dumps({"task_id": f"t{n}", "status": "queued", "n": n}) for n in range(25)]
    records = [execution.parse(line, n, n * 100, UTC) for n, line in enumerate(lines)]
    for start in range(0, 25, 4):  # in batches, as the tail loops hand them over
        kept.extend([tuple(r) for r in records[start:start + 4]])
    assert [r.line for r in kept] == list(range(15, 25)) and kept.first_seq == 15
    packed = [r.raw.__class__ is Packed for r in kept]
    # The oldest packed, the newest YOUNG (up to twice as many, between batches) not.
    assert packed == sorted(packed, reverse=True) and 4 <= sum(packed) <= 7
    for record in kept:  # what every reader sees is the same
        assert record.fields == records[record.line].fields
        assert record.summary == records[record.line].summary
        assert same_line(record, lines[record.line] + b"\r")  # P: the file still says it
        assert not same_line(record, lines[record.line - 1])


def test_performance_entries_are_kept_compressed_and_found_by_their_session_number():
    import tracemalloc

    from vivtui.store.buffer import YOUNG
    from vivtui.store.performance import performance_of, quality_of

    def entry(i):
        return {"session_id": i % 500, "success": i % 7 != 0, "quality_score": i / 10_000,
                "timestamp": f"2026-02-03T{5 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
                             "+00:00", "files_modified": [f"src/m{i}.py"],
                "lessons_learned": [f"lesson {i}: keep changes small and tested"]}

    store = RunStore()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for start in range(0, 5000, 250):  # as a live run's rewrites bring them
        store.apply("performance", [parse_entry(entry(i), i, UTC)
                                    for i in range(start, start + 250)])
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    perf = store.performance
    # Past the buffer's newest rows, an entry costs its figures and its share
    # of a compressed block (it cost about 600 bytes kept packed with its row).
    assert perf.count == 5000 and held / 5000 < 300, held / 5000
    assert [perf.quality(i) for i in perf.of_session("7")] == [
        i / 10_000 for i in range(7, 5000, 500)]
    session = SimpleNamespace(ended=object(), key=("w", "1", "7"),
                              ended_at=datetime(2026, 2, 3, 5, 8, 30, tzinfo=timezone.utc))
    assert quality_of(session, perf) == 0.0507  # entry 507, written at 05:08:27
    whole = performance_of(session, perf)  # the whole entry, for the inspector
    assert whole.fields == entry(507) and whole.line == 508
    # The buffer's rows past its newest are read back from the tracker's blocks.
    buffer = store.buffers["performance"]
    assert len(buffer) == 5000 and len(buffer._items) <= 2 * YOUNG
    assert [record.fields for record in buffer][:3] == [entry(0), entry(1), entry(2)]
    assert buffer[4999].fields == entry(4999) and buffer[63].category == "failure"
    store.apply("performance", [parse_entry(entry(1), 0, UTC)], reset=True)
    assert perf.count == 1 and perf.entry(0).fields == entry(1)
    assert [record.fields for record in store.buffers["performance"]] == [entry(1)]


def test_a_history_whose_session_numbers_never_repeat_costs_little_more_an_entry():
    # A producer that never restarts its numbers: an index array for each of
    # a history's 250k numbers took 27 MB.
    import random
    import tracemalloc

    def held(number) -> tuple[float, RunStore]:
        store = RunStore()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for start in range(0, 5000, 250):
            store.apply("performance", [parse_entry(
                {"session_id": number(i), "success": True, "timestamp": "2026-02-03T05:00:00"},
                i, UTC) for i in range(start, start + 250)])
        cost = (tracemalloc.get_traced_memory()[0] - before) / 5000
        tracemalloc.stop()
        return cost, store

    unique, store = held(lambda i: i)
    assert unique < 180, unique  # (236 bytes an entry with an array each)
    perf = store.performance
    assert perf.of_session("4321") == [4321] and perf.of_session("5000") == []
    rng = random.Random(5)
    numbers = [rng.choice((rng.randrange(3), rng.randrange(10 ** 6))) for _ in range(5000)]
    _, store = held(numbers.__getitem__)
    for number in set(numbers):
        assert store.performance.of_session(str(number)) == [
            at for at, seen in enumerate(numbers) if seen == number]


def test_a_performance_entry_holding_an_integer_past_64_bits_is_kept():
    # The snapshot's fallback parser (what orjson refuses) gives Python ints of
    # any size; orjson does not write them again (this raised in the worker).
    store = RunStore()
    store.apply("performance", [parse_entry({"session_id": 1, "tokens": [10 ** 30],
                                             "success": True}, 0, ParseContext(UTC))])
    assert store.performance.count == 1 and store.performance.succeeded == 1
    assert store.performance.entry(0).fields["tokens"] == [str(10 ** 30)]
    assert store.buffers["performance"][0].fields["tokens"] == [str(10 ** 30)]


def test_a_number_column_gives_back_every_value_as_it_was_given():
    from vivtui.store.columns import NumberColumn

    given = [0.5, None, 3, "0.25", 1e-9, {"odd": 1}, -0.0, True]
    column = NumberColumn()
    for value in given:
        column.append(value)
    assert [column[at] for at in range(len(given))] == given
    assert [type(column[at]) for at in range(len(given))] == [type(v) for v in given]
    column[0], column[2], column[1] = None, 2.5, "x"  # replaced, whatever the types
    assert [column[0], column[1], column[2]] == [None, "x", 2.5] and len(column) == 8


def test_an_ordered_list_makes_handles_only_for_the_rows_read():
    # A handle per item made at every re-sort of 200k sessions took longer
    # than the sort: an order is numbers, handles made for the rows drawn.
    store = RunStore()
    store.apply("tasks", [execution.parse(orjson.dumps(
        {"task_id": f"t{n}", "status": "failed" if n % 3 == 0 else "completed",
         "timestamp": f"2026-02-03T05:44:{n:02d}+00:00"}), n + 1, n * 100, UTC)
        for n in range(30)])
    store.apply("sessions", [sessions.parse(orjson.dumps(
        {"timestamp": f"2026-02-03T05:44:{n:02d}", "message": sessions.STARTED,
         "worker_id": "w", "context": {"session_id": n, "run": 1}}), n + 1, n * 100, UTC)
        for n in range(30)])
    for tracker, name, order in (
            (store.tasks, "_task", store.tasks.triage_order),
            (store.sessions, "_session", lambda: store.sessions.triage_order(
                LIVE, datetime(2026, 2, 3, 6, tzinfo=timezone.utc)))):
        made = []
        setattr(tracker, name, _counting(getattr(tracker, name), made))
        rows = order()
        assert made == [] and len(rows) == 30
        first = rows[0]
        assert made == [int(first)] and rows.index(first) == 0
        again = (tracker.tasks[first.task_id] if tracker is store.tasks
                 else tracker.sessions[int(first)])  # another handle on the same item
        assert again == first and rows.index(again) == 0
    assert store.tasks.triage_order()[0].status == "failed"
    assert [t.task_id for t in store.tasks.triage_order()[:3]] == ["t27", "t24", "t21"]


def _counting(handle: type, made: list) -> type:
    """``handle``'s class, saying in ``made`` which handles are made."""
    class Counting(handle):
        __slots__ = ()

        def __new__(cls, at):
            made.append(at)
            return super().__new__(cls, at)

    return Counting


def test_the_files_whose_older_rows_were_let_go_are_named():
    # What looks through the kept rows (related events) says what it did not see.
    def lines(*numbers):
        return [kernel.parse(b"[1] DONE (5s) - 1 files", n, n * 30, UTC) for n in numbers]

    store = RunStore(capacity=3)
    store.apply("kernel", lines(1, 2, 3), source="kernel_run.log")
    assert store.let_go() == []
    store.apply("kernel", lines(4), source="kernel_run.log")
    assert store.let_go() == ["kernel_run.log"]


def test_lines_read_back_in_bulk_call_the_pace_every_few_hundred(tmp_path):
    from vivtui.ingest.layout import discover
    from vivtui.store.readback import PACE_EVERY

    path = tmp_path / "execution_log.jsonl"
    lines = [orjson.dumps({"task_id": f"t{n}", "status": "queued"}) for n in range(1300)]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    offsets = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    layout = discover(tmp_path, timezone.utc)
    looks = []
    read = layout.lines_at("tasks", offsets[::-1], lambda: looks.append(1))
    assert read == lines[::-1]
    assert len(looks) == -(-len(lines) // PACE_EVERY) and len(looks) >= 3
    assert layout.lines_at("tasks", offsets[:2]) == lines[:2]  # no pace: none called


def test_a_long_line_is_read_back_whole_and_its_task_shows_all_of_it(tmp_path):
    # Read back up to 1 MB, a task's 5 MB event did not parse: the queue's
    # inspector showed only the status and id the task kept.

    from vivtui.ingest.feeds import read_to_end
    from vivtui.ingest.layout import discover, read_back_from

    path = tmp_path / "execution_log.jsonl"
    long = orjson.dumps({"task_id": "t1", "status": "failed", "errors": "e" * 3_000_000,
                         "worker_id": "w-at-the-end"})
    short = orjson.dumps({"task_id": "t2", "status": "queued"})
    path.write_bytes(long + b"\n" + short + b"\n" + b'{"task_id": "t3", "errors": "' + b"u" * 2_500_000)
    layout = discover(tmp_path, timezone.utc)
    offsets = [0, len(long) + 1, len(long) + len(short) + 2]
    read = layout.lines_at("tasks", offsets[::-1])
    assert read[2] == long and read[1] == short and len(read[0]) == 2_500_000 + 29
    store = RunStore()
    for feed in layout.feeds:
        read_to_end(feed, store.apply_batch)
    read_back_from(layout, store, timezone.utc)
    task = store.tasks.tasks["t1"]
    assert task.latest.fields["worker_id"] == "w-at-the-end"
    assert [event.fields["errors"][:3] for event in store.tasks.history(task)] == ["eee"]


def test_a_bulk_read_back_calls_the_pace_while_it_places_its_items_and_reads(monkeypatch):
    from vivtui.store import readback

    monkeypatch.setattr(readback, "READ_CHUNK", 1000)
    looks, given = [], []
    source = readback.ReadBack(execution.parse)

    def read(offsets, pace):
        given.append(pace)
        return [orjson.dumps({"task_id": f"t{offset}", "status": "queued"})
                for offset in offsets]

    source.read = read
    records = list(source.each_of(range(1300), lambda n: (n + 1, n), lambda n, r: True,
                                  lambda n: None, lambda: looks.append(1)))
    assert [r.fields["task_id"] for r in records] == [f"t{n}" for n in range(1300)]
    assert len(looks) == 2 + 1  # chunk 1: items 0 and 512; chunk 2: item 0
    assert len(given) == 2 and all(pace is not None for pace in given)


def test_a_keys_sessions_sought_once_are_its_occurrences_with_or_without_the_index():
    store = RunStore()
    store.apply("sessions", [session_event("GrindSession started", worker=f"w{n % 2}",
                                           run=n // 10, session_id=n % 3) for n in range(40)])
    tracker = store.sessions
    keys = {session.key for session in tracker.sessions}
    sought = {key: tracker.sought(key) for key in keys}  # before the index is made
    assert tracker._by_key is None
    for key in keys:
        assert sought[key] == tracker.occurrences(key) == tracker.sought(key)
        assert [session.key for session in sought[key]] == [key] * len(sought[key])
    assert sum(map(len, sought.values())) == 40 and max(map(len, sought.values())) > 1
    assert tracker.sought(("nobody", "1", "1")) == []


@pytest.mark.parametrize(("reported", "elapsed"), [(12.5, 12.5), (0, 0), (-5, 60.0),
                                                   ("soon", 60.0), (None, 60.0)])
def test_a_session_reported_to_run_no_length_of_time_is_timed_by_its_events(reported, elapsed):
    """A negative elapsed time was shown as "0s": its start and end say 60 s."""
    start = {"timestamp": "2026-02-03T05:44:03", "level": "INFO", "worker_id": "w",
             "message": sessions.STARTED, "context": {"session_id": 1, "run": 1, "task": "t"}}
    end = {**start, "timestamp": "2026-02-03T05:45:03", "message": sessions.COMPLETED,
           "context": {"session_id": 1, "run": 1, "success": True, "elapsed_seconds": reported}}
    store = RunStore()
    store.apply("sessions", [sessions.parse(orjson.dumps(line), at, 0, UTC)
                             for at, line in enumerate((start, end), 1)])
    assert store.sessions.sessions[0].elapsed == elapsed
