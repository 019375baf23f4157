"""A run read by several processes (``ingest.split_read``) must report exactly
what one process reading it reports: every count, list and order."""

from __future__ import annotations

import shutil
import sys
from datetime import timezone
from itertools import product

import pytest

from vivtui.demo import write_forever
from vivtui.ingest import split_read
from vivtui.ingest.feeds import read_to_end
from vivtui.ingest.layout import discover
from vivtui.ingest.split_read import _jobs, balanced, read_run
from vivtui.store.activity import RunActivity
from vivtui.store.run import RunStore
from vivtui.summary import render_text, summary_dict


@pytest.fixture
def mixed_run(tmp_path, run_dir):
    """Every kind, with malformed lines and safety blocks in several files,
    a rotated action log and the action log's stated budget limit."""
    root = run_dir  # a copy of its own
    write_forever(tmp_path / "demo", rate=0, limit=300)
    for name in ("structured_logs.jsonl", "execution_log.jsonl", "api_audit.log",
                 "kernel_run.log"):
        with open(root / name, "ab") as out:
            out.write((tmp_path / "demo" / name).read_bytes())
            out.write(b"{not json at all\n")
    # The text twin of the action log: not read (the JSONL is), but counted.
    shutil.copy(tmp_path / "demo" / "action_log.log", root / "action_log.log")
    return root


def report(layout, store) -> tuple[dict, str]:
    return summary_dict(layout, store), render_text(layout, store, limit=50)


def one_process(path):
    return report(*read_run(path, timezone.utc, activity=RunActivity(finished=True),
                            processes=1))


def unreported(store: RunStore) -> tuple:
    """What a store holds beyond the report: the time strip, the run's span."""
    return (store.timebins.events, store.timebins.failures, store.activity.first_event,
            store.activity.last_event)


def read_here(path) -> RunStore:
    """Every file read by one store, as the monitor's (with its time strip)."""
    store = RunStore(activity=RunActivity(finished=True), capacity=0)
    for feed in discover(path, timezone.utc).feeds:
        read_to_end(feed, store.apply_batch)
    return store


def test_every_split_of_the_kinds_absorbed_reads_as_one_store(mixed_run):
    expected = one_process(mixed_run)
    whole = unreported(read_here(mixed_run))
    assert whole[0] and whole[1]  # events and failures per minute
    kinds = [feed.kind for feed in discover(mixed_run, timezone.utc).feeds]
    assert {"actions", "api", "tasks", "sessions", "kernel"} <= set(kinds)
    for places in product((0, 1), repeat=len(kinds)):
        layout = discover(mixed_run, timezone.utc)
        stores = [RunStore(activity=RunActivity(finished=True), capacity=0) for _ in range(2)]
        for feed, place in zip(layout.feeds, places):
            read_to_end(feed, stores[place].apply_batch)
        theirs = {kind for kind, place in zip(kinds, places) if place == 1}
        stores[0].absorb(stores[1], theirs, kinds)
        assert report(layout, stores[0]) == expected, places
        assert unreported(stores[0]) == whole, places


def test_processes_report_what_one_process_reports(mixed_run, monkeypatch, child_start):
    expected = one_process(mixed_run)
    absorbed = []
    original = RunStore.absorb
    monkeypatch.setattr(RunStore, "absorb", lambda self, other, kinds, order: (
        absorbed.append(kinds), original(self, other, kinds, order)))
    layout, store = read_run(mixed_run, timezone.utc, activity=RunActivity(finished=True),
                             processes=3, split_over=0)
    assert len(absorbed) == 2 and set().union(*absorbed)  # kinds read by other processes
    assert report(layout, store) == expected
    assert store.timebins is None  # a report has no time strip: not counted
    data = expected[0]
    assert data["files"]["kernel_run.log"]["malformed"] == 0  # kernel lines are text
    assert data["files"]["execution_log.jsonl"]["malformed"] == 1
    assert len(data["malformed"]) >= 4 and data["safety"]["blocked"] > 0
    assert data["budget"]["limit_source"] != "default"  # the action log's stated limit
    twin = data["files"]["action_log.log"]
    assert twin["used"] is False and twin["records"] > 100


def test_a_process_that_fails_is_read_here_instead(mixed_run, monkeypatch):
    expected = one_process(mixed_run)
    monkeypatch.setattr(sys, "executable", shutil.which("false"))
    layout, store = read_run(mixed_run, timezone.utc, activity=RunActivity(finished=True),
                             processes=2, split_over=0)
    assert report(layout, store) == expected


def plant_vivtui(directory) -> object:
    """A folder named ``vivtui`` in ``directory`` (as a copied run or an
    unpacked archive may hold) whose import leaves a mark: the mark's path."""
    mark = directory / "imported"
    package = directory / "vivtui"
    for inner in (package, package / "ingest"):
        inner.mkdir(parents=True)
        (inner / "__init__.py").write_text(f"open({str(mark)!r}, 'w').close()\n")
    return mark


def test_a_vivtui_folder_where_it_is_started_is_not_what_its_processes_run(
        mixed_run, tmp_path, monkeypatch, spawned_children):
    expected = one_process(mixed_run)
    elsewhere = tmp_path / "elsewhere"
    mark = plant_vivtui(elsewhere)
    monkeypatch.chdir(elsewhere)
    done_here = []
    real = split_read._do_apart
    monkeypatch.setattr(split_read, "_do_apart",
                        lambda *ask: (done_here.append(ask), real(*ask))[1])
    layout, store = read_run(mixed_run, timezone.utc, activity=RunActivity(finished=True),
                             processes=3, split_over=0)
    assert not mark.exists()
    assert done_here == []  # each group's answer from its process, none read here instead
    assert report(layout, store) == expected


def test_small_runs_and_single_files_are_read_here(mixed_run, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")  # would fail if started
    read_run(mixed_run, processes=4)  # under the size: no process started
    read_run(mixed_run / "api_audit.log", processes=4, split_over=0)


def test_groups_balance_reading_time(mixed_run):
    (mixed_run / "action_log.log").write_bytes(b"x\n" * 2_000_000)  # counted, not read
    jobs = _jobs(discover(mixed_run))
    assert str(mixed_run / "action_log.log") in jobs and "actions" in jobs
    groups = balanced(jobs, 2)
    assert len(groups) == 2
    assert sorted(name for group in groups for name in group) == sorted(jobs)
    heaviest = groups[-1]  # the lightest first
    assert str(mixed_run / "action_log.log") in heaviest and len(heaviest) == 1
    assert balanced(jobs, 1) == [set(jobs)]
    assert len(balanced(jobs, 20)) <= len(jobs)


def test_a_workers_answer_is_loaded_once_the_worker_has_ended(mixed_run, monkeypatch):
    """Not read from a pipe as it is written: the worker's store and its copy
    here were in memory at once (a big run's summary: 293 MB for the two)."""
    from vivtui.ingest import handover, split_read

    alive_at_load = []
    workers = []
    real_worker, real_load = split_read._Worker, handover.load

    def worker(args):
        workers.append(real_worker(args))
        return workers[-1]

    def load(file, pace=None):
        alive_at_load.extend(w._process.poll() is None for w in workers)
        return real_load(file, pace)

    monkeypatch.setattr(split_read, "_Worker", worker)
    monkeypatch.setattr(handover, "load", load)
    split = report(*read_run(mixed_run, timezone.utc, activity=RunActivity(finished=True),
                             processes=2, split_over=0))
    assert workers and alive_at_load and not any(alive_at_load)
    assert split == one_process(mixed_run)


def test_the_text_twin_is_shared_out_at_what_counting_it_costs(tmp_path):
    """Beside the JSONL it is counted, not read (``EntryCounter``): about
    what the JSONL's reading costs a byte, a tenth of assembling it."""
    for name, size in (("action_log.jsonl", 1 << 20), ("action_log.log", 1 << 20),
                       ("api_audit.log", 3 << 19)):
        (tmp_path / name).write_bytes(b"x\n" * (size // 2))
    jobs = _jobs(discover(tmp_path))
    lighter, heavier = balanced(jobs, 2)
    assert heavier == {"api"} and {"actions", str(tmp_path / "action_log.log")} <= lighter


def test_a_file_read_whole_is_read_before_the_line_files_of_its_group(mixed_run,
                                                                        monkeypatch):
    """Its bytes, held while its entries are taken in, are freed before the
    other files' models grow; the report is the one read in the files' order."""
    in_order = discover(mixed_run, timezone.utc)
    kinds = [feed.kind for feed in in_order.feeds]
    assert "performance" in kinds[1:]
    store = RunStore(activity=RunActivity(finished=True), capacity=0)
    for feed in in_order.feeds:
        read_to_end(feed, store.apply_batch)
    expected = report(in_order, store)
    layout, read = discover(mixed_run, timezone.utc), []
    monkeypatch.setattr(split_read, "read_to_end", lambda feed, apply, final=True: (
        read.append(feed.kind), read_to_end(feed, apply, final)))
    store = RunStore(activity=RunActivity(finished=True), capacity=0)
    split_read._do(layout, set(kinds), store, (str(mixed_run), timezone.utc, None, None, 0))
    assert read[0] == "performance" and sorted(read) == sorted(kinds)
    assert report(layout, store) == expected
