"""Batches taken in a piece at a time, in order per kind, without a terminal."""

from __future__ import annotations

import itertools

from vivtui.ingest.batch import Batch
from vivtui.ingest.intake import Intake
from vivtui.parsing.record import INFO, Records


def batch(kind: str, first: int, count: int, **extra) -> Batch:
    rows = [(kind, n, n * 10, None, None, INFO, "x", "", False, "")
            for n in range(first, first + count)]
    return Batch(kind, Records(rows), **extra)


class Loop:
    """An event loop's ready queue: what is scheduled runs after what is ready."""

    def __init__(self) -> None:
        self.ready: list = []

    def run(self) -> None:
        while self.ready:
            self.ready.pop(0)()


def test_a_batch_is_taken_in_a_piece_at_a_time_in_order_and_said_applied_once():
    loop, applied, taken = Loop(), [], []
    intake = Intake(lambda piece: taken.append(
        (piece.kind, [row[1] for row in piece.records.rows], piece.reset, piece.events)),
        applied.append, loop.ready.append, piece=4, clock=itertools.count().__next__)
    intake.take(batch("tasks", 1, 10, reset=True, events=["rotated"]))
    intake.take(batch("tasks", 11, 3))  # the next batch of the kind, before its pieces
    intake.take(batch("sessions", 1, 2))
    assert [t[1] for t in taken] == [[1, 2, 3, 4]]  # the first piece at once, one a turn
    loop.ready.insert(0, lambda: taken.append(("key", [], False, [])))  # a key comes
    loop.run()
    assert [(t[0], t[1]) for t in taken] == [
        ("tasks", [1, 2, 3, 4]), ("key", []), ("tasks", [5, 6, 7, 8]),
        ("sessions", [1, 2]), ("tasks", [9, 10]), ("tasks", [11, 12, 13])]  # kinds take turns
    assert [(t[2], t[3]) for t in taken if t[0] == "tasks"] == [
        (True, ["rotated"]), (False, []), (False, []), (False, [])]  # said once
    assert applied == ["sessions", "tasks", "tasks"]  # after each whole batch
    assert len(loop.ready) == 0  # one step scheduled at a time, none left


def test_a_piece_that_fails_does_not_stop_the_pieces_after_it():
    loop, applied, taken = Loop(), [], []

    def apply(piece):
        taken.append(piece.records.rows[0][1])
        if piece.records.rows[0][1] == 1:
            raise ValueError("a bug")

    intake = Intake(apply, applied.append, loop.ready.append, piece=2,
                    clock=itertools.count().__next__)
    try:
        intake.take(batch("api", 1, 5))
    except ValueError:
        pass
    loop.run()
    assert taken == [1, 3, 5] and applied == ["api"]


def test_pieces_are_taken_one_after_another_for_a_short_while_before_a_turn():
    loop, taken = Loop(), []
    now = [0.0]
    intake = Intake(lambda piece: taken.append(piece.kind) or now.__setitem__(0, now[0] + 0.005),
                    lambda kind: None, loop.ready.append, piece=2, clock=lambda: now[0])
    intake.take(batch("tasks", 1, 20))  # ten pieces of 5 ms each
    assert len(taken) == 3 and len(loop.ready) == 1  # 12 ms' worth, then the loop's turn
    loop.run()
    assert len(taken) == 10


def test_after_a_key_nothing_is_taken_in_for_a_while():
    loop, taken, later = Loop(), [], []
    now = [0.0]
    intake = Intake(lambda piece: taken.append(piece.records.rows[0][1]), lambda kind: None,
                    loop.ready.append, piece=2, clock=lambda: now[0],
                    schedule_later=lambda delay, work: later.append((now[0] + delay, work)))
    intake.quiet(0.1)
    intake.take(batch("tasks", 1, 4))
    intake.take(batch("api", 1, 2))
    loop.run()
    assert taken == [] and len(later) == 1  # one step waits, not one per batch
    now[0] = later[0][0]
    later.pop()[1]()
    loop.run()
    assert taken == [1, 1, 3]  # the kinds in turn once the quiet is over
