"""A line too long to hold (``sources.cut_lines``): whoever reads it, the
tail loops, a read back, a long row's thread, keeps its first bytes and its
length, never the whole of it; and its record says so."""

from __future__ import annotations

import os
from datetime import timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vivtui.ingest import layout as layout_module
from vivtui.ingest.feeds import Feed, read_to_end
from vivtui.parsing.jsonline import why_not_json
from vivtui.parsing.kinds import LineParser, spec_for_name
from vivtui.sources import cut_lines, fileview, lineindex
from vivtui.sources.cut_lines import (
    UnfinishedLine,
    cut_line,
    cut_note,
    read_line,
    within,
)
from vivtui.sources.fileview import FileView
from vivtui.sources.lineindex import scan
from vivtui.sources.tailer import LineTailer, line_start_before
from vivtui.store.big_rows import BigRows
from vivtui.store.filerows import parse_lines
from vivtui.stream.mirror import MirrorFile

LONGEST, KEPT, TAIL = 1000, 100, 50


@pytest.fixture(autouse=True)
def small_limits(monkeypatch):
    monkeypatch.setattr(cut_lines, "LONGEST_LINE", LONGEST)
    monkeypatch.setattr(cut_lines, "KEPT_OF_CUT", KEPT)
    monkeypatch.setattr(cut_lines, "KEPT_TAIL", TAIL)


def expected(line: bytes) -> bytes:
    return line if len(line) <= LONGEST else cut_line(line[:KEPT], line[-TAIL:], len(line))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 700), max_size=12), st.integers(0, 255))
def test_an_unfinished_line_is_whole_or_cut_and_never_held_past_the_limit(sizes, byte):
    line = UnfinishedLine()
    whole = b""
    for size in sizes:
        more = bytes([byte]) * size
        line.grow(more)
        whole += more
        assert len(line) == len(whole)
        assert len(line.kept) <= (LONGEST if len(whole) <= LONGEST else KEPT)
        assert len(line.tail) <= TAIL
    assert line.ended_by(b"end") == expected(whole + b"end")
    assert not line and line.kept == b""


def test_a_cut_line_says_how_long_it_was():
    data = cut_line(b"\x00" * KEPT, b"\x00" * (TAIL - 1) + b"{", 3 << 30)
    assert len(data) < KEPT + TAIL + 100 and data.endswith(b"\x00 [\xe2\x80\xa6] " + b"\x00" * 49 + b"{")
    note = "a line of 3072.0 MB, only its first 0.0 MB and last 0.0 MB read"
    assert cut_note(data) == (note, data[data.index(b"\x00"):])
    assert cut_note(b"\x00" * KEPT * 2) is None and cut_note(b"[vivtui: a line]") is None
    assert why_not_json(data) == f"not JSON: NUL bytes (left by a crash?); {note}"


def test_the_tail_reads_a_hole_of_nul_bytes_as_one_cut_line(tmp_path):
    path = tmp_path / "kernel_run.log"
    hole = b"\x00" * 5000
    path.write_bytes(b"a\n" + hole)
    tailer = LineTailer(path, budget=700)
    lines = []
    while (chunk := tailer.read()).more or tailer.offset < path.stat().st_size:
        lines += chunk.lines
        assert len(tailer._unfinished.kept) <= LONGEST
    assert [line for _, _, line in lines] == [b"a"]
    assert tailer.place().offset == 2 and tailer.unfinished_length == 5000
    with open(path, "ab") as out:
        out.write(b"[1] START: after the hole\nb\n")
    lines = tailer.read().lines
    cut = expected(hole + b"[1] START: after the hole")
    assert lines == [(2, 2, cut), (3, 2 + 5000 + 26, b"b")]
    assert tailer.place().offset == tailer.offset == path.stat().st_size


def test_a_one_shot_read_ends_with_the_cut_line_and_its_reason(tmp_path):
    path = tmp_path / "api_audit.log"
    good = b'{"timestamp":"2026-02-03T21:00:00","event":"API_CALL_SUCCESS","cost":0.1}\n'
    path.write_bytes(good + b"\x00" * 4000)
    feed = Feed([(spec_for_name(path.name), path)], timezone.utc)
    records = []
    read_to_end(feed, lambda batch: records.extend(batch.records))
    assert [record.malformed for record in records] == [False, True]
    assert records[1].offset == len(good) and records[1].line == 2
    assert records[1].note == ("not JSON: NUL bytes (left by a crash?); "
                                "a line of 0.0 MB, only its first 0.0 MB and last 0.0 MB read")


def test_a_line_read_back_or_by_a_long_rows_thread_is_cut(tmp_path):
    path = tmp_path / "execution_log.jsonl"
    short = b'{"task_id":"t1","status":"queued"}'
    long = b'{"task_id":"t2","errors":"' + b"e" * 3000 + b'"}'
    unended = b"u" * 2500
    path.write_bytes(short + b"\n" + long + b"\n" + unended)
    fd = os.open(path, os.O_RDONLY)
    try:
        at_long, at_unended = len(short) + 1, len(short) + len(long) + 2
        assert layout_module._line_from(fd, 0) == short
        assert layout_module._line_from(fd, at_long) == expected(long)
        assert layout_module._line_from(fd, at_unended) == expected(unended)
        assert read_line(fd, at_long, len(long)) == expected(long)
        parser = LineParser(spec_for_name(path.name))
        rows = BigRows("tasks", lambda lines: parse_lines(parser, lines), lambda: None)
        record = rows.read(fd, 2, at_long, len(long))
        assert record.malformed and record.note == "not JSON; " + cut_note(expected(long))[0]
    finally:
        os.close(fd)


@settings(max_examples=60, deadline=None)
@given(lengths=st.lists(st.integers(0, 2500), min_size=1, max_size=40))
def test_a_line_longer_than_a_read_is_indexed_by_its_length_not_held(tmp_path_factory, lengths):
    lines = [bytes([97 + i % 26]) * n for i, n in enumerate(lengths)]
    data = b"".join(line + b"\n" for line in lines)
    path = tmp_path_factory.mktemp("scan") / "kernel_run.log"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    asked = []
    real_read_into = lineindex._read_into
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(lineindex, "READ_SIZE", 500)
            patch.setattr(lineindex, "BLOCK", 100)
            patch.setattr(lineindex, "_read_into", lambda buffer, fd, size, offset: (
                asked.append(size), real_read_into(buffer, fd, size, offset))[1])
            index = scan(fd, 0, len(data))
            assert index.count == len(lines) and index.end == len(data)
            at = 0
            for number, line in enumerate(lines):
                if len(line) > 100:
                    assert index.line_end(number, at) == at + len(line)
                else:
                    assert index.read(fd, number, number + 1) == (at, [line])
                at += len(line) + 1
    finally:
        os.close(fd)
    assert max(asked) <= 500  # (the buffer was doubled to hold a long line)


def test_the_screens_index_goes_on_past_a_cut_line(tmp_path, monkeypatch):
    monkeypatch.setattr(fileview, "READ_BUDGET", 700)  # the long line read in pieces
    path = tmp_path / "kernel_run.log"
    path.write_bytes(b"a\n" + b"x" * 3000 + b"\nb\n")
    view = FileView(path, tail_bytes=1 << 20)
    while view.poll():
        pass
    index = view.segments[-1].index
    assert index.count == 3 and index.end == 3000 + 5
    fd = os.open(path, os.O_RDONLY)
    try:
        assert index.read(fd, 2, 3) == (3003, [b"b"])
        assert index.read_capped(fd, 0, 3, 2000) == [(0, b"a"), (2, 3000), (3003, b"b")]
    finally:
        os.close(fd)


def test_the_mirror_writes_the_line_after_a_cut_one_at_once(tmp_path):
    mirrored = MirrorFile(tmp_path / "kernel_run.log")
    cut = expected(b"x" * 3000)
    mirrored.take("g1", 0, b"a")
    mirrored.take("g1", 2, cut)
    mirrored.take("g1", 3003, b"b")  # past the cut line's bytes: its length in the file
    assert mirrored.path.read_bytes() == b"a\n" + cut + b"\nb\n"
    mirrored.take("g1", 3005 + 10, b"d")  # (further on than "b" ends: waits for "c")
    assert mirrored.path.read_bytes().endswith(b"\nb\n")
    mirrored.close()


def holey(path, before: bytes, hole_to: int, after: bytes):
    """A file of ``before``, a hole up to byte ``hole_to`` (what a writer going on
    past a cut leaves), then ``after``; skips the test where holes cannot be told."""
    with open(path, "wb") as out:
        out.write(before)
        out.truncate(hole_to)
        out.seek(0, os.SEEK_END)
        out.write(after)
    fd = os.open(path, os.O_RDONLY)
    try:
        if cut_lines.unwritten_from(fd, 1 << 20, hole_to) == 0:
            pytest.skip("this file system does not tell holes apart")
    finally:
        os.close(fd)
    return path


def preads_counted(monkeypatch) -> list[int]:
    """The sizes every ``os.pread`` from now on asks for."""
    asked: list[int] = []
    real_pread = os.pread
    monkeypatch.setattr(os, "pread", lambda fd, size, at: (
        asked.append(size), real_pread(fd, size, at))[1])
    return asked


def test_a_hole_in_a_cut_line_is_not_read(tmp_path, monkeypatch):
    path = holey(tmp_path / "kernel_run.log", b"a\n", 50 << 20, b"x\nb\n")
    read = preads_counted(monkeypatch)
    tailer = LineTailer(path, budget=1 << 20)
    lines = []
    while True:
        chunk = tailer.read()
        lines += chunk.lines
        if not chunk.more:
            break
    assert lines == [(1, 0, b"a"), (2, 2, expected(bytes((50 << 20) - 2) + b"x")),
                     (3, (50 << 20) + 2, b"b")]
    assert sum(read) < 3 << 20  # of 50 MB


def test_the_start_of_a_line_ending_in_a_hole_is_found_without_reading_the_hole(
        tmp_path, monkeypatch):
    # (the line's end still being written, past a hole)
    path = holey(tmp_path / "api_audit.log", b"a\nstart of a line", 50 << 20, b"and more")
    size = path.stat().st_size
    fd = os.open(path, os.O_RDONLY)
    try:
        read = preads_counted(monkeypatch)
        assert line_start_before(fd, size - 4) == 2
        assert lineindex._newline_from(fd, 2, size) == size - 1
    finally:
        os.close(fd)
    assert sum(read) < 12 << 20  # (pieces where the data is) of 50 MB, twice


def test_the_record_written_after_a_long_hole_is_kept_in_the_cut_lines_end(tmp_path):
    """A writer that went on past a cut left a hole and then its next record,
    glued to it: the cut line keeps its end, so that record is seen."""
    path = tmp_path / "api_audit.log"
    after = b'{"event":"API_CALL_FAILURE","user":"u1"}'
    path.write_bytes(b"\x00" * 5000 + after + b"\n")
    feed = Feed([(spec_for_name(path.name), path)], timezone.utc)
    records = []
    read_to_end(feed, lambda batch: records.extend(batch.records))
    assert len(records) == 1 and records[0].malformed
    assert records[0].raw.endswith(after.decode()) and "NUL bytes" in records[0].note


def test_a_line_is_cut_within_a_messages_size_keeping_its_first_and_last_bytes():
    line = bytes(range(256)) * 40  # 10 KB
    assert within(line, len(line)) is line
    for most in (1000, 4000, 9000):
        cut = within(line, most)
        assert len(cut) <= most
        note, rest = cut_note(cut)
        assert note.startswith("a line of 0.0 MB")
        head, _, tail = rest.partition(" [\u2026] ".encode())
        assert line.startswith(head) and line.endswith(tail)
        assert len(head) > len(tail) > 0  # mostly its first bytes: a record's start
