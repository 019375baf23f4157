"""Related events of a GrindSession are its occurrence's: reused keys across
kernel restarts do not mix, and the gate's decision on its task is found."""

from __future__ import annotations

from datetime import timezone

import orjson

from vivtui.parsing import actions, safety, sessions
from vivtui.parsing.context import ParseContext
from vivtui.store.related import own_events, related_records, relation_prefilter
from vivtui.store.run import RunStore

UTC = ParseContext(timezone.utc)


def grind(message, at, line, task=None, **context):
    ctx = {"session_id": 1, "run": 1, **context}
    if task is not None:
        ctx["task"] = task
    data = orjson.dumps({"timestamp": f"2026-02-03T{at}", "level": "INFO", "message": message,
                         "worker_id": "default", "context": ctx})
    return sessions.parse(data, line, line * 100, UTC)


def decision(at, task, passed, line):
    data = orjson.dumps({"timestamp": f"2026-02-03T{at}", "task": task, "checks": {},
                         "passed": passed, "blocked_reason": None if passed else "Constitutional violation: x"})
    return safety.parse(data, line, line * 100, UTC)


def run_with_reused_keys():
    store = RunStore()
    first_start = grind(sessions.STARTED, "05:00:00", 1, task="Fix the parser\n\nYou are")
    first_end = grind(sessions.COMPLETED, "05:01:00", 2, success=True)
    # The kernel restarted: run 1 / session 1 again, another task, blocked at once.
    second_start = grind(sessions.STARTED, "06:00:00", 3, task="Create a new feature in the")
    third_start = grind(sessions.STARTED, "07:00:00", 4, task="Write docs")
    third_end = grind(sessions.COMPLETED, "07:02:00", 5, success=False)
    store.apply("sessions", [first_start, first_end, second_start, third_start, third_end])
    blocked = decision("06:00:00.090000", "Create a new feature in the workspace", False, 1)
    passed = decision("05:00:00.050000", "Fix the parser\n\nYou are a careful engineer", True, 2)
    store.apply("safety", [passed, blocked])
    everything = [r for buffer in store.buffers.values() for r in buffer]
    return store, everything, (first_start, first_end, second_start, third_start, third_end,
                               blocked, passed)


def test_a_session_relates_to_its_own_occurrence_and_its_gate_decision():
    store, everything, records = run_with_reused_keys()
    first_start, first_end, second_start, third_start, third_end, blocked, passed = records
    found = related_records(second_start, everything, store.sessions)
    assert found == [second_start, blocked]  # not the other two sessions of the same key
    assert related_records(first_end, everything, store.sessions) == [first_start, passed,
                                                                        first_end]
    assert related_records(third_start, everything, store.sessions) == [third_start, third_end]


def test_a_gate_decision_leads_to_the_session_it_decided_on():
    store, everything, records = run_with_reused_keys()
    second_start, blocked = records[2], records[5]
    assert related_records(blocked, everything, store.sessions) == [second_start, blocked]


def test_other_keys_still_relate_across_files():
    store = RunStore()
    line = orjson.dumps({"timestamp": "2026-02-03T05:00:00+00:00", "actor": "A",
                         "action_type": "TOOL", "action": "x", "task_id": "t1"})
    record = actions.parse(line, 1, 0, UTC)
    store.apply("actions", [record])
    everything = [r for buffer in store.buffers.values() for r in buffer]
    assert [r.line for r in related_records(record, everything, store.sessions)] == [1]


def test_a_row_no_longer_kept_is_its_own_related_event():
    def action(line, session):
        data = orjson.dumps({"timestamp": "2026-02-03T05:00:00", "actor": "w", "action_type":
                             "TOOL", "action": "x", "detail": "", "session_id": session})
        return actions.parse(data, line, line * 100, UTC)

    old, kept = action(1, "session_1"), [action(2, "session_1"), action(3, "session_2")]
    assert [r.line for r in related_records(old, kept)] == [1, 2]


def test_a_files_lines_are_looked_at_for_relations_before_they_are_parsed():
    keep = relation_prefilter({("session", "session_1"), ("kernel", 7)})
    assert keep(b'{"session_id": "session_12"}')  # (parsed, then told apart)
    assert keep(b"[7] DONE (5s) - 1 files")
    assert not keep(b'{"session_id": "session_2"}')
    assert keep('{"session_id": "sessi\\u006fn_1"}'.encode())  # an escape: parsed
    assert keep('{"actor": "Zoë"}'.encode())  # not ASCII: parsed
    assert relation_prefilter({("grind", "w", "1", "1")}) is None
    assert relation_prefilter(set()) is None


def test_a_rows_own_story_is_read_back_from_the_models_when_no_longer_kept(tmp_path):
    # A big run keeps its newest rows: r on its first session found that
    # session's completion alone, and on a task none of its earlier statuses.
    from vivtui.ingest.layout import discover, read_back_from
    from vivtui.summary import collect

    (tmp_path / "structured_logs.jsonl").write_bytes(b"".join(orjson.dumps(
        {"timestamp": f"2026-02-03T05:0{n}:00", "level": "INFO", "message": message,
         "worker_id": "default", "context": {"session_id": 1, "run": 1, "success": True}})
        + b"\n" for n, message in enumerate((sessions.STARTED, sessions.COMPLETED))))
    (tmp_path / "execution_log.jsonl").write_bytes(b"".join(orjson.dumps(
        {"timestamp": f"2026-02-03T05:0{n}:00+00:00", "task_id": "t1", "status": status})
        + b"\n" for n, status in enumerate(("queued", "in_progress", "failed"))))
    _, store = collect(tmp_path, timezone.utc)  # no rows kept
    read_back_from(discover(tmp_path, timezone.utc), store, timezone.utc)
    assert not list(store.buffers["sessions"]) and not list(store.buffers["tasks"])
    session = store.sessions.sessions[0]
    completion = session.end
    story = own_events(completion, store.sessions, store.tasks)
    assert [r.category for r in story] == [sessions.STARTED, sessions.COMPLETED]
    assert related_records(completion, story, store.sessions) == story
    latest = store.tasks.tasks["t1"].latest
    statuses = own_events(latest, store.sessions, store.tasks)
    assert [r.category for r in statuses] == ["queued", "in_progress", "failed"]
    found = related_records(latest, [latest, *statuses], store.sessions)
    assert [r.category for r in found] == ["queued", "in_progress", "failed"]  # once each
    assert own_events(latest, None, None) == []


def test_a_kernel_lines_related_lines_are_its_own_occurrences():
    from vivtui.parsing import kernel
    from vivtui.parsing.kinds import LineParser, spec_for_name
    lines = [b"[SAFETY] 2/2 tasks passed validation.", b"[1] START: Fix the parser",
             b"[2] START: Write docs", b"[1] DONE (62s) - 3 files", b"[2] FAILED: Budget",
             # The kernel restarted onto the same log: its numbers start again.
             b"[SAFETY] 2/2 tasks passed validation.", b"[1] START: Add a feature",
             b"[1] EXCEPTION: 'charmap' codec can't encode character"]
    records = list(LineParser(spec_for_name("kernel_run.log"), UTC).parse(
        [(n, n * 100, data) for n, data in enumerate(lines, 1)]))
    assert all(r.kind == kernel.KIND for r in records)

    def related(line):
        return [r.line for r in related_records(records[line - 1], records)]

    assert related(4) == related(2) == [2, 4]
    assert related(8) == related(7) == [7, 8]
    assert related(5) == [3, 5]
