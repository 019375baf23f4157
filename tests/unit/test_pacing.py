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


def _play(pacer: Pacer, clock: Clock, gaps: list[float], tick: float | None = None) -> list[float]:
    """Batches arriving after ``gaps``, drawn as the main screen does (a timer
    for a wait, and a draw every ``tick`` s); how long each batch waited."""
    waits, due_at, next_tick, pending = [], None, clock.now + (tick or 1e9), []
    end = clock.now + sum(gaps) + 2.0
    arrivals = iter(gaps)
    next_arrival = clock.now + next(arrivals)
    while clock.now < end:
        clock.now = round(clock.now + 0.001, 6)
        if next_arrival is not None and clock.now >= next_arrival:
            pending.append(clock.now)
            wait = pacer.arrived()
            if wait == 0:
                pacer.drawn()
                waits += [clock.now - at for at in pending]
                pending = []
            elif due_at is None:
                due_at = clock.now + wait
            gap = next(arrivals, None)
            next_arrival = None if gap is None else clock.now + gap
        if due_at is not None and clock.now >= due_at:
            wait = pacer.due()
            due_at = None if wait == 0 else clock.now + wait
            if wait == 0:
                pacer.drawn()
                waits += [clock.now - at for at in pending]
                pending = []
        if clock.now >= next_tick:
            next_tick += tick
            pacer.drawn()
            waits += [clock.now - at for at in pending]
            pending = []
    return waits


def test_a_stream_in_chunks_is_drawn_within_a_frame_budget():
    # A writer's bursts a tenth of a second apart: each looked like a line after
    # a quiet spell, and each was drawn (ten frames a second).
    clock = Clock()
    pacer = Pacer(interval=0.5, quiet=0.03, idle=0.1, rate=5.0, burst=3.0, clock=clock)
    draws = []
    real = pacer.drawn
    pacer.drawn = lambda: draws.append(clock.now) or real()
    waits = _play(pacer, clock, [0.11] * 100)  # 11 s of chunks
    assert len(draws) <= 5 * 11 + 3 + 1
    assert max(waits) < 0.25  # no chunk waits long for it


def test_a_trickle_and_the_end_of_a_fast_stream_are_drawn_at_once():
    clock = Clock()
    pacer = Pacer(interval=0.5, quiet=0.03, idle=0.1, rate=5.0, burst=3.0, clock=clock)
    # A line every 0.3 s, with the screen's own draw each second: none waits.
    assert max(_play(pacer, clock, [0.3] * 40, tick=1.0)) < 0.002
    # 2 s of batches every 5 ms, then nothing: the last is drawn within ``quiet``.
    waits = _play(pacer, clock, [1.0] + [0.005] * 400, tick=1.0)
    assert waits[-1] <= 0.03 + 0.002
