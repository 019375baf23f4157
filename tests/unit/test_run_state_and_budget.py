"""Run state from event times and growth (never mtimes), and the budget as the
producer keeps it: per wrapper, refusals as refusals, a forecast only while live."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import orjson
from rich.text import Text

from vivtui.ingest.batch import Batch
from vivtui.parsing import actions, api_audit, safety, sessions
from vivtui.parsing.context import ParseContext
from vivtui.parsing.record import Records
from vivtui.store import budget as budget_module
from vivtui.store.activity import FINISHED, IDLE, LIVE, UNDATED, RunActivity
from vivtui.store.budget_limits import MIN_SPAN_S
from vivtui.store.run import RunStore
from vivtui.store.sessions import RUNNING, STALLED, UNFINISHED
from vivtui.store.triage import NO_RANK
from vivtui.summary import collect, render_text
from vivtui.ui.heads import newest_listed
from vivtui.ui.heads import run_state as run_state_text

UTC = ParseContext(timezone.utc)
T0 = datetime(2026, 2, 3, 5, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def started(at: datetime, session_id: int = 1):
    line = orjson.dumps({"timestamp": at.replace(tzinfo=None).isoformat(), "level": "INFO",
                         "message": sessions.STARTED, "worker_id": "w",
                         "context": {"session_id": session_id, "run": 1, "task": "t"}})
    return sessions.parse(line, 1, 0, UTC)


def test_an_old_run_is_finished_and_never_shows_running_sessions():
    clock = Clock(T0 + timedelta(days=270))  # opened nine months later, files freshly copied
    store = RunStore(clock=clock)
    store.apply("sessions", [started(T0)])
    state = store.run_state()
    assert state.state == FINISHED and state.last_event == T0
    assert store.sessions.sessions[0].state(state.state) == UNFINISHED


def test_a_live_run_goes_idle_then_finished_as_it_stays_quiet():
    clock = Clock(T0 + timedelta(seconds=30))
    store = RunStore(clock=clock, activity=RunActivity(stall_after=600, finished_after=3600))
    store.apply("sessions", [started(T0)])
    session = store.sessions.sessions[0]
    assert store.run_state().state == LIVE and session.state(LIVE) == RUNNING
    clock.now = T0 + timedelta(minutes=11)
    state = store.run_state()
    assert state.state == IDLE and state.since == T0
    assert session.state(state.state) == STALLED
    clock.now = T0 + timedelta(hours=2)
    assert store.run_state().state == FINISHED


def test_growth_seen_while_watching_counts_even_without_new_event_times():
    clock = Clock(T0 + timedelta(days=3))
    store = RunStore(clock=clock)
    store.apply("sessions", [started(T0)])
    assert store.run_state().state == FINISHED
    # A line arrives while watched (kernel output has no time of its own).
    store.apply_batch(Batch("sessions", Records([tuple(started(T0, 2))]), fresh=True))
    assert store.run_state().state == LIVE


def test_lines_none_of_them_dated_are_no_sign_of_life_until_a_file_grows(tmp_path):
    from vivtui.parsing.kinds import LineParser, spec_for_name
    kernel = LineParser(spec_for_name("kernel_run.log")).parse(
        [(1, 0, b"[SAFETY] 2/2 tasks passed validation."), (2, 39, b"[1] START: Fix it")])
    store = RunStore(clock=Clock(T0))
    assert store.run_state().state == LIVE  # nothing read: an empty run is waited on
    store.apply("kernel", kernel)
    assert store.run_state().state == UNDATED
    store.apply_batch(Batch("kernel", Records([kernel.rows[0]]), fresh=True))
    assert store.run_state().state == LIVE
    (tmp_path / "kernel_run.log").write_bytes(b"[1] START: Fix it\n")
    assert "State: undated, last event - (no line carries a date)" in render_text(
        *collect(tmp_path))


def test_finished_can_be_forced_and_an_event_from_the_future_counts_as_now():
    clock = Clock(T0)
    forced = RunStore(clock=clock, activity=RunActivity(finished=True))
    forced.apply("sessions", [started(T0)])
    assert forced.run_state().state == FINISHED
    ahead = RunStore(clock=clock)
    ahead.apply("sessions", [started(T0 + timedelta(hours=9))])  # a naive time in another zone
    assert ahead.run_state().state == LIVE


def test_a_time_further_ahead_than_any_zone_is_no_sign_of_life_but_stays_its_rows():
    """A year-9999 stamp (or a writer's clock years out) counted as now: one
    such line kept an old run "live" for ever, its last event that year."""
    clock = Clock(T0 + timedelta(days=30))
    store = RunStore(clock=clock)
    bogus = started(datetime(9999, 12, 31, tzinfo=timezone.utc), 2)
    store.apply("sessions", [started(T0), bogus])
    state = store.run_state()
    assert state.state == FINISHED and state.last_event == T0
    store.apply("sessions", [started(clock.now + timedelta(days=2), 3)])  # two days ahead
    assert store.run_state().state == FINISHED
    # Its row stays, without a time (past the years placed: ``values.YEARS``).
    assert [session.started_at and session.started_at.year
            for session in store.sessions.sessions] == [2026, None, 2026]
    alone = RunStore(clock=clock)
    alone.apply("sessions", [bogus])
    assert alone.run_state().last_event is None
    zone_ahead = RunStore(clock=clock)  # 14 h ahead: a zone's, counted as now
    zone_ahead.apply("sessions", [started(clock.now + timedelta(hours=14))])
    assert zone_ahead.run_state().state == LIVE


def _written(store: RunStore, at: datetime, session_id: int) -> None:
    """A session's start stamped ``at``, read as its file grew."""
    store.apply_batch(Batch("sessions", Records([tuple(started(at, session_id))]), fresh=True))


def test_a_run_whose_times_are_hours_ahead_of_this_clock_is_judged_by_its_own_times():
    clock = Clock(T0)
    store = RunStore(clock=clock, activity=RunActivity(stall_after=600, finished_after=3600))
    ahead = timedelta(hours=8)  # naive UTC times read as America/Los_Angeles
    _written(store, T0 + ahead - timedelta(seconds=1), 1)
    assert store.run_state().skew == timedelta(0)  # (one batch alone: a slip?)
    clock.now = T0 + timedelta(seconds=5)
    _written(store, clock.now + ahead, 2)
    state = store.run_state()
    assert state.state == LIVE and state.skew == ahead and store.now() == clock.now + ahead
    session = store.sessions.sessions[1]
    assert session.state(LIVE) == RUNNING
    assert (store.now() - session.started_at).total_seconds() == 0  # not hours "ago"
    clock.now += timedelta(seconds=30)
    assert (store.now() - session.started_at).total_seconds() == 30  # (it was "0s" for 8 h)
    clock.now += timedelta(minutes=11)  # the writer stopped: idle, not live for 8 more hours
    assert store.run_state().state == IDLE
    assert "⚠ times 8h00m ahead (--tz?)" in run_state_text(store.run_state(), store.now()).plain


def _acted(store: RunStore, at: datetime) -> None:
    """An action stamped ``at`` with its zone (the action log's UTC), read as its file grew."""
    line = orjson.dumps({"timestamp": at.isoformat(), "action_type": "TOOL", "actor": "a"})
    store.apply_batch(Batch("actions", Records([tuple(actions.parse(line, 1, 0, UTC))]),
                            fresh=True))


def test_only_naive_times_are_ahead_or_behind_and_a_runs_utc_lines_between_change_nothing():
    """A real run writes its action log and queue in UTC, its sessions and
    audit naive: only the naive ones are read in a zone. UTC lines between
    two naive ones neither undo nor are the measure (an action between two
    sessions' lines left a run 8 h ahead unmeasured)."""
    clock = Clock(T0)
    store = RunStore(clock=clock, activity=RunActivity(stall_after=600, finished_after=3600))
    ahead = timedelta(hours=8)
    for seconds, session_id in ((0, 1), (5, 2)):
        clock.now = T0 + timedelta(seconds=seconds)
        _written(store, clock.now + ahead, session_id)
        _acted(store, clock.now)
    assert store.run_state().skew == ahead
    clock.now += timedelta(minutes=11)  # every writer stopped
    assert store.run_state().state == IDLE
    utc_only = RunStore(clock=clock)
    for hours in (3, 3):  # a UTC clock 3 h ahead: not a zone (nothing is read in one)
        _acted(utc_only, clock.now + timedelta(hours=hours))
    assert utc_only.run_state().skew == timedelta(0)


def test_a_run_behind_this_clock_is_idle_once_its_utc_action_log_stops_too():
    """Judged by the run's clock, a UTC time is ahead by as much as the naive
    ones are behind (the run stayed live an hour after every writer stopped)."""
    clock = Clock(T0)
    store = RunStore(clock=clock, activity=RunActivity(stall_after=600, finished_after=3600))
    for seconds, session_id in ((0, 1), (5, 2)):
        clock.now = T0 + timedelta(seconds=seconds)
        _written(store, clock.now - timedelta(hours=1), session_id)
        _acted(store, clock.now)
    assert store.run_state().skew == -timedelta(hours=1)
    clock.now += timedelta(minutes=5)
    assert store.run_state().state == LIVE
    clock.now += timedelta(minutes=6)
    assert store.run_state().state == IDLE


def test_a_copied_run_whose_naive_times_are_ahead_of_its_files_last_write_is_judged_by_them():
    """One look: no line is written before its time, so naive times ahead of
    their file's mtime are a zone's (the run was "live" for 8 h after it ended)."""
    clock = Clock(T0 + timedelta(hours=2))  # the writer stopped 2 h ago, 8 h ahead
    store = RunStore(clock=clock)
    store.apply_batch(Batch("sessions", Records([tuple(started(T0 + timedelta(hours=8)))]),
                            written=T0 + timedelta(seconds=3)))
    state = store.run_state()
    assert state.skew == timedelta(hours=8) and state.state == FINISHED
    assert session_states(store) == [UNFINISHED]
    copied = RunStore(clock=clock)  # copied an hour later: its times behind the copy's mtime
    copied.apply_batch(Batch("sessions", Records([tuple(started(T0))]),
                             written=T0 + timedelta(hours=1)))
    assert copied.run_state().skew == timedelta(0)
    gate = RunStore(clock=clock)  # the safety gates' log: naive times too
    line = orjson.dumps({"timestamp": (T0 + timedelta(hours=8)).replace(tzinfo=None).isoformat(),
                         "passed": False, "blocked_reason": "r"})
    gate.apply_batch(Batch("safety", Records([tuple(safety.parse(line, 1, 0, UTC))]),
                           written=T0))
    assert gate.run_state().skew == timedelta(hours=8)
    utc = RunStore(clock=clock)  # a time with its zone is not read in one
    line = orjson.dumps({"timestamp": (T0 + timedelta(hours=8)).isoformat(),
                         "action_type": "TOOL"})
    utc.apply_batch(Batch("actions", Records([tuple(actions.parse(line, 1, 0, UTC))]),
                          written=T0))
    assert utc.run_state().skew == timedelta(0)


def test_a_live_run_behind_this_clock_is_told_at_one_look_when_its_files_are_untouched():
    """Written in UTC, read an hour ahead (a login's TZ not the writer's):
    its naive times an hour "old", the run was idle at one look. Its action
    log (UTC) ending at its last write says the files are as their writers
    left them: the sessions' and audit log's last writes, each an hour after
    their newest times, are a zone. A copy, one naive file alone, or two that
    disagree (a crash's cut last line, its time unread), say nothing."""
    clock = Clock(T0 + timedelta(seconds=30))
    hour = timedelta(hours=1)

    def looked(action_written: datetime, *naive_written: datetime) -> RunStore:
        store = RunStore(clock=clock, activity=RunActivity(stall_after=600, finished_after=3600))
        line = orjson.dumps({"timestamp": T0.isoformat(), "action_type": "TOOL"})
        store.apply_batch(Batch("actions", Records([tuple(actions.parse(line, 1, 0, UTC))]),
                                written=action_written))
        records = (started(T0 - hour), api("API_CALL_SUCCESS", at=(T0 - hour).replace(tzinfo=None)))
        for kind, record, written in zip(("sessions", "api"), records, naive_written):
            store.apply_batch(Batch(kind, Records([tuple(record)]), written=written))
        return store

    live = looked(T0 + timedelta(seconds=2), T0 + timedelta(seconds=1), T0 + timedelta(seconds=3))
    state = live.run_state()
    assert state.skew == -hour and state.state == LIVE
    assert session_states(live) == [RUNNING]
    assert (live.now() - live.sessions.sessions[0].started_at).total_seconds() == 30
    copied = looked(T0 + 3 * hour, T0 + 3 * hour, T0 + 3 * hour)
    assert copied.run_state().skew == timedelta(0)
    alone = looked(T0 + timedelta(seconds=2), T0 + timedelta(seconds=1))
    assert alone.run_state().skew == timedelta(0)
    cut = looked(T0 + timedelta(seconds=2), T0 + timedelta(seconds=1), T0 - timedelta(minutes=40))
    assert cut.run_state().skew == timedelta(0)


def session_states(store: RunStore) -> list[str]:
    run = store.run_state()
    return [session.state(run.state) for session in store.sessions.sessions]


def test_a_run_written_behind_this_clock_says_so_and_a_replayed_old_line_is_no_skew():
    clock = Clock(T0)
    store = RunStore(clock=clock)
    for session_id in (1, 2):
        _written(store, T0 - timedelta(hours=1, seconds=2), session_id)
    assert store.run_state().skew == -timedelta(hours=1)
    assert "times 1h00m behind" in run_state_text(store.run_state(), store.now()).plain
    _written(store, T0 - timedelta(hours=1), 3)  # within seconds of the run's clock
    assert store.run_state().skew == -timedelta(hours=1)
    other = RunStore(clock=clock)
    for session_id in (1, 2, 3):  # lines of last year appended: not a zone
        _written(other, T0 - timedelta(days=300), session_id)
    _written(other, T0 - timedelta(minutes=20), 4)  # late, but not a zone
    _written(other, T0 - timedelta(minutes=20), 5)
    assert other.run_state().skew == timedelta(0)
    assert "⚠" not in run_state_text(other.run_state(), other.now()).plain


def api(event, user="admin", at=None, **fields):
    obj = {"event": event, "user": user, **fields}
    if at is not None:
        obj["timestamp"] = at if isinstance(at, str) else at.isoformat()
    return api_audit.parse(orjson.dumps(obj), 1, 0, UTC)


def test_budget_is_kept_per_wrapper_and_the_limit_inferred_from_refusals():
    store = RunStore()
    store.apply("api", [
        api("API_CALL_SUCCESS", user="admin", cost=1.5),
        api("API_CALL_SUCCESS", user="Tern-4", cost=0.05),
        api("API_CALL_SUCCESS", user="admin", cost=0.48),
        api("BUDGET_EXCEEDED", user="admin", remaining=0.0200001, requested=0.03),
        api("BUDGET_EXCEEDED", user="admin", remaining=0.0200001, requested=0.03),
    ])
    budget = store.budget
    assert budget.limit == 2.00 and budget.limit_source == "inferred"
    assert budget.refused == 2 and budget.last_refusal.user == "admin"
    assert budget.last_refusal.last_remaining == 0.0200001
    admin, tern = budget.wrappers()  # nearest its limit first
    assert (admin.user, admin.calls, round(admin.cost, 6)) == ("admin", 2, 1.98)
    assert (tern.user, tern.refused) == ("Tern-4", 0)
    assert round(budget.remaining_of(tern), 6) == 1.95  # its own pot, not the run's sum
    assert round(budget.remaining, 6) == 0.02  # the tightest wrapper's


def test_without_refusals_or_option_the_limit_is_the_producers_default():
    store = RunStore()
    store.apply("api", [api("API_CALL_SUCCESS", cost=0.1)])
    assert (store.budget.limit, store.budget.limit_source) == (2.00, "default")


def test_a_wrapper_spent_well_past_its_limit_unrefused_has_no_limit_judged():
    # The producer refuses a call that would pass a wrapper's limit and keeps the
    # account in memory: a log whose sum for one user is $5 against $2, with no
    # refusal, is several wrappers' lives (kernel restarts) or a higher limit.
    # "250 %, $-3.00 left, runs out in 0 s" would be read as a stopped run.
    store = RunStore(clock=Clock(T0))
    near = T0 - timedelta(minutes=1)
    store.apply("api", [api("API_CALL_SUCCESS", user="old", cost=2.5, at=near),
                        api("API_CALL_SUCCESS", user="old", cost=2.5, at=near),
                        api("API_CALL_SUCCESS", user="edge", cost=2.15, at=near),
                        api("API_CALL_SUCCESS", user="young", cost=0.5, at=near)])
    budget = store.budget
    old, edge, young = (budget.by_user[user] for user in ("old", "edge", "young"))
    assert not budget.limit_known(old)
    assert budget.limit_known(edge)  # past by less than a call's estimate can miss by
    assert [w.user for w in budget.wrappers()] == ["edge", "young", "old"]
    assert budget.tightest is edge and budget.unknown_limits == 1
    forecast = budget.forecast(T0)  # old, first seen and out by its sum, is not judged
    assert (forecast.user, forecast.seconds) == ("edge", 0.0)
    budget.option_limit = 1.0  # --budget says the same of the one given
    assert budget.unknown_limits == 2 and budget.tightest is young
    budget.option_limit = None
    data = collect_of(store)
    assert data["by_user"]["old"]["limit_known"] is False
    assert data["by_user"]["old"]["remaining_usd"] is None
    assert data["by_user"]["young"]["remaining_usd"] == 1.5
    # A refusal says what was left: the limit is known again from it.
    store.apply("api", [api("BUDGET_EXCEEDED", user="old", remaining=0.25, requested=0.3)])
    assert budget.limit_known(old) and budget.limit_of(old) == 5.25
    assert budget.unknown_limits == 0
    # Well past that one with no refusal since: started again after it.
    store.apply("api", [api("API_CALL_SUCCESS", user="old", cost=1.0, at=near)])
    assert not budget.limit_known(old)
    from vivtui.store.activity import RunState
    from vivtui.ui.heads import overview
    text = overview(budget, 120, RunState(LIVE, T0, T0), T0).plain
    assert "$6.00 spent, past $5.25 with no refusal since: limit unknown  1 refused" in text


def test_with_no_wrappers_limit_known_the_heads_say_so_and_not_a_share():
    from vivtui.store.activity import RunState
    from vivtui.ui.heads import overview, status
    store = RunStore(clock=Clock(T0))
    store.apply("api", [api("API_CALL_SUCCESS", user="Orin-7", cost=36.93, at=T0)])
    assert store.budget.remaining is None and store.budget.tightest is None
    text = overview(store.budget, 120, RunState(LIVE, T0, T0), T0).plain
    assert "Orin-7" in text and "$36.93 spent, past $2.00 with no refusal: limit unknown" in text
    assert ("1 wrapper past the limit unrefused (Orin-7 $36.93): a higher limit (--budget), "
            "or restarted") in text
    assert "%" not in text.split("Orin-7")[1].split("\n")[0] and "left" not in text
    assert "forecast none" in text
    line = status([], store, None, T0, run=RunState(LIVE, T0, T0)).plain
    assert "$36.93 (limits unknown)" in line and "%" not in line


def test_a_live_runs_summary_without_a_forecast_does_not_say_it_is_not_live(tmp_path):
    now = datetime.now().replace(microsecond=0)  # the host's zone: naive, as written
    (tmp_path / "api_audit.log").write_bytes(orjson.dumps(
        {"timestamp": now.isoformat(), "event": "API_CALL_SUCCESS", "user": "Orin-7",
         "cost": 36.93, "input_tokens": 1, "output_tokens": 1}) + b"\n")
    text = render_text(*collect(tmp_path))
    assert "State: live" in text and "(not live)" not in text
    assert "forecast none (no wrapper with a known limit spent lately)" in text
    assert "$36.9300 past $2.00 with no refusal: limit unknown" in text


def collect_of(store: RunStore) -> dict:
    """The budget part of ``vivtui summary --json`` made of ``store``."""
    from types import SimpleNamespace

    from vivtui.summary import summary_dict
    no_files = SimpleNamespace(statuses=list, single_file=False)
    return summary_dict(no_files, store)["budget"]


def test_the_forecast_uses_only_the_recent_window():
    store = RunStore(budget_limit=1.0)
    old = T0 - timedelta(hours=5)
    store.apply("api", [api("API_CALL_SUCCESS", cost=0.3, at=old),  # long ago: not in the rate
                        api("API_CALL_SUCCESS", cost=0.06, at=T0 - timedelta(minutes=3)),
                        api("API_CALL_SUCCESS", cost=0.06, at=T0 - timedelta(minutes=1))])
    forecast = store.budget.forecast(T0)
    # The ten minutes summed, T0's among them, cover nine minutes and T0's
    # seconds into its own (0): not 600 s (a rate a tenth too low).
    assert forecast is not None and forecast.user == "admin" and forecast.window == 540
    assert abs(forecast.rate - 0.12 / 540) < 1e-12
    assert abs(forecast.seconds - (1.0 - 0.42) / (0.12 / 540)) < 1e-6
    assert store.budget.forecast(T0 + timedelta(hours=1)) is None  # nothing spent lately


def test_bogus_costs_and_tokens_are_counted_as_bad_values_never_summed():
    store = RunStore()
    store.apply("api", [api("API_CALL_SUCCESS", cost=1e308), api("API_CALL_SUCCESS", cost=1e308),
                        api("API_CALL_SUCCESS", cost="-1e9"), api("API_CALL_SUCCESS", cost="abc"),
                        api("API_CALL_SUCCESS", cost=0.5, input_tokens=-5, output_tokens=1e300),
                        api("BUDGET_EXCEEDED", remaining=-3)])
    budget = store.budget
    assert budget.cost == 0.5 and budget.input_tokens == 0 and budget.output_tokens == 0
    assert budget.bad_value_count == 7
    assert [(name, value) for _, name, value in budget.bad_values][:3] == [
        ("cost", 1e308), ("cost", 1e308), ("cost", "-1e9")]
    assert budget.remaining == 1.5  # the refusal's negative remainder inferred nothing


def test_the_action_logs_budget_lines_state_the_limit_when_no_refusal_has():
    from vivtui.parsing import actions
    store = RunStore()
    store.apply("api", [api("API_CALL_SUCCESS", user="Nova-22", cost=0.2)])
    line = orjson.dumps({"actor": "SYSTEM", "action_type": "BUDGET", "action": "cost_update",
                         "detail": "$0.225/$0.50 (45%)"})
    store.apply("actions", [actions.parse(line, 1, 0, UTC)])
    budget = store.budget
    assert (budget.limit, budget.limit_source, budget.limit_basis) == (0.5, "inferred", "stated")
    assert round(budget.fraction_used, 6) == 0.4  # Nova-22's $0.20 of $0.50


def test_the_limit_stated_most_often_is_the_runs_not_the_newest():
    # Callers that pass their own limit ($0.10, FORMATS.md) write BUDGET lines
    # beside the default's: the newest judged every wrapper against each in turn.
    from vivtui.parsing import actions

    def stated(n: int, limit: str):
        return actions.parse(orjson.dumps({"actor": "SYSTEM", "action_type": "BUDGET",
                                           "action": "cost_update",
                                           "detail": f"$0.0{n % 10}/${limit} (4%)"}), n, 0, UTC)

    def other(n: int):  # a line between them, and a BUDGET line stating no limit
        return actions.parse(orjson.dumps({"actor": "A", "action_type": "TOOL" if n % 2 else
                                           "BUDGET", "action": "x",
                                           "detail": "remaining=$5.96 of $50 > $0.10"}),
                             n, 0, UTC)

    lines = [line for n in range(1, 13)  # the newest states 0.10
             for line in (other(n), stated(n, "0.10" if n % 4 == 0 else "2.00"))]
    whole, one_by_one = RunStore(), RunStore()
    whole.apply("actions", lines)
    whole.apply("api", [api("API_CALL_SUCCESS", user="w", cost=0.5)])
    assert (whole.budget.stated_limit, whole.budget.limit) == (2.0, 2.0)
    assert whole.budget.fraction_used == 0.25
    seen = []
    for line in lines:
        one_by_one.apply("actions", [line])
        seen.append(one_by_one.budget.stated_limit)
    assert seen == [None, 2.0, *[2.0] * (len(lines) - 2)]  # the first stated, then the most
    elsewhere = RunStore()  # the action log read by another process, taken over
    elsewhere.apply("actions", lines[:18] + [stated(20 + n, "0.10") for n in range(8)])
    whole.absorb(elsewhere, {"actions"}, ["actions", "api"])
    assert whole.budget.stated_limit == 0.1 and whole.budget.cost == 0.5  # 10 to 7


def test_a_wrapper_is_forecast_from_its_first_call_to_the_second():
    """Its first spend 50 s into a minute, 8 s ago: spread from the minute's
    start, its rate was a seventh of what it is (the live demo's forecast:
    30 min where it ran out in 4)."""
    store = RunStore(budget_limit=1.0)
    first = T0.replace(second=50)
    store.apply("api", [api("API_CALL_SUCCESS", cost=0.05, at=first + timedelta(seconds=s))
                        for s in (0, 4, 8)])
    forecast = store.budget.forecast(first + timedelta(seconds=12))
    assert forecast.window == 12 and abs(forecast.rate - 0.15 / 12) < 1e-12
    just_made = store.budget.forecast(first + timedelta(seconds=1))
    assert just_made.window == MIN_SPAN_S  # (its first calls are not a rate a second)


def test_a_wrappers_first_spend_is_kept_when_the_log_is_read_in_two_parts():
    first, later = RunStore(budget_limit=1.0), RunStore(budget_limit=1.0)
    early = T0.replace(second=20)
    first.apply("api", [api("API_CALL_SUCCESS", user="a", cost=0.1, at=early)])
    later.apply("api", [api("API_CALL_SUCCESS", user="a", cost=0.1, at=early + timedelta(seconds=30)),
                        api("API_CALL_SUCCESS", user="b", cost=0.1, at=early + timedelta(seconds=40))])
    first.budget.followed_by(later.budget)
    firsts = {user: wrapper.first_spent_at for user, wrapper in first.budget.by_user.items()}
    assert firsts == {"a": early.timestamp(), "b": early.timestamp() + 40}


def test_a_young_run_is_forecast_from_the_time_it_has_spent():
    store = RunStore(budget_limit=1.0)
    start = T0.replace(second=0)
    store.apply("api", [api("API_CALL_SUCCESS", cost=0.1, at=start + timedelta(seconds=s))
                        for s in (0, 30, 60, 90)])
    forecast = store.budget.forecast(start + timedelta(seconds=120))
    # $0.40 in its first two minutes, not spread over ten.
    assert forecast.window == 120 and abs(forecast.rate - 0.4 / 120) < 1e-12


def test_calls_summed_per_batch_keep_the_order_refusals_read_and_odd_field_types():
    # Successes are summed a batch at a time: a refusal in the middle of a batch
    # must still see only the spend before it; list-valued fields still count.
    store = RunStore()
    store.apply("api", [
        api("API_CALL_SUCCESS", user="w", cost=0.3, model="m", at=T0),
        api("BUDGET_EXCEEDED", user="w", remaining=0.2, requested=0.3),
        api("API_CALL_SUCCESS", user="w", cost=0.1, model=["m"], at=T0),
        api("API_CALL_SUCCESS", user=["odd"], cost=0.25, call_type={"x": 1}, at=T0),
        api("API_CALL_SUCCESS", user="w", cost=0.05, at="not a time"),
    ])
    budget = store.budget
    wrapper = budget.by_user["w"]
    assert wrapper.inferred_limit == 0.5 and round(wrapper.cost, 6) == 0.45
    assert wrapper.calls == 3 and budget.succeeded == 4 and round(budget.cost, 6) == 0.7
    assert budget.by_model["m"].calls == 1 and budget.by_model['["m"]'].calls == 1
    assert budget.by_user['["odd"]'].calls == 1
    assert wrapper.by_minute == {int(T0.timestamp() // 60): 0.4}  # the bad time: no minute


def spend_state(budget) -> tuple:
    return (budget.succeeded, budget.cost, budget.input_tokens, budget.output_tokens,
            budget.bad_value_count, budget.unreadable_costs, budget.refused,
            {user: (w.calls, w.cost, w.refused, w.inferred_limit, w.by_minute)
             for user, w in budget.by_user.items()},
            {model: (u.calls, u.cost) for model, u in budget.by_model.items()},
            dict(budget.spend_by_minute), dict(budget.tokens_by_minute))


def test_calls_summed_a_batch_at_a_time_as_one_at_a_time_whatever_their_values():
    """Successes are summed a batch at a time: odd amounts, stamps with a
    zone, without seconds or none, free calls (never timed) and a refusal
    among them sum as the same lines given one at a time."""
    lines = [
        api("API_CALL_SUCCESS", user="w", cost=0.25, input_tokens=10, output_tokens=5,
            at="2026-02-03T05:00:01.5"),
        api("API_CALL_SUCCESS", user="w", cost=0.0, input_tokens=7, output_tokens=1,
            at="2026-02-03T05:00:02"),
        api("API_CALL_SUCCESS", user="v", cost="0.5", input_tokens=-1, output_tokens="3",
            at="2026-02-03T05:01:00Z"),
        api("API_CALL_SUCCESS", user="v", cost=0.125, input_tokens=2, output_tokens=2,
            at="2026-02-03T05:01"),
        api("API_CALL_ATTEMPT", user="v"),
        api("BUDGET_EXCEEDED", user="w", remaining=0.5),
        api("API_CALL_SUCCESS", user="w", cost=1e308, at="2026-02-03T05:02:00"),
        api("API_CALL_SUCCESS", user="w", cost=0.5, input_tokens=1, output_tokens=1,
            at="2026-02-03T05:02:03+02:00"),
    ]
    whole, single = RunStore(), RunStore()
    whole.apply("api", lines)
    for line in lines:
        single.apply("api", [line])
    assert spend_state(whole.budget) == spend_state(single.budget)
    budget = whole.budget
    assert budget.by_user["w"].inferred_limit == 0.75  # 0.25 spent before it, 0.5 left
    assert (budget.succeeded, budget.cost, budget.bad_value_count) == (6, 1.375, 2)
    minute = int(datetime(2026, 2, 3, 5, 0, tzinfo=timezone.utc).timestamp() // 60)
    assert budget.tokens_by_minute[minute] == 15  # the free call's tokens are not timed
    assert sum(budget.tokens_by_minute.values()) == 15 + 3 + 2  # nor one without seconds


def test_a_list_of_the_newest_problems_says_so_under_its_counts(monkeypatch):
    monkeypatch.setattr(budget_module, "KEPT_PROBLEMS", 3)
    store = RunStore()
    store.apply("api", [api("API_CALL_FAILURE", error="503"), api("RATE_LIMITED"),
                        api("BUDGET_EXCEEDED", remaining=0.01, requested=0.02)])
    budget = store.budget
    assert budget.problem_count == len(budget.problems) == 3
    assert "listed" not in newest_listed(Text("failed 1"), 3, 3).plain
    store.apply("api", [api("API_CALL_FAILURE", error="503")])
    assert (budget.problem_count, len(budget.problems)) == (4, 3)
    assert newest_listed(Text("failed 2"), 3, 4).plain == "failed 2  newest 3 listed"


def test_every_failure_is_listed_read_back_from_its_file_and_ranked_from_columns(tmp_path):
    """The newest 5,000 only were listed, and e/E passed the older ones by."""
    from vivtui.ingest.feeds import read_to_end
    from vivtui.ingest.layout import discover, read_back_from
    from vivtui.store.oldrows import GONE

    events = ("API_CALL_SUCCESS", "API_CALL_FAILURE", "RATE_LIMITED", "BUDGET_EXCEEDED",
              "CONSTITUTIONAL_VIOLATION")
    lines, expected = [], []
    for n in range(30_000):
        event = events[n % 5 if n % 7 else 1]
        obj = {"event": event, "user": "admin", "cost": 0.001, "remaining": 0.0}
        if n % 11:  # some without a time
            obj["timestamp"] = (T0 + timedelta(seconds=n)).isoformat()
        lines.append(orjson.dumps(obj) + b"\n")
        if event != "API_CALL_SUCCESS":
            expected.append(n + 1)
    (tmp_path / "api_audit.log").write_bytes(b"".join(lines))
    layout = discover(tmp_path, timezone.utc)
    store = RunStore()
    read_back_from(layout, store, timezone.utc)
    read_to_end(next(feed for feed in layout.feeds if feed.kind == "api"), store.apply_batch)
    budget = store.budget
    problems = budget.problems
    assert budget.problem_count == len(problems) == len(expected) > 20_000
    assert len(problems._old) > 20_000  # kept as places in the file, 16 bytes each
    records = list(problems)
    assert [record.line for record in records] == expected
    assert GONE not in {record.category for record in records}
    assert problems[0].fields["event"] == "API_CALL_FAILURE"
    assert listed_ranks(budget) == listed_ranks_read_back(records)


def listed_ranks(budget):
    return {severity: budget.ranks_at(severity) for severity in ("error", "warning", "info")}


def listed_ranks_read_back(records):
    """As the records read back say: each one's time where it is of the severity."""
    return {severity: [(record.ts.timestamp() if record.ts is not None else NO_RANK)
                       if record.severity == severity else None for record in records]
            for severity in ("error", "warning", "info")}


def test_the_ranks_of_listed_failures_follow_the_list_as_its_oldest_go():
    from itertools import count

    numbers = count()
    store = RunStore(listed=50)
    for size in (1, 30, 7, 120, 3, 64):
        store.apply("api", [api(("API_CALL_FAILURE", "RATE_LIMITED")[n % 2],
                                at=T0 + timedelta(seconds=next(numbers)) if n % 3 else None)
                            for n in range(size)])
        budget = store.budget
        assert len(budget.problems) == min(50, budget.problem_count)
        assert listed_ranks(budget) == listed_ranks_read_back(budget.problems)
        for severity, ranks in listed_ranks(budget).items():  # (e/E's, made in C)
            assert list(budget.timed_at(severity)) == [
                (rank, at) for at, rank in enumerate(ranks) if rank is not None]


def test_the_ranks_of_a_list_joined_from_two_parts_are_those_of_one_reading():
    """Each part's list let its oldest go (its columns not yet, as a list
    lets them go in bulk): joined, the ranks are the joined list's."""
    from itertools import count

    numbers = count()
    events = [api(("API_CALL_FAILURE", "RATE_LIMITED")[n % 2],
                  at=T0 + timedelta(seconds=next(numbers)) if n % 3 else None)
              for n in range(40)]
    for cut in (5, 12, 31):
        first, later, whole = RunStore(listed=8), RunStore(listed=8), RunStore(listed=8)
        for start in range(0, 40, 3):  # (a few at a time: the columns let go in bulk)
            part = first if start < cut else later
            part.apply("api", events[start:min(start + 3, cut if start < cut else 40)])
            if start < cut < start + 3:
                later.apply("api", events[cut:start + 3])
        whole.apply("api", events)
        first.budget.followed_by(later.budget)
        assert [r.line for r in first.budget.problems] == [r.line for r in whole.budget.problems]
        assert listed_ranks(first.budget) == listed_ranks(whole.budget) == listed_ranks_read_back(
            whole.budget.problems)
        assert len(first.budget.problem_times.times) <= 2 * len(first.budget.problems)


def test_last_lines_are_ended_once_finished_and_not_while_a_forced_finish_is_still_written():
    clock = Clock(T0 + timedelta(days=3))
    old = RunStore(clock=clock)
    old.apply("sessions", [started(T0)])
    assert old.lines_ended()  # a copied old run: its writer is long gone
    live = RunStore(clock=Clock(T0 + timedelta(seconds=5)))
    live.apply("sessions", [started(T0)])
    assert not live.lines_ended()
    forced = RunStore(clock=clock, activity=RunActivity(finished=True))
    forced.apply("sessions", [started(T0)])
    assert forced.lines_ended()
    forced.apply_batch(Batch("sessions", Records([tuple(started(T0, 2))]), fresh=True))
    assert forced.run_state().state == FINISHED and not forced.lines_ended()  # still written
    clock.now += timedelta(minutes=11)
    assert forced.lines_ended()


def test_an_undated_runs_last_lines_are_ended_once_watched_quiet_for_the_stall_time():
    from vivtui.parsing.kinds import LineParser, spec_for_name
    kernel = LineParser(spec_for_name("kernel_run.log")).parse([(1, 0, b"[1] START: Fix it")])
    clock = Clock(T0)
    store = RunStore(clock=clock)
    store.apply("kernel", kernel)
    assert store.run_state().state == UNDATED and not store.lines_ended()  # (it may be written)
    clock.now += timedelta(minutes=9)
    assert not store.lines_ended()
    clock.now += timedelta(minutes=1)  # ten minutes watched, nothing grew: its writer is gone
    assert store.lines_ended()


def test_a_skew_measured_in_one_part_of_a_run_is_carried_when_it_is_absorbed():
    measured = RunActivity()
    for _ in range(2):
        measured.saw_fresh(T0 + timedelta(hours=3), T0)
    assert measured.skew == timedelta(hours=3)
    whole = RunActivity()
    whole.absorb(measured)
    assert whole.skew == timedelta(hours=3)
    whole.absorb(RunActivity())  # (a part that measured none changes nothing)
    assert whole.skew == timedelta(hours=3)
