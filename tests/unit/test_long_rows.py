"""A file's long lines: their rows made by a thread, never read where drawn."""

from __future__ import annotations

import os
import threading

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_fileview import index_in_chunks
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import ACTION_JSONL, BY_NAME, LineParser
from vivtui.parsing.record import UnreadRecord
from vivtui.sources import lineindex
from vivtui.sources.fileview import FileView
from vivtui.sources.lineindex import LineIndex, scan
from vivtui.store import filerows
from vivtui.store.filerows import FileRows


@settings(max_examples=80, deadline=None)
@given(lengths=st.lists(st.integers(0, 700), min_size=1, max_size=60),
       most=st.integers(1, 400), look=st.integers(1, 900),
       window=st.tuples(st.integers(0, 70), st.integers(0, 70)))
def test_a_capped_read_gives_short_lines_and_the_length_of_long_ones(
        tmp_path_factory, lengths, most, look, window):
    path = tmp_path_factory.mktemp("cap") / "f"
    lines = [bytes([97 + i % 26]) * n for i, n in enumerate(lengths)]
    data = b"".join(line + b"\n" for line in lines)
    path.write_bytes(data)
    index = LineIndex()
    index.add(data)
    first, stop = min(window), max(window)
    starts = [sum(len(line) + 1 for line in lines[:n]) for n in range(len(lines))]
    fd = os.open(path, os.O_RDONLY)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(lineindex, "LOOK_SIZE", look)  # a long line's end read in pieces
            got = index.read_capped(fd, first, stop, most)
    finally:
        os.close(fd)
    assert got == [(starts[n], line if len(line) <= most else len(line))
                   for n, line in enumerate(lines) if first <= n < stop]


def _run_with_long_line(tmp_path, size: int) -> tuple[FileView, list[bytes]]:
    lines = [orjson.dumps({"timestamp": f"2026-02-03T05:44:{n:02d}+00:00", "actor": "A",
                           "action_type": "ERROR" if n == 7 else "TOOL", "action": "x",
                           "detail": ("q" * size) if n == 7 else f"d{n}"}) for n in range(12)]
    path = tmp_path / "action_log.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    view = FileView(path)
    view.poll()
    pending = view.pending
    if pending is not None:
        fd = os.dup(pending.segment.fd)
        view.attach_history(pending, scan(fd, 0, pending.stop))
        os.close(fd)
    return view, lines


def test_a_long_lines_row_is_made_by_a_thread_and_the_drawing_thread_never_parses_it(
        tmp_path, monkeypatch):
    monkeypatch.setattr(filerows, "LONG_LINE", 5000)
    monkeypatch.setattr(lineindex, "BLOCK", 1000)
    view, lines = _run_with_long_line(tmp_path, 20_000)
    parser = LineParser(ACTION_JSONL, ParseContext(None))
    parsed_here: list[int] = []
    read_here: list[int] = []
    pread = os.pread

    def counted(fd, size, at):
        if threading.current_thread() is threading.main_thread():
            read_here.append(size)
        return pread(fd, size, at)

    monkeypatch.setattr(lineindex.os, "pread", counted)
    real_parse = parser.parse

    def parse(batch):
        batch = list(batch)
        if threading.current_thread() is threading.main_thread():
            parsed_here.extend(len(data) for _, _, data in batch)
        return real_parse(batch)

    parser.parse = parse
    made = threading.Event()
    rows = FileRows(view, parser, made.set)
    first = [rows[n] for n in range(len(rows))]
    stand_in = first[7]
    assert stand_in.__class__ is UnreadRecord
    assert stand_in.size == len(lines[7]) and stand_in.offset == sum(map(len, lines[:7])) + 7
    assert "reading a 0.0 MB line" in stand_in.summary
    assert max(parsed_here) < 5000 and len(parsed_here) == 11
    # Its end is known from the index: no more of it is read here than its start.
    assert max(read_here) <= 5001 and sum(read_here) < 3 * 5001
    assert made.wait(5)
    after = [rows[n] for n in range(len(rows))]
    whole = FileRows(view, LineParser(ACTION_JSONL, ParseContext(None)))
    assert after == [whole[n] for n in range(len(whole))]
    assert after[7].category == "ERROR" and after[7].fields["detail"] == "q" * 20_000
    assert max(parsed_here) < 5000  # (read by the thread, not here)


def test_a_stand_in_is_read_whole_when_a_key_needs_it(tmp_path, monkeypatch):
    monkeypatch.setattr(filerows, "LONG_LINE", 5000)
    view, lines = _run_with_long_line(tmp_path, 20_000)
    rows = FileRows(view, LineParser(ACTION_JSONL, ParseContext(None)), lambda: None)
    stand_in = rows[7]
    assert stand_in.__class__ is UnreadRecord
    record = rows.whole(stand_in)
    assert record.__class__ is not UnreadRecord
    assert record.fields["detail"] == "q" * 20_000 and record.line == stand_in.line
    assert rows.whole(rows[3]) is rows[3]  # a short line's row is its record


def test_rows_of_a_long_line_are_read_where_drawn_without_a_thread_to_tell(tmp_path, monkeypatch):
    monkeypatch.setattr(filerows, "LONG_LINE", 5000)
    view, _ = _run_with_long_line(tmp_path, 20_000)
    rows = FileRows(view, LineParser(ACTION_JSONL, ParseContext(None)))
    assert rows[7].__class__ is not UnreadRecord and rows[7].category == "ERROR"


def test_what_a_long_lines_row_shows_is_made_by_the_thread(tmp_path, monkeypatch):
    from vivtui.parsing import record as records

    view, _ = _run_with_long_line(tmp_path, filerows.LONG_LINE + 1000)
    made = threading.Event()
    rows = FileRows(view, LineParser(ACTION_JSONL, ParseContext(None)), made.set)
    assert rows[7].__class__ is UnreadRecord
    assert made.wait(5)

    def decoded_here(data):
        raise AssertionError("decoded where the row is drawn")

    monkeypatch.setattr(records, "_object_of", decoded_here)
    row = rows[7]
    assert row.fields["action_type"] == "ERROR"
    assert row.summary.startswith("A ERROR x: qqq")


@settings(max_examples=80, deadline=None)
@given(lengths=st.lists(st.integers(0, 600), min_size=1, max_size=60),
       cuts=st.lists(st.integers(1, 40_000), max_size=12))
def test_the_index_knows_where_a_line_longer_than_a_block_ends_whatever_the_chunking(
        lengths, cuts):
    lines = [bytes([97 + i % 26]) * n for i, n in enumerate(lengths)]
    data = b"".join(line + b"\n" for line in lines)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lineindex, "BLOCK", 100)
        index = index_in_chunks(data, cuts)
    at = 0
    for number, line in enumerate(lines):
        known = index.line_end(number, at)
        assert known is None or known == at + len(line)
        if len(line) > 100:
            assert known == at + len(line)
        at += len(line) + 1


def _view_after_history(path, tail_bytes: int) -> FileView:
    view = FileView(path, tail_bytes=tail_bytes)
    while view.poll():
        pass
    pending = view.pending
    if pending is not None:
        fd = os.dup(pending.segment.fd)
        view.attach_history(pending, scan(fd, 0, pending.stop))
        os.close(fd)
    return view


def test_a_file_whose_newest_line_is_longer_than_its_tail_shows_every_line(tmp_path):
    # The kernel pane of a run whose log ended with a 20 MB line said "lines 0",
    # "waiting for kernel…": no line began in the tail read first, so no history
    # was ever indexed.
    path = tmp_path / "kernel_run.log"
    lines = [f"[{n}] START: task {n}".encode() for n in range(30)] + [b"E" * 50_000]
    path.write_bytes(b"\n".join(lines) + b"\n")
    view = _view_after_history(path, 10_000)
    rows = FileRows(view, LineParser(BY_NAME["kernel_run.log"], ParseContext(None)))
    assert len(rows) == 31
    assert [rows[n].raw for n in (0, 29)] == ["[0] START: task 0", "[29] START: task 29"]
    assert rows[30].raw == "E" * 50_000 and rows[30].line == 31


def test_a_newest_line_still_being_written_is_read_whole_once_it_ends(tmp_path):
    # Started where the tail began, mid-line, the view read the line's rest as a line.
    path = tmp_path / "kernel_run.log"
    head = b"".join(f"[{n}] START: task {n}\n".encode() for n in range(5))
    path.write_bytes(head + b"W" * 50_000)
    view = _view_after_history(path, 10_000)
    assert len(view) == 5
    with open(path, "ab") as handle:
        handle.write(b"W" * 10 + b"\n[6] START: task 6\n")
    while view.poll():
        pass
    assert view.pending is None  # (its history was indexed once: not asked for again)
    rows = FileRows(view, LineParser(BY_NAME["kernel_run.log"], ParseContext(None)))
    assert len(rows) == 7
    assert rows[5].raw == "W" * 50_010 and rows[6].raw == "[6] START: task 6"
