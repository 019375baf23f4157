"""Search and filter predicates, and filtered views over live buffers, without a terminal."""

from __future__ import annotations

from datetime import timezone

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from vivtui.parsing import kernel, safety
from vivtui.parsing.context import ParseContext
from vivtui.store.buffer import RecordBuffer
from vivtui.store.filters import (
    FilterSet,
    compile_pattern,
    has_foreign_path,
    next_severity,
    record_field,
)
from vivtui.store.rows import FilteredRows

UTC = ParseContext(timezone.utc)


def describe(record):
    return record.summary, record.category, record.severity


def kernel_records(lines, start=1):
    return [kernel.parse(line.encode(), i, 0, UTC) for i, line in enumerate(lines, start)]


def test_regex_smart_case_and_plain_text_fallback():
    assert compile_pattern("fail").search("Task FAILED")  # lower case: ignore case
    assert not compile_pattern("Fail").search("Task FAILED")  # a capital: case matters
    assert compile_pattern(r"task-\d+").search("task-0042 failed")
    broken = compile_pattern("[bold")
    assert broken.literal and broken.search("text [bold x") and not broken.search("bold")
    inverted = compile_pattern("!heartbeat", allow_invert=True)
    assert inverted.invert and inverted.search("heartbeat 5")
    assert not compile_pattern("!x").invert  # only filters invert


def test_filters_stack_and_switch_off():
    filters = FilterSet()
    assert filters.accepts("anything") and not filters.active
    filters.patterns.append(compile_pattern("write", allow_invert=True))
    filters.patterns.append(compile_pattern("!tests/", allow_invert=True))
    assert filters.accepts("write_file app/x.py")
    assert not filters.accepts("write_file tests/x.py")  # filtered out
    assert not filters.accepts("read_file app/x.py")  # not filtered in
    filters.enabled = False
    assert filters.accepts("read_file app/x.py") and not filters.active
    filters.enabled = True
    filters.categories = frozenset({"ERROR"})
    assert not filters.accepts("write_file app/x.py", "TOOL")
    assert filters.describe() == ["& write", "! tests/", "type=ERROR"]
    filters.clear()
    assert filters.accepts("read_file", "TOOL") and filters.describe() == []


def test_minimum_severity_cycle():
    filters = FilterSet(min_severity="warning")
    assert filters.accepts("x", "", "error") and filters.accepts("x", "", "warning")
    assert not filters.accepts("x", "", "ok") and not filters.accepts("x", "", "info")
    assert [next_severity(s) for s in (None, "warning", "error")] == ["warning", "error", None]


def test_filtered_rows_follow_a_live_buffer_and_its_evictions():
    buffer = RecordBuffer(capacity=5)
    filters = FilterSet(patterns=[compile_pattern("BLOCKED")])
    buffer.extend(kernel_records(["a", "BLOCKED: 1", "b"]))
    rows = FilteredRows(buffer, describe, filters)
    rows.rebuild()
    assert [r.raw for r in rows] == ["BLOCKED: 1"]
    buffer.extend(kernel_records(["BLOCKED: 2", "c", "d", "BLOCKED: 3"], start=4))
    rows.update()
    # capacity 5: "a", "BLOCKED: 1" were evicted
    assert [r.raw for r in rows] == ["BLOCKED: 2", "BLOCKED: 3"]
    assert rows.first_seq == 1 and rows.total == 3


def test_filtered_rows_over_a_list():
    records = kernel_records(["x", "FAILED y", "z"])
    rows = FilteredRows(records, describe, FilterSet(min_severity="error"))
    rows.rebuild()
    assert len(rows) == 1 and rows[0].raw == "FAILED y" and rows.position_of(1) == 0


def test_foreign_paths():
    assert has_foreign_path(r"[!] Failed to load D:\codingProjects\x.json")
    assert has_foreign_path("BLOCKED: experiments/exp_20260203_220119_unified_session_89/a.py")
    assert has_foreign_path("reading /home/old/run/file.py")
    assert not has_foreign_path("reading /srv/run/file.py", "/srv/run")
    assert not has_foreign_path("edit app/gut_check.py")
    assert not has_foreign_path("/tmp/run/x.py", "/tmp/run")


def test_related_records_across_files(run_dir):
    from vivtui.store.related import related_records, relation_keys
    from vivtui.summary import collect

    _, store = collect(run_dir, timezone.utc, rows=50_000)
    everything = [r for buffer in store.buffers.values() for r in buffer]
    failed = next(r for r in store.buffers["tasks"] if r.category == "failed")
    assert relation_keys(failed) == {("task_id", "task-0042")}
    related = related_records(failed, everything)
    kinds = {(r.kind, r.category) for r in related}
    # the task's own history and the API budget events about it
    assert ("tasks", "in_progress") in kinds and ("api", "TASK_BUDGET_EXCEEDED") in kinds
    assert ("api", "TASK_BUDGET_EXCEEDED_ACTUAL") in kinds
    assert all(r.kind != "actions" for r in related)
    times = [r.ts for r in related if r.ts]
    assert times == sorted(times)
    blocked = next(r for r in store.buffers["kernel"] if r.raw.startswith("[104]"))
    assert [r.raw for r in related_records(blocked, everything)] == ["[104] FAILED: Budget exhausted"]
    action = next(r for r in store.buffers["actions"] if r.category == "SAFETY")
    same_session = related_records(action, everything)
    assert {r.fields.get("session_id") for r in same_session} == {"session_2"}
    assert len(same_session) == 6


def test_line_prefilter_turns_away_only_what_the_patterns_would():
    from vivtui.store.filters import line_prefilter

    patterns = [compile_pattern("error"), compile_pattern("!Timeout", allow_invert=True)]
    keep = line_prefilter(patterns)
    lines = [b'{"action_type": "ERROR", "detail": "boom"}',
             b'{"action_type": "TOOL", "detail": "fine"}',
             b'{"action_type": "ERROR", "detail": "Timeout"}',
             '{"action_type": "ERROR", "detail": "caf\u00e9 Timeout"}'.encode(),
             b""]
    filters = FilterSet(patterns=patterns)
    for data in lines:
        if not keep(data):  # never turned away when the text test would let it through
            assert not filters.accepts(data.decode())
    assert [keep(data) for data in lines] == [True, False, False, True, False]
    assert line_prefilter([compile_pattern("seq=0+[12]")]) is None  # a regex: parsed


def _safety(passed: bool):
    data = orjson.dumps({"timestamp": "2026-02-03T06:29:42", "task": "Read a file", "checks": {},
                         "passed": passed, "blocked_reason": None if passed else "Constitutional"})
    return safety.parse(data, 1, 0, ParseContext(timezone.utc))


def test_filters_match_what_the_row_says_not_the_raw_key_names():
    passed, blocked = _safety(True), _safety(False)
    rule = FilterSet([compile_pattern("blocked|violation", allow_invert=True)])
    # Every safety_audit line has a "blocked_reason" key; only the block says BLOCKED.
    assert not rule.accepts(passed.summary, lookup=lambda n: record_field(passed, n))
    assert rule.accepts(blocked.summary, lookup=lambda n: record_field(blocked, n))
    raw = compile_pattern("raw:blocked_reason")
    assert raw.field == "raw" and raw.matches("", lambda n: record_field(passed, n))


def test_field_terms():
    blocked = _safety(False)

    def lookup(name):
        return record_field(blocked, name)

    assert compile_pattern("status:blocked").matches("anything", lookup)
    assert not compile_pattern("status:passed").matches("status:passed", lookup)
    assert compile_pattern("source:safety_audit").matches("", lookup)
    assert compile_pattern("task:read").matches("", lookup)  # smart case: ignores case
    assert not compile_pattern("task:READ").matches("", lookup)
    assert compile_pattern("!status:passed", allow_invert=True).invert
    # Not a field name: plain text, as typed.
    error = compile_pattern("error: boom")
    assert error.field is None and error.search("error: boom")


def test_a_catastrophic_pattern_matches_in_linear_time():
    # With Python's re this line takes minutes (exponential backtracking); RE2
    # answers at once. No timing is asserted: the test would simply not end.
    pattern = compile_pattern("(a+)+$")
    assert not pattern.literal
    assert not pattern.search("a" * 40 + "!")
    assert pattern.search("x" + "a" * 40)
    rule = FilterSet([compile_pattern("(x+x+)+y", allow_invert=True)])
    assert not rule.accepts("x" * 5000)


def test_what_re2_does_not_take_is_matched_as_typed():
    look_behind = compile_pattern("(?<=a)b")
    assert look_behind.literal and look_behind.search("x(?<=a)b") and not look_behind.search("ab")
    broken = compile_pattern("[bold")
    assert broken.literal and broken.search("a [bold] b")


@settings(max_examples=400, deadline=None)
@given(needle=st.text(alphabet="abcKSks -_:=/01", max_size=6),
       haystack=st.text(alphabet="abcKSks -_:=/01\u017f\u212a\u0130\u00df\u00e9", max_size=24))
def test_plain_text_is_found_as_re2_finds_it(needle, haystack):
    """Plain ASCII text is looked for without RE2 (its Python wrapper cost
    about 10 us a row): found where RE2 finds it, case folding included."""
    pattern = compile_pattern(needle)
    assert pattern.plain == needle
    assert pattern.search(haystack) == (pattern.regex.search(haystack) is not None)
    if haystack.isascii():  # (marked on screen by ``re``: the same spans as RE2's)
        assert ([m.span() for m in pattern.highlighter.finditer(haystack)]
                == [m.span() for m in pattern.regex.finditer(haystack)])
    assert compile_pattern("x|" + needle).plain is None  # a regex: RE2 looks
