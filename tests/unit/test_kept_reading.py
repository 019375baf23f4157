"""``vivtui summary`` of a run it summed up before (``ingest.kept_reading``):
each big file taken from what the last summary kept of it and read on from
there, the report what one reading of the files as they are now gives."""

from __future__ import annotations

import os
import shutil
from datetime import timezone

import pytest

from tests.unit.test_kept_answers import marked_small
from tests.unit.test_split_read import report
from vivtui.cli import run_summary
from vivtui.ingest import kept_answers, kept_reading
from vivtui.ingest.split_read import read_run
from vivtui.parsing.action_text import EntryCounter
from vivtui.parsing.kinds import LineParser
from vivtui.store.activity import RunActivity

LINE_FILES = ("action_log.jsonl", "api_audit.log", "execution_log.jsonl",
              "structured_logs.jsonl", "kernel_run.log")


@pytest.fixture(autouse=True)
def any_size(monkeypatch):
    monkeypatch.setattr(kept_reading, "KEEP_OVER", 0)
    monkeypatch.setattr(kept_reading, "KEEP_AGAIN_OVER", 0)
    marked_small(monkeypatch)
    monkeypatch.setattr(kept_answers, "_taking", True)  # (as it was, after the test)


@pytest.fixture
def parsed(monkeypatch) -> list[int]:
    """The lines parsed from now on, batch by batch."""
    seen: list[int] = []
    original = LineParser.parse
    monkeypatch.setattr(LineParser, "parse",
                        lambda self, lines: (seen.append(len(lines)), original(self, lines))[1])
    return seen


def summed_up(run, processes=1) -> tuple[dict, str]:
    return report(*read_run(run, timezone.utc, activity=RunActivity(finished=True),
                            processes=processes, split_over=0))


def counted_afresh(run, tmp_path, monkeypatch) -> tuple[dict, str]:
    """The report of one reading of the files as they are, nothing kept taken."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another cache"))
    try:
        return summed_up(run)
    finally:
        monkeypatch.undo()


def kept_files() -> list[str]:
    return sorted(os.listdir(kept_answers.answers_folder()))


def test_a_summary_again_reads_no_line_of_files_it_kept_and_reports_the_same(
        demo, tmp_path, parsed):
    run = shutil.copytree(demo, tmp_path / "run")
    first = summed_up(run)
    assert len(kept_files()) == len(LINE_FILES) + 1  # one a line file, and the twin's count
    parsed.clear()
    assert summed_up(run) == first
    assert sum(parsed) == 0


def test_files_grown_are_read_on_from_what_was_kept_and_report_as_one_reading(
        demo, tmp_path, monkeypatch, parsed):
    run = tmp_path / "run"
    run.mkdir()
    for name in os.listdir(demo):
        whole = (demo / name).read_bytes()
        # Two thirds, the last line unfinished where the file is one of lines.
        (run / name).write_bytes(whole[:len(whole) * 2 // 3] if name in LINE_FILES else whole)
    summed_up(run)
    for name in LINE_FILES:
        whole = (demo / name).read_bytes()
        with open(run / name, "ab") as out:  # the run went on
            out.write(whole[len(whole) * 2 // 3:])
    parsed.clear()
    again = summed_up(run, processes=2)
    lines = sum(len((demo / name).read_bytes().splitlines()) for name in LINE_FILES)
    assert 0 < sum(parsed) < lines / 2  # the third written since, and the lines cut
    assert again == counted_afresh(run, tmp_path, monkeypatch)
    assert again[0]["files"]["execution_log.jsonl"]["malformed"] == 0  # no half line kept


def test_a_file_cut_and_written_again_is_read_again_whole(demo, tmp_path, monkeypatch):
    run = shutil.copytree(demo, tmp_path / "run")
    summed_up(run)
    queue = run / "execution_log.jsonl"
    lines = queue.read_bytes().splitlines(keepends=True)
    with open(queue, "r+b") as out:  # the same file (inode), other lines in it, longer
        out.truncate(0)
        out.write(b"".join(lines[::2]) + b"".join(lines))
    again = summed_up(run)
    assert again == counted_afresh(run, tmp_path, monkeypatch)
    assert again[0]["files"]["execution_log.jsonl"]["records"] == len(lines[::2]) + len(lines)


def test_fresh_counts_every_file_again_in_every_process(demo, tmp_path, monkeypatch,
                                                        parsed, capsys, spawned_children):
    run = shutil.copytree(demo, tmp_path / "run")
    assert run_summary(["--json", "--processes", "1", str(run)]) == 0
    parsed.clear()
    assert run_summary(["--json", "--processes", "1", str(run)]) == 0
    assert sum(parsed) == 0
    assert run_summary(["--json", "--fresh", "--processes", "1", str(run)]) == 0
    assert sum(parsed) > 0 and kept_answers.taking() is False
    # A process reading a group of files is told so: none of its files' kept answers taken.
    monkeypatch.setattr(kept_answers, "_taking", True)
    from vivtui.ingest import split_read

    told = []
    monkeypatch.setattr(split_read.pickle, "dump",
                        lambda value, *a, **k: told.append(value[-1]))
    split_read._Worker((str(run), None, None, None, 0, {"tasks"}))
    kept_answers.take_none()
    split_read._Worker((str(run), None, None, None, 0, {"tasks"}))
    assert told == [True, False]
    capsys.readouterr()


def test_an_old_run_read_in_two_steps_is_not_taken_for_one_written_while_read(
        run_dir, tmp_path, monkeypatch):
    """The unfinished last line, read after what is kept, is still the
    file's first reading: no growth seen, the old run is not called live."""
    with open(run_dir / "execution_log.jsonl", "ab") as out:
        out.write(b'{"task_id":"t-late","status":"failed","timestamp":"2026-02-11T00:59:00"')
    again = report(*read_run(run_dir, timezone.utc, processes=1))
    assert again[0]["run"]["state"] == "finished"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another cache"))
    assert again == report(*read_run(run_dir, timezone.utc, processes=1))


def test_the_text_twin_counted_again_counts_on_from_what_was_kept(
        demo, tmp_path, monkeypatch):
    run = shutil.copytree(demo, tmp_path / "run")
    twin = run / "action_log.log"
    entries = b"".join(b"Tue 11:05:%02d | A | TOOL | write_file | entry %d\n" % (n % 60, n)
                       for n in range(300))
    # The count kept ends after an entry; what comes next continues it.
    whole = twin.read_bytes() + entries + b"its detail's second line\n" + entries
    cut = len(whole) - len(entries) - len(b"its detail's second line\n")
    twin.write_bytes(whole[:cut + 10])  # and the continuation begun
    summed_up(run)
    with open(twin, "ab") as out:
        out.write(whole[cut + 10:])
    fed: list[int] = []
    real = EntryCounter.feed_all
    monkeypatch.setattr(EntryCounter, "feed_all",
                        lambda self, lines: (fed.append(len(lines)), real(self, lines))[1])
    again = summed_up(run)
    assert 0 < sum(fed) < len(whole.splitlines()) / 2  # what was written since
    assert again == counted_afresh(run, tmp_path, monkeypatch)
    assert again[0]["files"]["action_log.log"]["records"] > 100
