"""JSON as Python's json module writes it (NaN, Infinity, lone surrogate
escapes), which orjson refuses: read, not shown as malformed, and never a
traceback further on."""

from __future__ import annotations

import json
import math

import orjson
import pytest

from vivtui.cli import main
from vivtui.export import write_records
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import LineParser, sniff, spec_for_name
from vivtui.parsing.record import pack, same_line
from vivtui.parsing.values import text
from vivtui.sources import json_dialect

LONE = "bad byte \udcff here"  # what text decoded with surrogateescape holds
UTC = ParseContext()


def python_line(obj: dict) -> bytes:
    """As the producers write a line (json.dumps: allow_nan, ensure_ascii)."""
    return json.dumps(obj).encode()


def parse(name: str, *objs: dict):
    lines = [(n, n * 100, python_line(obj)) for n, obj in enumerate(objs, 1)]
    return list(LineParser(spec_for_name(name)).parse(lines))


def test_python_writes_what_orjson_refuses():
    # The premise: if orjson ever reads these, the fallback is dead code.
    for value in (math.nan, math.inf, -math.inf, LONE):
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(python_line({"v": value}))


def test_non_finite_numbers_and_lone_surrogates_are_read():
    line = python_line({"a": math.nan, "b": [math.inf, -math.inf], LONE: {"c": LONE},
                        "pair": "\U0001f600"})
    value = json_dialect.loads(line)
    assert math.isnan(value["a"]) and value["b"] == [math.inf, -math.inf]
    mended = "bad byte \ufffd here"
    assert value[mended] == {"c": mended}  # keys too
    assert value["pair"] == "\U0001f600"  # a surrogate pair is one character
    assert orjson.dumps(value)  # writable again (as rows are packed)


@pytest.mark.parametrize("data", [
    b'{"a": NaN',  # cut short: a line still being written
    b'{"a": Nan}',
    b"NaN",  # not an object or array
    b"plain text with Infinity in it",
    b"[" * 5000 + b'"\\udcff"' + b"]" * 5000,  # deeper than any parser goes
])
def test_what_is_not_json_stays_refused(data):
    assert json_dialect.loads(data) is json_dialect.NOT_JSON


def test_an_api_call_with_a_nan_cost_is_counted_and_its_cost_named(capsys, tmp_path):
    base = {"timestamp": "2026-02-03T21:00:00.251000", "event": "API_CALL_SUCCESS",
            "user": "w", "model": "m", "call_type": "x", "input_tokens": 1, "output_tokens": 2}
    costs = [math.nan, 0.5, math.inf, 0.25]
    (tmp_path / "api_audit.log").write_bytes(b"".join(
        python_line({**base, "cost": cost}) + b"\n" for cost in costs))
    assert main(["summary", str(tmp_path), "--json", "--tz", "UTC"]) == 0
    data = orjson.loads(capsys.readouterr().out)
    assert data["files"]["api_audit.log"]["malformed"] == 0
    assert data["api"]["calls"] == 4
    assert data["api"]["cost_usd"] == pytest.approx(0.75)
    assert [(bad["line"], bad["value"]) for bad in data["api"]["bad_values"]] == [
        (1, "NaN"), (3, "Infinity")]


def test_a_completion_with_a_nan_field_ends_its_session(capsys, tmp_path):
    start = {"timestamp": "2026-02-03T21:00:00.391000", "level": "INFO",
             "message": "GrindSession started", "worker_id": "w",
             "context": {"session_id": 1, "run": 1, "task": LONE}}
    end = {**start, "timestamp": "2026-02-03T21:00:09.391000",
           "message": "GrindSession completed",
           "context": {"session_id": 1, "run": 1, "elapsed_seconds": math.nan,
                       "returncode": 0, "success": True}}
    (tmp_path / "structured_logs.jsonl").write_bytes(
        python_line(start) + b"\n" + python_line(end) + b"\n")
    assert main(["summary", str(tmp_path), "--json", "--tz", "UTC"]) == 0
    sessions = orjson.loads(capsys.readouterr().out)["sessions"]
    assert sessions == {**sessions, "started": 1, "completed": 1, "succeeded": 1,
                        "unfinished": 0}


def test_a_snapshot_with_a_lone_surrogate_is_read_not_a_traceback(capsys, tmp_path):
    entries = [{"timestamp": "2026-02-03T05:26:42.611004", "session_id": 1,
                "duration_seconds": math.nan, "success": True, "quality_score": 0.5,
                "task_description": LONE}]
    (tmp_path / "performance_history.json").write_text(json.dumps(entries))
    assert main(["summary", str(tmp_path), "--tz", "UTC"]) == 0
    assert "Performance: 1 entries (1 ok, 0 failed)" in capsys.readouterr().out


def test_a_line_kept_as_bytes_reads_back_whole():
    # The action log keeps its lines' bytes and decodes them when looked at.
    obj = {"timestamp": "2026-02-03T05:44:03.267+00:00", "actor": "A", "action_type": "TOOL",
           "action": "read", "detail": LONE, "budget_used": math.nan}
    record, = parse("action_log.jsonl", obj)
    assert not record.malformed and record.category == "TOOL"
    assert record.fields["detail"] == "bad byte \ufffd here"
    assert math.isnan(record.fields["budget_used"])
    assert same_line(record, python_line(obj))
    assert same_line(record._replace(raw=pack(record.fields)), python_line(obj))
    assert not same_line(record, python_line({**obj, "detail": "other"}))


def test_a_file_of_such_lines_is_known_by_its_first_line():
    head = python_line({"timestamp": "2026-02-03T21:00:00.251000", "event": "API_CALL_SUCCESS",
                        "user": "w", "cost": math.nan})
    assert sniff(head + b"\n").name == "api_audit.log"


@pytest.mark.parametrize("value, shown", [(math.nan, "NaN"), (math.inf, "Infinity"),
                                          (-math.inf, "-Infinity"), (0.5, "0.5")])
def test_a_number_is_shown_as_it_was_written(value, shown):
    assert text(value) == shown


def test_a_first_line_behind_a_byte_order_mark_is_read():
    # An editor that marks UTF-8 (older Notepad) saves a copied run's files so.
    obj = {"timestamp": "2026-02-03T05:44:03.267+00:00", "actor": "A", "action_type": "TOOL",
           "action": "read"}
    line = b"\xef\xbb\xbf" + python_line(obj)
    record, = LineParser(spec_for_name("action_log.jsonl")).parse([(1, 0, line)])
    assert not record.malformed and record.fields == obj
    assert sniff(line + b"\n").name == "action_log.jsonl"


def test_many_byte_order_marks_are_not_json_and_no_recursion():
    assert json_dialect.loads(b"\xef\xbb\xbf" * 100_000 + b"{}") is json_dialect.NOT_JSON


def test_a_line_read_by_pythons_parser_is_written_again_whole(tmp_path):
    # Python's parser keeps an integer past 64 bits exact, which orjson does not write.
    obj = {"timestamp": "2026-02-10T01:02:03.123456+00:00", "task_id": "t-1",
           "status": "failed", "budget_used": math.nan, "tokens": 1 << 70}
    record, = parse("execution_log.jsonl", obj)
    assert not record.malformed and record.fields["tokens"] == 1 << 70
    assert str(1 << 70) in record.line_text
    target = tmp_path / "saved.jsonl"
    assert write_records(target, [(record, "execution_log.jsonl")]) == 1
    saved = orjson.loads(target.read_bytes())
    assert (saved["tokens"], saved["budget_used"], saved["_line"]) == (str(1 << 70), None, 1)


def test_a_value_nested_deeper_than_any_producer_writes_is_cut_wherever_its_line_is_read():
    """A valid line of 1000 objects one in another raised RecursionError in
    the inspector (the monitor ended); orjson writes at most 254 levels."""
    from vivtui.parsing import actions, execution, sessions
    from vivtui.parsing.context import ParseContext
    from vivtui.parsing.jsonline import long_line_parts
    from vivtui.parsing.kinds import LineParser, spec_for_name
    from vivtui.parsing.long_lines import long_value
    from vivtui.parsing.record import to_json
    from vivtui.sources.json_depth import DEEPER, MOST_DEPTH
    from vivtui.ui.inspector import tree_lines

    def nested(levels: int) -> str:
        return '{"k":' * levels + '"leaf"' + "}" * levels

    def depth(value) -> int:
        return 1 + max(map(depth, value.values()), default=0) if isinstance(value, dict) else 0

    ctx = ParseContext(None)
    deep = nested(1000).encode()
    action = b'{"action_type": "TOOL", "details": ' + deep + b"}"
    task = b'{"task_id": "t1", "status": "failed", "errors": ' + deep + b"}"
    session = (b'{"message": "GrindSession started", "worker_id": "w", "context": '
               b'{"session_id": 1, "run": 1, "task": ' + deep + b"}}")
    records = [actions.parse(action, 1, 0, ctx), execution.parse(task, 1, 0, ctx),
               sessions.parse(session, 1, 0, ctx),
               *LineParser(spec_for_name("execution_log.jsonl")).parse([(1, 0, task)]),
               *LineParser(spec_for_name("structured_logs.jsonl")).parse([(1, 0, session)])]
    for record in records:
        assert not record.malformed
        assert depth(record.fields) == MOST_DEPTH
        assert DEEPER in to_json(record.fields).decode()  # (orjson writes it again)
        assert any(DEEPER in line for line, _, _ in tree_lines(record.fields))
    # A long line's value and parts (decoded by the helper), and a line orjson
    # refuses (a NaN) whose object its record keeps.
    long = b'{"pad": "' + b"x" * (2 << 20) + b'", "d": ' + deep + b"}"
    assert depth(long_value(long)) == depth(long_line_parts(long)[1]) == MOST_DEPTH
    refused = execution.parse(b'{"task_id": "t", "budget_used": NaN, "errors": '
                              + nested(300).encode() + b"}", 1, 0, ctx)
    assert not refused.malformed and depth(refused.fields) == MOST_DEPTH
    # A line too short to be walked deeper than the walks take is not looked at.
    short = b'{"d":' + b"[" * 195 + b"]" * 195 + b"}"
    record = execution.parse(short, 1, 0, ctx)
    assert len(short) <= 400 and to_json(record.fields) == short
    shown = list(tree_lines(record.fields))  # (the inspector shows as deep as a cut keeps)
    assert len(shown) == MOST_DEPTH + 1 and DEEPER in shown[-1][0]
    # As deep as the limit: kept whole.
    assert nested(MOST_DEPTH - 1).encode() in to_json(
        actions.parse(b'{"details": ' + nested(MOST_DEPTH - 1).encode() + b"}", 1, 0,
                      ctx).fields)


def test_a_value_made_deep_elsewhere_is_still_shown_and_written_without_recursing_past_it():
    # (Not decoded from a line, as a history's entries are read in pieces:
    # the inspector and the JSON written again bound it themselves.)
    from vivtui.parsing.record import to_json
    from vivtui.sources.json_depth import DEEPER
    from vivtui.ui.inspector import tree_lines
    value: dict = {"leaf": 1}
    for _ in range(900):
        value = {"k": value}
    assert sum(DEEPER in line for line, _, _ in tree_lines(value)) == 1
    assert DEEPER.encode() in to_json(value)
