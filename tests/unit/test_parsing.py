"""Each parser on the real lines quoted in FORMATS.md, and on the bad input real runs contain."""

from __future__ import annotations

import json
import time
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vivtui.parsing import (
    actions,
    api_audit,
    execution,
    kernel,
    performance,
    safety,
    sessions,
    values,
)
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import BY_NAME, LineParser, sniff, spec_for_name
from vivtui.parsing.record import ERROR, INFO, MALFORMED, OK, WARNING
from vivtui.sources.decoding import text_of

UTC = ParseContext(timezone.utc)

ACTION = (b'{"timestamp": "2026-02-03T05:44:03.267+00:00", "actor": "Beam-31", "action_type": '
          b'"TOOL", "action": "write_file", "detail": "app/gut_check.py (+12 lines)", '
          b'"session_id": "session_1", "metadata": {"model": "llama-3.3-70b-versatile"}}')


def test_action_line_from_formats():
    record = actions.parse(ACTION, 7, 1234, UTC)
    assert (record.kind, record.line, record.offset) == ("actions", 7, 1234)
    assert record.category == "TOOL"
    assert record.severity == INFO
    assert record.ts.utcoffset() == timedelta(0)
    assert record.ts.microsecond == 267000
    assert record.summary == "Beam-31 TOOL write_file: app/gut_check.py (+12 lines)"
    assert record.fields["metadata"] == {"model": "llama-3.3-70b-versatile"}
    assert record.raw == ACTION  # the line is kept; its object is decoded on demand


@pytest.mark.parametrize("action_type, action, detail, severity", [
    ("SAFETY", "BLOCKED", "protected_file: x", ERROR),
    ("SAFETY", "WARNING", "sensitive_file: y", WARNING),
    ("SAFETY", "check", "", INFO),
    ("BUDGET", "EXCEEDED", "$2.013 > $2.00 limit", ERROR),
    ("BUDGET", "ALERT_80%", "", WARNING),
    ("BUDGET", "cost_update", "$0.412/$2.00 (21%)", WARNING),
    ("TEST", "pytest", "3 pass, 1 fail, 0 skip", WARNING),
    ("TEST", "pytest", "0 pass, 4 fail, 0 skip", ERROR),
    ("TEST", "pytest", "10 pass, 0 fail, 0 skip", OK),
    ("TEST", "pytest", "3 pass, 10 fail", WARNING),  # "10 fail" is not "0 fail"
    ("TEST", "pytest", "12 PASS, 0 FAIL", OK),
    ("TEST", "pytest", "0 Pass, 3 Fail", ERROR),
    ("ERROR", "KeyError", "'user_id'", ERROR),
    ("COST", "charge", "", INFO),
    # wrong-typed fields are read as their JSON text
    ("SAFETY", ["BLOCKED"], None, ERROR),
    ("TEST", None, {"result": "7 pass, 0 fail"}, OK),
    ("TEST", "pytest", None, INFO),
])
def test_action_severity_follows_producer_colours(action_type, action, detail, severity):
    assert actions.action_severity(action_type, action, detail) == severity


@pytest.mark.parametrize("line, note", [
    (b"this line is not JSON", "not JSON"),
    (b"[1, 2, 3]", "JSON array, not an object"),
    (b'"just a string"', "JSON string, not an object"),
    (b"null", "JSON null, not an object"),
    (b"true", "JSON boolean, not an object"),
    (b"-1.5e3", "JSON number, not an object"),
    (b'{"unterminated": ', "not JSON"),
])
def test_bad_lines_become_malformed_records(line, note):
    for parse in (actions.parse, sessions.parse, execution.parse, api_audit.parse, safety.parse):
        record = parse(line, 3, 40, UTC)
        assert record.malformed
        assert record.category == MALFORMED
        assert record.severity == ERROR
        assert record.note == note
        assert (record.line, record.offset) == (3, 40)
        assert line.decode() in record.summary


def test_a_line_that_is_not_json_is_decoded_once(monkeypatch):
    # Tried again as it was, then again with invalid UTF-8 replaced, a file
    # of plain text lines cost three failed decodings a line (16 us).
    import orjson

    from vivtui.parsing import jsonline
    from vivtui.parsing.kinds import LineParser, spec_for_name
    from vivtui.sources import json_dialect
    tried = []

    class Counting:
        JSONDecodeError = orjson.JSONDecodeError

        @staticmethod
        def loads(data):
            tried.append(data)
            return orjson.loads(data)

    slow = []

    class CountingSlow:
        @staticmethod
        def loads(text):
            slow.append(text)
            return json.loads(text)

    monkeypatch.setattr(jsonline, "orjson", Counting)
    monkeypatch.setattr(json_dialect, "orjson", Counting)
    monkeypatch.setattr(json_dialect, "json", CountingSlow)
    lines = [b"Traceback (most recent call last):", b"caf\xc3\xa9 not JSON", b"[1, 2]",
             b'{"task_id": "t\xff", "status": "failed"}', b"\xff not JSON either"]
    records = LineParser(spec_for_name("execution_log.jsonl")).parse(
        [(n, n * 100, data) for n, data in enumerate(lines, 1)])
    assert [r.note for r in records] == ["not JSON", "not JSON", "JSON array, not an object",
                                         "", "not JSON"]
    assert records[3].fields["task_id"] == "t\u00ff"  # (Windows-1252: sources.decoding)
    assert records[4].raw == "\u00ff not JSON either"
    # Once each; the two with invalid UTF-8 once more, repaired.
    assert len(tried) == len(lines) + 2
    # Python's slower parser only for what opens and closes like an object.
    assert slow == []


def test_invalid_utf8_is_read_as_windows_1252_not_malformed():
    line = b'{"actor": "A", "action_type": "TOOL", "action": "read", "detail": "bad \xff\xfe here"}'
    record = actions.parse(line, 1, 0, UTC)
    assert not record.malformed
    assert record.fields["detail"] == "bad \u00ff\u00fe here"


def test_crlf_line_is_not_malformed():
    record = actions.parse(ACTION + b"\r", 1, 0, UTC)
    assert not record.malformed and record.category == "TOOL"


def test_naive_timestamp_takes_given_zone_and_local_by_default():
    line = (b'{"timestamp": "2026-02-03T05:44:03.267569", "level": "INFO", "message": "x", '
            b'"worker_id": "w", "context": {}}')
    assert sessions.parse(line, 1, 0, UTC).ts.tzinfo is timezone.utc
    local = sessions.parse(line, 1, 0, ParseContext()).ts
    assert local.tzinfo is not None
    assert local.replace(tzinfo=None).isoformat() == "2026-02-03T05:44:03.267569"


def test_unparseable_timestamp_is_none_not_an_error():
    record = actions.parse(b'{"timestamp": 12, "action_type": "TOOL"}', 1, 0, UTC)
    assert record.ts is None and not record.malformed
    record = actions.parse(b'{"timestamp": "yesterday", "action_type": "TOOL"}', 1, 0, UTC)
    assert record.ts is None and not record.malformed


def test_wrong_typed_action_fields_never_raise():
    line = b'{"actor": 5, "action_type": ["TOOL"], "action": {"a": 1}, "detail": null}'
    record = actions.parse(line, 1, 0, UTC)
    assert record.category == '["TOOL"]'
    assert "5" in record.summary and '{"a":1}' in record.summary


def test_session_start_and_completion():
    start = sessions.parse(
        b'{"timestamp": "2026-02-03T05:44:03.267569", "level": "INFO", "message": '
        b'"GrindSession started", "worker_id": "default", "context": {"session_id": 1, "run": 1, '
        b'"task": "ARCHITECTURE REVIEW: Wave 11 Code Audit\\n\\nYou are a", "model": "opus"}}',
        1, 0, UTC)
    assert start.category == sessions.STARTED
    assert "ARCHITECTURE REVIEW: Wave 11 Code Audit [opus]" in start.summary
    assert "\n" not in start.summary
    done = sessions.parse(
        b'{"timestamp": "2026-02-03T05:45:43.075211", "level": "INFO", "message": '
        b'"GrindSession completed", "worker_id": "default", "context": {"session_id": 2, '
        b'"run": 1, "elapsed_seconds": 99.807641, "returncode": 0, "success": true}}', 2, 0, UTC)
    assert (done.category, done.severity) == (sessions.COMPLETED, OK)
    failed = sessions.parse(
        b'{"message": "GrindSession completed", "context": {"success": false}}', 3, 0, UTC)
    assert failed.severity == ERROR


def test_session_message_object_is_a_generic_entry():
    record = sessions.parse(
        b'{"timestamp": "2026-02-03T05:46:01", "level": "INFO", "message": {"session_id": 5, '
        b'"original_length": 447, "sanitized_length": 452}, "context": {}}', 1, 0, UTC)
    assert not record.malformed
    assert record.category == "INFO"
    assert "original_length" in record.summary


def test_session_context_of_wrong_type():
    record = sessions.parse(b'{"message": "GrindSession completed", "context": "oops"}', 1, 0, UTC)
    assert record.category == sessions.COMPLETED and record.severity == INFO


@pytest.mark.parametrize("status, severity", [
    ("failed", ERROR), ("safety_blocked", ERROR), ("subtask_failed", ERROR),
    ("requeue", WARNING), ("completed", OK), ("approved", OK), ("queued", INFO),
    ("never_heard_of_it", INFO),
])
def test_task_status_severity(status, severity):
    line = f'{{"task_id": "t1", "status": "{status}"}}'.encode()
    record = execution.parse(line, 1, 0, UTC)
    assert (record.category, record.severity) == (status, severity)


def test_task_failure_summary_carries_errors():
    record = execution.parse(
        b'{"task_id": "task-0042", "worker_id": "worker-1", "status": "failed", '
        b'"timestamp": "2026-02-10T01:02:03.123456+00:00", "errors": "No subtasks generated"}',
        1, 0, UTC)
    assert record.summary == "task-0042 failed worker=worker-1 errors: No subtasks generated"
    assert record.ts.microsecond == 123456


@pytest.mark.parametrize("event, severity", [
    ("API_CALL_SUCCESS", OK), ("API_CALL_FAILURE", ERROR), ("BUDGET_EXCEEDED", ERROR),
    ("TASK_BUDGET_EXCEEDED", ERROR), ("TASK_BUDGET_EXCEEDED_ACTUAL", ERROR),
    ("CONSTITUTIONAL_VIOLATION", ERROR), ("RATE_LIMITED", WARNING), ("SOMETHING_NEW", INFO),
])
def test_api_event_severity(event, severity):
    record = api_audit.parse(f'{{"event": "{event}"}}'.encode(), 1, 0, UTC)
    assert (record.category, record.severity) == (event, severity)


KERNEL_CASES = [
    ("[AUTODISCOVER] Loading grind_tasks_ui.json", kernel.OTHER),
    ("  [!] Failed to load D:\\codingProjects\\x.json: Extra data: line 50", kernel.ERRORED),
    ("[SAFETY] 210/210 tasks passed validation.", kernel.OTHER),
    ("[WAVE 3] Starting 5 tasks in parallel...", kernel.OTHER),
    ("[99] START: Add comprehensive error handling for request proce...", kernel.OTHER),
    ("[99] DONE (62s) - 3 files", kernel.OTHER),
    ("[100] EXCEPTION: 'charmap' codec can't encode character", kernel.ERRORED),
    ("[104] FAILED: Budget exhausted", kernel.ERRORED),
    ("BLOCKED: Attempt to write to protected file: experiments/x.py", kernel.BLOCKED),
    ("CAUTION: Writing to sensitive file: inference_engine.py", kernel.CAUTION),
    ("Traceback (most recent call last):", kernel.ERRORED),
    ("ValueError: bad", kernel.ERRORED),
    ("Warning: careful", kernel.CAUTION),
    ("UserWarning: careful", kernel.OTHER),  # no word boundary inside UserWarning
    ("blocked in lower case is not BLOCKED_X", kernel.OTHER),
    ("BLOCKED and FAILED: first match wins", kernel.BLOCKED),
    ("  Traceback indented is not ^Traceback", kernel.OTHER),
]


@pytest.mark.parametrize("line, expected", KERNEL_CASES)
def test_kernel_classification_rules(line, expected):
    assert kernel.classify(line) == expected


_KERNEL_PIECES = ["BLOCKED", "FAILED", "EXCEPTION", "Traceback", "Failed to", "Error:",
                  "CAUTION", "WARNING", "Warning", "x", "_", "é", " ", ":", "[3] ", "Fail"]


@given(st.lists(st.sampled_from(_KERNEL_PIECES), max_size=8).map("".join))
def test_kernel_rules_tried_where_their_words_start_agree_with_searching_the_line(line):
    # A regex search along a 30 MB line took 3 s: each rule is now tried only
    # where one of its words starts. Word boundaries, ^ and the rules' order
    # must come out as a search of the whole line gives them.
    def searched(text: str) -> str:
        return next((name for name, pattern, _ in kernel._RULES if pattern.search(text)),
                    kernel.OTHER)

    assert kernel.classify(line) == searched(line)
    # After 3 MB of one word: the same as after a short one.
    assert kernel.classify("k" * 3_000_000 + " " + line) == searched("k " + line)


@given(st.lists(st.lists(st.sampled_from(_KERNEL_PIECES), max_size=6).map("".join),
                min_size=1, max_size=6))
def test_kernel_rules_tried_in_a_batchs_text_agree_with_each_line_alone(lines):
    # A batch's rules are tried where their words are found in its joined
    # text, a line passed once classed: the rules' order, ^ and word
    # boundaries at the lines' edges must come out as each line alone gives them.
    data = [(n, n, (line or "x").encode()) for n, line in enumerate(lines)]
    records = list(kernel.parse_many(data, ParseContext(UTC)))
    assert [r.category for r in records] == [kernel.classify(r.raw) for r in records]


def test_kernel_batch_follows_the_rules_line_by_line():
    # The batch parser runs each rule once over the joined batch: every line
    # must still get the class the per-line rule gives, and blank lines none.
    lines = [line for line, _ in KERNEL_CASES] + [
        "", "   ", "[7] DONE (3s) - 1 files\r", "x BLOCKED", "Error:\r", "\ud800 Error: bad"]
    data = [(n, n * 100, line.encode("utf-8", "surrogatepass")) for n, line in
            enumerate(lines, 1)]
    data.append((99, 9900, b"caf\xe9 FAILED \xff"))
    records = list(kernel.parse_many(data, ParseContext(UTC)))
    kept = [(n, o, d) for n, o, d in data if d.strip()]
    assert [(r.line, r.offset) for r in records] == [(n, o) for n, o, _ in kept]
    for record, (_, _, raw) in zip(records, kept):
        text = text_of(raw).rstrip("\r")
        assert record.raw == text
        assert record.category == kernel.classify(text)
    done = next(r for r in records if r.line == len(KERNEL_CASES) + 3)
    assert done.severity == OK and done.raw == "[7] DONE (3s) - 1 files"


def test_kernel_numbers_and_waves():
    assert kernel.session_number("[104] FAILED: Budget exhausted") == 104
    assert kernel.session_number("[WAVE 3] Complete") is None
    assert kernel.wave_number("[WAVE 3] Complete") == 3
    done = kernel.parse(b"[99] DONE (62s) - 3 files", 1, 0, UTC)
    assert done.severity == OK and done.ts is None


def test_performance_entries():
    ok = performance.parse_entry(
        {"timestamp": "2026-02-03T05:26:42.611004", "session_id": 1, "duration_seconds": 120.5,
         "success": True, "quality_score": 0.85, "task_description": "Test task 1"}, 0, UTC)
    assert (ok.line, ok.offset, ok.severity) == (1, -1, OK)
    assert ok.summary == "session 1 success 120.5s quality 0.85 Test task 1"
    bad = performance.parse_entry("not an object", 4, UTC)
    assert bad.malformed and bad.line == 5


def test_safety_audit_blocked():
    record = safety.parse(
        b'{"timestamp": "2026-02-03T06:29:42.354872", "task": "Create a new feature in the '
        b'workspace", "checks": {"constitutional": {"passed": false, "reason": "x"}}, '
        b'"passed": false, "blocked_reason": "Constitutional violation: ..."}', 1, 0, UTC)
    assert (record.category, record.severity) == (safety.BLOCKED, ERROR)
    assert "Constitutional violation" in record.summary


@pytest.mark.parametrize("name, expected", [
    ("action_log.jsonl", "action_log.jsonl"), ("action_log.jsonl.1", "action_log.jsonl"),
    ("api_audit.log.2026-02-03", "api_audit.log"), ("kernel_run.log", "kernel_run.log"),
    ("run-42.jsonl", None),
])
def test_spec_by_name(name, expected):
    spec = spec_for_name(name)
    assert (spec.name if spec else None) == expected


@pytest.mark.parametrize("head, expected", [
    (ACTION + b"\n", "action_log.jsonl"),
    (b'\n{"event": "API_CALL_SUCCESS"}\n', "api_audit.log"),
    (b'{"task_id": "t", "status": "queued"}\n', "execution_log.jsonl"),
    (b'{"level": "INFO", "message": "x", "context": {}}\n', "structured_logs.jsonl"),
    (b'{"passed": false, "checks": {}}\n', "safety_audit.log"),
    (b'[{"session_id": 1}]', "performance_history.json"),
    (b"=====\nACTION LOG STARTED: 2026-02-03T11:05:00.123456 (Tuesday)\n", "action_log.log"),
    (b"[WAVE 1] Starting\n", "kernel_run.log"),
])
def test_sniffing_unknown_names(head, expected):
    assert sniff(head).name == expected


def test_line_parser_batches():
    parser = LineParser(BY_NAME["kernel_run.log"], UTC)
    records = parser.parse([(1, 0, b"[WAVE 1] Starting"), (3, 20, b"BLOCKED: x")])
    assert [(r.line, r.offset, r.category) for r in records] == [
        (1, 0, "other"), (3, 20, "blocked")]
    assert parser.flush() == []


def batch_and_one_by_one(name: str, parse, lines: list[bytes]) -> tuple[list, list]:
    """A file's lines parsed as a batch (shortcut rows inline) and one by one."""
    ctx = ParseContext(timezone.utc)
    batch = LineParser(BY_NAME[name], ctx).parse(
        [(i + 1, i * 100, line) for i, line in enumerate(lines)])
    return list(batch), [parse(line, i + 1, i * 100, ctx) for i, line in enumerate(lines) if line]


def test_audit_rows_built_inline_are_the_rows_from_object_builds():
    batch, one_by_one = batch_and_one_by_one("api_audit.log", api_audit.parse, [
        b'{"timestamp": "2026-02-03T05:44:03", "event": "API_CALL_SUCCESS", "cost": 0.1}',
        b'{"event": "API_CALL_FAILURE", "error": "x"}',
        b'{"event": "BUDGET_EXCEEDED", "remaining": 0.01}',
        b'{"event": "RATE_LIMITED"}',
        b'{"event": "CONSTITUTIONAL_VIOLATION"}',
        b'{"event": "API_CALL_ATTEMPT"}',
        b'{"event": "TASK_BUDGET_EXCEEDED_HARD"}',
        b'{"event": ["API_CALL_SUCCESS"]}',
        b'{"no": "event"}',
        b'not json',
    ])
    assert batch == one_by_one
    assert isinstance(batch[0].raw, dict)  # the budget reads every row's object


def test_queue_rows_built_inline_are_the_rows_from_object_builds():
    batch, one_by_one = batch_and_one_by_one("execution_log.jsonl", execution.parse, [
        b'{"task_id": "t1", "status": "in_progress", "timestamp": "2026-02-10T01:02:03+00:00"}',
        b'{"task_id": "t1", "status": "failed", "errors": "No subtasks generated"}',
        b'{"task_id": "t2", "status": "requeue"}',
        b'{"task_id": "t2", "status": "subtask_failed"}',
        b'{"task_id": "t2", "status": "ready_for_merge"}',
        b'{"task_id": "t3", "status": "made_up_status"}',
        b'{"task_id": "t4", "status": "made_up_failed"}',
        b'{"task_id": "t4", "status": "made_up_status"}',  # worked out once for the batch
        b'{"task_id": "t3", "status": ""}',
        b'{"task_id": "t3", "status": ["failed"]}',
        b'{"task_id": "t3"}',
        b'not json',
    ])
    assert batch == one_by_one
    assert [record.severity for record in batch[:6]] == [
        "info", "error", "warning", "error", "ok", "info"]
    assert batch[6].severity == "error"
    # Built inline, a status no list has included: the batch's one copy of it.
    assert batch[5].category is batch[7].category
    assert isinstance(batch[0].raw, dict)  # the queue reads every row's object


def test_action_rows_built_inline_are_the_rows_from_object_builds():
    batch, one_by_one = batch_and_one_by_one("action_log.jsonl", actions.parse, [
        b'{"timestamp": "2026-02-03T05:44:03", "action_type": "TOOL", "action": "a"}',
        b'{"timestamp": "2026-02-03T05:44:04+00:00", "action_type": "ERROR", "detail": "x"}',
        b'{"action_type": "SAFETY", "action": "BLOCKED"}',
        b'{"action_type": "TEST", "detail": "0 pass, 2 fail"}',
        b'{"action_type": "", "action": "x"}',
        b'{"action_type": ["TOOL"]}',
        b'{"action": "no type"}',
        b'{"action_type": "NEW_KIND"}',
        b'not json',
        b"",
    ])
    assert batch == one_by_one
    assert [r.severity for r in batch][:4] == [INFO, ERROR, ERROR, ERROR]


SECONDS_STAMPS = [
    "2026-02-03T05:44:03.123456", "2026-02-03T05:44:59", "2026-02-03 05:44:03",
    "2026-02-03T05:44:03+02:00", "2026-02-03T05:44:03.5Z", "2026-02-03T05:44:03.123-05:30",
    "2026-03-29T02:30:00", "2026-03-29T03:30:00.25", "2026-10-25T02:30:00.5",
    "2026-10-25T01:59:59.999", "2026-02-03T05:44:61", "2026-02-03T05:44:00,5",
    "2026-02-03T05:44:00.", "2026-02-03T05:44:03.1234567", "2026-02-03T05:44:5",
    "2026-02-03T05:44:0\u00b2", "garbage-but-long:xx", "", None, 12,
    "2026-02-03T05:44:03.25+05:30:15", "2026-02-03T05:44:03+0530", "2026-02-03T05:44:03.5-03",
    "2026-02-03T05:44:03.5 ", "2026-02-03T05:44:03.5+00:00x", "1969-12-31T23:59:59.25",
    "0001-01-01T00:00:00.5", "2026-03-08T02:30:00", "2026-11-01T01:30:00.5",
    "9999-12-31T23:59:59", "9999-12-31T23:59:59+14:00", "2999-12-31T23:59:59-12:00",
]


@pytest.mark.parametrize("host_zone", ["UTC", "Europe/Berlin", "America/New_York"])
def test_epoch_seconds_of_a_stamp_are_the_parsed_time(host_zone, monkeypatch):
    # Naive stamps in the host's zone are cached per minute written (DST gaps
    # and overlaps included): the same float as making each aware.
    monkeypatch.setenv("TZ", host_zone)
    time.tzset()
    try:
        minutes = values.EpochMinutes()  # one for every zone: a minute is kept per zone
        for zone in (timezone.utc, timezone(timedelta(hours=-7)), ZoneInfo("Europe/Berlin"),
                     ZoneInfo("America/New_York"), ZoneInfo("Asia/Kathmandu"),
                     timezone(timedelta(hours=5, minutes=30, microseconds=250)), None):
            for _ in range(2):  # the second time from the cache
                for stamp in SECONDS_STAMPS:
                    parsed = values.timestamp(stamp, zone) if isinstance(stamp, str) else None
                    expected = parsed.timestamp() if parsed is not None else None
                    assert minutes.seconds(stamp, zone) == expected, (stamp, zone)
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("stamp", [
    "9999-12-31T23:59:59", "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-12:00", "1899-12-31T23:59:59Z", "3000-01-01T00:00:00"])
def test_a_time_outside_the_years_placed_is_no_time(stamp):
    # Near datetime's own bounds a zone, a bin or a day added overflowed: a
    # line stamped 9999-12-31 ended the monitor at the audit pane's strip.
    minutes = values.EpochMinutes()
    for zone in (timezone.utc, timezone(timedelta(hours=14)), None):
        assert values.timestamp(stamp, zone) is None
        assert minutes.seconds(stamp, zone) is None and minutes.of(stamp, zone) is None
    assert values.timestamp("2999-12-31T23:59:59-12:00", None).year == 2999
    assert values.timestamp("1900-01-01T00:00:00", timezone.utc).year == 1900


@pytest.mark.parametrize("stamp", [
    "2026-02-03T05:44:03.123456", "2026-02-03T05:44:59", "2026-02-03 05:44:03",
    "2026-02-03T05:44:03+02:00", "2026-02-03T05:44:03.5Z", "2026-02-03T05:44:03.123-05:30",
    "2026-03-29T02:30:00", "2026-02-03T05:44:5", "garbage-but-long:xx", "", None, 12,
    "9999-12-31T23:59:59", "2999-12-31T23:59:59-12:00",
])
def test_epoch_minute_of_a_stamp_is_the_parsed_time_minute(stamp):
    # Cached per minute written; must agree with parsing each stamp whole.
    minutes = values.EpochMinutes()
    for zone in (timezone.utc, timezone(timedelta(hours=-7)), None):
        parsed = values.timestamp(stamp, zone) if isinstance(stamp, str) else None
        expected = int(parsed.timestamp() // 60) if parsed is not None else None
        assert minutes.of(stamp, zone) == expected
        assert minutes.of(stamp, zone) == expected  # from the cache


def test_the_collector_stays_paused_until_the_last_overlapping_pause_ends():
    """Backlog readers in two threads pause it at once: the first to leave
    must not turn it back on under the other (gc.disable is process-wide)."""
    import gc

    from vivtui.parsing.kinds import gc_paused

    assert gc.isenabled()
    first, second = gc_paused(), gc_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
    gc.disable()  # one already off stays off
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


SHAPES = ["2026-02-04T01:02:03.123456", "2026-02-04T01:02:03", "2026-02-04T01:02:03Z",
          "2026-02-04T01:02:03.5+01:00", "2026-02-04T01:02:03.1-0500", "2026-02-04T01:02",
          "2026-02-04T01:0203.1234567", "2026-02-04T01:02:٣3.1", "2026-02-04T01:02:03..1"]


@st.composite
def stamp_batches(draw):
    """Stamps of one shape (a producer's batch), some changed at a character,
    with now and then one of another shape or no string at all."""
    shape = draw(st.sampled_from(SHAPES))
    stamps = []
    for _ in range(draw(st.integers(1, 6))):
        stamp = shape
        if draw(st.booleans()):
            at = draw(st.integers(0, len(shape) - 1))
            stamp = shape[:at] + draw(st.sampled_from("0123456789Z.x-+:")) + shape[at + 1:]
        stamps.append(draw(st.one_of(st.just(stamp), st.sampled_from([*SHAPES, 5, None])))
                      if draw(st.integers(0, 9)) == 0 else stamp)
    return stamps


@given(stamp_batches())
def test_a_batchs_minutes_written_are_each_stamps_minute_written(stamps):
    """Cut in C for a batch of one shape, else stamp by stamp: the same."""
    from vivtui.parsing.values import minute_written, minutes_written
    minutes, zones = minutes_written(stamps)
    assert list(zip(minutes, zones)) == [minute_written(stamp) or (None, None)
                                         for stamp in stamps]


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=3))


@given(st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]), _VALUES), max_size=5),
       st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=4).map(tuple))
def test_columns_are_each_names_value_in_each_object_none_where_it_has_none(objects, names):
    """Taken in C when every object has every name, else a pass per name: the same."""
    from vivtui.parsing.values import columns
    assert columns(objects, names) == [[obj.get(name) for obj in objects] for name in names]


@given(st.lists(_VALUES, max_size=6), st.sampled_from([int, float, str, bool, type(None)]))
def test_all_are_is_each_value_exactly_of_the_type(values, kind):
    """Counted in C: a subclass (True of int) is not the type."""
    from vivtui.parsing.values import all_are
    assert all_are(values, kind) == all(type(value) is kind for value in values)
