"""The forecast's spend rates kept as the spend comes in (``store.spend_rates``):
a live run with 60k wrappers spending in the last ten minutes held the
screen 230-340 ms at each draw of the audit pane while every one was worked
out again. What it finds is what walking every wrapper finds, at every look."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import orjson

from vivtui.parsing import api_audit
from vivtui.parsing.context import ParseContext
from vivtui.store import spend_rates
from vivtui.store.budget_limits import MIN_SPAN_S, Forecast
from vivtui.store.run import RunStore

UTC = ParseContext(timezone.utc)
T0 = datetime(2026, 2, 3, 5, 0, tzinfo=timezone.utc)


def api(event, user, at, **fields):
    obj = {"event": event, "user": user, "timestamp": at.isoformat(), **fields}
    return api_audit.parse(orjson.dumps(obj), 1, 0, UTC)


def by_walking_all(budget, now, window=600.0):
    """The forecast as it was made before its rates were kept: every wrapper,
    in the order first seen, the first of the soonest."""
    last = int(now.timestamp() // 60)
    minutes = range(last - int(window // 60) + 1, last + 1)
    best = None
    for wrapper in budget.by_user.values():
        spending = [m for m in minutes if wrapper.by_minute.get(m, 0) > 0]
        if not spending or not budget.limit_known(wrapper):
            continue
        spent = sum(wrapper.by_minute[m] for m in spending)
        earliest = min(wrapper.by_minute) * 60.0
        first = wrapper.first_spent_at
        if first is None or not earliest <= first < earliest + 60.0:
            first = earliest
        span = max(MIN_SPAN_S, now.timestamp() - max(first, minutes[0] * 60.0))
        rate = spent / span
        if rate == 0:
            continue  # (too small a spend to be a rate)
        seconds = max(0.0, budget.remaining_of(wrapper) / rate)
        if best is None or seconds < best.seconds:
            best = Forecast(seconds, wrapper.user, rate, span)
    return best


def test_the_kept_rates_forecast_what_walking_every_wrapper_forecasts_as_a_run_goes_on():
    rng = random.Random(11)
    store = RunStore()
    budget = store.budget
    now = T0
    looked, found = 0, 0
    for step in range(300):
        batch = []
        for _ in range(rng.randrange(0, 8)):
            # Stamps mostly now, some late, some a few minutes ahead, some long ago.
            at = now + timedelta(seconds=rng.choice([-5, -30, -200, -700, 0, 0, 0, 90, 400,
                                                     -7200]))
            batch.append(api("API_CALL_SUCCESS", f"u{rng.randrange(40)}", at,
                             cost=rng.choice([0.0, 0.01, 0.01, 0.05, 0.3, 5e-324])))
        if rng.random() < 0.05:  # a refusal: the wrapper's limit as it says
            batch.append(api("BUDGET_EXCEEDED", f"u{rng.randrange(40)}", now,
                             remaining=rng.choice([0.0, 0.05, 0.5])))
        if batch:
            store.apply("api", batch)
        if rng.random() < 0.03:
            budget.saw_stated_limit(rng.choice([0.1, 1.0, 2.0]))
        now += timedelta(seconds=rng.choice([0.5, 1, 1, 3, 20, 61, 400, 3600]))
        if rng.random() < 0.7:
            looked += 1
            forecast = budget.forecast(now)
            assert forecast == by_walking_all(budget, now), step
            found += forecast is not None
    assert looked > 150 and found > 50  # (the walk found some and not others)


def test_a_look_works_out_again_only_the_wrappers_that_spent_since(monkeypatch):
    store = RunStore(budget_limit=10.0)
    store.apply("api", [api("API_CALL_SUCCESS", f"u{n}", T0 - timedelta(seconds=n % 300),
                            cost=0.01) for n in range(5000)])
    assert store.budget.forecast(T0) == by_walking_all(store.budget, T0)
    worked = []
    real = spend_rates.rate_basis
    monkeypatch.setattr(spend_rates, "rate_basis",
                        lambda wrapper, minutes: worked.append(wrapper.user) or real(wrapper,
                                                                                    minutes))
    now = T0 + timedelta(seconds=20)  # (the same minute)
    store.apply("api", [api("API_CALL_SUCCESS", "u7", now, cost=0.5)])
    assert store.budget.forecast(now) == by_walking_all(store.budget, now)
    assert worked == ["u7"]
    assert store.budget.forecast(now + timedelta(seconds=1)) is not None and worked == ["u7"]


def test_a_spend_too_small_to_be_a_rate_forecasts_nothing_and_does_not_stop_the_draw():
    store = RunStore(budget_limit=1.0)
    store.apply("api", [api("API_CALL_SUCCESS", "tiny", T0, cost=5e-324)])
    assert store.budget.forecast(T0 + timedelta(seconds=30)) is None


def test_when_the_minutes_left_are_no_longer_kept_every_wrapper_is_worked_out_again():
    """Stamps of twenty minutes ahead (a writer's clock) take the minutes
    kept: those the window leaves are not known, and its spenders' spend in
    them would stay in their rates."""
    store = RunStore(budget_limit=1.0)
    store.apply("api", [api("API_CALL_SUCCESS", "early", T0 - timedelta(minutes=8), cost=0.5),
                        api("API_CALL_SUCCESS", "steady", T0 - timedelta(minutes=1), cost=0.05)])
    assert store.budget.forecast(T0).user == "early"
    store.apply("api", [api("API_CALL_SUCCESS", "ahead", T0 + timedelta(minutes=100 + n),
                            cost=0.001) for n in range(20)])
    later = T0 + timedelta(minutes=5)  # early's minute has left the window
    assert store.budget.forecast(later) == by_walking_all(store.budget, later)
    assert store.budget.forecast(later).user == "steady"


def test_a_log_read_on_by_another_part_after_a_look_is_forecast_with_that_parts_spend():
    first, later = RunStore(budget_limit=1.0), RunStore(budget_limit=1.0)
    first.apply("api", [api("API_CALL_SUCCESS", "a", T0 - timedelta(minutes=2), cost=0.1)])
    assert first.budget.forecast(T0).user == "a"
    later.apply("api", [api("API_CALL_SUCCESS", "b", T0 - timedelta(minutes=1), cost=0.8)])
    first.budget.followed_by(later.budget)
    assert first.budget.forecast(T0) == by_walking_all(first.budget, T0)
    assert first.budget.forecast(T0).user == "b"
