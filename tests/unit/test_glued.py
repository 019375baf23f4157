"""Records glued together on one line (a torn write, a crash's NUL block,
a missing newline): each record read, the text between them malformed."""

from __future__ import annotations

import json
import random
import shutil
from datetime import timezone
from types import SimpleNamespace

import pytest

from vivtui.demo import write_forever
from vivtui.export import record_json
from vivtui.ingest.feeds import Feed
from vivtui.ingest.layout import read_back_from, rows_between
from vivtui.parsing import api_audit, glued, sessions
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import ACTION_JSONL, LineParser, spec_for_name
from vivtui.parsing.record import glued_row
from vivtui.sources import json_dialect
from vivtui.sources.fileview import FileView
from vivtui.store.filerows import FileRows
from vivtui.store.run import RunStore
from vivtui.store.scan import RowScan, RowSeek
from vivtui.summary import collect, summary_dict
from vivtui.ui.panes.query import FileQuery

AUDIT = spec_for_name("api_audit.log")


def call(second: int, cost: float = 0.5) -> bytes:
    return json.dumps({"timestamp": f"2026-02-03T21:00:0{second}.25", "event": "API_CALL_SUCCESS",
                       "user": "Nova-22", "model": "gpt-4o-mini", "cost": cost,
                       "input_tokens": 10, "output_tokens": 5, "call_type": "task"}).encode()


def action(detail: str, metadata: dict | None = None) -> bytes:
    return json.dumps({"timestamp": "2026-02-03T05:44:03.267+00:00", "actor": "Beam-31",
                       "action_type": "TOOL", "action": "write_file", "detail": detail,
                       "session_id": "session_1", "metadata": metadata}).encode()


def parse(spec, lines: list[bytes], first_offset: int = 1000):
    places, at = [], first_offset
    for number, data in enumerate(lines, 1):
        places.append((number, at, data))
        at += len(data) + 1
    return list(LineParser(spec, ParseContext(timezone.utc)).parse(places))


def test_a_record_written_after_a_torn_one_is_read_at_its_own_offset():
    torn = call(1)[:60]
    records = parse(AUDIT, [call(0), torn + call(2), call(3)])
    assert [(r.line, r.offset, r.malformed) for r in records] == [
        (1, 1000, False), (2, 1000 + len(call(0)) + 1, True),
        (2, 1000 + len(call(0)) + 1 + len(torn), False), (3, records[3].offset, False)]
    assert records[1].note == "not JSON, glued to a record on this line"
    assert records[1].raw == torn.decode()
    assert records[2].fields == json.loads(call(2))


def test_whole_records_glued_without_a_newline_are_each_read():
    records = parse(AUDIT, [call(0) + call(1) + b" " + call(2)])
    assert [r.malformed for r in records] == [False, False, False]
    assert [r.offset - 1000 for r in records] == [0, len(call(0)), 2 * len(call(0)) + 1]
    assert [r.fields["timestamp"][-5:] for r in records] == ["00.25", "01.25", "02.25"]


def test_a_crashs_nul_block_before_a_record_is_named():
    records = parse(AUDIT, [b"\x00" * 4096 + call(1)])
    assert [r.malformed for r in records] == [True, False]
    assert records[0].note == "not JSON: NUL bytes (left by a crash?), glued to a record on this line"
    assert records[1].offset == 1000 + 4096
    assert records[0].raw == "(4096 NUL bytes)"


def test_a_torn_records_nul_block_is_said_by_its_length_and_its_row_names_what_follows():
    """A crash tears a record and leaves a NUL block; the writer's next record
    follows it on the line. The damage row said "Bea" and 300 marks (at 120
    columns, nothing else), and that a record came after it only in its note."""
    from vivtui.ui import render

    damage = call(0)[:60] + b"\x00" * 300
    records = parse(AUDIT, [damage + call(1), call(2)[:30] + b"\x00" * 3 + b"x"])
    assert records[0].malformed and not records[1].malformed
    assert records[0].raw == call(0)[:60].decode() + "⟨300 NUL bytes⟩"
    assert records[2].raw == call(2)[:30].decode() + "\x00\x00\x00x"  # (a few: the screen's marks)
    row = render.malformed_row(glued_row(records[0], [records[1]]), 400, "api_audit.log").plain
    assert "api_audit.log:1 (+1 record after it) not JSON, glued to a record" in row
    assert row.rstrip().endswith("⟨300 NUL bytes⟩")
    alone = parse(AUDIT, [damage])  # (nothing after it: one malformed line, said the same)
    assert alone[0].malformed and alone[0].raw == records[0].raw


def test_an_object_inside_a_torn_record_is_not_taken_for_a_record():
    # Torn just after its metadata object: that object follows a ':'.
    torn = action("x", {"model": "llama"})[:-1]
    assert torn.endswith(b'{"model": "llama"}')
    records = parse(ACTION_JSONL, [torn + action("after"), b'[{"a": 1}, {"b": 2}] {"c"'])
    assert [(r.malformed, r.offset - 1000) for r in records[:2]] == [(True, 0), (False, len(torn))]
    assert records[1].fields["detail"] == "after"
    # Objects in an array are inside it: the line stays one malformed record.
    assert records[2].malformed and records[2].note == "not JSON"


@pytest.mark.parametrize("tear", [b'"cost": ', b'"cost":', b'"user": "Nova-22", ',
                                  b'"files": [', b'"files": [1, '])
def test_a_record_written_just_after_a_colon_comma_or_bracket_is_read(tear):
    torn = call(0)[:40] + b'", ' + tear
    records = parse(AUDIT, [torn + call(1), torn + call(1) + call(2)])
    assert [(r.line, r.malformed) for r in records] == [
        (1, True), (1, False), (2, True), (2, False), (2, False)]
    assert records[1].offset == 1000 + len(torn)
    assert [r.fields["timestamp"][-5:] for r in records[3:]] == ["01.25", "02.25"]


def test_a_value_inside_a_torn_record_that_begins_as_a_record_is_not_one():
    # Followed by more of the torn record: a value, and the record after it is read.
    torn = b'{"timestamp": "x", "last": ' + call(9) + b', "more": 1'
    found = glued.stretches(torn + call(1))
    assert [(first, value) for first, _, value in found] == [
        (0, json_dialect.NOT_JSON), (len(torn), json.loads(call(1)))]
    # Followed by text: the line is one malformed line.
    assert glued.stretches(b'{"timestamp": "x", "last": ' + call(9) + b' trailing') is None


def test_stretches_count_bytes_not_characters():
    first = action("caf\u00e9 \u2014 ok").replace(b"\\u00e9", "\u00e9".encode()).replace(
        b"\\u2014", "\u2014".encode())
    found = glued.stretches(first + action("next"))
    assert [(start, end) for start, end, _ in found] == [(0, len(first)),
                                                        (len(first), len(first) + len(action("next")))]
    assert found[0][2]["detail"] == "caf\u00e9 \u2014 ok"


@pytest.mark.parametrize("line", [
    b"plain text", call(1)[:50], call(1), b'{"a": {"b": 1}', b"[1, 2]",
    b'x {"a": 1}', b'ERROR: got {"error": "x"} from the API', b'{"a": 1} and text after',
])
def test_a_line_with_no_glued_records_is_left_to_the_usual_reading(line):
    # Text around an object is no torn record: the line is one malformed line.
    assert glued.stretches(line) is None


def test_a_hostile_line_of_starts_costs_bounded_work(monkeypatch):
    tried = []

    class Counting:
        @staticmethod
        def raw_decode(text, start):
            tried.append(start)
            return glued.json.JSONDecoder().raw_decode(text, start)

    monkeypatch.setattr(glued, "_DECODER", Counting)
    assert glued.stretches(b'{"' * 200_000) is None
    assert len(tried) == glued.MOST_STARTS
    assert glued.stretches(b'{"a' * 10 + call(1))[1][2] == json.loads(call(1))
    # The objects inside a record found are not looked at, nor counted.
    big = action("x", {"steps": [{"n": n} for n in range(2 * glued.MOST_STARTS)]})
    tried.clear()
    found = glued.stretches(big + call(1))
    assert [value["timestamp"][-5:] for _, _, value in found] == ["00:00", "01.25"]
    assert len(tried) == 2


def test_reading_back_a_glued_record_at_its_offset_finds_it():
    line = call(0)[:70] + call(1) + call(2)
    records = parse(AUDIT, [line], first_offset=0)
    for record in records:
        again = api_audit.parse(line[record.offset:], record.line, record.offset,
                                ParseContext(timezone.utc))
        assert again == record


def test_the_action_pane_shows_a_line_and_says_what_is_glued_on_it(tmp_path):
    path = tmp_path / "action_log.jsonl"
    path.write_bytes(action("one") + action("two") + b"\n" + action("three")[:40]
                     + action("four") + b"\n" + action("five") + b"\n")
    view = FileView(path)
    view.poll()
    rows = FileRows(view, LineParser(ACTION_JSONL, ParseContext(None)))
    assert len(rows) == 3
    assert (rows[0].fields["detail"], rows[0].glued_note) == ("one",
                                                              "+1 record glued on this line")
    assert rows[0].note == ""  # (a note on a well-formed record names a rotated copy)
    assert rows[1].malformed and "glued" in rows[1].note
    assert (rows[2].fields["detail"], rows[2].note) == ("five", "")
    assert [r.fields["detail"] for r in rows[0].glued] == ["two"]
    assert [r.fields["detail"] for r in rows[1].glued] == ["four"]
    # A search or filter passes a line by a record glued on it: its row.
    for detail, row in (("two", 0), ("four", 1), ("one", 0), ("five", 2)):
        scan = RowScan(rows, lambda record, detail=detail: record.fields.get("detail") == detail)
        scan.run()
        assert [scan.row_at(i) for i in range(len(scan))] == [row], detail
    seek = RowSeek(rows, 2, -1, lambda record: record.fields.get("detail") == "four")
    seek.run()
    assert seek.row() == 1
    # A saved view holds every record, the row's saying what is glued after it.
    query = FileQuery(lambda record: (record.fields.get("detail", ""),), lambda *_: None)
    view = SimpleNamespace(rows=(), set_rows=lambda shown: setattr(view, "rows", shown))
    view.set_rows(query.shown(rows))
    saved = [record_json(record, "action_log.jsonl")
             for record in query.saved(view, lambda *_: None)()]
    assert [body.get("detail") for body in saved] == ["one", "two", None, "four", "five"]
    assert saved[0]["_note"] == "+1 record glued on this line"
    assert "_note" not in saved[1] and "_note" not in saved[4]


def test_a_torn_line_no_longer_loses_spend_or_a_sessions_start():
    store = RunStore()
    store.apply("api", parse(AUDIT, [call(0), call(1)[:60] + call(2)]))
    assert (store.budget.succeeded, store.budget.cost) == (2, 1.0)
    start = json.dumps({"timestamp": "2026-02-03T21:00:00.1", "level": "INFO",
                        "message": "Session started", "context": {
                            "session_id": "session_1", "worker": "w1", "run": 1}}).encode()
    records = parse(spec_for_name("structured_logs.jsonl"), [start[:33] + start])
    assert [r.malformed for r in records] == [True, False]
    assert sessions.parse(start, 1, 0, ParseContext(timezone.utc)) == records[1]._replace(
        offset=0)


def test_rows_between_reads_a_batch_ending_in_a_glued_record_whole(tmp_path):
    path = tmp_path / "api_audit.log"
    glued_line = call(1)[:60] + call(2)
    path.write_bytes(call(0) + b"\n" + glued_line + b"\n")
    feed = Feed([(AUDIT, path)], timezone.utc)
    rows = parse(AUDIT, [call(0), glued_line], first_offset=0)
    again = rows_between(feed, 1, 0, rows[-1].offset)
    assert [tuple(row) for row in again] == [tuple(row) for row in rows]


def damaged(lines: list[bytes], rng: random.Random) -> tuple[bytes, int]:
    """``lines`` with some records glued to the whole record before them, some
    after a torn record's start, some after a crash's NULs; and how many torn
    starts and NUL blocks went in (each a malformed record)."""
    out, bad, whole_before = b"", 0, False
    for line in lines:
        whole = json_dialect.loads(line).__class__ is dict
        roll = rng.random()
        if whole and whole_before and roll < 0.2:
            out = out[:-1] + line + b"\n"  # the newline before it lost
        elif whole and roll < 0.35:
            donor = rng.choice([line for line in lines if len(line) > 1])
            torn = donor[:rng.randrange(1, len(donor))]
            out, bad = out + torn + line + b"\n", bad + 1
        elif whole and roll < 0.45:
            out, bad = out + b"\x00" * rng.randrange(1, 5000) + line + b"\n", bad + 1
        else:
            out += line + b"\n"
        whole_before = whole
    return out, bad


@pytest.mark.parametrize("seed", range(4))
def test_a_run_with_glued_lines_reports_what_it_reports_whole(tmp_path, seed):
    whole_run, glued_run = tmp_path / "whole", tmp_path / "glued"
    write_forever(whole_run, rate=0, limit=500)
    shutil.copytree(whole_run, glued_run)
    rng, added = random.Random(seed), {}
    for name in ("action_log.jsonl", "structured_logs.jsonl", "execution_log.jsonl",
                 "api_audit.log"):
        data, added[name] = damaged((whole_run / name).read_bytes().splitlines(), rng)
        (glued_run / name).write_bytes(data)
    layout, store = collect(glued_run)
    hurt, whole = summary_dict(layout, store), summary_dict(*collect(whole_run))
    # Each session's events are read back from their glued lines at their offsets.
    read_back_from(layout, store, None)
    tracker = store.sessions
    events = [(session, event) for session in tracker.sessions
              for event in (session.began, session.ended) if event is not None]
    assert len(events) > 100
    assert all(tracker.event_at(session, event) is not None for session, event in events)
    assert sum(added.values()) > 20
    for name, count in added.items():
        assert hurt["files"][name]["records"] == whole["files"][name]["records"]
        assert hurt["files"][name]["malformed"] == whole["files"][name]["malformed"] + count
    for section in ("actions", "sessions", "tasks", "budget", "safety", "performance", "run"):
        if section == "actions":
            hurt[section]["by_type"].pop("MALFORMED", None)
            whole[section]["by_type"].pop("MALFORMED", None)
        assert hurt[section] == whole[section], section
    assert {**hurt["api"], "bad_values": []} == {**whole["api"], "bad_values": []}
