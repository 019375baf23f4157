"""The time strip's counts: per minute of the lines' own times, a batch at a
time, whatever zone a stamp was written in; bins that fit a width."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from vivtui.parsing.record import ERROR, INFO, MALFORMED, Record
from vivtui.store.timebins import TimeBins, bin_size, binned, extent

BASE = int(datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc).timestamp() // 60)


def row(stamp, severity=INFO, zone=timezone.utc, malformed=False):
    return tuple(Record("api", 1, 0, stamp, zone, severity, MALFORMED if malformed else "x",
                        None, malformed, ""))


def test_events_and_failures_per_minute_of_their_own_times():
    bins = TimeBins()
    bins.add([row("2026-03-01T12:00:05"), row("2026-03-01T12:00:59.9", ERROR),
              row("2026-03-01T14:01:30+02:00"),  # 12:01 UTC, written in +02:00
              row("2026-03-01T12:03:00.123456Z", ERROR),
              row(datetime(2026, 3, 1, 12, 3, 30, tzinfo=timezone.utc)),  # a kernel line's
              row(None, ERROR, malformed=True), row("not a time")])
    assert bins.events == {BASE: 2, BASE + 1: 1, BASE + 3: 2}
    assert bins.failures == {BASE: 1, BASE + 3: 1}


def test_naive_stamps_take_the_files_zone():
    bins = TimeBins()
    bins.add([row("2026-03-01T13:00:00", zone=timezone(timedelta(hours=1)))])
    assert list(bins.events) == [BASE]


def test_the_same_minute_written_in_two_zones_is_two_minutes():
    # The hour a clock falls back: 02:30 is written twice, an hour apart, in
    # one batch. Counted by the minute as written, both went to the first.
    bins = TimeBins()
    bins.add([row("2026-10-25T02:30:10+02:00"), row("2026-10-25T02:30:40.5+01:00", ERROR),
              row("2026-10-25T02:30:50+01:00")])
    first = int(datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc).timestamp() // 60)
    assert bins.events == {first: 1, first + 60: 2}
    assert bins.failures == {first + 60: 1}


def test_bins_fit_the_width_with_usual_sizes():
    assert bin_size(0, 59, 60) == 1
    assert bin_size(0, 60, 60) == 2
    assert bin_size(0, 299, 40) == 10  # 7.5 a bin is needed: the next usual size
    assert bin_size(0, 60 * 24 * 30, 10) == 10080 * 1  # a month in weeks
    counts = binned({BASE: 3, BASE + 7: 1, BASE + 12: 2}, BASE, 5, 3)
    assert counts.values == [3, 1, 2] and counts.span(1) == (BASE + 5, BASE + 10)
    assert extent({5: 1}, {}, {2: 0.5}) == (2, 5) and extent({}) is None


def test_a_tables_bins_kept_as_minutes_change_are_its_bins_summed_afresh(monkeypatch):
    # The strip's tables keep their bins' sums as minutes change: summed
    # afresh, a live big run's four took 2.5-4.5 ms of every frame.
    import pickle
    import random

    import pytest

    from vivtui.store import timebins

    monkeypatch.setattr(timebins, "MOST_CHANGES", 40)  # its changes taken in, now and then
    chance = random.Random(5)
    for floats in (False, True):
        table = timebins.MinuteCounts()
        for step in range(600):
            what = chance.random()
            minute = BASE + chance.randint(-30, 200)
            amount = chance.random() if floats else chance.randint(1, 5)
            if what < 0.8:
                table[minute] += amount
            elif what < 0.83:
                table.update({minute: amount, minute + 1: amount})  # a part joined on
            elif what < 0.85 and not floats:
                table.update([minute, minute, minute + 2])  # a kernel batch's times counted
            elif what < 0.87:
                table.pop(minute, None)
            elif what < 0.88:
                table = pickle.loads(pickle.dumps(table))  # (from a reading process)
                assert isinstance(table, timebins.MinuteCounts)
            elif what < 0.885:
                table.clear()
            size = chance.choice([1, 2, 5, 60, 1440])
            first = (BASE - 60) - (BASE - 60) % size
            count = 300 // size + 2
            kept = binned(table, first, size, count).values
            afresh = binned(dict(table), first, size, count).values
            assert kept == pytest.approx(afresh, abs=1e-9)
            assert floats or kept == afresh  # counts add up exactly
    table.update([BASE, BASE])  # (a kernel batch, each live second: the bins are kept)
    assert size in table._bins
    empty = timebins.MinuteCounts()
    assert binned(empty, BASE, 1, 2).values == [0.0, 0.0]
    empty.update({BASE + 1: 2})  # (an empty Counter's update sets no minute one by one)
    assert binned(empty, BASE, 1, 2).values == [0.0, 2.0]
