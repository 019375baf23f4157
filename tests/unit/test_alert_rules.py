"""Alert rules on a run directory read as the monitor reads it: what the files
hold at the first look is history, what is appended afterwards is live. Each
rule fires once per cause and names its evidence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest

from vivtui.alerts.alert import (
    BUDGET,
    BURST,
    FILE_TROUBLE,
    MALFORMED_LINES,
    REFUSED,
    RULES,
    RUN_STALL,
    SAFETY,
    SESSION_STALL,
    STREAK,
    AlertSettings,
)
from vivtui.alerts.rules import AlertEngine
from vivtui.ingest.layout import discover, read_back_from
from vivtui.parsing import sessions
from vivtui.store.activity import RunActivity
from vivtui.store.run import RunStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


class Run:
    """A run directory, its store and an engine; ``look`` reads what is new."""

    def __init__(self, root: Path, settings: AlertSettings | None = None,
                 now: datetime = T0) -> None:
        self.root = root
        self.now = now
        self.layout = None
        self.settings = settings
        self.alerts = []

    def write(self, name: str, *lines) -> None:
        with open(self.root / name, "ab") as handle:
            for line in lines:
                handle.write((line if isinstance(line, bytes) else orjson.dumps(line)) + b"\n")

    def look(self) -> list:
        if self.layout is None:
            self.layout = discover(self.root, timezone.utc)  # (naive times: as written)
            self.store = RunStore(clock=lambda: self.now,
                                  activity=RunActivity(stall_after=600, finished_after=3600))
            read_back_from(self.layout, self.store, None)
            self.engine = AlertEngine("r", self.settings)
        fired = []
        for feed in self.layout.feeds:
            while True:
                batch = feed.poll()
                found = self.store.apply_batch(batch)
                fired += self.engine.saw_batch(batch, found, self.store)
                if not batch.more:
                    break
        fired += self.engine.tick(self.store, self.layout.statuses(), self.now)
        self.alerts += fired
        return fired


def stamp(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def call(seconds: float, user: str = "w", cost: float = 0.1, event: str = "API_CALL_SUCCESS",
         **more) -> dict:
    return {"timestamp": stamp(seconds), "event": event, "user": user, "model": "m",
            "cost": cost, "input_tokens": 10, "output_tokens": 5, **more}


def session(seconds: float, number: int, done: bool | None = None, worker: str = "w1") -> dict:
    context = {"session_id": number, "run": 1, "task": f"task {number}"}
    if done is not None:
        context["success"] = done
    return {"timestamp": stamp(seconds), "level": "INFO" if done is not False else "ERROR",
            "message": sessions.STARTED if done is None else sessions.COMPLETED,
            "worker_id": worker, "context": context}


def task(seconds: float, task_id: str, status: str, errors: str = "") -> dict:
    return {"task_id": task_id, "worker_id": "worker-1", "status": status,
            "timestamp": stamp(seconds), "errors": errors}


@pytest.fixture
def run(tmp_path: Path) -> Run:
    for name in ("api_audit.log", "structured_logs.jsonl", "execution_log.jsonl",
                 "kernel_run.log", "action_log.jsonl"):
        (tmp_path / name).touch()
    return Run(tmp_path)


def rules_of(alerts) -> list[str]:
    return [alert.rule for alert in alerts]


def test_budget_levels_fire_once_each_at_the_call_that_crossed_them(run):
    run.look()
    run.write("api_audit.log", *[call(i, cost=0.3) for i in range(3)])  # $0.90 of $2.00
    assert run.look() == []
    run.write("api_audit.log", call(10, cost=0.3), call(11, cost=0.3))  # $1.20 (line 4), $1.50
    fired = run.look()
    assert rules_of(fired) == [BUDGET]
    assert fired[0].line == 4 and fired[0].file == "api_audit.log" and fired[0].live
    assert "50%" in fired[0].message and fired[0].severity == "info"
    run.write("api_audit.log", call(12, cost=0.2))  # $1.70: past 80 %
    assert [(a.rule, a.severity) for a in run.look()] == [(BUDGET, "warning")]
    run.write("api_audit.log", call(13, cost=0.01))  # still past 80 %: nothing new
    assert run.look() == []
    run.write("api_audit.log", call(14, cost=0.3))
    assert [(a.rule, a.severity) for a in run.look()] == [(BUDGET, "critical")]


def test_a_batch_judges_the_wrappers_it_moved_and_all_of_them_at_a_new_limit(run, monkeypatch):
    # Every wrapper judged at every batch: 100k wrappers took 20 s to read 14 MB.
    from vivtui.store.budget import BudgetTracker
    asked = []
    real, real_all = BudgetTracker.wrappers, BudgetTracker.may_cross
    monkeypatch.setattr(BudgetTracker, "wrappers", lambda self, users=None: asked.append(
        users) or real(self, users))
    monkeypatch.setattr(BudgetTracker, "may_cross", lambda self, spent, share: asked.append(
        "all") or real_all(self, spent, share))
    run.write("api_audit.log", *[call(i, f"u{i}", 0.2) for i in range(40)])
    assert run.look() == []
    del asked[:]
    run.write("api_audit.log", call(50, "u7", 0.9), call(51, "u3", 0.01), call(52, "new", 0.1))
    fired = run.look()
    assert asked == [["u3", "u7", "new"]]  # in the order they were first seen
    assert [(a.rule, a.line) for a in fired] == [(BUDGET, 41)] and "wrapper u7" in fired[0].message
    run.store.budget.saw_stated_limit(0.30)  # every wrapper's share moves: all are judged
    del asked[:]
    run.write("api_audit.log", call(53, "u9", 0.001))
    fired = run.look()
    # u0..u39 past 50 % of $0.30, "new" not; u7's $1.10 is well past $0.30 with
    # no refusal: $0.30 is not its limit, and no level of it is crossed.
    assert asked == ["all"] and len(fired) == 39
    assert not any("wrapper u7 " in alert.message for alert in fired)
    assert "wrapper u3 " in fired[0].message and "70%" in fired[0].message  # nearest first


def test_the_wrappers_are_sorted_again_only_after_a_change():
    from vivtui.store.budget import BudgetTracker
    budget = BudgetTracker()
    assert budget.wrappers() is budget.wrappers()
    before = budget.wrappers()
    budget.saw_stated_limit(1.0)
    assert budget.wrappers() is not before


def test_a_backlog_past_several_levels_says_the_highest_once_as_history(run):
    run.write("api_audit.log", *[call(i, cost=0.5) for i in range(4)])  # $2.00 of $2.00
    fired = run.look()
    assert rules_of(fired) == [BUDGET]
    assert "95%" in fired[0].message and not fired[0].live
    assert fired[0].line == 4  # the call that crossed 95 %


def test_each_wrapper_is_its_own_cause(run):
    run.look()
    run.write("api_audit.log", call(1, "a", 1.1), call(2, "b", 1.1))
    fired = run.look()
    assert [(a.rule, a.line) for a in fired] == [(BUDGET, 1), (BUDGET, 2)]
    assert "wrapper a" in fired[0].message and "wrapper b" in fired[1].message


def test_a_refusal_fires_once_per_wrapper(run):
    run.look()
    refusal = call(5, "a", event="BUDGET_EXCEEDED", remaining=0.01, requested=0.02)
    run.write("api_audit.log", refusal, refusal, call(6, "b", event="BUDGET_EXCEEDED"))
    fired = run.look()
    assert [(a.rule, a.line) for a in fired] == [(REFUSED, 1), (REFUSED, 3)]
    run.write("api_audit.log", refusal)
    assert run.look() == []


@pytest.mark.parametrize("name, failure, success, write", [
    ("structured_logs.jsonl", lambda i: session(i, i, False), lambda i: session(i, i, True),
     "sessions"),
    ("execution_log.jsonl", lambda i: task(i, f"t{i}", "failed", "boom"),
     lambda i: task(i, f"t{i}", "completed"), "tasks"),
])
def test_a_failure_streak_fires_at_the_nth_failure_and_again_after_a_success(
        run, name, failure, success, write):
    run.look()
    run.write(name, failure(1), failure(2))
    assert run.look() == []
    run.write(name, failure(3), failure(4), failure(5))
    fired = run.look()
    assert rules_of(fired) == [STREAK] and fired[0].line == 3
    assert fired[0].message.startswith(f"3 {write} failed in a row")
    run.write(name, success(6), failure(7), failure(8))
    assert run.look() == []
    run.write(name, failure(9))
    assert [(a.rule, a.line) for a in run.look()] == [(STREAK, 9)]


def test_in_progress_and_requeued_tasks_neither_break_nor_extend_a_streak(run):
    run.look()
    run.write("execution_log.jsonl", task(1, "a", "failed"), task(2, "b", "in_progress"),
              task(3, "b", "requeue"), task(4, "c", "failed"), task(5, "d", "safety_blocked"))
    assert STREAK in rules_of(run.look())


def test_every_safety_block_fires_and_one_block_in_several_files_fires_once(run):
    run.look()
    block = {"timestamp": stamp(1), "actor": "A", "action_type": "SAFETY", "action": "BLOCKED",
             "detail": "protected_file: x.py"}
    run.write("action_log.jsonl", block)
    run.write("execution_log.jsonl", task(1.5, "t1", "safety_blocked", "Attempt to write"))
    fired = run.look()
    assert rules_of(fired) == [SAFETY]
    assert fired[0].file == "action_log.jsonl" and "protected_file" in fired[0].message
    run.write("action_log.jsonl", {**block, "timestamp": stamp(30)},
              {**block, "timestamp": stamp(30.5)})
    assert [(a.rule, a.line) for a in run.look()] == [(SAFETY, 2), (SAFETY, 3)]


def test_a_burst_of_api_trouble_fires_once_until_it_ebbs(run):
    run.look()
    trouble = [call(i * 5, event="RATE_LIMITED") for i in range(4)]
    run.write("api_audit.log", *trouble)
    assert run.look() == []
    run.write("api_audit.log", call(21, event="API_CALL_FAILURE", error="timeout"),
              call(22, event="RATE_LIMITED"))
    fired = run.look()
    assert [(a.rule, a.line) for a in fired] == [(BURST, 5)]
    # Five more, but spread over ten minutes: no burst.
    run.write("api_audit.log", *[call(200 + i * 120, event="RATE_LIMITED") for i in range(5)])
    assert run.look() == []
    run.write("api_audit.log", *[call(900 + i, event="RATE_LIMITED") for i in range(5)])
    assert rules_of(run.look()) == [BURST]


def test_malformed_lines_fire_once_per_file_that_had_none(run):
    run.write("execution_log.jsonl", b"{not json")
    history = run.look()
    assert [(a.rule, a.file, a.line, a.live) for a in history] == [
        (MALFORMED_LINES, "execution_log.jsonl", 1, False)]
    run.write("execution_log.jsonl", b"{again")
    run.write("structured_logs.jsonl", session(1, 1), b"[1, 2")
    fired = run.look()
    assert [(a.rule, a.file, a.line) for a in fired] == [
        (MALFORMED_LINES, "structured_logs.jsonl", 2)]


def test_a_truncated_file_and_an_unreadable_one_fire(run):
    run.write("kernel_run.log", *[b"[WAVE 1] line %d" % i for i in range(50)])
    run.look()
    (run.root / "kernel_run.log").write_bytes(b"fresh\n")
    fired = run.look()
    assert [(a.rule, a.file) for a in fired] == [(FILE_TROUBLE, "kernel_run.log")]
    assert "truncated" in fired[0].message
    (run.root / "api_audit.log").unlink()
    (run.root / "api_audit.log").mkdir()
    fired = run.look()
    assert [(a.rule, a.file, a.severity) for a in fired] == [
        (FILE_TROUBLE, "api_audit.log", "critical")]
    assert run.look() == []  # still unreadable: said once


def test_a_live_run_that_stops_writing_fires_once_and_an_old_run_never(run):
    run.write("api_audit.log", call(0))
    run.look()
    run.now = T0 + timedelta(seconds=30)
    run.write("api_audit.log", call(30))
    assert run.look() == []
    run.now = T0 + timedelta(minutes=11)
    fired = run.look()
    assert rules_of(fired) == [RUN_STALL]
    assert "api_audit.log:2" in fired[0].message and "10 min" in fired[0].message
    run.now = T0 + timedelta(minutes=12)
    assert run.look() == []

    old = Run(run.root, now=T0 + timedelta(days=30))
    old.look()
    old.now += timedelta(hours=2)
    assert RUN_STALL not in rules_of(old.look())


def test_a_run_written_hours_ahead_of_this_clock_fires_its_stop_by_its_own_clock(run):
    ahead = timedelta(hours=8)  # naive times of a zone 8 h ahead of the one read in

    def naive_call(seconds: float) -> dict:  # (the audit log's stamps, as written: naive)
        return call(seconds) | {"timestamp": stamp(seconds)[:-len("+00:00")]}

    run.write("api_audit.log", naive_call(ahead.total_seconds()))
    run.look()  # (the backlog: not measured; its file written long after its times)
    for seconds in (10, 20):  # written as the file grows, each 8 h ahead of this clock
        run.now = T0 + timedelta(seconds=seconds)
        run.write("api_audit.log", naive_call(ahead.total_seconds() + seconds))
        assert run.look() == []
    assert run.store.activity.skew == ahead
    run.now = T0 + timedelta(minutes=11)  # its writer stopped: not "live" for 8 more hours
    fired = run.look()
    assert rules_of(fired) == [RUN_STALL] and "for 11 min" in fired[0].message


def test_a_session_open_past_its_threshold_fires_once(run):
    run.settings = AlertSettings(session_stall=300)
    run.write("structured_logs.jsonl", session(0, 1), session(0, 2))
    run.look()
    run.write("structured_logs.jsonl", session(100, 2, True))
    run.now = T0 + timedelta(seconds=200)
    assert run.look() == []
    run.write("api_audit.log", call(290))  # the run goes on
    run.now = T0 + timedelta(seconds=310)
    fired = run.look()
    assert [(a.rule, a.file, a.line) for a in fired] == [(SESSION_STALL, "structured_logs.jsonl",
                                                           1)]
    assert "w1 session 1 of run 1: task 1" in fired[0].message
    run.write("api_audit.log", call(400))
    run.now = T0 + timedelta(seconds=410)
    assert run.look() == []


def test_many_sessions_stalled_at_one_look_are_said_the_latest_each_and_the_rest_in_one(
        run, monkeypatch):
    """A run's history of 200k open sessions took 10 s of the screen's thread:
    each one's start read back from the file for an alert of its own."""
    from vivtui.alerts import rules
    from vivtui.store.sessions import SessionTracker
    run.settings = AlertSettings(session_stall=300)
    count = rules.MOST_STALLS_SAID + 35
    run.write("structured_logs.jsonl", *[session(n, n) for n in range(count)],
              session(50, 5, True))  # (one of them finished)
    run.write("api_audit.log", call(1000))  # the run is live
    run.now = T0 + timedelta(seconds=1000)
    read = []
    real = SessionTracker.event_at
    monkeypatch.setattr(SessionTracker, "event_at", lambda *given: read.append(1) or real(
        *given))
    fired = run.look()
    assert [a.rule for a in fired] == [SESSION_STALL] * (rules.MOST_STALLS_SAID + 1)
    assert len(read) == rules.MOST_STALLS_SAID  # only the starts of those said each
    said = [a.line for a in fired[:-1]]
    assert said == list(range(count - rules.MOST_STALLS_SAID + 1, count + 1))  # the latest
    assert fired[-1].line is None and fired[-1].message.startswith(
        f"{count - 1 - rules.MOST_STALLS_SAID:,} more sessions open for over 5 min")
    run.write("api_audit.log", call(1010))
    run.now = T0 + timedelta(seconds=1010)
    assert run.look() == []  # each said once


def test_rules_can_be_turned_off(run):
    run.settings = AlertSettings(off=frozenset(RULES) - {SAFETY})
    run.write("api_audit.log", *[call(i, cost=1.0) for i in range(3)], b"{bad")
    run.write("execution_log.jsonl", *[task(i, f"t{i}", "safety_blocked") for i in range(4)])
    assert rules_of(run.look()) == [SAFETY] * 4


def test_an_alert_masks_secrets_and_holds_no_control_characters(run):
    run.look()
    secret = "sk-ant-api03-" + "A" * 40
    run.write("execution_log.jsonl", task(1, "t1", "safety_blocked", f"key {secret}\x1b[2J"))
    fired = run.look()
    assert fired and secret not in fired[0].message and "\x1b" not in fired[0].message
    assert fired[0].as_json()["history"] is False


def test_a_session_that_stalled_before_vivtui_looked_is_history(run):
    run.write("structured_logs.jsonl", session(-86_400 * 3, 1))  # three days before
    run.write("api_audit.log", call(0))  # the run is live now
    fired = run.look()
    assert [(a.rule, a.live) for a in fired] == [(SESSION_STALL, False)]
    assert "3 days" in fired[0].message


def test_a_block_without_a_time_of_its_own_is_never_taken_for_another(run):
    # The kernel's history lines have no time: read "now", they once swallowed
    # the first live block written within 2 s of the end of the first read.
    run.write("kernel_run.log", b"BLOCKED: Attempt to write to protected file: a.py")
    run.now = datetime.now(timezone.utc)
    assert rules_of(run.look()) == [SAFETY]
    run.write("execution_log.jsonl", {**task(0, "t1", "safety_blocked", "nope"),
                                      "timestamp": run.now.isoformat()})
    assert [(a.rule, a.file) for a in run.look()] == [(SAFETY, "execution_log.jsonl")]


def test_an_engine_absorbing_a_backlog_read_apart_goes_on_where_it_left_off(run):
    # The backlog read by another engine into another store (``ingest.apart``):
    # a streak two failures long and a budget past 50 % carry on.
    run.write("execution_log.jsonl", task(1, "a", "failed"), task(2, "b", "failed"))
    run.write("api_audit.log", call(1, cost=0.6), call(2, cost=0.6))  # $1.20 of $2.00
    apart = Run(run.root)
    history = apart.look()
    assert rules_of(history) == [BUDGET] and not history[0].live
    main = Run(run.root)
    main.layout = discover(run.root)
    main.store = RunStore(clock=lambda: main.now)
    main.engine = AlertEngine("r")
    for feed in main.layout.feeds:  # now at the files' ends, as the apart reading left them
        while feed.poll().more:
            pass
    main.store.absorb(apart.store, {"tasks", "api"}, [feed.kind for feed in main.layout.feeds])
    assert main.engine.absorb(apart.engine, {"tasks", "api"}) == history
    run.write("execution_log.jsonl", task(3, "c", "failed"))
    run.write("api_audit.log", call(3, cost=0.1))  # $1.30: still between 50 and 80 %
    assert rules_of(main.look()) == [STREAK]


def test_a_limit_the_action_log_states_after_the_calls_judges_every_wrapper(run):
    # The audit log's batches came first (its thread was quicker): judged
    # against the producer's $2.00, u0's $0.30 crossed nothing. The action
    # log's BUDGET line then says the limit is $0.50: u0 is past 50 % of it.
    run.write("api_audit.log", *[call(i, "u0", 0.1) for i in range(3)])
    assert run.look() == []
    run.write("action_log.jsonl", {"timestamp": stamp(5), "actor": "SYSTEM",
                                   "action_type": "BUDGET", "action": "cost_update",
                                   "detail": "$0.30/$0.50 (60%)"})
    (fired,) = run.look()
    assert fired.rule == BUDGET and "wrapper u0 has spent $0.30 of $0.50" in fired.message
    assert fired.file == "action_log.jsonl" and fired.line == 1  # where the limit was said
