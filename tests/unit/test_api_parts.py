"""An audit log read in two parts at once (``ingest.apart_parts``) must leave
the spend, the wrappers' limits and the alerts as one reading does, wherever
the cut falls: budget levels crossed with spend from both sides, a refusal
after the cut reading the spend before it, a burst of failures across it."""

from __future__ import annotations

import orjson

from tests.unit.test_apart_parts import feed_of, join_parts, line_starts, read_part
from vivtui.alerts.alert import BUDGET, BURST, REFUSED
from vivtui.summary import summary_dict

AUDIT = "api_audit.log"
LINE_BATCH = 64  # bytes read at a time: a batch per line, the cut always between two


def event(at: int, name: str, user: str, **more) -> bytes:
    return orjson.dumps({"timestamp": f"2026-02-03T21:{at // 60:02d}:{at % 60:02d}.250000",
                         "event": name, "user": user, "role": "worker", **more}) + b"\n"


def call(at: int, user: str, cost) -> bytes:
    return event(at, "API_CALL_SUCCESS", user, model="m", cost=cost, input_tokens=100,
                 output_tokens=10, call_type="plan")


def crafted_audit() -> bytes:
    lines, at = [], 0

    def add(line: bytes, step: int = 1) -> None:
        nonlocal at
        lines.append(line)
        at += step

    for n in range(24):  # w1 past 50 %, 80 %, 95 % of the default $2.00
        add(call(at, "w1", 0.09))
        if n % 3 == 0:
            add(call(at, "w2", 0.3))
        if n in (5, 15):
            add(event(at, "API_CALL_FAILURE", "w3", error="boom"))
            add(event(at, "RATE_LIMITED", "w3", model="m"))
    add(event(at, "BUDGET_EXCEEDED", "w2", remaining=0.1, requested=0.4))  # w2's limit: $2.50
    add(event(at, "BUDGET_EXCEEDED", "w3", remaining=1.0, requested=0.4))  # no spend: no limit
    for n in range(6):  # a burst: six failures and rate limits within a minute
        add(event(at, "API_CALL_FAILURE" if n % 2 else "RATE_LIMITED", "w3", error="x"), 5)
    add(call(at, "w3", "a lot"), 90)  # a bad cost, and past the burst's window
    add(b"{not json\n")
    for n in range(8):
        add(call(at, "w3", 0.25))
        add(event(at, "API_CALL_FAILURE", "w1", error="y"), 2)
    add(event(at, "BUDGET_EXCEEDED", "w2", remaining=0.0, requested=0.4))
    add(event(at, "TASK_BUDGET_EXCEEDED", "w1", task_id="t1", estimated_cost=3.0))
    add(event(at, "CONSTITUTIONAL_VIOLATION", "w1", reason="r", prompt_hash="h"))
    add(call(at, "w2", 0.2))
    return b"".join(lines)


def seen(layout, store, engine) -> tuple:
    budget = store.budget
    wrappers = {user: (w.calls, round(w.cost, 9), w.refused, w.last_remaining,
                       w.inferred_limit, {m: round(c, 9) for m, c in w.by_minute.items()})
                for user, w in budget.by_user.items()}
    figures = summary_dict(layout, store)
    alerts = sorted((alert.rule, alert.message, alert.line) for alert in engine.alerts)
    state = (engine._levels, {u: round(c, 9) for u, c in engine._spent.items()},
             engine._refused, list(engine._burst), engine._in_burst)
    problems = [(record.line, record.category) for record in budget.problems]
    return (wrappers, figures, alerts, state, problems, [budget.ranks_at(severity) for severity in ("error", "warning")],
            budget.last_refusal and budget.last_refusal.user, budget.bad_value_count, budget.unreadable_costs,
            dict(store.by_category["api"]))


def test_two_parts_joined_are_the_whole_audit_log_read_at_once_wherever_the_cut(tmp_path):
    """(Two problems listed, ``read_part``: the newest two of both parts.)"""
    data = crafted_audit()
    path = tmp_path / AUDIT
    path.write_bytes(data)
    layout, _ = feed_of(tmp_path, AUDIT)
    whole = read_part(path, 0, len(data), 1000, LINE_BATCH)
    expected = seen(layout, whole[0], whole[1])
    rules = {alert[0] for alert in expected[2]}
    assert {BUDGET, BURST, REFUSED} <= rules
    for cut in line_starts(data):
        store, engine, _, was_joined = join_parts(path, cut, batch=LINE_BATCH)
        assert was_joined, cut
        assert seen(layout, store, engine) == expected, cut


def test_a_burst_window_the_cut_leaves_unsettled_is_read_on_after_the_first_part(tmp_path):
    """Failures after the cut stamped before the last one before it (a clock
    set back): the first part's failure never leaves the window within what
    the later part kept; the rest is read on after the first part instead,
    and comes out the same."""
    first = [call(at, "w1", 0.01) for at in range(300, 310)] + [
        event(400, "API_CALL_FAILURE", "w1", error="late")]
    later = [event(at, "RATE_LIMITED", "w1", model="m") for at in range(100, 300, 4)]
    data = b"".join(first + later)
    path = tmp_path / AUDIT
    path.write_bytes(data)
    layout, _ = feed_of(tmp_path, AUDIT)
    whole = read_part(path, 0, len(data), 1000, LINE_BATCH)
    store, engine, _, was_joined = join_parts(path, len(b"".join(first)), batch=LINE_BATCH)
    assert not was_joined
    assert seen(layout, store, engine) == seen(layout, whole[0], whole[1])
    assert [alert.rule for alert in engine.alerts] == [BURST]
