"""Turns at the other processes (``ingest.turns``): so many at once, the
costliest backlog first, a cheaper one kept waiting for a costlier one that
has not asked yet only for a grace after the start."""

from __future__ import annotations

import threading
import time

from vivtui.ingest.turns import Turns


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def asking(turns: Turns, kind: str, cost: float, order: list, stopped: threading.Event,
           hold: threading.Event | None = None) -> threading.Thread:
    def run() -> None:
        turn = turns.take(kind, cost, stopped)
        if turn is None:
            order.append(f"{kind} stopped")
            return
        with turn:
            order.append(kind)
            if hold is not None:
                hold.wait(5)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def release(holds, threads) -> None:
    """Every held turn given back, and every asker done."""
    for hold in holds:
        hold.set()
    for thread in threads:
        thread.join(5)


def settle() -> None:
    time.sleep(0.3)  # (a few of the gate's looks: for what must not happen)


def until(condition) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_the_costliest_waiting_or_expected_goes_first():
    turns = Turns(1, {"tasks": 3.0, "api": 2.0, "kernel": 1.0}, clock=Clock())
    order: list[str] = []
    stopped = threading.Event()
    kernel = asking(turns, "kernel", 1.0, order, stopped)
    api = asking(turns, "api", 2.0, order, stopped)
    settle()
    assert order == []  # the queue, costliest, has not asked yet: the others wait
    tasks = asking(turns, "tasks", 3.0, order, stopped)
    for thread in (tasks, api, kernel):
        thread.join(5)
    assert order == ["tasks", "api", "kernel"]


def test_at_most_count_at_once():
    costs = {"a": 3.0, "b": 2.0, "c": 1.0}
    turns = Turns(2, costs, clock=Clock())
    order: list[str] = []
    stopped, hold = threading.Event(), threading.Event()
    threads = [asking(turns, kind, cost, order, stopped, hold) for kind, cost in costs.items()]
    until(lambda: len(order) == 2)
    settle()
    assert sorted(order) == ["a", "b"]
    release([hold], threads)
    assert order[2] == "c"


def test_a_costlier_file_that_never_asks_is_waited_for_only_until_the_grace_ends():
    clock = Clock()
    turns = Turns(1, {"tasks": 3.0}, grace=1.5, clock=clock)
    order: list[str] = []
    stopped = threading.Event()
    kernel = asking(turns, "kernel", 1.0, order, stopped)
    settle()
    assert order == []
    clock.now = 1.6
    kernel.join(5)
    assert order == ["kernel"]


def test_a_turn_is_given_back_once_however_often_it_is_said():
    turns = Turns(1, {}, clock=Clock())
    stopped = threading.Event()
    turn = turns.take("a", 1.0, stopped)
    turn.give_back()
    turn.give_back()  # (again at the end of its ``with``)
    assert turns.take("b", 1.0, stopped) is not None
    stopped.set()
    assert turns.take("c", 1.0, stopped) is None  # the one turn is b's: c waits, then stops


def test_stopping_ends_the_wait():
    turns = Turns(1, {"a": 2.0}, clock=Clock())
    stopped, hold = threading.Event(), threading.Event()
    order: list[str] = []
    holder = asking(turns, "a", 2.0, order, stopped, hold)
    waiter = asking(turns, "b", 1.0, order, stopped)
    until(lambda: order == ["a"])
    settle()
    stopped.set()
    waiter.join(5)
    hold.set()
    holder.join(5)
    assert order == ["a", "b stopped"]


def test_the_backlogs_go_in_lanes_that_end_together():
    """Longest first would read the sessions' backlog after the audit log's,
    and the kernel's alone at the end; in lanes, the audit log's lane goes on
    with the action log's while the queue's is read."""
    costs = {"tasks": 5.2, "api": 4.3, "sessions": 3.5, "actions": 2.6, "kernel": 1.9}
    turns = Turns(2, costs, clock=Clock())
    order: list[str] = []
    stopped = threading.Event()
    holds = {kind: threading.Event() for kind in costs}
    threads = [asking(turns, kind, cost, order, stopped, holds[kind])
               for kind, cost in costs.items()]
    until(lambda: len(order) == 2)
    assert sorted(order) == ["api", "tasks"]
    for done, then in (("api", "actions"), ("tasks", "sessions"), ("actions", "kernel")):
        holds[done].set()
        until(lambda: then in order)
        settle()
        assert order[-1] == then
    assert order[2:] == ["actions", "sessions", "kernel"]
    release(holds.values(), threads)


def test_the_first_turns_taken_before_anyone_asks_are_those_the_askers_would_get():
    """``take_first``, for the processes started as the monitor starts: the
    lanes' costliest, as in the test above; the rest wait their turns as
    before, each lane going on when its turn is given back."""
    costs = {"tasks": 5.2, "api": 4.3, "sessions": 3.5, "actions": 2.6, "kernel": 1.9}
    turns = Turns(2, costs, clock=Clock())
    first = turns.take_first()
    assert sorted(first) == ["api", "tasks"]
    assert turns.take_first() == {}  # none free: nothing more
    order: list[str] = []
    stopped = threading.Event()
    holds = {kind: threading.Event() for kind in costs}
    threads = [asking(turns, kind, costs[kind], order, stopped, holds[kind])
               for kind in ("actions", "sessions", "kernel")]
    settle()
    assert order == []  # both turns are the early processes'
    first["api"].give_back()
    until(lambda: order)
    settle()
    assert order == ["actions"]  # the audit log's lane goes on
    first["tasks"].give_back()
    until(lambda: len(order) == 2)
    assert order[1] == "sessions"
    release(holds.values(), threads)
    assert order[2] == "kernel"


def test_no_first_turns_once_the_grace_is_over():
    clock = Clock()
    turns = Turns(2, {"tasks": 3.0}, grace=1.5, clock=clock)
    clock.now = 2.0
    assert turns.take_first() == {}
