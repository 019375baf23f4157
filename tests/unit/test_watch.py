"""``vivtui watch`` end to end: the installed command follows a directory a
writer plays a scenario into; each alert arrives within 2 s of its cause, and
no other. Exit on a rule, the alert command, and a one-shot look at history."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from tests.unit.test_alert_rules import call, session, task

ARRIVES_WITHIN_S = 2.0


class Watcher:
    def __init__(self, root: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vivtui", "watch", str(root), "--json", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "TZ": "UTC"})
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.decode())

    def next_alerts(self, count: int, quiet: float = 0.7,
                    within: float = ARRIVES_WITHIN_S) -> list[dict]:
        """``count`` alerts, each within ``within`` s, then none for ``quiet`` s."""
        got = []
        deadline = time.monotonic() + within
        while len(got) < count:
            try:
                got.append(json.loads(self.lines.get(timeout=max(0.0, deadline -
                                                                 time.monotonic()))))
            except queue.Empty:
                break
        try:
            got.append(json.loads(self.lines.get(timeout=quiet)))
        except queue.Empty:
            pass
        return got

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def write(root: Path, name: str, *lines) -> None:
    with open(root / name, "ab") as handle:
        for line in lines:
            handle.write((line if isinstance(line, bytes) else orjson.dumps(line)) + b"\n")


def now_call(**kwargs) -> dict:
    return {**call(0, **kwargs), "timestamp": stamp_now()}


def stamp_now() -> str:
    from datetime import UTC, datetime
    return datetime.now(UTC).isoformat()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write(tmp_path, "api_audit.log", *[call(i, cost=0.5) for i in range(3)])  # history: 75 %
    write(tmp_path, "execution_log.jsonl", b"{history's malformed line")
    return tmp_path


def test_each_alert_arrives_within_two_seconds_of_its_cause_and_no_other(root):
    write(root, "kernel_run.log", *[b"[WAVE 1] line %d" % i for i in range(40)])
    watcher = Watcher(root, "--stall", "5")
    try:
        time.sleep(1.0)  # history read: its alerts are not printed
        assert watcher.next_alerts(0, quiet=0.5) == []
        steps = [
            ("api_audit.log", [now_call(cost=0.2)], ["budget"]),  # $1.70: past 80 %
            ("execution_log.jsonl", [{**task(0, f"t{i}", "failed", "boom"),
                                      "timestamp": stamp_now()} for i in range(3)],
             ["failure-streak"]),
            ("structured_logs.jsonl", [b"not json"], ["malformed"]),
            ("action_log.jsonl", [{"timestamp": stamp_now(), "actor": "A",
                                   "action_type": "SAFETY", "action": "BLOCKED",
                                   "detail": "protected_file: x.py"}], ["safety-block"]),
            ("api_audit.log", [now_call(event="RATE_LIMITED") for _ in range(5)],
             ["api-burst"]),
            ("api_audit.log", [now_call(event="BUDGET_EXCEEDED", remaining=0.0)],
             ["budget-refused"]),
            ("structured_logs.jsonl", [session(0, 1)], []),  # nothing to say
        ]
        truncated = [("kernel_run.log", None, ["file-trouble"])]
        for name, lines, expected in steps + truncated:
            written = time.monotonic()
            if lines is None:
                (root / name).write_bytes(b"[WAVE 2] starts over\n")
            else:
                write(root, name, *lines)
            got = watcher.next_alerts(len(expected))
            assert [alert["rule"] for alert in got] == expected, (name, got)
            assert time.monotonic() - written < ARRIVES_WITHIN_S + 1.0
            for alert in got:
                assert alert["file"] == name and alert["run"] == root.name
                assert alert["history"] is False and (alert["line"] or 1) >= 1
        # Nothing more is written: the run stops being live after --stall (5 s).
        quiet_since = time.monotonic()
        stalled = watcher.next_alerts(1, quiet=0.5, within=5 + ARRIVES_WITHIN_S)
        assert [alert["rule"] for alert in stalled] == ["run-stall"]
        assert time.monotonic() - quiet_since < 5 + ARRIVES_WITHIN_S + 1.5
    finally:
        watcher.stop()


def test_exit_on_a_rule_stops_with_status_3_and_the_command_gets_the_alert(root, tmp_path):
    received = tmp_path / "received.jsonl"
    command = (f"{sys.executable} -c \"import sys; open(sys.argv[1], 'ab')"
               f".write(sys.stdin.buffer.read())\" {received}")
    watcher = Watcher(root, "--exit-on", "api-burst", "safety-block", "--alert-cmd", command)
    try:
        time.sleep(1.0)
        write(root, "execution_log.jsonl", {**task(0, "t1", "safety_blocked", "nope"),
                                            "timestamp": stamp_now()})
        assert watcher.process.wait(10) == 3
        sent = [json.loads(line) for line in received.read_text().splitlines()]
        assert [alert["rule"] for alert in sent] == ["safety-block"]
        assert sent[0]["file"] == "execution_log.jsonl"
    finally:
        if watcher.process.poll() is None:
            watcher.stop()


def test_once_prints_the_history_and_stops(root):
    done = subprocess.run([sys.executable, "-m", "vivtui", "watch", str(root), "--once",
                           "--json"], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    alerts = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert sorted(alert["rule"] for alert in alerts) == ["budget", "malformed"]
    assert all(alert["history"] for alert in alerts)


def test_a_bad_option_is_said_without_a_traceback(root):
    done = subprocess.run([sys.executable, "-m", "vivtui", "watch", str(root), "--exit-on",
                           "nope"], capture_output=True, timeout=60, check=False)
    assert done.returncode == 2
    assert b"unknown rule nope" in done.stderr and b"Traceback" not in done.stderr


def test_big_backlogs_read_by_other_processes_tell_the_alerts_one_reading_tells(
        demo, tmp_path, monkeypatch):
    """A big file's backlog is read as the monitor reads it (other processes,
    then absorbed), live and ``--once``, the second time from what the first
    kept: the history alerts are those of one reading in order, the budget
    levels of a limit the action log states included; ``--once`` tells them
    in the order of their files and lines."""
    import io
    from datetime import timezone

    from vivtui.alerts import rules
    from vivtui.alerts.deliver import alert_text
    from vivtui.alerts.rules import AlertEngine
    from vivtui.alerts.watch import Watch, WatchOptions
    from vivtui.ingest import apart_process
    from vivtui.ingest.feeds import read_to_end
    from vivtui.ingest.layout import discover
    from vivtui.store.run import RunStore

    run = tmp_path / "run"
    run.mkdir()
    for name in os.listdir(demo):
        (run / name).write_bytes((demo / name).read_bytes())
    write(run, "api_audit.log", *[call(i, cost=0.5) for i in range(8)])  # budget levels
    write(run, "execution_log.jsonl", b"{a malformed line")
    in_order = []  # one reading, a file after another, here
    store, engine = RunStore(capacity=0), AlertEngine(run.name)
    for feed in discover(run, timezone.utc).feeds:
        read_to_end(feed, lambda batch: in_order.extend(
            engine.saw_batch(batch, store.apply_batch(batch), store)))
    expected = unplaced(alert_text(alert).split(" ", 1)[1] for alert in in_order)
    assert {"budget", "malformed"} <= {line.split()[1].rstrip(":") for line in expected}
    assert len(expected) > 3

    # A reading's engine keeps the newest alerts; those told here are all.
    monkeypatch.setattr(rules, "KEPT_ALERTS", 3)
    launched = []
    real_launch = apart_process.ApartProcess.launch.__func__
    monkeypatch.setattr(apart_process.ApartProcess, "launch", classmethod(
        lambda cls, *a, **k: launched.append(a[0].kind) or real_launch(cls, *a, **k)))
    monkeypatch.setattr(apart_process, "WORTH_OVER", 0)

    def told(once: bool) -> list[str]:
        out = io.StringIO()
        watch = Watch(str(run), WatchOptions(history=True, once=once, zone=timezone.utc), out=out)
        if once:
            assert watch.run() == 0
            return [line.split(" ", 1)[1] for line in out.getvalue().splitlines()]
        thread = threading.Thread(target=watch.run)
        thread.start()
        deadline = time.monotonic() + 60
        while not watch.tailing.threads:  # (not started yet: nothing is being read)
            time.sleep(0.01)
        while (watch.tailing.reading_backlog() is not None or not watch._batches.empty()
               or any(feed.apart for feed in watch.layout.feeds)):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        watch.stop_code = 0
        thread.join(10)
        return [line.split(" ", 1)[1] for line in out.getvalue().splitlines()]

    # The wrappers' levels are judged once the files are joined (the audit
    # log's process knew no limit the action log states): where the spend
    # crossed is not said, what it is and the level are.
    assert unplaced(told(False)) == expected
    assert {"api", "tasks", "sessions"} <= set(launched)  # read by other processes
    del launched[:]
    once = told(True)
    assert unplaced(once) == expected and launched == []  # taken from what was kept
    files = [feed.path.name for feed in discover(run, timezone.utc).feeds]
    places = [(files.index(found[1]), int(found[2])) for found in
              (re.search(r"\((\S+):(\d+)\)", line) for line in once) if found]
    assert len(places) > 10 and places == sorted(places)


def unplaced(told: list[str]) -> list[str]:
    """Alerts told, the place of a budget level's crossing left out."""
    return sorted(re.sub(r" \(api_audit\.log:\d+\)", "", line) if " budget: " in line
                  else line for line in told)


def test_a_finished_runs_last_line_with_no_newline_is_read_at_a_tick(root):
    with open(root / "api_audit.log", "ab") as handle:
        handle.write(b'{"timestamp": "2026-03-01T12:01:00", "event": "API_CALL_SUC')  # cut off
    watcher = Watcher(root, "--history")
    try:
        alerts = watcher.next_alerts(3, within=10.0)
        assert {(alert["rule"], alert["file"]) for alert in alerts} == {
            ("budget", "api_audit.log"), ("malformed", "execution_log.jsonl"),
            ("malformed", "api_audit.log")}
    finally:
        watcher.stop()


def test_once_reads_a_finished_runs_last_line_with_no_newline_and_holds_a_live_ones(root):
    """As ``vivtui summary`` does: a crash's last words are a line; a live
    run's line being written is not yet one (it was never read at all)."""
    def once() -> list[tuple[str, str]]:
        done = subprocess.run([sys.executable, "-m", "vivtui", "watch", str(root), "--once",
                               "--json"], capture_output=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return sorted((alert["rule"], alert["file"]) for alert in
                      map(json.loads, done.stdout.decode().splitlines()))

    with open(root / "api_audit.log", "ab") as handle:
        handle.write(b'{"timestamp": "2026-03-01T12:01:00", "event": "API_CALL_SUC')  # cut off
    assert once() == [("budget", "api_audit.log"), ("malformed", "api_audit.log"),
                      ("malformed", "execution_log.jsonl")]
    with open(root / "api_audit.log", "ab") as handle:
        handle.write(b'CESS"}\n')  # (a whole line now)
    live = datetime.now(timezone.utc).isoformat()
    write(root, "action_log.jsonl", {"timestamp": live, "action_type": "TOOL", "actor": "a"})
    with open(root / "api_audit.log", "ab") as handle:
        handle.write(b'{"timestamp": "' + live.encode() + b'", "event": "API_CALL_SUC')
    assert once() == [("budget", "api_audit.log"), ("malformed", "execution_log.jsonl")]
