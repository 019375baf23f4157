"""Long lines: decoded by a helper process in the screen's process, their
values cut to a bound, the same wherever they are read."""

from __future__ import annotations

import json
import os
import re
import sys

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vivtui.parsing import jsonline, long_lines
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import BY_NAME, LineParser
from vivtui.parsing.pruned import CUT_KEY, pruned
from vivtui.parsing.recent_big import RecentBig
from vivtui.parsing.record import Record
from vivtui.sources import elsewhere, json_values
from vivtui.sources.json_dialect import NOT_JSON

# (No "…" in its strings: a cut's mark is told from the value's own by it.)
TEXT = st.text(st.characters(blacklist_characters="…"), max_size=5)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(TEXT, inner, max_size=6),
    max_leaves=40)


def values_in(value) -> int:
    """The values inside ``value``'s containers, nested ones too."""
    if isinstance(value, dict):
        return len(value) + sum(map(values_in, value.values()))
    if isinstance(value, list):
        return len(value) + sum(map(values_in, value))
    return 0


def is_mark(item) -> bool:
    return isinstance(item, str) and item.startswith("… ") and item.endswith(" not read")


def kept_of(kept, whole) -> int:
    """Checks ``kept`` against ``whole`` item by item (each cut container ends
    with a mark of how many it left); the values it kept, marks left out."""
    if not isinstance(whole, (dict, list)):
        assert kept == whole
        return 0
    assert type(kept) is type(whole)
    cut = bool(kept) and (CUT_KEY in kept if isinstance(kept, dict) else is_mark(kept[-1]))
    items = list(kept)[:-1] if cut else list(kept)
    if isinstance(whole, dict):
        assert items == list(whole)[:len(items)]
        pairs = [(kept[key], whole[key]) for key in items]
    else:
        assert len(items) <= len(whole)
        pairs = list(zip(items, whole))
    left = len(whole) - len(items)
    assert cut == (left > 0)
    if cut:
        mark = kept[CUT_KEY] if isinstance(kept, dict) else kept[-1]
        said = "field" if isinstance(kept, dict) else "item"
        assert mark == f"{'' if isinstance(kept, dict) else '… '}{left:,} more {said}" \
            f"{'s' if left > 1 else ''} not read"
    return len(pairs) + sum(kept_of(k, w) for k, w in pairs)


def most_items_in(value) -> int:
    if isinstance(value, dict):
        return max([len(value), *map(most_items_in, value.values())])
    if isinstance(value, list):
        return max([len(value), *map(most_items_in, value)])
    return 0


@settings(max_examples=300, deadline=None)
@given(JSON, st.integers(0, 30), st.integers(1, 7))
def test_a_value_is_cut_to_the_bounds_breadth_first_and_says_how_much_it_left(value, most,
                                                                              items):
    kept = pruned(value, most, items)
    if values_in(value) <= most and most_items_in(value) <= items:
        assert kept == value
    else:
        assert kept != value
    assert kept_of(kept, value) <= most and most_items_in(kept) <= items + 1  # (+ its mark)
    if isinstance(value, (dict, list)):  # breadth first: a record's own fields come first
        assert kept_of(kept, value) >= min(most, len(value), items)
    assert pruned(value, most, items) == kept  # (the same cut each time it is read)


def test_a_hostile_lines_millions_of_objects_are_kept_to_the_bound():
    data = b'{"timestamp": "2026-02-04T19:11:00", "details": {"many": [' + b",".join(
        [b"{}"] * 200_000) + b'], "after": "tail"}}'
    value = long_lines.long_value(data)
    assert value["timestamp"] == "2026-02-04T19:11:00" and value["details"]["after"] == "tail"
    many = value["details"]["many"]
    assert len(many) == 1000 + 1 and many[-1] == f"… {200_000 - 1000:,} more items not read"


@pytest.fixture(autouse=True)
def no_kept_decodings(monkeypatch):
    """(What the screen's process keeps of long lines is the process's: each
    test starts with none.)"""
    monkeypatch.setattr(jsonline, "_DECODED", RecentBig(by_content=True))


@pytest.fixture
def helper():
    elsewhere.use_helper()
    yield
    elsewhere.stop()


def test_the_screens_process_has_its_long_lines_decoded_by_a_helper(helper):
    data = b'{"a": [' + b",".join([b'{"b": 1}'] * 70_000) + b"]}"
    assert elsewhere.run(long_lines.long_value, data) == long_lines.long_value(data)
    helper_process = elsewhere._HELPER._process
    assert helper_process is not None and helper_process.pid != os.getpid()
    assert helper_process.poll() is None  # kept for the next long line
    assert elsewhere.run(long_lines.long_value, b"[1, NaN]")[0] == 1  # (python's dialect)
    assert elsewhere.run(long_lines.long_value, b"{oops") is NOT_JSON  # (the same sentinel)


def test_a_helper_that_dies_is_said_and_a_new_one_taken_next(helper):
    with pytest.raises(elsewhere.Unfinished, match="ended"):
        elsewhere.run(sys.exit, b"3")  # (the helper exits as it works)
    with pytest.raises(elsewhere.Unfinished, match="failed: JSONDecodeError"):
        elsewhere.run(orjson.loads, b"{oops")
    assert elsewhere.run(orjson.loads, b'{"a": 1}') == {"a": 1}


def test_other_processes_and_a_fork_s_child_decode_in_place(helper):
    elsewhere._HELPER.owner = os.getpid() + 1  # (as in a fork's child)
    try:
        assert elsewhere.run(os.fsencode, "x") == b"x" and elsewhere._HELPER._process is None
        assert not elsewhere.in_use()
    finally:
        elsewhere._HELPER.owner = os.getpid()  # (the helper fixture's, ended by it)


def by_the_helper(monkeypatch, make):
    """What ``make()`` makes with the screen's process's helper in use, and
    the work it was asked to do."""
    elsewhere.use_helper()
    try:
        asked = []
        real = elsewhere.run
        monkeypatch.setattr(elsewhere, "run", lambda work, data: asked.append(work) or real(
            work, data))
        return make(), asked
    finally:
        elsewhere.stop()


def _rows(data: bytes, name: str = "execution_log.jsonl") -> list[Record]:
    return list(LineParser(BY_NAME[name], ParseContext(None)).parse([(3, 100, data)]))


@pytest.mark.parametrize("name", ["execution_log.jsonl", "action_log.jsonl",
                                  "structured_logs.jsonl", "api_audit.log"])
def test_a_long_lines_rows_are_the_same_from_the_helper_as_in_place(name, monkeypatch):
    many = b",".join([b'{"k": "v"}'] * 120_000)
    lines = [
        b'{"task_id": "t1", "status": "failed", "action_type": "ERROR", "event": "api_call",'
        b' "timestamp": "2026-02-04T19:11:00", "details": [' + many + b"]}",
        b'{"task_id": "t2", "cost": NaN, "x": [' + many + b"]}",  # python's dialect
        b'{"task_id": "t3", "x": [' + many + b']}{"task_id": "t4"}',  # glued
        b"[" + many + b"]",  # not an object
        b'{"task_id": "t5", "x": [' + many,  # cut short
    ]
    assert all(len(data) > long_lines.LONG_LINE for data in lines)
    in_place = [_rows(data, name) for data in lines]
    made, asked = by_the_helper(monkeypatch, lambda: (
        [_rows(data, name) for data in lines], _rows(b'{"task_id": "short"}', name)))
    # (compared as written: a NaN is not equal to itself)
    assert repr(made[0]) == repr(in_place) and made[1]
    assert asked == [jsonline.long_line_parts] * len(lines)  # (not the short one)
    first, nan, (glued, glued_on), array, cut_short = in_place
    details = first[0].fields["details"]
    assert not first[0].malformed and len(details) == 1000 + 1 and details[0] == {"k": "v"}
    assert not nan[0].malformed and nan[0].fields["task_id"] == "t2"
    assert glued.fields["task_id"] == "t3" and glued_on.fields["task_id"] == "t4"
    assert glued_on.offset == 100 + lines[2].index(b'{"task_id": "t4"}')
    assert array[0].malformed and array[0].note == "JSON array, not an object"
    assert cut_short[0].malformed and cut_short[0].note == "not JSON"


def test_a_line_of_too_many_values_is_malformed_and_says_so_unread_and_long_text_is_read(
        monkeypatch):
    """Decoded, a 45 MB line of 15 million objects took 1.4 GB wherever it
    was (``vivtui summary``: 1,407,996 KB, now 159,304 KB)."""
    most = json_values.MOST_VALUES
    hostile = b'{"task_id": "t1", "x": [' + b"{}," * most + b"{}]}"
    row = _rows(hostile)[0]
    # (4 more, and one for each empty container a megabyte's step cut: a bound)
    assert row.malformed and re.fullmatch(
        r"not read: about 2,000,0\d\d values \(at most 2,000,000 are decoded\)", row.note)
    assert long_lines.value_of(hostile) is NOT_JSON
    # Commas in a string are no values; nor are empty containers' insides.
    text = b'{"task_id": "t2", "log": "' + b'a,\\"b\\",' * most + b'", "e": [[], {}]}'
    assert json_values.too_many_values(text) is None
    read = _rows(text)[0]
    assert not read.malformed and read.fields["task_id"] == "t2" and read.fields["e"] == [[], {}]
    # In the screen's process, its strings are taken out by the helper (a regex
    # over 150 MB held the GIL): the same answer.
    made, asked = by_the_helper(monkeypatch, lambda: json_values.too_many_values(text))
    assert made is None and asked == [json_values._values_outside_strings]
    nested = b"[" + b"[1,2]," * (most // 2) + b"[1]]"  # (2 values an item, and the list)
    assert json_values.too_many_values(nested) is not None
    assert json_values.too_many_values(nested[:len(nested) // 2] + b"]") is None


def test_a_long_kernel_line_is_classed_whole_by_the_helper_and_holds_its_start(monkeypatch):
    """Decoded and searched in the screen's process, a 45 MB kernel line held
    its GIL for 240 ms (a stall of 318 ms): the helper classes it, on the
    whole line, and its record holds the first ``LONG_LINE`` characters."""
    from vivtui.parsing import kernel
    from vivtui.parsing.record import same_line

    words = b"word " * (long_lines.LONG_LINE // 5 + 10)
    lines = [(1, 0, b"[1] START x"), (2, 12, words + b"FAILED at its end"),
             (3, 40, b" " * (long_lines.LONG_LINE + 1)), (4, 50, b"[1] DONE")]
    in_place = _rows_of_kernel(lines)
    made, asked = by_the_helper(monkeypatch, lambda: _rows_of_kernel(lines))
    assert repr(made) == repr(in_place)
    assert asked == [kernel.long_line_parts] * 2  # (the blank one: no record)
    start, long, done = in_place
    assert (start.line, long.line, done.line) == (1, 2, 4)
    assert long.category == kernel.ERRORED and long.severity == "error"  # (judged whole)
    left = len(words) + len("FAILED at its end") - long_lines.LONG_LINE
    assert long.raw == words[:long_lines.LONG_LINE].decode() + \
        f"… ({left:,} more characters not read)"
    assert same_line(long, lines[1][2]) and not same_line(long, words + b"other end")
    assert done.severity == "ok" and start.raw == "[1] START x"


def test_a_long_line_of_the_text_action_log_is_taken_in_by_its_start():
    """Split, stripped and judged whole on the tail loop, a 48 MB entry held
    the screen 85 ms (and 58 ms): its record holds its first ``LONG_LINE``
    characters, and how many more it had."""
    detail = b"word " * (long_lines.LONG_LINE // 5 + 100)
    entry = b"Fri 17:32:00 | Nova-22 | TOOL | big_output | " + detail
    records = list(LineParser(BY_NAME["action_log.log"], ParseContext(None)).parse(
        [(1, 0, b"ACTION LOG STARTED: 2026-12-04T17:00:00"), (2, 40, entry),
         (3, 40 + len(entry) + 1, b"Fri 17:33:00 | Nova-22 | TOOL | next | d")]))
    long = records[0]
    said = long.fields["detail"]
    left = len(entry) - long_lines.LONG_LINE
    assert said.endswith(f"… ({left:,} more characters not read)") and said.startswith("word word")
    assert len(said) < long_lines.LONG_LINE and long.fields["action"] == "big_output"
    assert long.category == "TOOL" and long.line == 2


def _rows_of_kernel(lines: list[tuple[int, int, bytes]]) -> list[Record]:
    return list(LineParser(BY_NAME["kernel_run.log"], ParseContext(None)).parse(lines))


def test_a_long_line_kept_as_bytes_reads_back_as_the_record_it_was(helper):
    data = b'{"timestamp": "2026-02-04T19:11:00", "action_type": "ERROR", "details": [' + (
        b",".join([b"[1]"] * 300_000)) + b"]}"
    row = _rows(data, "action_log.jsonl")[0]
    assert row.raw == data  # (the action stream keeps the line, decoded when looked at)
    fields = row.fields
    assert fields["action_type"] == "ERROR" and fields["details"][-1].endswith("not read")
    assert fields == pruned(orjson.loads(data))


def test_a_long_line_whose_helper_died_is_malformed_and_says_so(monkeypatch):
    def died(work, data):
        raise elsewhere.Unfinished("the process decoding it ended (out of memory?)")

    monkeypatch.setattr(elsewhere, "run", died)
    data = b'{"task_id": "t1", "x": "' + b"y" * (long_lines.LONG_LINE + 1) + b'"}'
    row = _rows(data)[0]
    assert row.malformed
    assert row.note == "not read: the process decoding it ended (out of memory?)"
    assert long_lines.value_of(data) is NOT_JSON


def test_a_long_lines_object_is_decoded_once_for_its_record_and_its_fields(helper,
                                                                         monkeypatch):
    data = b'{"timestamp": "2026-02-04T19:11:00", "action_type": "ERROR", "detail": "' + (
        b"d" * long_lines.LONG_LINE) + b'"}'
    asked = []
    real = elsewhere.run
    monkeypatch.setattr(elsewhere, "run", lambda work, line: asked.append(work) or real(
        work, line))
    row = _rows(data, "action_log.jsonl")[0]
    assert row.fields["detail"] == "d" * long_lines.LONG_LINE and len(asked) == 1


def test_a_long_glued_lines_torn_stretch_is_judged_by_the_helper(helper, monkeypatch):
    # Why a torn record is not JSON is found by decoding it again (its depth):
    # a hostile one's millions of objects, on the screen's process, held it.
    torn = b'{"task_id": "t2", "x": [' + b",".join([b"{}"] * 400_000)
    data = b'{"task_id": "t1"}' + torn
    assert len(data) > long_lines.LONG_LINE
    elsewhere.stop()
    in_place = _rows(data)
    elsewhere.use_helper()

    def decoded_here(data):
        raise AssertionError("judged on the screen's process")

    monkeypatch.setattr(jsonline, "why_not_json", decoded_here)
    assert repr(_rows(data)) == repr(in_place)
    whole, cut = in_place
    assert whole.fields == {"task_id": "t1"} and cut.malformed and cut.offset == 100 + 17
    assert cut.note == "not JSON, glued to a record on this line"


def test_a_json_line_too_big_for_a_message_is_sent_as_its_record_cut_to_fit():
    from vivtui.parsing.fitted import fitted

    big = orjson.dumps({"timestamp": "2026-02-04T19:11:00", "event": "api_call",
                        "cost_usd": 0.25, "response": "r" * 3_000_000, "model": "m"})
    made = fitted(big, 1 << 20)
    assert made is not None and len(made) <= 1 << 20
    value = orjson.loads(made)
    assert {key: value[key] for key in ("timestamp", "event", "cost_usd", "model")} == {
        "timestamp": "2026-02-04T19:11:00", "event": "api_call", "cost_usd": 0.25,
        "model": "m"}
    kept = value["response"].index("…")
    assert value["response"] == "r" * kept + f"… ({3_000_000 - kept:,} more characters not read)"
    many = orjson.dumps({"event": "api_call", "items": [{"text": "t" * 100}] * 30_000})
    made = fitted(many, 1 << 20)
    assert made is not None and len(made) <= 1 << 20
    items = orjson.loads(made)["items"]
    assert items[0] == {"text": "t" * 100} and items[-1].endswith(" more items not read")
    assert fitted(b"[" + b"1," * 600_000 + b"1]", 1 << 20) is None  # (not an object: cut)
    assert fitted(b"not json " * 200_000, 1 << 20) is None
    hostile = b'{"event": "api_call", "x": [' + b"{}," * json_values.MOST_VALUES + b"{}]}"
    assert fitted(hostile, 1 << 20) is None  # (not decoded: malformed wherever it is read)


# Keys compared as written: a lone surrogate is read as U+FFFD (``json_dialect``,
# tested there), which Hypothesis found here as a failing example.
KEYS = st.text(st.characters(blacklist_characters="…", blacklist_categories=("Cs",)),
               max_size=5)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(KEYS, JSON, max_size=8), st.integers(200, 2000))
def test_a_fitted_line_fits_or_is_none(value, most):
    from vivtui.parsing.fitted import fitted

    made = fitted(json.dumps(value).encode(), most)  # (python's json: ints past 64 bits)
    if made is not None:
        assert len(made) <= most and list(orjson.loads(made))[:1] == list(value)[:1]


def test_the_helper_stopped_ends_the_wait_of_a_line_it_is_decoding(helper):
    # (At the monitor's exit: not after a hostile line's seconds of decoding.)
    import threading

    data = b'{"a": [' + b",".join([b"{}"] * 3_000_000) + b"]}"
    got = []
    thread = threading.Thread(target=lambda: got.append(_outcome(data)))
    thread.start()
    while elsewhere._HELPER._process is None and thread.is_alive():
        thread.join(0.01)
    elsewhere.stop()
    thread.join(30)
    assert got == ["unfinished"]


def _outcome(data: bytes) -> str:
    try:
        elsewhere.run(long_lines.long_value, data)
    except elsewhere.Unfinished:
        return "unfinished"
    return "decoded"
