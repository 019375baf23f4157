"""`vivtui summary`: finding the files, the JSON shape, the text report, and bad paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from vivtui.cli import main
from vivtui.parsing import sessions
from vivtui.parsing.kinds import SPECS

NAMES = [spec.name for spec in SPECS]


def summary_json(capsys, *args) -> dict:
    assert main(["summary", *args, "--json", "--tz", "UTC"]) == 0
    return orjson.loads(capsys.readouterr().out)


def test_json_shape_on_fixture_run(capsys, run_dir):
    data = summary_json(capsys, str(run_dir))
    assert list(data["files"]) == NAMES
    files = data["files"]
    assert files["action_log.jsonl"] == {**files["action_log.jsonl"], "state": "ok",
                                         "records": 14, "malformed": 2}
    assert files["action_log.log"]["state"] == "missing"
    assert files["kernel_run.log"]["records"] == 12  # non-blank lines
    assert files["performance_history.json"]["records"] == 2
    assert data["actions"]["total"] == 14  # 16 lines, 2 of them malformed
    # The fixture's newest event is months old: finished, whatever the files' mtimes.
    assert data["run"] == {"state": "finished", "last_event": "2026-02-11T00:58:23+00:00",
                           "times_ahead_s": 0.0}
    assert (data["sessions"]["running"], data["sessions"]["stalled"]) == (0, 0)
    budget = data["budget"]
    assert (budget["limit_usd"], budget["limit_source"], budget["refused"]) == (2.0, "inferred", 1)
    assert budget["by_user"]["w"] == {"calls": 2, "cost_usd": 0.5, "refused": 0,
                                      "limit_usd": 2.0, "limit_known": True,
                                      "remaining_usd": 1.5}
    assert budget["forecast_s"] is None  # not live
    assert data["safety"]["blocked"] == 5
    assert data["safety"]["by_source"] == {"safety_audit": 1, "kernel": 1, "actions": 1,
                                           "tasks": 1, "api": 1}
    assert data["actions"]["by_type"]["MYSTERY"] == 1 and data["actions"]["by_type"]["MALFORMED"] == 2
    assert data["sessions"] == {**data["sessions"], "started": 4, "completed": 2, "succeeded": 1,
                                "failed": 1, "unfinished": 2}
    assert data["tasks"] == {**data["tasks"], "total": 4,
                             "by_status": {"failed": 1, "completed": 1, "safety_blocked": 1,
                                           "warp_speed": 1}}
    api = data["api"]
    assert (api["calls"], api["succeeded"], api["failed"]) == (4, 3, 1)
    assert api["cost_usd"] == pytest.approx(0.50026968)
    assert (api["input_tokens"], api["output_tokens"]) == (1200, 697)
    assert (api["budget_exceeded"], api["rate_limited"], api["violations"]) == (1, 1, 1)
    assert api["by_model"]["gpt-4o-mini"] == {"calls": 2, "cost_usd": 0.5}
    assert data["kernel"] == {**data["kernel"], "lines": 12, "blocked": 1, "error": 4, "caution": 1}
    perf = data["performance"]
    assert (perf["entries"], perf["succeeded"], perf["failed"]) == (2, 1, 1)
    assert perf["mean_duration_s"] == pytest.approx(83.0)
    assert perf["mean_quality"] == pytest.approx(0.55)
    assert [(m["file"], m["line"]) for m in data["malformed"]] == [
        ("action_log.jsonl", 14), ("action_log.jsonl", 15)]


def test_text_report_reads_top_down_and_is_terminal_safe(capsys, run_dir):
    assert main(["summary", str(run_dir), "--tz", "UTC"]) == 0
    out = capsys.readouterr().out
    order = [out.index(h) for h in ("Files", "Sessions:", "Tasks:", "API:", "Safety gates:",
                                    "Kernel:", "Malformed lines:")]
    assert order == sorted(order)
    assert "UNFINISHED  2026-02-03T05:44:03+00:00  worker default run 1 session 1  " \
           "ARCHITECTURE REVIEW: Wave 11 Code Audit" in out
    assert "task-0042  No subtasks generated" in out
    assert "action_log.jsonl:14  not JSON: this line is not JSON" in out
    # The kernel pane numbers the file's every line: the report says which it counts.
    assert "Kernel: 12 non-blank lines, 1 blocked" in out
    assert "BLOCKED: Attempt to write to protected file" in out
    assert "\x1b" not in out and "\x07" not in out


def test_the_json_names_the_newest_open_and_failed_sessions_and_failed_tasks(capsys, run_dir):
    """A script asks which sessions never finished and which tasks failed, and
    why: the report's lists, the newest ``--limit`` of each (the text's too)."""
    data = summary_json(capsys, str(run_dir))
    sessions, tasks = data["sessions"], data["tasks"]
    assert [(x["state"], x["started"], x["run"], x["title"]) for x in sessions["latest_open"]] == [
        ("unfinished", "2026-02-03T05:44:03+00:00", "1", "ARCHITECTURE REVIEW: Wave 11 Code Audit"),
        ("unfinished", "2026-02-03T05:46:00+00:00", "2", "Wave 2 task")]
    assert [(x["ended"], x["session"], x["returncode"], x["title"])
            for x in sessions["latest_failed"]] == [
        ("2026-02-03T05:45:50+00:00", "3", 1, "Write docs")]
    assert tasks["latest_failed"] == [
        {"task_id": "task-0042", "status": "failed", "at": "2026-02-10T01:03:03+00:00",
         "error": "No subtasks generated"},
        {"task_id": "task-0044", "status": "safety_blocked", "at": "2026-02-10T01:02:10+00:00",
         "error": "Constitutional violation"}]
    newest = summary_json(capsys, str(run_dir), "--limit", "1")
    assert [x["task_id"] for x in newest["tasks"]["latest_failed"]] == ["task-0044"]
    assert [x["title"] for x in newest["sessions"]["latest_open"]] == ["Wave 2 task"]


def test_the_counts_the_lists_are_cut_from_are_the_sessions_listed(capsys, tmp_path):
    """The text says how many of each list it leaves out from the report's
    counts (the lists are found from the newest, not walked whole): an
    orphan completion, a superseded session and a live one counted as listed."""
    def line(message, session, run, **context):
        return orjson.dumps({"timestamp": "2026-02-03T05:44:03", "level": "INFO",
                             "message": message, "worker_id": "w",
                             "context": {"session_id": session, "run": run, **context}})
    (tmp_path / "structured_logs.jsonl").write_bytes(b"\n".join([
        line(sessions.STARTED, 1, 1, task="left behind"),
        line(sessions.STARTED, 1, 2, task="then another run"),
        line(sessions.COMPLETED, 9, 2, returncode=1, success=False),  # no start seen
        line(sessions.STARTED, 2, 2, task="failed"),
        line(sessions.COMPLETED, 2, 2, returncode=1, success=False),
        line(sessions.STARTED, 3, 2, task="open")]) + b"\n")
    data = summary_json(capsys, str(tmp_path), "--limit", "100")["sessions"]
    assert data["unfinished"] + data["stalled"] + data["running"] == len(data["latest_open"]) == 3
    assert data["failed"] == len(data["latest_failed"]) == 2
    assert data["orphan_completions"] == 1
    assert main(["summary", str(tmp_path), "--tz", "UTC", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("  … 2 earlier not shown\n") == 1 and out.count("  … 1 earlier not shown\n") == 1


def test_a_limit_of_nothing_says_the_counts_only(capsys, run_dir):
    assert main(["summary", str(run_dir), "--tz", "UTC", "--limit", "0"]) == 0
    out = capsys.readouterr().out
    assert "  … 2 earlier not shown\n  … 1 earlier not shown\n" in out  # (sessions: open, failed)
    assert "task-0042" not in out and "Write docs" not in out
    assert main(["summary", str(run_dir), "--tz", "UTC"]) == 0
    out = capsys.readouterr().out  # each failure with its time
    assert "  FAILED      2026-02-03T05:45:50+00:00  worker default run 1 session 3 rc=1  " \
           "Write docs" in out
    assert "  FAILED           2026-02-10T01:03:03+00:00  task-0042  No subtasks generated" in out
    with pytest.raises(SystemExit):
        main(["summary", str(run_dir), "--limit", "-1"])


def test_audit_subdirectory_and_missing_files_waited_for(capsys, tmp_path, run_dir):
    audit = tmp_path / "newrun" / "vivarium" / "meta" / "audit"
    audit.mkdir(parents=True)
    shutil.copy(run_dir / "api_audit.log", audit)
    data = summary_json(capsys, str(tmp_path / "newrun"))
    assert data["files"]["api_audit.log"]["state"] == "ok"
    assert data["files"]["action_log.jsonl"]["state"] == "missing"
    assert data["api"]["calls"] == 4


def test_action_log_text_used_only_when_jsonl_absent(capsys, tmp_path, run_dir):
    (tmp_path / "action_log.log").write_bytes(
        b"ACTION LOG STARTED: 2026-02-03T11:05:00.123456 (Tuesday)\n"
        b"Tue 11:05:23 | Beam-31 | SAFETY | BLOCKED | protected\n")
    data = summary_json(capsys, str(tmp_path))
    assert data["files"]["action_log.log"]["records"] == 1
    assert data["actions"]["by_type"] == {"SAFETY": 1}
    shutil.copy(run_dir / "action_log.jsonl", tmp_path)
    data = summary_json(capsys, str(tmp_path))
    assert data["files"]["action_log.log"]["used"] is False
    # Not read for the run, still counted: the file is there and holds one entry.
    assert data["files"]["action_log.log"]["records"] == 1
    assert data["actions"]["total"] == 14  # the JSONL's 16 lines less its 2 malformed
    assert data["actions"]["by_type"].get("SAFETY") == 2  # the JSONL's two, not one more


def test_single_file_of_any_name_is_sniffed(capsys, tmp_path, run_dir):
    rotated = tmp_path / "run-42.jsonl"
    shutil.copy(run_dir / "api_audit.log", rotated)
    data = summary_json(capsys, str(rotated))
    assert data["files"]["run-42.jsonl"]["read_as"] == "api_audit.log"
    assert data["api"]["calls"] == 4
    # The text lists the file given, not the run's other names as missing.
    assert main(["summary", str(rotated)]) == 0
    files = capsys.readouterr().out.split("Files\n")[1].split("\n\n")[0]
    (line,) = files.splitlines()
    assert line.split() == ["run-42.jsonl", "ok", "10", "records"]


def test_final_unterminated_line_counts_in_one_shot(capsys, tmp_path):
    (tmp_path / "kernel_run.log").write_bytes(b"[WAVE 1] Starting\nBLOCKED: no newline yet")
    data = summary_json(capsys, str(tmp_path))
    assert data["kernel"]["lines"] == 2 and data["kernel"]["blocked"] == 1


def test_missing_path_is_one_line_and_status_2(capsys, tmp_path):
    assert main(["summary", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file or directory" in err


def test_unreadable_directory_is_one_line_and_status_2(capsys, tmp_path, monkeypatch):
    # Tests run as root, which reads anything: pretend the permission bits hold.
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    assert main(["summary", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vivtui: ") and "permission denied" in err and "Traceback" not in err


def test_bad_option_values(capsys, tmp_path):
    assert main(["summary", str(tmp_path), "--tz", "Mars/Olympus"]) == 2
    assert "unknown time zone" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["summary", str(tmp_path), "--budget", "lots"])
    assert exit_info.value.code == 2


def test_installed_command_and_module_run(tmp_path):
    result = subprocess.run([sys.executable, "-m", "vivtui", "summary", str(tmp_path / "x")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = subprocess.run([sys.executable, "-m", "vivtui", "summary",
                             str(Path(__file__).parents[1] / "fixtures" / "run"), "--json"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and orjson.loads(result.stdout)["actions"]["total"] == 14


OLD_RUN = Path(__file__).parents[1] / "fixtures" / "old_run"


def test_an_old_copied_run_reads_right(capsys, tmp_path):
    """A run months old, freshly copied (new mtimes): reused session keys across a
    kernel restart, two API wrappers with their own limits, a gate block, blank
    lines, safety_audit lines with blocked_reason keys on passed checks."""
    copied = tmp_path / "run"
    shutil.copytree(OLD_RUN, copied)  # fresh mtimes: they must not make it live
    data = summary_json(capsys, str(copied))
    assert data["run"]["state"] == "finished"
    s = data["sessions"]
    assert (s["started"], s["completed"], s["unfinished"], s["running"], s["stalled"]) == (
        5, 3, 2, 0, 0)
    b = data["budget"]
    assert b["limit_source"] == "inferred" and b["refused"] == 2
    assert b["by_user"]["admin"]["limit_usd"] == 2.0  # $1.98 spent + $0.02 left
    assert b["by_user"]["Tern-4"]["limit_usd"] == 0.1  # its own, smaller limit
    assert b["forecast_s"] is None
    assert data["safety"]["blocked"] == 3  # passed checks are not blocks
    assert data["files"]["structured_logs.jsonl"]["records"] == 8  # the blank line skipped
    assert data["kernel"]["wave_starts"] == 3


def test_a_path_holding_escapes_is_not_written_raw(tmp_path):
    hostile = str(tmp_path / "x\x1b]0;pwned\x07\x1b[2J")
    result = subprocess.run([sys.executable, "-m", "vivtui", "summary", hostile],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "no such file" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_the_limits_basis_is_named_as_the_audit_pane_names_it(capsys, tmp_path):
    """A limit only the action log's BUDGET lines state is "per the action
    log" in the report as in the audit pane (one wording: ``BASIS_WORDS``);
    refusals make it inferred."""
    (tmp_path / "api_audit.log").write_bytes(orjson.dumps(
        {"timestamp": "2026-02-03T05:44:03", "event": "API_CALL_SUCCESS", "user": "Nova-22",
         "cost": 0.2, "input_tokens": 10, "output_tokens": 5}) + b"\n")
    (tmp_path / "action_log.jsonl").write_bytes(orjson.dumps(
        {"timestamp": "2026-02-03T05:44:04", "actor": "SYSTEM", "action_type": "BUDGET",
         "action": "cost_update", "detail": "$0.225/$0.50 (45%)"}) + b"\n")
    data = summary_json(capsys, str(tmp_path))
    assert (data["budget"]["limit_source"], data["budget"]["limit_basis"]) == (
        "inferred", "stated")
    assert main(["summary", str(tmp_path), "--tz", "UTC"]) == 0
    assert "limit $0.50 per wrapper (per the action log)" in capsys.readouterr().out
    with (tmp_path / "api_audit.log").open("ab") as log:
        log.write(orjson.dumps({"timestamp": "2026-02-03T05:44:05", "event": "BUDGET_EXCEEDED",
                                "user": "Nova-22", "remaining": 0.3}) + b"\n")
    assert summary_json(capsys, str(tmp_path))["budget"]["limit_basis"] == "inferred"
    assert main(["summary", str(tmp_path), "--tz", "UTC"]) == 0
    assert "per wrapper (inferred from refusals)" in capsys.readouterr().out


@pytest.mark.parametrize("processes", [1, 2])
def test_a_live_runs_line_being_written_is_held_and_said_and_a_finished_runs_is_read(
        tmp_path, processes):
    """Caught mid-write, a live run's last JSON line was counted malformed;
    the monitor holds it (and so one look does now, saying so), and takes
    it once the run is over, as a crash's last words."""
    from datetime import UTC, datetime, timedelta

    from vivtui.ingest.split_read import read_run

    def run(name: str, at: datetime) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        stamp = at.replace(tzinfo=None).isoformat()
        (folder / "api_audit.log").write_bytes(orjson.dumps(
            {"timestamp": stamp, "event": "API_CALL_SUCCESS", "user": "w", "cost": 0.1,
             "input_tokens": 1, "output_tokens": 1}) + b"\n"
            + f'{{"timestamp": "{stamp}", "event": "API_CA'.encode())
        (folder / "kernel_run.log").write_bytes(b"[1] START: one\n")
        return folder

    now = datetime.now(UTC)
    for folder, held in ((run("live", now), True), (run("old", now - timedelta(days=30)), False)):
        layout, store = read_run(folder, UTC, processes=processes, split_over=0)
        (status,) = [s for s in layout.statuses() if s.name == "api_audit.log"]
        assert (status.records, status.malformed, store.malformed_count) == (
            (1, 0, 0) if held else (2, 1, 1))
        assert ("a last line being written" in status.note) == held


def test_a_copied_run_whose_naive_times_are_ahead_of_its_last_write_is_finished_and_says_so(
        capsys, tmp_path):
    """Read in a zone 8 h behind its writer's, a run that ended two hours ago
    has times six hours "from the future": it was live, its session running."""
    ended = time.time() - 2 * 3600
    stamp = datetime.fromtimestamp(ended + 8 * 3600, timezone.utc).replace(tzinfo=None)
    path = tmp_path / "structured_logs.jsonl"
    path.write_bytes(orjson.dumps({"timestamp": stamp.isoformat(), "level": "INFO",
                                   "message": sessions.STARTED, "worker_id": "w",
                                   "context": {"session_id": 1, "run": 1, "task": "t"}}) + b"\n")
    os.utime(path, (ended, ended))
    data = summary_json(capsys, str(tmp_path))
    assert data["run"]["state"] == "finished" and data["run"]["times_ahead_s"] == 8 * 3600
    assert (data["sessions"]["running"], data["sessions"]["unfinished"]) == (0, 1)
    assert main(["summary", str(tmp_path), "--tz", "UTC"]) == 0
    assert "State: finished, last event " in (out := capsys.readouterr().out)
    assert "(times 8h00m ahead: --tz?)" in out


def test_a_live_run_read_in_a_zone_ahead_of_its_writers_says_its_times_are_behind(
        capsys, tmp_path):
    """Its action log (UTC) ends at its last write: the files are as written,
    and the sessions' and audit log's naive times, each an hour before their
    last write, are a zone's. With the action log stopped an hour ago, the
    run was idle."""
    now = time.time()
    action = tmp_path / "action_log.jsonl"
    action.write_bytes(orjson.dumps({"timestamp": datetime.fromtimestamp(
        now - 3600, timezone.utc).isoformat(), "action_type": "TOOL", "actor": "a"}) + b"\n")
    os.utime(action, (now - 3600, now - 3600))
    stamp = datetime.fromtimestamp(now - 3600 - 5, timezone.utc).replace(tzinfo=None)
    path = tmp_path / "structured_logs.jsonl"
    path.write_bytes(orjson.dumps({"timestamp": stamp.isoformat(), "level": "INFO",
                                   "message": sessions.STARTED, "worker_id": "w",
                                   "context": {"session_id": 1, "run": 1, "task": "t"}}) + b"\n")
    os.utime(path, (now - 5, now - 5))
    audit = tmp_path / "api_audit.log"
    audit.write_bytes(orjson.dumps({"timestamp": stamp.isoformat(), "event": "API_CALL_SUCCESS",
                                    "user": "w", "model": "m", "cost": 0.1}) + b"\n")
    os.utime(audit, (now - 5, now - 5))
    data = summary_json(capsys, str(tmp_path))
    assert data["run"]["state"] == "live" and data["run"]["times_ahead_s"] == -3600
    assert data["sessions"]["running"] == 1


def test_an_error_of_vivtuis_own_is_said_in_a_line_not_a_traceback(monkeypatch, capsys):
    # A safety decision whose checks were a string ended the summary with a
    # traceback (mended); whatever else may: one line, escapes and keys not written.
    from vivtui import cli

    secret = "sk-ant-api03-" + "A" * 40

    def fails(argv):
        raise ValueError(f"odd value {secret}\x1b]0;title\x07\nsecond line")

    monkeypatch.setitem(cli.COMMANDS, "summary", fails)
    monkeypatch.delenv("VIVTUI_TRACEBACK", raising=False)
    assert cli.main(["summary", "run"]) == cli.EXIT_SOFTWARE
    said = capsys.readouterr().err
    assert said.startswith("vivtui: stopped on an error of its own at test_summary.py:")
    assert "ValueError: odd value" in said and "second line" in said
    assert said.count("\n") == 1 and "Traceback" not in said
    assert secret not in said and "\x1b" not in said and "\x07" not in said
    monkeypatch.setenv("VIVTUI_TRACEBACK", "1")
    with pytest.raises(ValueError):
        cli.main(["summary", "run"])


def test_a_listed_value_json_cannot_hold_as_a_number_is_written_as_text():
    """orjson writes no integer past 64 bits (a line read in Python's dialect
    keeps one): such a value, or any that is not a number, goes as safe text."""
    from vivtui.summary import _plain

    values = [1, -(1 << 63), (1 << 64) - 1, 1 << 64, -(1 << 63) - 1, 0.5, True, None,
              "a\x1b[2Jb", [1, 2]]
    written = orjson.loads(orjson.dumps([_plain(value) for value in values]))
    assert written[:4] == [1, -(1 << 63), (1 << 64) - 1, str(1 << 64)]
    assert written[4:8] == [str(-(1 << 63) - 1), 0.5, True, None]
    assert "\x1b" not in written[8] and written[9] == "[1,2]"
