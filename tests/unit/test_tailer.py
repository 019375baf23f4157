"""The tailer hands out each complete line exactly once, whatever happens to the file."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vivtui.sources import tailer as tailer_module
from vivtui.sources.regular import says_wide
from vivtui.sources.tailer import (
    CREATED,
    DELETED,
    EMPTY,
    MISSING,
    OK,
    RETURNED,
    ROTATED,
    TRUNCATED,
    LineTailer,
)


def expected_lines(content: bytes) -> list[tuple[int, int, bytes]]:
    out, offset = [], 0
    for number, piece in enumerate(content.split(b"\n"), 1):
        if piece.strip():
            out.append((number, offset, piece))
        offset += len(piece) + 1
    return out


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


line_text = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b""))


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.one_of(line_text, st.just(b""), st.just(b"  ")), max_size=25),
       cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=12),
       budget=st.integers(min_value=1, max_value=64))
def test_any_chunking_gives_the_same_lines(tmp_path_factory, lines, cuts, budget):
    path = tmp_path_factory.mktemp("chunks") / "f.jsonl"
    content = b"\n".join(lines) + (b"\n" if lines else b"")
    assume(not says_wide(content))  # (a UTF-16 or UTF-32 file is named, not read)
    points = sorted({min(c, len(content)) for c in cuts} | {0, len(content)})
    path.write_bytes(b"")
    tailer = LineTailer(path, budget=budget)

    def drain(final=False):
        found = []
        while True:
            chunk = tailer.read(final=final)
            found += chunk.lines
            # (A bound on its lines' lengths, for the parsers: ``Chunk.longest``.)
            assert chunk.longest >= max((len(data) for _, _, data in chunk), default=0)
            if not chunk.more:
                return found

    got = []
    for start, end in zip(points, points[1:]):
        append(path, content[start:end])
        got += drain()
    assert got == expected_lines(content)
    # a half-written line is held back until its newline arrives
    append(path, b"half")
    assert drain() == []
    assert tailer.partial == b"half"
    assert [line for _, _, line in drain(final=True)] == [b"half"]


def test_missing_then_created_late(tmp_path):
    path = tmp_path / "late.jsonl"
    tailer = LineTailer(path)
    assert tailer.read().lines == [] and tailer.state == MISSING
    path.write_bytes(b"")
    chunk = tailer.read()
    assert chunk.events == [CREATED] and tailer.state == EMPTY
    append(path, b"one\ntwo\n")
    assert [l[2] for l in tailer.read().lines] == [b"one", b"two"]
    assert tailer.state == OK


def test_truncation_starts_over(tmp_path):
    path = tmp_path / "t.log"
    path.write_bytes(b"aaaa\nbbbb\n")
    tailer = LineTailer(path)
    assert len(tailer.read().lines) == 2
    path.write_bytes(b"c\n")  # shorter than before
    chunk = tailer.read()
    assert chunk.events == [TRUNCATED]
    assert chunk.lines == [(1, 0, b"c")]


def test_a_parts_reading_ends_where_its_file_was_cut(tmp_path):
    """A part of a file read by another process (``limit``): once the file is
    cut, its lines are the file's no more; it does not start over."""
    path = tmp_path / "t.log"
    path.write_bytes(b"aaaa\nbbbb\ncccc\n")
    for cut_to in (b"", b"new\nlines\nwritten again\n"):  # cut, or cut and refilled
        tailer = LineTailer(path, limit=15, budget=5)
        assert [line[2] for line in tailer.read().lines] == [b"aaaa"]
        path.write_bytes(cut_to)
        chunk = tailer.read()
        assert chunk.events == [] and chunk.lines == [] and not chunk.more
        assert tailer.place().offset == 5 and tailer.place().line_no == 1
        assert tailer.read().lines == []
        tailer.close()
        path.write_bytes(b"aaaa\nbbbb\ncccc\n")


def test_truncated_and_refilled_past_the_offset_is_noticed(tmp_path):
    path = tmp_path / "t.log"
    path.write_bytes(b"aaaa\nbbbb\n")
    tailer = LineTailer(path)
    tailer.read()
    # Same inode, cut and rewritten to a longer file before we looked again.
    with open(path, "r+b") as handle:
        handle.truncate(0)
        handle.write(b"xxxxxxxxxxxxxx\nyy\n")
    chunk = tailer.read()
    assert chunk.events == [TRUNCATED]
    assert [l[2] for l in chunk.lines] == [b"xxxxxxxxxxxxxx", b"yy"]


def test_rotation_finishes_old_file_then_follows_new(tmp_path, monkeypatch):
    monkeypatch.setattr(tailer_module, "ROTATION_GRACE_S", 0.0)  # nobody finishes the line
    path = tmp_path / "action_log.jsonl"
    path.write_bytes(b"1\n2\n")
    tailer = LineTailer(path)
    assert len(tailer.read().lines) == 2
    append(path, b"3\n4-unterminated")  # written before the rename, not yet read
    os.rename(path, tmp_path / "action_log.jsonl.1")
    path.write_bytes(b"new1\nnew2\n")
    chunk = tailer.read()
    assert ROTATED in chunk.events
    assert [l[2] for l in chunk.lines] == [b"3", b"4-unterminated", b"new1", b"new2"]
    assert chunk.lines[-1][:2] == (2, 5)  # line numbers and offsets of the new file
    append(path, b"new3\n")
    assert [l[2] for l in tailer.read().lines] == [b"new3"]


def test_a_line_finished_on_the_old_descriptor_after_a_rename_is_whole(tmp_path):
    path = tmp_path / "action_log.jsonl"
    path.write_bytes(b"1\n")
    tailer = LineTailer(path)
    assert len(tailer.read().lines) == 1
    with open(path, "ab") as writer:  # the producer's handle, kept across the rename
        writer.write(b"2-half")
        writer.flush()
        os.rename(path, tmp_path / "action_log.jsonl.1")
        path.write_bytes(b"new1\n")
        waiting = tailer.read()
        assert waiting.lines == [] and ROTATED not in waiting.events  # the line may yet end
        writer.write(b"-done\n")
    chunk = tailer.read()
    assert ROTATED in chunk.events
    assert [l[2] for l in chunk.lines] == [b"2-half-done", b"new1"]


def test_truncated_and_refilled_with_lines_of_the_same_length_is_noticed(tmp_path):
    path = tmp_path / "t.log"
    path.write_bytes(b"".join(b"old line %02d\n" % i for i in range(5)))
    tailer = LineTailer(path)
    assert len(tailer.read().lines) == 5
    with open(path, "r+b") as handle:  # copytruncate, then a fast writer: past our offset
        handle.truncate(0)
        handle.write(b"".join(b"new line %02d\n" % i for i in range(15)))
    chunk = tailer.read()
    assert chunk.events == [TRUNCATED]
    assert len(chunk.lines) == 15 and chunk.lines[0][2] == b"new line 00"


def test_delete_and_recreate(tmp_path):
    path = tmp_path / "x.log"
    path.write_bytes(b"a\n")
    tailer = LineTailer(path)
    tailer.read()
    append(path, b"b\n")
    os.remove(path)
    chunk = tailer.read()
    assert chunk.events == [DELETED] and [l[2] for l in chunk.lines] == [b"b"]
    assert tailer.state == MISSING
    assert tailer.read().lines == []
    path.write_bytes(b"c\n")
    chunk = tailer.read()
    assert chunk.events == [CREATED] and chunk.lines == [(1, 0, b"c")]


def test_crlf_and_blank_lines(tmp_path):
    path = tmp_path / "crlf.log"
    path.write_bytes(b"a\r\n\r\n\nb\r\n")
    lines = LineTailer(path).read().lines
    assert [(n, l) for n, _, l in lines] == [(1, b"a\r"), (4, b"b\r")]


def test_unreadable_path_is_reported(tmp_path):
    tailer = LineTailer(tmp_path)  # a directory is not a file to tail
    assert tailer.read().lines == []
    assert tailer.state == "unreadable"


def test_a_file_that_says_it_is_utf16_is_named_not_read(tmp_path):
    # Windows PowerShell 5's > writes a program's output so; read as UTF-8,
    # each line was noise. Seen at its open, or in its first bytes when it
    # was opened empty.
    text = "[!] Safety gate BLOCKED\r\n".encode("utf-16")
    wide, later = tmp_path / "kernel_run.log", tmp_path / "later.log"
    wide.write_bytes(text)
    later.write_bytes(b"")
    opened_late = LineTailer(later)
    assert opened_late.read().lines == [] and opened_late.state == EMPTY
    later.write_bytes(text)
    for tailer in (LineTailer(wide), opened_late):
        for _ in range(2):
            assert tailer.read().lines == []
            assert tailer.state == "unreadable" and "UTF-16 text" in tailer.error


def test_never_opens_for_writing(tmp_path, monkeypatch):
    path = tmp_path / "ro.log"
    path.write_bytes(b"a\n")
    flags_seen = []
    real_open = os.open

    def spy(p, flags, *args, **kwargs):
        flags_seen.append(flags)
        return real_open(p, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    LineTailer(path).read()
    assert flags_seen and all(f & (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_TRUNC) == 0
                              for f in flags_seen)


def test_a_line_longer_than_the_budget_stays_one_line_in_a_one_shot_read(tmp_path):
    path = tmp_path / "f"
    long_line = b"x" * 5000
    path.write_bytes(b"a\n" + long_line + b"\nb")
    tailer = LineTailer(path, budget=1000)
    lines = []
    while True:
        chunk = tailer.read(final=True)
        lines += [piece for _, _, piece in chunk.lines]
        if not chunk.more:
            break
    assert lines == [b"a", long_line, b"b"]


def test_reads_ask_for_what_the_file_holds_not_the_budget(tmp_path, monkeypatch):
    # os.pread makes a buffer of the size asked for: a live run's few new
    # bytes asked for with a 1 MiB read, many times a second, left the heap
    # in holes. The size seen is asked for; then one small read for more.
    from vivtui.sources import regular

    path = tmp_path / "log"
    path.write_bytes(b"first\n")
    asked = []
    real_pread = os.pread

    def pread(fd, size, offset):
        asked.append((size, offset))
        return real_pread(fd, size, offset)

    monkeypatch.setattr(tailer_module.os, "pread", pread)
    tailer = LineTailer(path, budget=1 << 20)
    assert [line for _, _, line in tailer.read().lines] == [b"first"]
    append(path, b"x" * 300 + b"\n")
    del asked[:]
    assert [line for _, _, line in tailer.read().lines] == [b"x" * 300]
    assert (301, 6) in asked  # (the others: checks of bytes read before)
    assert max(size for size, _ in asked) <= regular.PROBE_BYTES < 1 << 20
    # A whole-file read the same way, and what grows past the size seen is read too.
    fd = os.open(path, os.O_RDONLY)
    try:
        del asked[:]
        assert regular.read_rest(fd, 6, 1 << 20) == b"x" * 300 + b"\n"
        assert asked == [(301, 6), (regular.PROBE_BYTES, 307)]
    finally:
        os.close(fd)


def test_a_line_many_reads_long_grows_in_place_and_comes_out_whole(tmp_path):
    # Joined to each read afresh, a 50 MB line in 128 KB reads was copied
    # 400 times over (24 s); held in one buffer, each byte is copied once more.
    path = tmp_path / "f"
    long_line = bytes(range(256)).replace(b"\n", b"") * 4000  # ~1 MB
    path.write_bytes(b"a\n" + long_line)
    tailer = LineTailer(path, budget=64 << 10)
    assert [line for _, _, line in tailer.read().lines] == [b"a"]
    held = tailer._unfinished.kept
    reads = 1
    while tailer.read().more or tailer.offset < len(b"a\n" + long_line):
        reads += 1
        assert tailer._unfinished.kept is held  # the same buffer, grown
    assert reads > 10 and tailer.partial == long_line[:len(tailer.partial)]
    append(path, b"\nb\n")
    lines = tailer.read().lines
    assert [(number, offset) for number, offset, _ in lines] == [(2, 2), (3, 3 + len(long_line))]
    assert [line for _, _, line in lines] == [long_line, b"b"]
    assert tailer.partial == b"" and tailer.place().offset == tailer.offset


def test_a_file_moved_away_and_back_is_read_on_from_where_it_was(tmp_path):
    away = tmp_path / "away"
    away.mkdir()
    log = tmp_path / "kernel_run.log"
    log.write_bytes(b"one\ntwo\n")
    t = LineTailer(log)
    assert [data for _, _, data in t.read()] == [b"one", b"two"]
    os.rename(log, away / log.name)
    assert DELETED in t.read().events
    os.rename(away / log.name, log)  # (a run directory moved away and back)
    back = t.read()
    assert back.events == [RETURNED] and list(back) == []  # not read again
    with open(log, "ab") as handle:
        handle.write(b"three\n")
    assert list(t.read()) == [(3, 8, b"three")]
    # Away again and changed there (its inode kept): not the file it was.
    os.rename(log, away / log.name)
    assert DELETED in t.read().events
    (away / log.name).write_bytes(b"a new file, longer than the old\n")
    os.rename(away / log.name, log)
    new = t.read()
    assert CREATED in new.events and list(new) == [(1, 0, b"a new file, longer than the old")]
    t.close()
