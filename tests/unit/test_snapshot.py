"""performance_history.json: rewritten whole, sometimes caught half-written."""

from __future__ import annotations

import os
import re

import orjson

from vivtui.sources import array_pieces, snapshot
from vivtui.sources.snapshot import HALF_WRITTEN, NOT_AN_ARRAY, NOT_JSON, SnapshotReader


def write(path, value, *, raw: bytes | None = None):
    data = raw if raw is not None else orjson.dumps(value)
    path.write_bytes(data)
    # Make every rewrite visible even within one mtime tick.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def counted(monkeypatch) -> list:
    """One item each time the whole file is read."""
    whole = []
    real = snapshot.read_regular
    monkeypatch.setattr(snapshot, "read_regular", lambda *a: whole.append(1) or real(*a))
    return whole


def follow(path, entries, monkeypatch):
    """``entries`` written indented, as the producer does, and read once by a
    reader on a clock the test moves: (reader, clock, whole reads)."""
    path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    now = [0.0]
    reader = SnapshotReader(path, clock=lambda: now[0])
    reader.read()
    return reader, now, counted(monkeypatch)


def test_growth_reports_only_new_entries(tmp_path):
    path = tmp_path / "performance_history.json"
    reader = SnapshotReader(path)
    assert reader.read() is None and reader.state == "missing"
    write(path, [{"session_id": 1}])
    update = reader.read()
    assert (update.entries, update.start, update.reset) == ([{"session_id": 1}], 0, False)
    assert reader.read() is None  # unchanged
    write(path, [{"session_id": 1}, {"session_id": 2}, {"session_id": 3}])
    update = reader.read()
    assert (update.entries, update.start, update.reset) == (
        [{"session_id": 2}, {"session_id": 3}], 1, False)


def test_half_written_keeps_last_good_then_recovers(tmp_path):
    path = tmp_path / "performance_history.json"
    write(path, [{"session_id": 1}])
    reader = SnapshotReader(path)
    reader.read()
    write(path, None, raw=b'[{"session_id": 1}, {"sess')
    assert reader.read() is None
    assert reader.problem == HALF_WRITTEN and reader.count == 1
    write(path, [{"session_id": 1}, {"session_id": 2}])
    update = reader.read()
    assert update.entries == [{"session_id": 2}] and reader.problem == ""


def test_shrink_or_change_resets(tmp_path):
    path = tmp_path / "performance_history.json"
    write(path, [{"a": 1}, {"a": 2}])
    now = [0.0]
    reader = SnapshotReader(path, clock=lambda: now[0])
    reader.read()
    write(path, [{"a": 9}])
    # Shorter: maybe a rewrite caught halfway, until the bytes have settled.
    assert reader.read() is None and reader.problem == HALF_WRITTEN
    now[0] += snapshot.SETTLE_S
    update = reader.read()
    assert update.reset and update.entries == [{"a": 9}] and update.start == 0


def test_a_rewrite_cut_after_a_nested_array_is_not_parsed_whole(tmp_path, monkeypatch):
    """The first half of a rewrite can end in an entry's own list: it ends
    with "]" as the whole array does, and both parsers went over the file."""
    path = tmp_path / "performance_history.json"
    entries = [{"session_id": i, "files_modified": ["a.py", "b.py"]} for i in range(300)]
    reader, now, whole = follow(path, entries, monkeypatch)
    full = path.read_bytes()
    cut = full.index(b"]", len(full) // 2) + 1  # just after a nested list
    path.write_bytes(full[:cut] + b"\n  ")
    assert reader.read() is None and reader.problem == HALF_WRITTEN and whole == []
    entries.append({"session_id": 300})
    path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    assert reader.read().entries == [{"session_id": 300}] and whole == []


def test_not_an_array(tmp_path):
    path = tmp_path / "performance_history.json"
    write(path, {"oops": 1})
    reader = SnapshotReader(path)
    assert reader.read() is None and reader.problem == NOT_AN_ARRAY


def test_a_history_with_an_entry_of_too_many_values_is_not_decoded_and_says_so(
        tmp_path, monkeypatch):
    """One entry of millions of objects, decoded by the tail loop, held the
    screen 2.4 s and took 1.4 GB: counted first, it is refused, whether it
    was appended, read whole, or cut into pieces without an end."""
    from vivtui.sources.json_values import MOST_VALUES

    path = tmp_path / "performance_history.json"
    write(path, None, raw=b'[{"session_id": 1}]')  # (the first rewrite below: an append)
    reader = SnapshotReader(path)
    assert reader.read().entries == [{"session_id": 1}]
    decoded = []
    real = orjson.loads
    monkeypatch.setattr(snapshot.orjson, "loads", lambda data: decoded.append(len(data))
                        or real(data))
    for many in (b"[]," * MOST_VALUES + b"[]",  # (no entry's end: one piece)
                 b"{}," * MOST_VALUES + b"{}"):  # (pieces cut inside it: read whole)
        write(path, None, raw=b'[{"session_id": 1}, {"session_id": 2, "x": [' + many + b"]}]")
        assert reader.read() is None and reader.count == 1
        assert re.fullmatch(r"not read: about 2,000,00\d values \(at most 2,000,000 are "
                            r"decoded\)", reader.problem), reader.problem
        assert reader.read() is None  # (counted once: the same bytes are not looked at again)
        assert max(decoded, default=0) < array_pieces.COUNTED_OVER + 2
    write(path, [{"session_id": 1}, {"session_id": 3}])
    assert reader.read().entries == [{"session_id": 3}] and reader.problem == ""


def test_numbers_orjson_refuses_are_read_and_a_file_that_never_parses_is_named(tmp_path):
    path = tmp_path / "performance_history.json"
    path.write_text('[{"session_id": 1, "duration_seconds": 1e400, "success": true}]')
    now = [0.0]
    reader = SnapshotReader(path, clock=lambda: now[0])
    update = reader.read()
    assert update is not None and update.entries[0]["session_id"] == 1
    assert reader.problem == ""
    path.write_text('[{"session_id": 1}, {"oops" ')  # stays like this
    assert reader.read() is None and reader.problem == HALF_WRITTEN
    # Looked at again, the same bytes, once settled: not a rewrite in progress.
    now[0] += snapshot.SETTLE_S
    assert reader.read() is None and reader.problem == NOT_JSON


def test_bytes_that_did_not_parse_are_read_again_only_once_settled(tmp_path, monkeypatch):
    """A producer that pauses mid-rewrite (the demo's does, 20 ms) is looked
    at twice in the pause: that is neither a reason to read the whole file
    again nor one to call it not JSON."""
    path = tmp_path / "performance_history.json"
    entries = [{"session_id": i} for i in range(500)]
    reader, now, whole = follow(path, entries, monkeypatch)
    full = path.read_bytes()
    path.write_bytes(full[: len(full) // 2])  # the rewrite's first half, then a pause
    for _ in range(3):
        now[0] += snapshot.SETTLE_S / 4
        assert reader.read() is None and reader.problem == HALF_WRITTEN
    assert whole == []
    now[0] += snapshot.SETTLE_S  # the writer never came back: named, read once
    assert reader.read() is None and reader.problem == NOT_JSON and whole == [1]
    for _ in range(3):
        now[0] += snapshot.SETTLE_S
        assert reader.read() is None and reader.problem == NOT_JSON
    assert whole == [1]  # not read again while unchanged
    entries.append({"session_id": 500})
    path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    update = reader.read()  # the rewrite finished after all
    assert update.entries == [{"session_id": 500}] and reader.problem == ""


def test_a_big_history_is_read_whole_less_often(tmp_path, monkeypatch):
    """The whole read that finds entries changed in place is spaced by the
    file's size: a long run's history costs a bounded number of bytes a second."""
    monkeypatch.setattr(snapshot, "FULL_BYTES_PER_S", 1000)
    path = tmp_path / "performance_history.json"
    entries = [{"session_id": i} for i in range(2000)]
    reader, now, whole = follow(path, entries, monkeypatch)
    size = path.stat().st_size
    assert size / 1000 > 2 * snapshot.FULL_EVERY_S
    waited = 0.0
    while not whole:
        now[0] += snapshot.FULL_EVERY_S
        waited += snapshot.FULL_EVERY_S
        entries.append({"session_id": len(entries)})
        path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))
        assert reader.read().entries == entries[-1:]
    assert size / 1000 <= waited < size / 1000 + 2 * snapshot.FULL_EVERY_S


def test_utf16_and_too_deeply_nested_lines_are_named_as_such():
    from vivtui.parsing.jsonline import why_not_json
    assert "UTF-16" in why_not_json('{"a": 1}'.encode("utf-16"))
    assert why_not_json(b"plain garbage") == "not JSON"
    deep = b'{"a": ' + b"[" * 3000 + b"]" * 3000 + b"}"
    assert why_not_json(deep) == "not read: nested more than 1024 deep"
    assert why_not_json(b'{"a": ' + b"[" * 10) == "not JSON"  # (cut short)


def test_a_rewrite_that_only_appends_is_parsed_for_its_new_entries(tmp_path, monkeypatch):
    path = tmp_path / "performance_history.json"
    path.write_text('[{"session_id": 1}]')
    reader = SnapshotReader(path)
    assert reader.read().entries == [{"session_id": 1}]
    calls = []
    real = orjson.loads
    monkeypatch.setattr(orjson, "loads", lambda data: calls.append(len(data)) or real(data))
    path.write_text('[{"session_id": 1},\n {"session_id": 2}]')
    update = reader.read()
    assert (update.entries, update.start, update.reset) == ([{"session_id": 2}], 1, False)
    assert calls and max(calls) < 25  # the new entry alone was parsed
    path.write_text('[{"session_id": 10},\n {"session_id": 2}]')  # changed, not appended
    update = reader.read()
    assert update.reset and update.entries == [{"session_id": 10}, {"session_id": 2}]
    assert reader.count == len(update.entries)


def test_an_indented_array_that_grows_is_parsed_for_its_new_entries(tmp_path):
    path = tmp_path / "performance_history.json"
    entries = [{"session_id": 1, "files_modified": ["a.py"]}]
    path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))  # as Python's json.dump(indent=2)
    reader = SnapshotReader(path)
    reader.read()
    entries.append({"session_id": 2})
    path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    update = reader.read()
    assert (update.entries, update.start, update.reset) == ([{"session_id": 2}], 1, False)


def test_a_rewrite_caught_halfway_is_known_without_parsing_the_whole(tmp_path, monkeypatch):
    path = tmp_path / "performance_history.json"
    entries = [{"session_id": i} for i in range(50)]
    full = orjson.dumps(entries, option=orjson.OPT_INDENT_2)
    path.write_bytes(full)
    reader = SnapshotReader(path)
    reader.read()
    parsed = []
    monkeypatch.setattr(snapshot, "_loads", lambda data: parsed.append(data) or [])
    path.write_bytes(full[: len(full) // 2])  # rewritten from the top, caught halfway
    assert reader.read() is None and reader.problem == HALF_WRITTEN
    bigger = orjson.dumps(entries + [{"session_id": 50}], option=orjson.OPT_INDENT_2)
    path.write_bytes(bigger[:-10])  # an append caught halfway
    assert reader.read() is None and reader.problem == HALF_WRITTEN
    assert parsed == []  # the whole file was never parsed for either


def test_a_long_history_appended_to_is_read_at_its_end_and_whole_now_and_then(
        tmp_path, monkeypatch):
    path = tmp_path / "performance_history.json"
    entries = [{"session_id": i, "files_modified": ["a.py"] * 5} for i in range(2000)]
    path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    now = [0.0]
    reader = SnapshotReader(path, clock=lambda: now[0])
    assert len(reader.read().entries) == 2000
    whole = counted(monkeypatch)
    for i in range(2000, 2010):  # the producer rewrites the whole array for each entry
        entries.append({"session_id": i})
        path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))
        update = reader.read()
        assert (update.entries, update.start, update.reset) == ([{"session_id": i}], i, False)
    assert whole == []  # 10 appends, the file never read whole
    entries[1000]["session_id"] = 9999  # changed in place (same length), with an append
    entries.append({"session_id": 2010})
    path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    assert reader.read().entries == [{"session_id": 2010}]  # the ends alone are compared
    now[0] += snapshot.FULL_EVERY_S
    entries.append({"session_id": 2011})
    path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    update = reader.read()  # read whole again: the change is found
    assert update.reset and update.entries[1000]["session_id"] == 9999 and whole
    assert reader.count == 2012


def test_a_long_history_rewritten_is_not_parsed_whole_when_nothing_before_its_end_changed(
        tmp_path, monkeypatch):
    path = tmp_path / "performance_history.json"
    entries = [{"session_id": i} for i in range(3000)]
    full = orjson.dumps(entries, option=orjson.OPT_INDENT_2)
    path.write_bytes(full)
    now = [0.0]
    reader = SnapshotReader(path, clock=lambda: now[0])
    reader.read()
    whole, parsed = [], []
    real_read, real_loads = snapshot.read_regular, snapshot._loads
    monkeypatch.setattr(snapshot, "read_regular", lambda *a: whole.append(1) or real_read(*a))
    monkeypatch.setattr(snapshot, "_loads", lambda data: parsed.append(1) or real_loads(data))
    path.write_bytes(full[: len(full) // 3])  # rewritten from the top, caught a third in
    assert reader.read() is None and reader.problem == HALF_WRITTEN
    assert whole == []  # known from its last bytes
    now[0] += snapshot.FULL_EVERY_S  # the whole file is due to be compared
    entries.append({"session_id": 3000})
    path.write_bytes(orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    update = reader.read()
    assert (update.entries, update.start, update.reset) == ([{"session_id": 3000}], 3000, False)
    assert whole == [1] and parsed == []  # read and hashed, not parsed: nothing changed


def test_a_rewrite_begun_between_the_look_and_the_read_is_waited_for(tmp_path, monkeypatch):
    """The producer empties the file to rewrite it: an append seen by stat and
    emptied before it is read is half-written, not a reason to parse it whole."""
    path = tmp_path / "performance_history.json"
    entries = [{"session_id": i} for i in range(100)]
    write(path, entries, raw=orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    reader = SnapshotReader(path)
    reader.read()
    entries.append({"session_id": 100})
    write(path, entries, raw=orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    real_open, emptied = snapshot.open_regular, []

    def open_emptied(name):  # the first open after the look finds the rewrite begun
        if not emptied:
            emptied.append(1)
            return os.open(tmp_path / "empty", os.O_RDONLY | os.O_CREAT)
        return real_open(name)

    monkeypatch.setattr(snapshot, "open_regular", open_emptied)
    parsed = []
    real_loads = snapshot._loads
    monkeypatch.setattr(snapshot, "_loads", lambda data: parsed.append(1) or real_loads(data))
    assert reader.read() is None and reader.problem == HALF_WRITTEN
    entries.append({"session_id": 101})
    write(path, entries, raw=orjson.dumps(entries, option=orjson.OPT_INDENT_2))
    update = reader.read()
    assert (update.entries, update.start, update.reset) == (entries[100:], 100, False)
    assert parsed == []  # neither read parsed the whole history


def test_a_rewrite_finished_between_the_look_and_the_read_is_taken_as_an_append(
        tmp_path, monkeypatch):
    """Looked at halfway (shorter than before), finished by the time its end is
    read: looked at again, not parsed whole for a plain append."""
    path = tmp_path / "performance_history.json"
    entries = [{"session_id": i} for i in range(500)]
    full = orjson.dumps(entries, option=orjson.OPT_INDENT_2)
    write(path, entries, raw=full)
    reader = SnapshotReader(path)
    reader.read()
    write(path, entries, raw=full[: len(full) // 2])  # the rewrite's first half, looked at
    entries.append({"session_id": 500})
    real_grown = SnapshotReader._grown_since

    def finished_meanwhile(self, st):
        write(path, entries, raw=orjson.dumps(entries, option=orjson.OPT_INDENT_2))
        monkeypatch.setattr(SnapshotReader, "_grown_since", real_grown)
        return real_grown(self, st)

    monkeypatch.setattr(SnapshotReader, "_grown_since", finished_meanwhile)
    whole = counted(monkeypatch)
    update = reader.read()
    assert (update.entries, update.start, update.reset) == ([{"session_id": 500}], 500, False)
    assert whole == [] and reader.problem == ""


def test_a_whole_array_decoded_in_pieces_is_the_array_decoded_at_once():
    """Cut after an entry's closing brace every few bytes, wherever such a
    brace is (in a string, in a nested object or list): the same array, or
    None for the caller to decode whole; never a different one."""
    import json
    import random

    rng = random.Random(4)
    tricky = ["}, {", '"}, {"', "x},", '\\"}, {', "é}", "", "[1]"]
    for _ in range(300):
        entries = []
        for number in range(rng.randrange(0, 12)):
            entry = {"session_id": number, "note": rng.choice(tricky),
                     "lessons_learned": [rng.choice(tricky), {"in": rng.choice(tricky)}],
                     "nested": {"a": {"b": rng.choice(tricky)}}}
            entries.append(rng.choice([entry, number, [entry], "}, {"]))
        data = json.dumps(entries, indent=rng.choice([None, 2]),
                          ensure_ascii=rng.random() < 0.5).encode()
        digests = [array_pieces.digest(entry) for entry in entries]
        for size in (0, 1, 7, 40, 10 ** 6):
            found = array_pieces.array_in_pieces(data, size)
            if found is not None:
                assert list(found[0]) == entries and list(found[1]) == digests, (data, size)
                at = rng.randrange(len(entries) + 1)  # (where a version's new entries start)
                assert list(found[0][at:]) == entries[at:] and list(found[0][-1:]) == entries[-1:]
                stop = rng.randrange(at, len(entries) + 1)
                assert found[0][at:stop] == entries[at:stop]  # (a batch: a list)
                if hasattr(found[0], "since"):
                    later = found[0].since(at)
                    assert list(later) == entries[at:] and later[:stop - at] == entries[at:stop]
                if entries:
                    assert found[0][len(entries) - 1] == found[0][-1] == entries[-1]
                    assert found[0][0] == entries[0]  # (back to an earlier piece)
        assert list(array_pieces.array_in_pieces(data, 10 ** 6)[0]) == entries  # (one piece)
    assert list(array_pieces.array_in_pieces(b'  [{"a": 1}, {"b": 2}]\n', 0)[0]) == [
        {"a": 1}, {"b": 2}]
    for not_to_cut in (b'{"a": 1}', b"[1, NaN]", b'[{"a": 1}, {"b": 2]', b"\xef\xbb\xbf[]"):
        assert array_pieces.array_in_pieces(not_to_cut, 0) is None


def test_a_big_history_read_whole_is_decoded_a_piece_at_a_time(tmp_path, monkeypatch):
    """orjson holds the GIL for a whole call: a long run's history decoded
    at once held the screen's thread 1.2 s (93 MB)."""
    entries = [{"session_id": n, "task_description": "t" * 200} for n in range(20_000)]
    write(tmp_path / "performance_history.json", entries)
    decoded = []
    real = snapshot.orjson.loads
    monkeypatch.setattr(snapshot.orjson, "loads", lambda data: decoded.append(len(data))
                        or real(data))
    update = SnapshotReader(tmp_path / "performance_history.json").read()
    assert list(update.entries) == entries and not update.reset
    assert len(decoded) > 4 and max(decoded) < array_pieces.PIECE + 1000, (len(decoded), max(decoded))


def test_a_big_historys_entries_are_decoded_as_they_are_handed_out(tmp_path):
    """Held decoded until all were handed out, a long run's 250k entries
    took 380 MB beside the file's 93: a piece's at a time now."""
    import tracemalloc

    entries = [{"session_id": n, "task_description": "t" * 200, "files_modified": ["a.py"]}
               for n in range(20_000)]
    write(tmp_path / "performance_history.json", entries)
    size = (tmp_path / "performance_history.json").stat().st_size
    reader = SnapshotReader(tmp_path / "performance_history.json")
    tracemalloc.start()
    try:
        update = reader.read()
        assert sum(1 for entry in update.entries if entry["task_description"]) == 20_000
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert list(update.entries) == entries and reader.count == 20_000
    assert peak < 2 * size, (peak, size)


def test_where_a_text_ends_before_its_trailing_space_is_found_without_a_copy():
    """(``bytes.rstrip`` copied a long history, twice, on the screen's thread.)"""
    import random

    rng = random.Random(2)
    for _ in range(500):
        data = bytes(rng.choice(b" \t\n\r\x0b\x0cab]") for _ in range(rng.randrange(0, 9000)))
        end = rng.randrange(0, len(data) + 1)
        assert array_pieces.before_space(data, end) == len(data[:end].rstrip())
