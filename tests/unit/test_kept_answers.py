"""A backlog's answer kept for the next look at the same run
(``ingest.kept_answers``): taken only for the same file whose bytes read as
they did, with the same settings, and then what one reading of the whole
file makes; else the file is read again."""

from __future__ import annotations

import os
import threading
from datetime import timezone

import pytest

from tests.unit.test_apart_process import feed_of, outcome, read_here, reading_of
from vivtui.alerts.rules import AlertEngine
from vivtui.ingest import apart_parts, apart_process, kept_answers
from vivtui.ingest.apart import ReadApart
from vivtui.ingest.apart_parts import ApartParts
from vivtui.ingest.apart_process import ApartProcess
from vivtui.ingest.feeds import read_to_end
from vivtui.store.activity import RunActivity
from vivtui.store.run import RunStore

QUEUE = "execution_log.jsonl"


@pytest.fixture(autouse=True)
def any_size(monkeypatch):
    monkeypatch.setattr(apart_process, "WORTH_OVER", 0)
    marked_small(monkeypatch)


def marked_small(monkeypatch) -> None:
    """Marks of a few bytes at many places: a small file is marked as a big one is."""
    monkeypatch.setattr(kept_answers, "EDGE", 64)
    monkeypatch.setattr(kept_answers, "SAMPLE", 16)
    monkeypatch.setattr(kept_answers, "SAMPLES", 8)


def looked_at(run, name, start=ApartProcess.start, reading=None):
    """The backlog taken over from its process (or kept answer) and read on
    to the end, as the tail loop does: (outcome, what answered)."""
    layout, feed = feed_of(run, name)
    reading = reading or reading_of(feed.kind)
    answered = start(feed, reading)
    assert answered is not None
    assert answered.wait(threading.Event(), lambda: None)
    assert answered.take_over(feed, reading)
    read_to_end(feed, reading.take)
    return outcome(layout, reading), answered


def no_process(monkeypatch):
    """A process started from now on fails to start (then none is, or the
    backlog is read here): what answers is a kept answer."""
    from vivtui.ingest import python_child

    def refused(*args, **kwargs):
        raise OSError("no process in this test")
    # (Nor forked: alone in its process, with no other thread, a test forked
    # one, and found an answer where it looked for none; in the whole suite,
    # other tests' threads kept it from forking.)
    monkeypatch.setattr(python_child, "can_fork", lambda: False)
    monkeypatch.setattr(apart_process.subprocess, "Popen", refused)


def kept_files() -> list[str]:
    return sorted(os.listdir(kept_answers.answers_folder()))


def test_a_file_looked_at_again_takes_its_kept_answer_and_reads_on_from_its_end(
        demo, tmp_path, monkeypatch):
    whole = (demo / QUEUE).read_bytes()
    lines = whole.splitlines(keepends=True)
    first = b"".join(lines[:len(lines) * 2 // 3])
    (tmp_path / QUEUE).write_bytes(first)
    before, _ = looked_at(tmp_path, QUEUE)
    assert before == read_here(tmp_path, QUEUE) and len(kept_files()) == 1
    with open(tmp_path / QUEUE, "ab") as out:  # the run went on
        out.write(whole[len(first):])
    no_process(monkeypatch)
    again, answered = looked_at(tmp_path, QUEUE)
    assert answered.offset == len(first)  # kept up to there, read on from there here
    assert again == read_here(tmp_path, QUEUE) != before


@pytest.mark.parametrize("name", [QUEUE, "action_log.jsonl", "kernel_run.log",
                                  "structured_logs.jsonl", "api_audit.log"])
def test_a_file_grown_by_much_since_is_read_on_from_its_kept_answer_by_a_process(
        demo, tmp_path, monkeypatch, name):
    # A live run looked at again an hour later: read on by the tail loop, much
    # would be read on the screen's process; read again whole, all of it.
    whole = (demo / name).read_bytes()
    half = whole[:whole.index(b"\n", len(whole) // 2) + 1]
    (tmp_path / name).write_bytes(half)
    before, _ = looked_at(tmp_path, name)
    with open(tmp_path / name, "ab") as out:
        out.write(whole[len(half):])
    monkeypatch.setattr(apart_process, "READ_ON_MOST", len(whole) - len(half) - 1)
    launched = []
    real_launch = ApartProcess.launch.__func__
    monkeypatch.setattr(ApartProcess, "launch", classmethod(
        lambda cls, *args, **kwargs: launched.append(kwargs.get("went_on"))
        or real_launch(cls, *args, **kwargs)))
    again, answered = looked_at(tmp_path, name)
    (went_on,) = launched
    assert went_on is not None and went_on.name.split("-")[2] == str(len(half))
    assert not isinstance(answered._process, apart_process._Done)
    assert again == read_here(tmp_path, name) != before
    (kept,) = kept_files()  # what it read on to, kept in place of the older one
    assert kept.split("-")[2] == str(len(whole))
    monkeypatch.setattr(apart_process, "READ_ON_MOST", len(whole))  # (not outgrown)
    _, answered = looked_at(tmp_path, name)
    assert isinstance(answered._process, apart_process._Done)


def test_a_file_cut_and_written_again_is_read_again_not_answered_from_before(demo, tmp_path):
    whole = (demo / QUEUE).read_bytes()
    (tmp_path / QUEUE).write_bytes(whole)
    looked_at(tmp_path, QUEUE)
    lines = whole.splitlines(keepends=True)
    with open(tmp_path / QUEUE, "r+b") as out:  # the same file (inode), other bytes
        out.truncate(0)
        out.write(b"".join(lines[::-1]) + lines[0])
    again, answered = looked_at(tmp_path, QUEUE)
    assert not isinstance(answered._process, apart_process._Done)
    assert again == read_here(tmp_path, QUEUE)


def looked_at_once(demo, tmp_path, monkeypatch):
    """The demo's queue looked at once (its answer kept), then no process to
    be had: its feed, to look at again."""
    (tmp_path / QUEUE).write_bytes((demo / QUEUE).read_bytes())
    looked_at(tmp_path, QUEUE)
    no_process(monkeypatch)
    return feed_of(tmp_path, QUEUE)[1]


def test_another_reading_or_another_file_takes_no_kept_answer(demo, tmp_path, monkeypatch):
    feed = looked_at_once(demo, tmp_path, monkeypatch)
    budgeted = ReadApart("tasks", RunStore(0.5, activity=RunActivity(finished=True)),
                         AlertEngine("run"))
    assert ApartProcess.start(feed, budgeted) is None  # --budget given: another reading
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / QUEUE).write_bytes((tmp_path / QUEUE).read_bytes())  # the same bytes, another file
    _, feed = feed_of(copy, QUEUE)
    assert ApartProcess.start(feed, reading_of("tasks")) is None
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    os.link(tmp_path / QUEUE, renamed / QUEUE)  # the same file (inode) by another path
    _, feed = feed_of(renamed, QUEUE)
    assert ApartProcess.start(feed, reading_of("tasks")) is None
    _, feed = feed_of(tmp_path, QUEUE)
    assert ApartProcess.start(feed, reading_of("tasks")) is not None  # the same again


def test_an_answer_is_not_kept_when_its_bytes_changed_while_it_was_read(demo, tmp_path):
    (tmp_path / QUEUE).write_bytes((demo / QUEUE).read_bytes())
    layout, feed = feed_of(tmp_path, QUEUE)
    reading = reading_of(feed.kind)
    process = ApartProcess.start(feed, reading)
    assert process.wait(threading.Event(), lambda: None)
    with open(tmp_path / QUEUE, "r+b") as out:
        out.write(b"{changed}\n")
    assert process.take_over(feed, reading)
    assert kept_files() == []


def test_the_parts_of_a_file_alone_are_kept_and_joined_again(demo, tmp_path, monkeypatch):
    monkeypatch.setattr(apart_parts, "PARTS_OVER", 2_000)
    monkeypatch.setattr(apart_process, "READ_ON_MOST", 1_000)  # (read on by the tail loop)
    whole = (demo / QUEUE).read_bytes()
    lines = whole.splitlines(keepends=True)
    first = b"".join(lines[:len(lines) // 2])
    (tmp_path / QUEUE).write_bytes(first)
    before, parts = looked_at(tmp_path, QUEUE, ApartParts.start)
    assert isinstance(parts, ApartParts) and len(kept_files()) == 2
    assert before == read_here(tmp_path, QUEUE)
    with open(tmp_path / QUEUE, "ab") as out:  # grown by more than a part's worth
        out.write(whole[len(first):])
    again, parts = looked_at(tmp_path, QUEUE, ApartParts.start)
    # The first kept part, a process for the rest (cut where the kept one ends).
    assert isinstance(parts._first._process, apart_process._Done)
    assert not isinstance(parts._second._process, apart_process._Done)
    assert again == read_here(tmp_path, QUEUE)
    no_process(monkeypatch)
    third, parts = looked_at(tmp_path, QUEUE, ApartParts.start)  # both kept now
    assert isinstance(parts, ApartParts) and third == again
    assert len(kept_files()) == 2  # the older later part was dropped


def test_a_kept_answer_gone_before_it_is_opened_means_a_process_again(demo, tmp_path,
                                                                      monkeypatch):
    # Another monitor's pruning may take it between the look and the opening:
    # read by a process still, not on the screen's process from the start.
    (tmp_path / QUEUE).write_bytes((demo / QUEUE).read_bytes())
    looked_at(tmp_path, QUEUE)
    folder = kept_answers.answers_folder()
    (path,) = folder.iterdir()
    monkeypatch.setattr(kept_answers.Kept, "find", lambda kept, begin, most: (
        os.path.getsize(tmp_path / QUEUE), path))
    for start in (ApartProcess.start, ApartParts.start):
        for kept in folder.iterdir():  # (the answer made last time too)
            kept.unlink()
        result, answered = looked_at(tmp_path, QUEUE, start)
        process = answered._first if isinstance(answered, ApartParts) else answered
        assert not isinstance(process._process, apart_process._Done)
        assert result == read_here(tmp_path, QUEUE)


def test_fresh_takes_no_kept_answer_and_keeps_what_it_counts(demo, tmp_path, monkeypatch):
    monkeypatch.setattr(kept_answers, "_taking", True)  # (as it was, after the test)
    lines = (demo / QUEUE).read_bytes().splitlines(keepends=True)
    (tmp_path / QUEUE).write_bytes(b"".join(lines[:-1]))
    looked_at(tmp_path, QUEUE)
    with open(tmp_path / QUEUE, "ab") as out:
        out.write(lines[-1])
    kept_answers.take_none()  # --fresh
    result, answered = looked_at(tmp_path, QUEUE)
    assert not isinstance(answered._process, apart_process._Done)  # counted again
    assert result == read_here(tmp_path, QUEUE)
    (kept,) = kept_files()  # what it counted, kept in place of the older one
    assert kept.split("-")[2] == str(os.path.getsize(tmp_path / QUEUE))


def test_the_monitor_opened_with_fresh_takes_no_kept_answer(run_dir, tmp_path, monkeypatch):
    from vivtui import launch
    from vivtui.app import VivtuiApp
    from vivtui.cli import monitor_parser
    from vivtui.launch import open_monitor
    monkeypatch.setattr(VivtuiApp, "run", lambda app: None)  # (no terminal: made, not run)
    monkeypatch.setattr(launch, "tune_process", lambda: None)  # (never in a test process)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for fresh, taking in (([], True), (["--fresh"], False)):
        monkeypatch.setattr(kept_answers, "_taking", True)
        assert open_monitor(str(run_dir), monitor_parser().parse_args([*fresh, str(run_dir)])) == 0
        assert kept_answers._taking is taking


def test_the_cache_keeps_the_newest_answers_only(tmp_path, monkeypatch):
    folder = kept_answers.answers_folder()
    monkeypatch.setattr(kept_answers, "MOST_KEPT", 3)
    for number in range(5):
        path = folder / f"answer{number}"
        path.write_bytes(b"x" * 10)
        os.utime(path, (1_000 + number, 1_000 + number))
    kept_answers._prune(folder)
    assert kept_files() == ["answer2", "answer3", "answer4"]
    monkeypatch.setattr(kept_answers, "MOST_BYTES", 25)
    kept_answers._prune(folder)
    assert kept_files() == ["answer3", "answer4"]


def test_no_cache_folder_to_be_had_means_no_answer_kept(demo, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    (tmp_path / QUEUE).write_bytes((demo / QUEUE).read_bytes())
    result, _ = looked_at(tmp_path, QUEUE)
    assert result == read_here(tmp_path, QUEUE)


def test_the_zone_is_part_of_the_reading(demo, tmp_path, monkeypatch):
    from zoneinfo import ZoneInfo
    feed = looked_at_once(demo, tmp_path, monkeypatch)
    feed.zone = ZoneInfo("Asia/Kathmandu")
    assert ApartProcess.start(feed, reading_of("tasks")) is None
    feed.zone = timezone.utc
    assert ApartProcess.start(feed, reading_of("tasks")) is not None


def test_a_cache_folder_others_may_write_to_is_made_this_users_or_not_used(
        tmp_path, monkeypatch):
    # An answer is a pickle: one planted in a shared folder would run its
    # writer's code when loaded.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    shared = tmp_path / "vivtui" / "answers"
    shared.mkdir(parents=True)
    for folder in (shared, shared.parent):
        folder.chmod(0o777)
    assert kept_answers.answers_folder() == shared
    assert [folder.stat().st_mode & 0o777 for folder in (shared, shared.parent)] == [0o755] * 2
    mine = os.getuid()
    monkeypatch.setattr(kept_answers.os, "getuid", lambda: mine + 1)  # someone else's
    assert kept_answers.answers_folder() is None
