"""A run of many names: API wrappers (a ``user`` per identity), models,
task statuses. The audit pane's order, its forecast and limit, the budget
alerts' judging and the queue's head cost what a batch changed or what is
shown, not every name, and say what walking all of them said (300k wrappers
held the screen 0.25-0.97 s each second of a live run)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import orjson

from vivtui.alerts.rules import AlertEngine
from vivtui.ingest.batch import Batch
from vivtui.parsing import api_audit
from vivtui.parsing.context import ParseContext
from vivtui.parsing.record import Records
from vivtui.store import budget_limits, recent_spenders, spend_rates
from vivtui.store.budget import BudgetTracker
from vivtui.store.budget_limits import order_key
from vivtui.store.run import RunStore

UTC = ParseContext(timezone.utc)
T0 = datetime(2026, 2, 3, 5, 0, tzinfo=timezone.utc)


def api(event, user, at, **fields):
    obj = {"event": event, "user": user, "timestamp": at.isoformat(), **fields}
    return api_audit.parse(orjson.dumps(obj), 1, 0, UTC)


def spend(user, cost, at=T0):
    return api("API_CALL_SUCCESS", user, at, cost=cost)


def by_walking_all(budget: BudgetTracker) -> list[str]:
    """The order, a key for each wrapper, as it was made before it was kept."""
    return [wrapper.user for wrapper in sorted(
        budget.by_user.values(),
        key=lambda w: order_key(w.cost, budget.limit_of(w), w.user))]


def test_the_wrappers_order_is_kept_as_they_change_and_is_the_order_walking_all_makes(
        monkeypatch):
    rng = random.Random(7)
    budget = BudgetTracker()
    budget.apply([spend(f"u{n}", rng.choice([0.001, 0.5, 1.0, 1.9])) for n in range(300)])
    assert [w.user for w in budget.wrappers()] == by_walking_all(budget)
    keys = []
    monkeypatch.setattr(budget_limits, "order_key", lambda *given: keys.append(1) or order_key(
        *given))
    for step in range(40):
        batch = [spend(f"u{rng.randrange(320)}", rng.choice([0.0, 0.01, 0.3])) for _ in range(5)]
        if step % 7 == 0:  # a refusal: its limit is its spend plus what was left
            batch.append(api("BUDGET_EXCEEDED", f"u{rng.randrange(300)}", T0, remaining=0.05))
        del keys[:]
        budget.apply(batch)
        assert [w.user for w in budget.wrappers()] == by_walking_all(budget)
        # Each wrapper of the batch: its key before and after (and a new one's once).
        assert len(keys) <= 2 * len(batch)
    budget.saw_stated_limit(1.5)  # every wrapper's share moves: sorted whole
    assert [w.user for w in budget.wrappers()] == by_walking_all(budget)


def test_a_log_read_in_two_parts_is_ordered_and_limited_as_one_reading():
    first, later, whole = BudgetTracker(), BudgetTracker(), BudgetTracker()
    calls = [spend("a", 0.3), spend("b", 1.2), spend("c", 0.1)]
    more = [spend("c", 1.5), api("BUDGET_EXCEEDED", "c", T0, remaining=0.2), spend("d", 0.4)]
    first.apply(calls)
    first.wrappers()  # (an order kept, then joined on)
    later.apply(more)
    first.followed_by(later)
    whole.apply(calls + more)
    assert [w.user for w in first.wrappers()] == [w.user for w in whole.wrappers()] \
        == by_walking_all(whole)
    assert (first.limit, first.limit_basis) == (whole.limit, whole.limit_basis) == (1.8,
                                                                                  "inferred")


def test_the_limit_is_the_one_most_refusals_point_to_as_they_move():
    budget = BudgetTracker()
    budget.apply([spend("a", 1.0), spend("b", 1.0), spend("c", 0.5)])
    assert (budget.limit, budget.limit_source) == (2.0, "default")
    budget.apply([api("BUDGET_EXCEEDED", user, T0, remaining=0.5) for user in "abc"])
    assert budget.limit == 1.5 and dict(budget.inferred) == {1.5: 2, 1.0: 1}
    budget.apply([spend("c", 0.5), api("BUDGET_EXCEEDED", "c", T0, remaining=0.5)])
    assert budget.limit == 1.5 and dict(budget.inferred) == {1.5: 3}  # c's moved, not added


def test_the_forecast_looks_at_the_recent_spenders_and_finds_what_walking_all_finds(
        monkeypatch):
    store = RunStore(budget_limit=1.0)
    old = T0 - timedelta(hours=2)
    store.apply("api", [spend(f"old{n}", 0.5, old) for n in range(500)])
    store.apply("api", [spend("slow", 0.05, T0 - timedelta(minutes=4)),
                        spend("fast", 0.2, T0 - timedelta(minutes=2)),
                        spend("fast", 0.2, T0 - timedelta(minutes=1))])
    budget = store.budget
    worked = []
    real = spend_rates.rate_basis
    monkeypatch.setattr(spend_rates, "rate_basis",
                        lambda wrapper, minutes: worked.append(wrapper.user) or real(wrapper,
                                                                                    minutes))
    forecast = budget.forecast(T0)
    assert sorted(worked) == ["fast", "slow"]  # not the 500 of two hours ago
    monkeypatch.setattr(budget.recent, "since", lambda minute: None)  # every wrapper walked
    budget._rates = None
    assert budget.forecast(T0) == forecast and forecast.user == "fast"


def test_the_recent_minutes_kept_are_the_latest_and_a_stamp_years_ahead_takes_one():
    recent = recent_spenders.RecentSpenders()
    for minute in range(100, 130):
        recent.of_minute(minute).add(f"u{minute}")
    recent.of_minute(10 ** 8).add("ahead")  # a writer's clock years out
    kept = recent_spenders.KEPT
    assert recent.since(130 - kept + 2) == {f"u{m}" for m in range(130 - kept + 2, 130)} | {
        "ahead"}
    assert recent.since(110) is None  # minutes no longer kept: every wrapper is walked
    recent.of_minute(101).add("late")  # (older than those kept: not kept)
    assert "late" not in recent.since(120)


def test_a_backlog_joined_with_the_limits_it_was_judged_against_is_not_judged_again(
        monkeypatch):
    """Its engine judged every wrapper as they moved; only a limit the run
    knows and its reading did not (the action log's) judges them again, and
    then only those a level can be crossed by."""
    reading = RunStore()
    engine = AlertEngine("run")
    rows = [spend(f"u{n}", 0.01 * (n % 90)) for n in range(2000)]
    batch = Batch(kind="api", records=Records([tuple(row) for row in rows]))
    engine.saw_batch(batch, reading.apply("api", rows), reading)
    asked = []
    real = BudgetTracker.may_cross
    monkeypatch.setattr(BudgetTracker, "may_cross", lambda self, spent, share: asked.append(
        len(real(self, spent, share))) or real(self, spent, share))
    run = RunStore()
    run.absorb(reading, {"api"}, ["api"])
    app_engine = AlertEngine("run")
    assert app_engine.absorb(engine, {"api"}, run) == [] and asked == []
    run.budget.saw_stated_limit(1.0)  # a limit the reading did not know
    fired = app_engine.absorb(engine, {"api"}, run)
    # The wrappers at 50 % of $1.00 or more: u50..u89 and their like, nothing else.
    assert asked == [sum(1 for n in range(2000) if 0.5 <= 0.01 * (n % 90) <= 1.1)]
    assert len(fired) == asked[0] and all("of $1.00" in alert.message for alert in fired)


def test_the_overview_lists_the_six_costliest_models_as_a_whole_sort_does():
    from vivtui.store.activity import LIVE, RunState
    from vivtui.ui.heads import overview
    budget = BudgetTracker()
    costs = [0.1, 0.5, 0.2, 0.5, 0.05, 0.3, 0.2, 0.9, 0.01] * 300
    budget.apply([api("API_CALL_SUCCESS", "a", T0, cost=cost, model=f"m{n}")
                  for n, cost in enumerate(costs)])
    text = overview(budget, 120, RunState(LIVE, None, None), T0).plain
    listed = [line.split()[0] for line in
              text.split("by model\n")[1].split("by call type")[0].splitlines()]
    whole = sorted(budget.by_model.items(), key=lambda kv: -kv[1].cost)[:6]
    assert listed == [name for name, _ in whole] == ["m7", "m16", "m25", "m34", "m43", "m52"]


def test_a_queue_of_many_statuses_gives_its_commonest_without_sorting_them_all():
    # 200k statuses, one a task (a producer writing its error into the status),
    # were copied and sorted at each draw of the queue's head: 140-220 ms.
    from vivtui.parsing import execution
    from vivtui.store.tasks import TaskTracker
    from vivtui.ui import heads
    tracker = TaskTracker()
    rows = [orjson.dumps({"task_id": f"t{n}", "status": f"s{n % 700}",
                          "timestamp": T0.isoformat()}) for n in range(3000)]
    tracker.apply([execution.parse(row, n, 0, UTC) for n, row in enumerate(rows)])
    for status in ("only", "moved on"):  # ("only": no task has it any more)
        tracker.apply([execution.parse(orjson.dumps({"task_id": "lone", "status": status}),
                                       1, 0, UTC)])
    assert tracker.counts["only"] == 0
    top, held = tracker.commonest_statuses(heads.COUNTS_MOST)
    whole = sorted(tracker.by_status().items(), key=lambda kv: -kv[1])
    assert top == whole[:heads.COUNTS_MOST] and held == len(whole) == 701
    assert tracker.statuses_by_count() == whole  # (the picker's, at `t`)
    assert heads.counts("Queue", [(s, c, "") for s, c in top], held).plain.endswith(
        f"+{701 - heads.COUNTS_MOST} more")


def test_the_latest_open_sessions_are_the_last_of_all_of_them_sorted():
    # Only the latest are sorted (sorting 200k open sessions' starts held the
    # screen 120 ms at the stall rule's first look); ties as a whole sort has them.
    from vivtui.parsing import sessions

    rng, most_found = random.Random(4), 0
    for trial in range(40):
        store = RunStore(None)
        count = rng.choice([0, 5, 30, 200])
        lines = [orjson.dumps({"timestamp": f"2026-03-01T12:{rng.randrange(8):02d}:00+00:00",
                               "level": "INFO", "message": "GrindSession started",
                               "worker_id": "w", "context": {"session_id": n, "run": 1}})
                 for n in range(count)]
        store.apply(sessions.KIND, [sessions.parse(line, n + 1, n * 100, ParseContext(None))
                                    for n, line in enumerate(lines)])
        tracker = store.sessions
        latest = datetime(2026, 3, 1, 12, rng.randrange(9), tzinfo=timezone.utc).timestamp()
        besides = set(rng.sample(range(count), count // 4))
        every, whole = tracker.open_started_by(latest, besides)
        assert sorted(every) == sorted(whole)
        assert not besides & set(whole)
        starts = [tracker.sessions[at].started_at.timestamp() for at in whole]
        assert starts == sorted(starts) and all(start <= latest for start in starts)
        most_found = max(most_found, len(whole))
        for most in (1, 3, 21, 500):
            found, last = tracker.open_started_by(latest, besides, most)
            assert found == every and last == whole[-most:]
    assert most_found > 100
