"""action_log.log, the human-readable twin: headers, rules, entries, continuation lines."""

from __future__ import annotations

from datetime import timezone

from hypothesis import given
from hypothesis import strategies as st

from vivtui.ingest.counting import count_records
from vivtui.parsing import action_text
from vivtui.parsing.action_text import ActionTextAssembler, EntryCounter
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import spec_for_name
from vivtui.parsing.record import ERROR

LOG = b"""===============================================================================================
ACTION LOG STARTED: 2026-02-03T11:05:00.123456 (Tuesday)
===============================================================================================
DAY TIME     | ACTOR        | TYPE     | ACTION         | DETAIL
-----------------------------------------------------------------------------------------------
Tue 11:05:23 | Beam-31      | TOOL     | write_file     | app/gut_check.py (+12 lines)
Tue 11:05:24 | Beam-31      | SAFETY   | BLOCKED        | protected_file: a | b | c
second line of the detail
\tthird, with a tab
??? 23:59:59 | SYSTEM       | SYSTEM   | tick           | late
Wed 00:00:01 | SYSTEM       | SYSTEM   | tick           | after midnight

"""


def assemble(data: bytes) -> list:
    assembler = ActionTextAssembler()
    ctx = ParseContext(timezone.utc)
    out, offset = [], 0
    for number, line in enumerate(data.split(b"\n"), 1):
        out += assembler.feed(line, number, offset, ctx)
        offset += len(line) + 1
    return out + assembler.flush()


def test_entries_and_continuations():
    records = assemble(LOG)
    assert [r.line for r in records] == [6, 7, 10, 11]
    first, blocked, late, after = records
    assert first.fields["actor"] == "Beam-31"
    assert first.fields["action"] == "write_file"
    assert first.fields["detail"] == "app/gut_check.py (+12 lines)"
    assert first.ts.isoformat() == "2026-02-03T11:05:23+00:00"
    assert blocked.severity == ERROR
    assert blocked.fields["detail"] == (
        "protected_file: a | b | c\nsecond line of the detail\n\tthird, with a tab")
    assert late.ts.isoformat() == "2026-02-03T23:59:59+00:00"
    assert after.ts.isoformat() == "2026-02-04T00:00:01+00:00"  # rolled over midnight


def test_an_entry_waits_for_its_continuations_until_flushed():
    assembler = ActionTextAssembler()
    ctx = ParseContext(timezone.utc)
    assert assembler.feed(b"Tue 11:05:23 | A | TOOL | x | d", 1, 0, ctx) == []
    assert assembler.feed(b"more", 2, 40, ctx) == []
    (record,) = assembler.flush()
    assert record.fields["detail"] == "d\nmore"
    # A continuation that comes after its entry was handed out is still kept.
    (orphan,) = assembler.feed(b"late continuation", 3, 50, ctx)
    assert orphan.fields["detail"] == "late continuation" and orphan.line == 3


def test_entries_without_header_have_no_time():
    (record,) = assemble(b"Tue 11:05:23 | A | TOOL | x | d\n")
    assert record.ts is None and record.category == "TOOL"


def test_each_step_back_of_the_clock_is_a_new_day_however_many():
    head = LOG.split(b"Tue 11:05:23")[0]
    steps = b"".join(b"??? %02d:00:00 | A | TOOL | x | d\n" % hour  # (no day's name)
                     for _ in range(40) for hour in (20, 3))  # 20h, then 3h the next day
    records = assemble(head + steps)
    days = [r.ts.date().toordinal() - records[0].ts.date().toordinal() for r in records]
    assert days[:6] == [0, 1, 1, 2, 2, 3] and days[-1] == 40


def test_a_day_or_more_without_entries_is_told_by_the_days_name():
    head = LOG.split(b"Tue 11:05:23")[0]
    records = assemble(head + b"Tue 11:06:00 | A | TOOL | x | d\n"
                       b"Wed 12:00:00 | A | TOOL | x | a day and an hour later\n"
                       b"Fri 09:00:00 | A | TOOL | x | two quiet days\n"
                       b"Fri 08:59:30 | A | TOOL | x | a line written a little late\n"
                       b"Mon 08:00:00 | A | TOOL | x | a weekend\n")
    assert [r.ts.isoformat() for r in records] == [
        "2026-02-03T11:06:00+00:00", "2026-02-04T12:00:00+00:00", "2026-02-06T09:00:00+00:00",
        "2026-02-06T08:59:30+00:00", "2026-02-09T08:00:00+00:00"]


# Lines of every part a line can play, and of the edges between them.
_LINES = [b"Tue 11:05:23 | A | TOOL | x | d", b"??? 23:59:59 | S | SYSTEM | t | late",
          b"more of a detail", b"", b"   ", b"\r", b"=" * 20, b"-" * 20 + b"  ",
          b"ACTION LOG STARTED: 2026-02-03T11:05:00.123456 (Tuesday)",
          b"DAY TIME     | ACTOR | TYPE", b"Tue 1:05:23 | not quite", b"\xef\xbb\xbfWed 00:00:01 | A",
          b"Tue 11:05:23 |no space", b"--- a rule? no", b"\xff\xfe bytes"]


@given(st.lists(st.sampled_from(_LINES), max_size=40), st.integers(0, 40))
def test_the_counter_counts_the_records_the_assembler_hands_out(lines, cut):
    """``vivtui summary`` counts the text twin with ``EntryCounter``: the same
    number as the records assembled from the same lines, fed in two pieces."""
    counter = EntryCounter()
    counter.feed_all(lines[:cut])
    counter.feed_all(lines[cut:])
    assert counter.records == len(assemble(b"\n".join(lines)))


def test_counting_the_text_twin_makes_no_record(tmp_path, monkeypatch):
    path = tmp_path / "action_log.log"
    path.write_bytes(LOG + b"an orphan after the last entry? no: its continuation\n")
    made = []
    monkeypatch.setattr(action_text, "make", lambda *a, **k: made.append(a))
    assert count_records(spec_for_name("action_log.log"), path, timezone.utc) == (4, 0)
    assert made == []
