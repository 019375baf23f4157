"""When a live view redraws (no terminal: a fake clock)."""

from __future__ import annotations

from vivtui.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_after_a_quiet_spell_is_drawn_at_once():
    clock = Clock()
    pacer = Pacer(interval=0.3, quiet=0.03, idle=0.1, clock=clock)
    assert pacer.arrived() == 0
    pacer.drawn()
    clock.now += 0.2  # the next line of a slow trickle
    assert pacer.arrived() == 0


def test_a_stream_is_drawn_a_few_times_a_second_and_once_when_it_stops():
    clock = Clock()
    pacer = Pacer(interval=0.3, quiet=0.03, idle=0.1, clock=clock)
    assert pacer.arrived() == 0
    pacer.drawn()
    draws = 1
    for _ in range(100):  # a batch every 10 ms for a second
        clock.now += 0.01
        wait = pacer.arrived()
        if wait == 0 or pacer.due() == 0:
            pacer.drawn()
            draws += 1
    assert 3 <= draws <= 5
    clock.now += 0.01
    assert pacer.due() > 0  # not quiet yet
    clock.now += 0.03
    assert pacer.due() == 0  # the stream paused: its last rows are drawn


def test_slow_frames_do_not_make_a_stream_look_idle():
    clock = Clock()
    pacer = Pacer(interval=0.3, quiet=0.03, idle=0.1, clock=clock)
    pacer.arrived()
    pacer.drawn()
    clock.now += 0.05  # a batch handled late, behind a 40 ms frame
    assert pacer.arrived() > 0
