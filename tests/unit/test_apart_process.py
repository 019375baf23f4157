"""A big backlog read by another process (``ingest.apart_process``) must leave
the store, the alerts and the feed exactly as reading it here does, with
what was written meanwhile read after it, once."""

from __future__ import annotations

import os
import queue
import shutil
import sys
import threading
import time
from datetime import datetime, timezone

import pytest

from vivtui.alerts.rules import AlertEngine
from vivtui.demo import write_forever
from vivtui.ingest import apart_parts, apart_process, turns
from vivtui.ingest.apart import ReadApart
from vivtui.ingest.apart_process import ApartProcess
from vivtui.ingest.costs import cost_of
from vivtui.ingest.early_backlogs import EarlyBacklogs
from vivtui.ingest.feeds import read_to_end
from vivtui.ingest.forked import Forked
from vivtui.ingest.layout import discover, read_back_from
from vivtui.sources import child_command
from vivtui.sources.tailer import TRUNCATED, LineTailer
from vivtui.store.activity import FINISHED, RunActivity
from vivtui.store.buffer import YOUNG
from vivtui.store.oldrows import GONE
from vivtui.store.run import RunStore
from vivtui.store.session_order import SessionOrder
from vivtui.summary import summary_dict

NAMES = ("structured_logs.jsonl", "execution_log.jsonl", "api_audit.log", "kernel_run.log",
         "action_log.jsonl")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    write_forever(root, rate=0, limit=300)
    for name in NAMES:
        with open(root / name, "ab") as out:
            out.write(b"{not json at all\n")
    return root


@pytest.fixture(autouse=True)
def any_size(monkeypatch):
    monkeypatch.setattr(apart_process, "WORTH_OVER", 0)


def feed_of(run, name):
    layout = discover(run, timezone.utc)
    return layout, next(feed for feed in layout.feeds if feed.path.name == name)


def reading_of(kind) -> ReadApart:
    return ReadApart(kind, RunStore(activity=RunActivity(finished=True)), AlertEngine("run"))


def outcome(layout, reading) -> tuple:
    # (Sorted: within a batch, alerts come rule by rule; batches are cut elsewhere.)
    alerts = sorted((a.rule, a.message, a.line) for a in reading.engine.alerts)
    return summary_dict(layout, reading.store), alerts


def read_here(run, name) -> tuple:
    layout, feed = feed_of(run, name)
    reading = reading_of(feed.kind)
    read_to_end(feed, reading.take)
    return outcome(layout, reading)


def read_store(run, name) -> RunStore:
    _, feed = feed_of(run, name)
    reading = reading_of(feed.kind)
    read_to_end(feed, reading.take)
    return reading.store


@pytest.mark.parametrize("name", NAMES)
def test_a_backlog_read_apart_then_here_is_the_whole_file_read_here(demo, tmp_path, name,
                                                                  child_start):
    whole = (demo / name).read_bytes()
    cut = len(whole) * 3 // 5  # mid-line: the line is finished by what comes after
    run = tmp_path / "run"
    run.mkdir()
    (run / name).write_bytes(whole[:cut])
    layout, feed = feed_of(run, name)
    reading = reading_of(feed.kind)
    process = ApartProcess.start(feed, reading)
    assert process is not None
    assert isinstance(process._process, Forked) == (child_start == "forked")
    assert feed.status()[0].state == "ok"  # there, though read elsewhere: not "waiting"
    with open(run / name, "ab") as out:  # written while the other process reads
        out.write(whole[cut:])
    assert process.wait(threading.Event(), lambda: None)
    assert process.take_over(feed, reading)
    assert reading.store.buffers[feed.kind].total > 0  # the other process's store
    read_to_end(feed, reading.take)
    assert outcome(layout, reading) == read_here(run, name)


def test_a_vivtui_folder_where_it_is_started_is_not_what_the_process_runs(
        demo, tmp_path, monkeypatch, spawned_children):
    from tests.unit.test_split_read import plant_vivtui

    mark = plant_vivtui(tmp_path / "elsewhere")
    monkeypatch.chdir(tmp_path / "elsewhere")
    layout, feed = feed_of(demo, "execution_log.jsonl")
    reading = reading_of(feed.kind)
    process = ApartProcess.start(feed, reading)
    assert process is not None and process.wait(threading.Event(), lambda: None)
    assert process.take_over(feed, reading)  # its answer, not the backlog left to read here
    assert not mark.exists()
    read_to_end(feed, reading.take)
    assert outcome(layout, reading) == read_here(demo, "execution_log.jsonl")


def test_the_sessions_triage_order_is_sorted_by_the_process_that_read_them(
        demo, tmp_path, monkeypatch):
    """Not by the UI thread at its first look (a big run's 200k: 0.1-0.15 s)."""
    name = "structured_logs.jsonl"
    shutil.copy(demo / name, tmp_path / name)
    layout, feed = feed_of(tmp_path, name)
    reading = reading_of(feed.kind)
    process = ApartProcess.start(feed, reading)
    assert process.wait(threading.Event(), lambda: None) and process.take_over(feed, reading)
    placed_here = []
    monkeypatch.setattr(SessionOrder, "_sort_all", lambda self, count: placed_here.append(count))
    monkeypatch.setattr(SessionOrder, "_add", lambda self, at: placed_here.append(at))
    tracker = reading.store.sessions
    order = tracker.triage_order(FINISHED, datetime.now(timezone.utc))
    assert placed_here == [] and len(order) == len(tracker.sessions) > 10


@pytest.mark.parametrize("name", NAMES)
def test_rows_kept_apart_are_places_read_back_here(demo, tmp_path, name):
    """The other process keeps its rows past the newest as places in the file
    (not packed: a big run's were 75 MB), which this process reads back."""
    # Past the newest 100 (of the audit log's failures too: 8 in each copy).
    (tmp_path / name).write_bytes((demo / name).read_bytes() * (30 if name == "api_audit.log"
                                                                 else 4))
    layout, feed = feed_of(tmp_path, name)
    reading = reading_of(feed.kind)
    process = ApartProcess.start(feed, reading)
    assert process.wait(threading.Event(), lambda: None) and process.take_over(feed, reading)
    # The kind's rows; and the audit log's failures and budget events, and each
    # file's safety blocks, all listed.
    kept_apart = reading.store.kept_rows(feed.kind)
    assert len(kept_apart[0]._old) == len(kept_apart[0]) - YOUNG > 0
    if feed.kind == "api":
        assert len(kept_apart[1]._old) > 0
    for kept in kept_apart:
        assert kept.reread is None  # the other process's reader stayed there
        assert len(kept._old) >= len(kept) - 2 * YOUNG  # (moved a hundred at a time)
    read_back_from(layout, reading.store, timezone.utc)
    here = reading_of(feed.kind).store
    read_back_from(layout, here, timezone.utc)
    read_to_end(feed_of(tmp_path, name)[1], here.apply_batch)
    for kept, read in zip(kept_apart, here.kept_rows(feed.kind), strict=True):
        rows = [tuple(record) for record in kept]
        assert GONE not in {record.category for record in kept}
        assert rows == [tuple(record) for record in read]


def test_a_file_cut_and_refilled_meanwhile_is_read_again_from_its_start(demo, tmp_path):
    name = "execution_log.jsonl"
    whole = (demo / name).read_bytes()
    run = tmp_path / "run"
    run.mkdir()
    (run / name).write_bytes(whole)
    layout, feed = feed_of(run, name)
    reading = reading_of(feed.kind)
    process = ApartProcess.start(feed, reading)
    assert process.wait(threading.Event(), lambda: None) and process.take_over(feed, reading)
    with open(run / name, "r+b") as out:  # copytruncate, and a writer as fast
        out.truncate(0)
        lines = whole.splitlines(keepends=True)
        out.write(b"".join(lines[::-1]) + lines[0])  # longer than what was read
    batch = feed.poll()
    assert TRUNCATED in batch.happened and batch.records[0].line == 1


def test_a_process_that_fails_leaves_the_backlog_to_read_here(demo, tmp_path, monkeypatch, spawned_children):
    name = "structured_logs.jsonl"
    shutil.copy(demo / name, tmp_path / name)
    monkeypatch.setattr(sys, "executable", shutil.which("false"))
    layout, feed = feed_of(tmp_path, name)
    reading = reading_of(feed.kind)
    empty = reading.store
    process = ApartProcess.start(feed, reading)
    if process is not None:  # (else it ended before it was sent its work)
        assert process.wait(threading.Event(), lambda: None)  # its end: an answer, of sorts
        assert not process.take_over(feed, reading)
    assert reading.store is empty and feed.records == 0
    read_to_end(feed, reading.take)
    assert outcome(layout, reading) == read_here(tmp_path, name)


def test_no_temporary_file_means_the_backlog_is_read_here(demo, tmp_path, monkeypatch):
    shutil.copy(demo / "api_audit.log", tmp_path / "api_audit.log")

    def unwritable():
        raise FileNotFoundError("No usable temporary directory found")

    monkeypatch.setattr(apart_process.tempfile, "TemporaryFile", unwritable)
    layout, feed = feed_of(tmp_path, "api_audit.log")
    assert ApartProcess.start(feed, reading_of(feed.kind)) is None


def test_stopping_stops_the_process(demo, tmp_path, monkeypatch, spawned_children):
    shutil.copy(demo / "api_audit.log", tmp_path / "api_audit.log")
    monkeypatch.setattr(apart_process, "_command", lambda: ["sleep", "100"])  # never answers
    layout, feed = feed_of(tmp_path, "api_audit.log")
    stopped = threading.Event()
    looks = []
    process = ApartProcess.start(feed, reading_of(feed.kind))

    def meanwhile():
        looks.append(1)
        stopped.set()

    assert not process.wait(stopped, meanwhile)
    assert looks and process._process.poll() is not None


def test_a_process_that_reports_all_the_time_is_looked_at_a_few_times_a_second(
        demo, tmp_path, monkeypatch, spawned_children):
    """A process writes its progress at every batch: each looked at on its
    own, the screen's process woke hundreds of times a second."""
    shutil.copy(demo / "api_audit.log", tmp_path / "api_audit.log")
    chatty = ("import os, pickle, sys\nprogress = pickle.load(sys.stdin.buffer)[6]\n"
              "while True: os.write(progress, b'1\\n')")
    monkeypatch.setattr(apart_process, "_command", lambda: [sys.executable, "-c", chatty])
    layout, feed = feed_of(tmp_path, "api_audit.log")
    process = ApartProcess.start(feed, reading_of(feed.kind))
    stopped, looks = threading.Event(), []
    threading.Timer(0.5, stopped.set).start()
    assert not process.wait(stopped, lambda: looks.append(process.offset))
    assert looks[-1] == 1 and len(looks) <= 0.5 / apart_process.LOOK_GAP_S + 2, len(looks)


def test_the_process_runs_only_when_the_screen_leaves_a_core_free(demo, tmp_path, monkeypatch, spawned_children):
    shutil.copy(demo / "api_audit.log", tmp_path / "api_audit.log")
    monkeypatch.setattr(apart_process, "_command", lambda: ["sleep", "100"])
    layout, feed = feed_of(tmp_path, "api_audit.log")
    process = ApartProcess.start(feed, reading_of(feed.kind))
    try:
        pid = process._process.pid
        # Set from here, before it has started: its own start competed too.
        assert os.sched_getscheduler(pid) == os.SCHED_IDLE
        assert os.getpriority(os.PRIO_PROCESS, pid) == child_command.NICENESS
    finally:
        process.stop()


def test_a_limited_tailer_reads_to_its_limit_and_another_goes_on_from_there(tmp_path):
    path = tmp_path / "lines"
    path.write_bytes(b"one\ntwo\nthree\nfour\n")
    first = LineTailer(path, limit=10)  # "one\ntwo\nth"
    assert [(n, o, d) for n, o, d in first.read()] == [(1, 0, b"one"), (2, 4, b"two")]
    assert first.read().runs == []  # nothing past the limit, ever
    second = LineTailer(path)
    second.open_now()
    second.took_over(first.place())
    assert [(n, o, d) for n, o, d in second.read()] == [(3, 8, b"three"), (4, 14, b"four")]


def follow_until_read(run, names, monkeypatch, processes: int = 2,
                      kinds: list | None = None, posted: list | None = None,
                      previews: int = 0, early: list | None = None,
                      on_taken_over=None) -> tuple[list, dict]:
    """The tail loop on ``names`` (copied into ``run``), big enough to be
    previewed, until every backlog is posted: (processes started, readings);
    ``kinds``: the kinds of the processes, in the order they started;
    ``posted``: every batch posted, in order, until ``previews`` previews are in too;
    ``early``: the first processes are started before the loop is made
    (``EarlyBacklogs``, as the monitor starts), and the kinds they read put here."""
    from vivtui.ingest import feeds
    from vivtui.ingest.tailing import Tailing
    monkeypatch.setattr(feeds, "PREVIEW_OVER", 10_000)
    monkeypatch.setattr("vivtui.ingest.newest_lines.PREVIEW_BYTES", 4_000)
    started = []
    real_launch = ApartProcess.launch.__func__
    monkeypatch.setattr(ApartProcess, "launch", classmethod(
        lambda cls, feed, reading, *where, **kept: (kinds is not None and kinds.append(feed.kind))
        or started.append(real_launch(cls, feed, reading, *where, **kept)) or started[-1]))
    batches = queue.Queue()
    layout = discover(run, timezone.utc)
    backlogs = None
    if early is not None:
        backlogs = EarlyBacklogs.start(layout.feeds, processes, reading_of)
        early.extend(kind for kind in kinds or ())
    loop = Tailing(layout.feeds, layout.directories, batches.put, pytest.fail,
                   previewed={"sessions", "tasks"}, apart=reading_of,
                   apart_processes=processes, preview_store=RunStore,
                   early_backlogs=backlogs, on_taken_over=on_taken_over)
    loop.start()
    readings = {}
    try:
        while len(readings) < len(names) or sum(
                b.preview and b.apart is not None for b in posted or ()) < previews:
            batch = batches.get(timeout=10)
            if posted is not None:
                posted.append(batch)
            if batch.apart is not None and not batch.preview:
                readings[batch.kind] = batch.apart
            loop.line_drawn()  # the preview's frame is out
            loop.applied(batch.kind)
    finally:
        loop.stop(join=2.0)
    return started, readings


def test_the_tail_loop_has_big_backlogs_read_by_other_processes(demo, tmp_path, monkeypatch):
    names = ("structured_logs.jsonl", "execution_log.jsonl")
    for name in names:
        shutil.copy(demo / name, tmp_path / name)
    started, readings = follow_until_read(tmp_path, names, monkeypatch)
    assert len(started) == 2 and None not in started
    layout = discover(tmp_path, timezone.utc)
    for name in names:
        kind = next(feed.kind for feed in layout.feeds if feed.path.name == name)
        assert outcome(layout, readings[kind])[1] == read_here(tmp_path, name)[1]
    assert readings["sessions"].store.sessions.started == read_store(
        tmp_path, names[0]).sessions.started > 0
    assert readings["tasks"].store.tasks.version == read_store(tmp_path, names[1]).tasks.version


def test_the_costliest_backlog_has_the_first_turn(demo, tmp_path, monkeypatch):
    """Not the order the files' threads ask in: the costliest backlog read
    last was read alone on one core at the end of a big run's loading."""
    names = ("kernel_run.log", "structured_logs.jsonl", "execution_log.jsonl")
    for name in names:
        shutil.copy(demo / name, tmp_path / name)
    monkeypatch.setattr(turns, "GRACE_S", 60.0)  # (however slow a thread is to ask)
    kinds: list[str] = []
    follow_until_read(tmp_path, names, monkeypatch, processes=1, kinds=kinds)
    layout = discover(tmp_path, timezone.utc)
    costs = {feed.kind: cost_of(*feed.current_choice()) for feed in layout.feeds
             if feed.path.name in names}
    assert len(set(costs.values())) == 3
    assert kinds == sorted(costs, key=costs.get, reverse=True)


def test_backlogs_started_as_the_monitor_starts_are_taken_over_by_their_loops(
        demo, tmp_path, monkeypatch):
    """The first turns' processes start before the loops (and Textual's
    import); the loops take them over, start the rest in their turns, and
    what is read is what the loops alone read."""
    names = ("kernel_run.log", "structured_logs.jsonl", "execution_log.jsonl")
    for name in names:
        shutil.copy(demo / name, tmp_path / name)
    monkeypatch.setattr(turns, "GRACE_S", 60.0)
    kinds: list[str] = []
    early: list[str] = []
    started, readings = follow_until_read(tmp_path, names, monkeypatch, processes=1,
                                          kinds=kinds, early=early)
    layout = discover(tmp_path, timezone.utc)
    costs = {feed.kind: cost_of(*feed.current_choice()) for feed in layout.feeds
             if feed.path.name in names}
    assert early == [max(costs, key=costs.get)]  # one process at a time: the costliest
    assert kinds == sorted(costs, key=costs.get, reverse=True)  # each started once
    assert len(started) == 3 and None not in started
    for name in names:
        kind = next(feed.kind for feed in layout.feeds if feed.path.name == name)
        assert outcome(layout, readings[kind])[1] == read_here(tmp_path, name)[1]


def test_a_backlog_alone_started_early_is_read_in_two_parts(demo, tmp_path, monkeypatch):
    shutil.copy(demo / "execution_log.jsonl", tmp_path)
    monkeypatch.setattr(apart_parts, "PARTS_OVER", 2_000)
    kinds: list[str] = []
    early: list[str] = []
    started, readings = follow_until_read(tmp_path, ["execution_log.jsonl"], monkeypatch,
                                          kinds=kinds, early=early)
    assert early == kinds == ["tasks", "tasks"] and all(started)
    layout = discover(tmp_path, timezone.utc)
    assert outcome(layout, readings["tasks"])[1] == read_here(tmp_path, "execution_log.jsonl")[1]


def test_one_big_backlog_alone_is_read_by_another_process(demo, tmp_path, monkeypatch):
    # Read by its thread, it took turns at the GIL with the screen.
    shutil.copy(demo / "structured_logs.jsonl", tmp_path)
    kinds = []
    started, readings = follow_until_read(tmp_path, ["structured_logs.jsonl"], monkeypatch,
                                          kinds=kinds)
    assert kinds == ["sessions"] and all(started)
    assert readings["sessions"].store.sessions.started == read_store(
        tmp_path, "structured_logs.jsonl").sessions.started > 0


def test_which_backlogs_go_to_other_processes(demo, tmp_path, monkeypatch):
    from vivtui.ingest.tailing import Tailing
    monkeypatch.setattr(apart_process, "WORTH_OVER", 2_000)
    for name in ("kernel_run.log", "action_log.log", "execution_log.jsonl"):
        shutil.copy(demo / name, tmp_path / name)
    (tmp_path / "api_audit.log").write_bytes(b"{}\n")  # small: read here whatever else

    def chosen():
        layout = discover(tmp_path, timezone.utc)
        loop = Tailing(layout.feeds, layout.directories, pytest.fail, pytest.fail,
                       apart=reading_of, apart_processes=2)
        return {feed.kind for feed in layout.feeds if loop._in_process(feed)}

    # Every big line file, previewed or not; the action log's text form is not
    # cut in parts (its entries span lines).
    assert chosen() == {"kernel", "tasks"}
    (tmp_path / "execution_log.jsonl").unlink()
    assert chosen() == {"kernel"}  # one big file alone too


def test_the_tail_loop_reads_here_what_failing_processes_did_not(demo, tmp_path, monkeypatch, spawned_children):
    names = ("structured_logs.jsonl", "execution_log.jsonl")
    for name in names:
        shutil.copy(demo / name, tmp_path / name)
    monkeypatch.setattr(apart_process, "_command", lambda: ["false"])
    started, readings = follow_until_read(tmp_path, names, monkeypatch)
    assert started  # tried, and failed (or could not even be sent its work)
    assert readings["sessions"].store.sessions.started == read_store(
        tmp_path, names[0]).sessions.started > 0
    assert readings["tasks"].store.tasks.version == read_store(tmp_path, names[1]).tasks.version


def test_a_previewed_backlogs_process_does_not_wait_for_its_preview(demo, tmp_path,
                                                                     monkeypatch):
    """The turns go to the costliest backlogs first, and waited for their
    previews to be taken in and posted: the preview is posted beside the
    reading thread, which starts the process meanwhile."""
    from vivtui.ingest.tailing import Tailing
    names = ("structured_logs.jsonl", "execution_log.jsonl")
    for name in names:
        shutil.copy(demo / name, tmp_path / name)
    began = {kind: threading.Event() for kind in ("sessions", "tasks")}
    real_start = ApartProcess.start.__func__

    def start(cls, feed, reading):
        began[feed.kind].set()
        return real_start(cls, feed, reading)

    monkeypatch.setattr(ApartProcess, "start", classmethod(start))
    before_preview = {}
    real_post = Tailing._post_preview

    def post_preview(self, feed, batch):
        before_preview[feed.kind] = began[feed.kind].wait(5.0)
        if feed.kind == "sessions":  # a line written while the preview is taken in
            with open(tmp_path / names[0], "ab") as out:
                out.write((tmp_path / names[0]).read_bytes().splitlines(keepends=True)[-1])
            time.sleep(0.6)  # (the process is looked at every 0.2 s meanwhile)
        real_post(self, feed, batch)

    monkeypatch.setattr(Tailing, "_post_preview", post_preview)
    posted: list = []
    follow_until_read(tmp_path, names, monkeypatch, posted=posted, previews=2)
    assert before_preview == {"sessions": True, "tasks": True}
    # The lines that follow the preview come after it: before it, its store replaced them.
    previews = [b for b in posted if b.kind == "sessions" and b.preview]
    assert previews[0].apart is not None
    assert all(b.apart is None and len(b.records) for b in previews[1:])


def test_an_answer_is_waited_for_on_a_descriptor_past_1023():
    """``select.select`` refused it: the wait ended at once, as if stopped."""
    import resource

    from vivtui.sources.readable import readable

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 1500:
        pytest.skip("no descriptor past 1023 can be had here")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2048), hard))
    read_end, write_end = os.pipe()
    high = os.dup2(read_end, 1500)
    try:
        assert readable([high], 0.0) == set()
        os.write(write_end, b"1\n")
        assert readable([high], 1.0) == {high}
    finally:
        for fd in (read_end, write_end, high):
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_reading_made_as_the_monitor_starts_is_the_one_the_app_would_make(
        demo, tmp_path, monkeypatch):
    """``launch.apart_reading`` (before the app exists) and the app's own
    ``_read_apart``, from the same command line."""
    from vivtui import launch
    from vivtui.app import VivtuiApp
    from vivtui.cli import monitor_parser
    from vivtui.options import zone_named

    monkeypatch.setattr(launch, "tune_process", lambda: None)  # (never in a test process)
    shutil.copy(demo / "execution_log.jsonl", tmp_path)
    args = monitor_parser().parse_args([str(tmp_path), "--budget", "7", "--stall", "90",
                                        "--alert-budget", "60,90", "--alert-streak", "4"])
    layout = discover(str(tmp_path), zone_named(args.tz))
    early = launch.apart_reading(layout, args, "tasks")
    made = VivtuiApp(layout, launch.monitor_options(args))._read_apart("tasks")
    assert (early.kind, early.engine.run, early.engine.settings) == (
        made.kind, made.engine.run, made.engine.settings)
    assert early.engine.settings.budget_levels == (0.6, 0.9)
    assert vars(early.store.activity) == vars(made.store.activity)
    assert early.store.budget.limit == made.store.budget.limit == 7
    # Its tasks' events read back from the run's file, as the app's are.
    assert early.store.tasks.source.read.func.__self__ is layout
    assert early.store.tasks.source.read.args == ("tasks",)


def test_backlogs_start_first_for_a_run_or_a_file_whose_pane_waits_for_its_figures(demo):
    from vivtui.launch import backlogs_first

    assert backlogs_first(discover(str(demo), timezone.utc).feeds)  # a run
    for name, first in (("execution_log.jsonl", True), ("structured_logs.jsonl", True),
                        ("api_audit.log", True), ("kernel_run.log", False)):
        assert backlogs_first(discover(str(demo / name), timezone.utc).feeds) is first, name


def test_a_backlogs_answer_is_taken_over_with_the_collector_paused_then_told(
        demo, tmp_path, monkeypatch):
    """Loaded and joined with the collector paused, and ``on_taken_over``
    (the monitor's ``gc.freeze``) called before it runs again, once per
    backlog: a big store's new objects were walked by its passes meanwhile."""
    import gc

    names = ("structured_logs.jsonl", "execution_log.jsonl")
    for name in names:
        shutil.copy(demo / name, tmp_path / name)
    told = []
    follow_until_read(tmp_path, names, monkeypatch,
                      on_taken_over=lambda: told.append(gc.isenabled()))
    assert told == [False, False]
    assert gc.isenabled()
