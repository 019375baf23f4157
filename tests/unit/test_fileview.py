"""A file read on demand: the line index, the view's segments, rows parsed when
looked at, and whole-file scans in a worker (no terminal)."""

from __future__ import annotations

import os
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import ACTION_JSONL, LineParser
from vivtui.sources import lineindex
from vivtui.sources.fileview import FileView
from vivtui.sources.lineindex import LineIndex, scan
from vivtui.store import scan as row_scan
from vivtui.store.filerows import FileRows
from vivtui.store.filters import compile_pattern
from vivtui.store.scan import RowScan, RowSeek
from vivtui.ui.panes.query import FIRST, FileQuery


def rows_for(view: FileView) -> FileRows:
    return FileRows(view, LineParser(ACTION_JSONL, ParseContext(None)))


def attach(view: FileView) -> None:
    """What the monitor's worker does: index the history and hand it over."""
    pending = view.pending
    assert pending is not None
    fd = os.dup(pending.segment.fd)
    try:
        view.attach_history(pending, scan(fd, 0, pending.stop))
    finally:
        os.close(fd)


def index_in_chunks(data: bytes, cuts: list[int]) -> LineIndex:
    """``data`` indexed as it would be if its lines came cut near ``cuts``."""
    index = LineIndex()
    position = 0
    for cut in sorted(set(cuts)) + [len(data)]:
        end = data.rfind(b"\n", 0, min(cut, len(data))) + 1
        if end > position:
            index.add(data[position:end])
            position = end
    return index


@settings(max_examples=60, deadline=None)
@given(lengths=st.lists(st.integers(0, 3000), min_size=1, max_size=200),
       cuts=st.lists(st.integers(1, 50_000), max_size=10))
def test_index_reads_back_every_line_whatever_the_chunking(tmp_path_factory, lengths, cuts):
    path = tmp_path_factory.mktemp("idx") / "f"
    lines = [bytes([97 + i % 26]) * n for i, n in enumerate(lengths)]
    data = b"".join(line + b"\n" for line in lines)
    path.write_bytes(data)
    index = index_in_chunks(data, cuts)
    assert index.count == len(lines) and index.end == len(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        for first in range(0, len(lines), 37):
            offset, got = index.read(fd, first, first + 5)
            assert got == lines[first:first + 5]
            assert offset == sum(len(line) + 1 for line in lines[:first])
    finally:
        os.close(fd)


def test_scan_matches_adding_and_keeps_few_entries(action_lines, tmp_path, monkeypatch):
    monkeypatch.setattr(lineindex, "READ_SIZE", 1000)  # many reads, lines cut between them
    path = tmp_path / "a.jsonl"
    data = action_lines.write(path, range(5000))
    fd = os.open(path, os.O_RDONLY)
    try:
        index = scan(fd, 0, len(data))
        assert index.count == 5000
        assert index.entries <= len(data) // lineindex.BLOCK + 2
        assert index.read(fd, 4321, 4322)[1] == [action_lines.line(4321)]
    finally:
        os.close(fd)


def test_view_shows_the_end_first_and_numbers_lines_once_history_is_indexed(action_lines, tmp_path):
    path = tmp_path / "action_log.jsonl"
    action_lines.write(path, range(20_000))
    view = FileView(path, tail_bytes=10_000)
    view.poll()
    rows = rows_for(view)
    tail = len(rows)
    assert 0 < tail < 200 and view.pending is not None
    assert rows[-1].fields["detail"] == "seq=00019999"
    assert rows[-1].line == 0  # not known yet: said as unknown, not guessed
    attach(view)
    assert len(rows) == 20_000 and view.shift == 20_000 - tail
    assert rows.first_seq == -(20_000 - tail)
    assert [rows[i].line for i in (0, 12_345, -1)] == [1, 12_346, 20_000]
    assert rows[12_345].fields["detail"] == "seq=00012345"
    action_lines.write(path, range(20_000, 20_010))
    view.poll()
    assert len(rows) == 20_010 and rows[-1].fields["detail"] == "seq=00020009"


def test_view_keeps_a_rotated_file_and_forgets_a_truncated_one(action_lines, tmp_path):
    path = tmp_path / "action_log.jsonl"
    action_lines.write(path, range(100))
    view = FileView(path)
    view.poll()
    rows = rows_for(view)
    assert len(rows) == 100 and view.pending is None
    os.rename(path, tmp_path / "action_log.jsonl.1")
    action_lines.write(path, range(100, 130))
    view.poll()
    assert len(rows) == 130
    assert rows[99].fields["detail"] == "seq=00000099"  # read from the rotated file
    assert rows[100].line == 1 and rows[129].fields["detail"] == "seq=00000129"
    path.write_bytes(action_lines.line(999) + b"\n")  # truncated and written again
    view.poll()
    assert len(rows) == 101  # the rotated file's lines stay, the truncated ones go
    assert rows[-1].fields["detail"] == "seq=00000999"
    view.close()


def test_blank_and_malformed_lines_are_rows(action_lines, tmp_path):
    path = tmp_path / "action_log.jsonl"
    path.write_bytes(action_lines.line(1) + b"\n\nnot json\n" + action_lines.line(2) + b"\n")
    view = FileView(path)
    view.poll()
    rows = rows_for(view)
    assert len(rows) == 4
    assert rows[1].raw == "" and rows[1].fields == {} and not rows[1].malformed
    assert rows[2].malformed and rows[2].line == 3
    assert rows[3].fields["detail"] == "seq=00000002"


def test_scan_finds_the_newest_matches_first_and_then_new_rows(action_lines, tmp_path):
    path = tmp_path / "action_log.jsonl"
    action_lines.write(path, range(30_000), every_error=100)
    view = FileView(path, tail_bytes=5_000)
    view.poll()
    attach(view)
    rows = rows_for(view)
    found = RowScan(rows, lambda record: record.category == "ERROR")
    worker = threading.Thread(target=found.run)
    worker.start()
    worker.join()
    assert found.done and len(found) == 300
    assert [found[i].fields["detail"] for i in (0, -1)] == ["seq=00000000", "seq=00029900"]
    assert found.first_seq == -300  # found in front of the start: the view keeps its row
    action_lines.write(path, range(30_000, 30_201), every_error=100)
    view.poll()
    found.update()
    assert len(found) == 303 and found[-1].fields["detail"] == "seq=00030200"
    assert found.position_of(150) == 2 and found.position_of(200) == 2
    assert found.row_at(found.position_of(200)) == 200


def test_a_scans_pages_are_tested_with_the_collector_paused(action_lines, tmp_path):
    """A page's records are held while tested: the collector's full passes
    walked them again and again (every 150 ms of a big search, all threads
    held). Paused for each page, and on again after."""
    import gc

    path = tmp_path / "action_log.jsonl"
    action_lines.write(path, range(10_000), every_error=100)
    view = FileView(path)
    view.poll()
    attach(view)
    rows = rows_for(view)
    seen = set()

    def error(record) -> bool:
        seen.add(gc.isenabled())
        return record.category == "ERROR"

    assert gc.isenabled()
    for walk in (RowScan(rows, error), RowSeek(rows, 0, 1, lambda r: error(r) and r.line > 9000),
                 RowSeek(rows, len(rows) - 1, -1, lambda r: error(r) and r.line < 500)):
        paced = []  # (before each page, a key's answer and frames may go first)
        walk.pace = lambda: paced.append(1)
        walk.run()
        assert walk.done and (len(walk) == 100 if isinstance(walk, RowScan) else walk.row())
        assert len(paced) == 3  # 10k rows: 3 pages, each walk to its far end
    assert seen == {False} and gc.isenabled()


def test_a_cancelled_scan_stops(action_lines, tmp_path):
    path = tmp_path / "action_log.jsonl"
    action_lines.write(path, range(20_000))
    view = FileView(path)
    view.poll()
    found = RowScan(rows_for(view), lambda record: True)
    found.cancel.set()
    found.run()
    assert found.done and found.scanned == 0


@pytest.mark.parametrize("preadv", [True, False])
def test_scan_reads_lines_longer_than_a_read_into_its_one_buffer(tmp_path, monkeypatch, preadv):
    # One buffer for the whole scan (grown for a line longer than a read),
    # with os.preadv or, where there is none, os.pread.
    monkeypatch.setattr(lineindex, "READ_SIZE", 1000)
    if not preadv:
        monkeypatch.setattr(lineindex, "_PREADV", None)
    lines = [b"x" * n for n in (10, 5000, 3, 2999, 1000, 999, 1001, 0, 7)] * 40
    path = tmp_path / "k.log"
    path.write_bytes(b"\n".join(lines) + b"\ntail without newline")
    fd = os.open(path, os.O_RDONLY)
    try:
        index = scan(fd, 0, os.fstat(fd).st_size)
        assert index.count == len(lines)
        for first in (0, 1, 5, 100, len(lines) - 2):
            assert index.read(fd, first, first + 2)[1] == lines[first:first + 2]
    finally:
        os.close(fd)


class _View:
    """What a search's first jump asks of a row view."""

    def __init__(self, cursor: int, follow: bool) -> None:
        self.rows, self.cursor, self.follow = (), cursor, follow

    def set_rows(self, rows) -> None:
        self.rows = rows

    def select(self, index: int) -> None:
        self.cursor, self.follow = index, False


def _held_search(action_lines, tmp_path, monkeypatch, cursor: int, follow: bool):
    """A search for rows 200, 300 and 29900 of a 30,000-line file, its scan
    held back after its first two pages (the newest rows), the cursor at
    ``cursor``: (query, view, release the scan)."""
    path = tmp_path / "action_log.jsonl"
    action_lines.write(path, range(30_000))
    file_view = FileView(path, tail_bytes=5_000)
    file_view.poll()
    attach(file_view)
    rows = rows_for(file_view)
    release, held = threading.Event(), threading.Event()
    real_read = row_scan.read_records

    def read_records(snapshot, parser, low, stop, keep=None):
        if low < 20_000:
            held.set()
            release.wait(10)
        return real_read(snapshot, parser, low, stop, keep=keep)

    monkeypatch.setattr(row_scan, "read_records", read_records)
    workers = []
    query = FileQuery(lambda record: (record.fields["detail"], record.category,
                                      record.severity),
                      lambda scan, group: workers.append(threading.Thread(target=scan.run)))
    view = _View(cursor, follow)
    view.set_rows(query.shown(rows))
    query.search = compile_pattern("seq=000(00200|00300|29900)")
    query.count_hits(view.rows)
    workers[-1].start()
    assert held.wait(10)
    query.tick(view)
    assert query.hits == 1  # 29900's, found first

    def release_scan() -> None:
        release.set()
        workers[-1].join(10)

    return query, view, release_scan


@pytest.mark.parametrize("cursor, follow, step, early, late", [
    (150, False, FIRST, 150, 200),  # a new search: the first hit after the cursor
    (29_999, True, FIRST, 29_900, 29_900),  # following: the newest, at once
    (250, False, 1, 250, 300),  # n: the next
    (250, False, -1, 250, 200),  # N: the previous
    (29_950, False, 1, 29_950, 200),  # n past the last hit: round to the first
])
def test_a_search_goes_to_the_hit_next_to_the_cursor_once_the_scan_is_sure_of_it(
        action_lines, tmp_path, monkeypatch, cursor, follow, step, early, late):
    # The scan walks back from the newest row: with the cursor far up, the
    # hits found first are the newest, and the ones next to the cursor are
    # known only once the scan has got there.
    query, view, release_scan = _held_search(action_lines, tmp_path, monkeypatch, cursor, follow)
    if step == FIRST:
        query.first_hit(view)
    else:
        assert query.next_match(view, step)  # (not "no hits": it waits for the scan)
    query.tick(view)
    assert view.cursor == early
    release_scan()
    query.tick(view)
    assert query.hits == 3 and view.cursor == late


def test_a_move_waiting_for_the_scan_is_dropped_with_its_search(action_lines, tmp_path,
                                                                 monkeypatch):
    query, view, release_scan = _held_search(action_lines, tmp_path, monkeypatch, 250, False)
    assert query.next_match(view, 1)
    query.search = None  # esc
    query.count_hits(view.rows)
    release_scan()
    query.tick(view)
    assert view.cursor == 250


def test_a_seek_stops_at_its_bound_and_a_row_is_found_by_its_time(tmp_path):
    # e/E from another pane walk only the rows the timeline does not hold,
    # between two times: a file's rows found by halves, then walked so far.
    from datetime import datetime, timedelta, timezone

    import orjson

    start = datetime(2026, 2, 3, 12, tzinfo=timezone.utc)
    path = tmp_path / "action_log.jsonl"
    path.write_bytes(b"".join(orjson.dumps(
        {"timestamp": (start + timedelta(seconds=i // 2)).isoformat(), "actor": "A",
         "action": "act", "action_type": "ERROR" if i % 1_000 == 0 else "TOOL",
         "detail": f"seq={i:08d}"}) + b"\n" for i in range(10_000)))
    view = FileView(path, tail_bytes=5_000)
    view.poll()
    attach(view)
    rows = rows_for(view)
    assert row_scan.first_row_after(rows, start + timedelta(seconds=100)) == 202
    assert row_scan.first_row_after(rows, start + timedelta(seconds=100), strict=False) == 200
    assert row_scan.first_row_after(rows, start - timedelta(seconds=1)) == 0
    assert row_scan.first_row_after(rows, start + timedelta(days=1)) == 10_000

    def seek(first: int, step: int, stop: int) -> int | None:
        found = RowSeek(rows, first, step, lambda record: record.category == "ERROR", stop=stop)
        found.run()
        return found.row()

    assert seek(1, 1, 2_000) == 1_000 and seek(1, 1, 1_000) is None  # before its stop
    assert seek(2_999, -1, 2_000) == 2_000 and seek(2_999, -1, 2_001) is None  # down to it


def test_a_seek_finds_the_nearest_row_either_way_and_rows_written_since(action_lines,
                                                                         tmp_path):
    path = tmp_path / "action_log.jsonl"
    action_lines.write(path, range(20_000), every_error=5_000)  # errors at 0, 5000 …
    view = FileView(path, tail_bytes=5_000)
    view.poll()
    attach(view)
    rows = rows_for(view)

    def seek(start: int, step: int) -> RowSeek:
        found = RowSeek(rows, start, step, lambda record: record.category == "ERROR")
        found.run()
        return found

    assert seek(1, 1).row() == 5_000 and seek(5_000, 1).row() == 5_000
    assert seek(14_999, -1).row() == 10_000 and seek(0, -1).row() == 0
    late = seek(15_001, 1)
    assert late.done and late.row() is None  # none below, as the file was
    action_lines.write(path, range(20_000, 20_001), every_error=1)  # an error written since
    view.poll()
    assert late.row() == 20_000


def test_a_long_line_coming_in_pieces_is_indexed_not_held(action_lines, tmp_path, monkeypatch):
    # Its rows are read again where they are drawn: held whole as it came,
    # then joined and counted, a 45 MB line took the UI thread 250 ms.
    from vivtui.sources import cut_lines, fileview

    monkeypatch.setattr(fileview, "READ_BUDGET", 4096)
    monkeypatch.setattr(fileview, "HELD_LONGEST", 10_000)
    monkeypatch.setattr(cut_lines, "KEPT_OF_CUT", 1000)
    monkeypatch.setattr(cut_lines, "KEPT_TAIL", 500)
    path = tmp_path / "action_log.jsonl"
    action_lines.write(path, range(3))
    view = FileView(path)
    view.poll()
    long = action_lines.line(3).replace(b'"seq=', b'"' + b"x" * 50_000 + b' seq=')
    with open(path, "ab") as file:
        file.write(long[:30_000])
    while view.poll():
        pass
    held = view.tailer._unfinished
    assert len(held) == 30_000 and len(held.kept) + len(held.tail) == 1500
    with open(path, "ab") as file:
        file.write(long[30_000:] + b"\n" + action_lines.line(4) + b"\n")
    while view.poll():
        pass
    rows = rows_for(view)
    assert len(rows) == 5 and rows[3].fields["detail"].endswith("seq=00000003")
    assert rows[3].fields["detail"].startswith("x" * 50_000)  # (read again, whole)
    assert rows[4].fields["detail"] == "seq=00000004"
