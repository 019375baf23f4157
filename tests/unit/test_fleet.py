"""Several runs: finding them, following them with one watcher, and the
overview's figures against the summary's (worked out the other way)."""

from __future__ import annotations

import queue
import shutil
from datetime import timedelta, timezone
from pathlib import Path

import orjson

from vivtui.cli import main
from vivtui.fleet.follow import Fleet, take, tick
from vivtui.fleet.runs import RunSettings, find_runs, run_names, trouble_order
from vivtui.store.activity import RunActivity
from vivtui.summary import collect, summary_dict

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _runs(tmp_path: Path) -> Path:
    """runs/ with the two fixture runs, one grouped a level down, and a directory
    that is not a run."""
    parent = tmp_path / "runs"
    shutil.copytree(FIXTURES / "run", parent / "run")
    shutil.copytree(FIXTURES / "old_run", parent / "host2" / "old_run")
    (parent / "notes").mkdir()
    (parent / "notes" / "readme.txt").write_text("not a run")
    (parent / ".hidden").mkdir()
    shutil.copy(FIXTURES / "run" / "kernel_run.log", parent / ".hidden")
    return parent


def _settings() -> RunSettings:
    return RunSettings(zone=timezone.utc, activity=RunActivity(finished=True))


def test_runs_are_found_a_level_down_and_not_where_no_run_file_is(tmp_path):
    parent = _runs(tmp_path)
    assert find_runs(parent) == [parent / "host2" / "old_run", parent / "run"]
    assert run_names([Path("a/x"), Path("b/x"), Path("c/y")]) == ["a/x", "b/x", "y"]


def test_the_overview_figures_are_the_summarys(tmp_path):
    """Counted from the models' totals each second, the overview must agree
    with the summary, which walks every session and task."""
    parent = _runs(tmp_path)
    fleet = Fleet([], [parent], _settings(), lambda run, batch: None, _fail)
    fleet.read_once()
    for run in fleet.runs:
        _, store = collect(run.path, timezone.utc, activity=RunActivity(finished=True))
        data = summary_dict(run.layout, store)
        facts = run.facts(store.clock())
        s = data["sessions"]
        assert (facts.running, facts.stalled, facts.unfinished, facts.failed) == (
            s["running"], s["stalled"], s["unfinished"], s["failed"]), run.name
        failed_tasks = sum(n for status, n in data["tasks"]["by_status"].items()
                           if status in ("failed", "error", "timeout", "safety_blocked",
                                         "budget_exceeded"))
        assert facts.tasks_failed == failed_tasks
        assert facts.blocks == data["safety"]["blocked"]
        assert facts.malformed == len(data["malformed"])
        assert round(facts.spent, 10) == data["api"]["cost_usd"]
        assert facts.alerts == len(run.alerts.alerts) > 0  # the fixtures have failures
    assert [run.name for run in fleet.runs] == ["host2/old_run", "run"]


def test_a_runs_spend_with_no_wrappers_limit_known_has_no_share_in_the_overview(tmp_path):
    # $36.93 against the producer's $2.00 with no refusal: not "1847 %".
    from vivtui.ui.overview import run_row
    run = tmp_path / "runs" / "long"
    run.mkdir(parents=True)
    (run / "api_audit.log").write_bytes(orjson.dumps(
        {"timestamp": "2026-02-03T05:00:00", "event": "API_CALL_SUCCESS", "user": "Orin-7",
         "cost": 36.93, "input_tokens": 1, "output_tokens": 1}) + b"\n")
    fleet = Fleet([], [tmp_path / "runs"], _settings(), lambda run, batch: None, _fail)
    fleet.read_once()
    facts = fleet.runs[0].facts(fleet.runs[0].store.clock())
    assert facts.worst_share is None and round(facts.spent, 2) == 36.93
    row = run_row(facts, 160, fleet.runs[0].store.clock(), timezone.utc).plain
    assert "$36.93 limit?" in row and "%" not in row


def test_troubled_runs_come_first(tmp_path):
    parent = _runs(tmp_path)
    (parent / "quiet").mkdir()
    (parent / "quiet" / "kernel_run.log").write_text("2026-02-03 05:00:00 INFO all well\n")
    fleet = Fleet([], [parent], _settings(), lambda run, batch: None, _fail)
    fleet.read_once()
    now = fleet.runs[0].store.clock()
    order = [f.name for f in sorted((run.facts(now) for run in fleet.runs), key=trouble_order)]
    assert order[-1] == "quiet"


def _fixture_run_judged_live(tmp_path: Path) -> tuple[Fleet, object]:
    """The runs of ``_runs`` read once, judged by their times (not forced
    finished); and the fixture run among them."""
    fleet = Fleet([], [_runs(tmp_path)], RunSettings(zone=timezone.utc, activity=RunActivity()),
                  lambda run, batch: None, _fail)
    fleet.read_once()
    return fleet, next(run for run in fleet.runs if run.name == "run")


def test_a_run_whose_directory_goes_is_gone_not_live(tmp_path):
    """A run removed while watched keeps its last figures but is no longer
    live (its last event was seconds ago: the activity alone said live for ten
    minutes); its open sessions will be seen no further."""
    fleet, run = _fixture_run_judged_live(tmp_path)
    now = run.store.activity.last_event
    before = run.facts(now)
    assert before.state == "live" and before.running > 0
    shutil.rmtree(run.path)
    gone = run.facts(now)
    assert gone.state == "gone" and gone.since == now and gone.running == 0
    assert gone.unfinished == before.unfinished + before.running
    assert (gone.failed, gone.spent) == (before.failed, before.spent)
    assert run.facts(now + timedelta(minutes=3)).since == now  # since it was first missed
    shutil.copytree(FIXTURES / "run", run.path)
    assert run.facts(now).state == "live"
    fleet.stop()


def test_a_run_written_hours_ahead_of_this_clock_is_judged_by_its_own_in_the_overview(tmp_path):
    fleet, run = _fixture_run_judged_live(tmp_path)
    last = run.store.activity.last_event
    run.store.activity.skew = timedelta(hours=8)  # (as measured on lines as written)
    now = last - timedelta(hours=8) + timedelta(minutes=11)  # this clock, 11 min after
    facts = run.facts(now)
    assert facts.state == "idle" and facts.since == last - timedelta(hours=8)
    fleet.stop()


def test_a_run_that_starts_later_is_found_once(tmp_path):
    parent = _runs(tmp_path)
    seen = []
    fleet = Fleet([], [parent], _settings(), lambda run, batch: None, _fail,
                  on_new_run=seen.append)
    assert fleet.rescan() == []
    shutil.copytree(FIXTURES / "run", parent / "late")
    new = fleet.rescan()
    assert [run.name for run in new] == ["late"] and seen == new
    assert fleet.rescan() == [] and len(fleet.runs) == 3
    fleet.stop()


def test_runs_are_followed_by_one_watcher_and_a_thread_each(tmp_path):
    """Lines appended to one run reach that run's models, and no other's."""
    parent = _runs(tmp_path)
    arrived: queue.Queue = queue.Queue()
    fleet = Fleet([], [parent], _settings(), lambda run, batch: arrived.put((run, batch)), _fail)
    run = next(r for r in fleet.runs if r.name == "run")
    fleet.start()
    try:
        _drain(fleet, arrived, until=lambda: all(r.store.sessions.started for r in fleet.runs))
        before = run.store.sessions.started
        other = next(r for r in fleet.runs if r is not run).store.sessions.started
        with open(run.path / "structured_logs.jsonl", "ab") as file:
            file.write(orjson.dumps({"timestamp": "2026-02-11T00:59:00", "level": "INFO",
                                     "message": "GrindSession started", "worker_id": "w9",
                                     "context": {"session_id": 1, "run": 9,
                                                 "task": "late"}}) + b"\n")
        _drain(fleet, arrived, until=lambda: run.store.sessions.started > before)
        assert run.store.sessions.started == before + 1
        assert next(r for r in fleet.runs if r is not run).store.sessions.started == other
        import threading

        threads = [t.name for t in threading.enumerate() if t.name.startswith("vivtui")]
        assert threads.count("vivtui watching the runs") == 1
        assert threads.count("vivtui reading the run") == 2
    finally:
        fleet.stop()


def test_summary_of_several_runs_is_an_array_of_the_usual_reports(tmp_path, capsys):
    parent = _runs(tmp_path)
    one, two = parent / "run", parent / "host2" / "old_run"
    assert main(["summary", str(one), "--json", "--finished"]) == 0
    alone = orjson.loads(capsys.readouterr().out)
    assert main(["summary", str(one), str(two), "--json", "--finished"]) == 0
    both = orjson.loads(capsys.readouterr().out)
    assert [report["run"]["name"] for report in both] == ["run", "old_run"]
    assert both[0]["run"]["path"] == str(one)
    for key in alone:
        if key != "run":
            assert both[0][key] == alone[key], key
    assert both[0]["run"]["state"] == alone["run"]["state"]
    assert main(["summary", "--runs", str(parent), "--json", "--finished"]) == 0
    found = orjson.loads(capsys.readouterr().out)
    assert [report["run"]["name"] for report in found] == ["host2/old_run", "run"]


def _drain(fleet: Fleet, arrived: queue.Queue, until, timeout: float = 10.0) -> None:
    """Batches taken in as the app would, until ``until()``."""
    import time

    end = time.monotonic() + timeout
    while not until():
        run, batch = arrived.get(timeout=max(0.01, end - time.monotonic()))
        take(run, batch)
        fleet.applied(run, batch)


def _fail(what: str, exc: Exception) -> None:
    raise AssertionError(f"{what}: {exc}")


def test_a_finished_runs_last_line_with_no_newline_is_taken_at_its_tick(tmp_path):
    parent = _runs(tmp_path)
    with open(parent / "run" / "kernel_run.log", "ab") as file:
        file.write(b"[9] START: half a lin")  # a crash's last words
    arrived: queue.Queue = queue.Queue()
    fleet = Fleet([], [parent], _settings(), lambda run, batch: arrived.put((run, batch)), _fail)
    run = next(r for r in fleet.runs if r.name == "run")
    fleet.start()
    try:
        _drain(fleet, arrived, until=lambda: run.store.buffers["kernel"].total)
        lines = run.store.buffers["kernel"].total
        tick(run, run.store.clock())  # (a finished run: ``_settings``)
        _drain(fleet, arrived, until=lambda: run.store.buffers["kernel"].total > lines)
        assert run.store.buffers["kernel"].total == lines + 1
    finally:
        fleet.stop()
