"""The waterfall's layout, made from the tracker's columns, against the same
read through each session's handle and drawn by painting every bar in turn
(the waterfall's former way, which froze a big run's screen for 3.4 s)."""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone

from tests.unit.test_store import session_event
from vivtui.store import sessions
from vivtui.store.activity import FINISHED, IDLE, LIVE
from vivtui.store.run import RunStore
from vivtui.store.session_lanes import Axis, Layout, lay_out, marks

UTC = timezone.utc
STAMPS = [None, *(f"2026-02-03T05:{minute:02d}:{second:02d}Z" for minute in (40, 44, 50)
                  for second in (0, 7, 30))]


def random_tracker(rng: random.Random) -> sessions.SessionTracker:
    store = RunStore()
    for _ in range(rng.randrange(1, 8)):
        batch = []
        for _ in range(rng.choice((1, 5, 40, 200))):
            kind = rng.choice((sessions.STARTED, sessions.STARTED, sessions.COMPLETED))
            success = rng.choice((True, False, None))
            extra = ({"success": success} if kind == sessions.COMPLETED and success is not None
                     else {})
            batch.append(session_event(kind, worker=rng.choice("abc"),
                                       run=rng.choice((1, 2, 3, 4, "x")),
                                       session_id=rng.randrange(1, 6),
                                       timestamp=rng.choice(STAMPS), **extra))
        store.apply("sessions", batch)
    return store.sessions


def waves_by_handles(tracker, from_kernel) -> dict[int, float]:
    found: dict[int, float] = {}
    for session in tracker.sessions:
        run, began = session.key[1], session.started_at
        if began is not None and run.isdigit():
            found[int(run)] = min(found.get(int(run), began.timestamp()), began.timestamp())
    found.update((wave, when.timestamp()) for wave, when in from_kernel.items())
    return found


def end_by_handle(session, waves: dict[int, float]) -> float | None:
    """Its completion's time, or where a left-behind one's evidence ends;
    None: open, its bar runs to ``until``."""
    ended = session.ended
    if ended is not None and ended.ts is not None:
        return ended.ts
    if session.superseded:
        later = session.tracker.next_start(session)
        run = session.key[1]
        after = ([when for wave, when in waves.items() if wave > int(run)]
                 if run.isdigit() else [])
        later = later.timestamp() if later is not None else min(after, default=None)
        if later is not None:
            return max((session.began or session.ended).ts, later)
    return None


def bar_end(session, waves, until: float) -> float:
    end = end_by_handle(session, waves)
    return max(until, (session.began or session.ended).ts) if end is None else end


def lanes_by_handles(tracker, waves) -> list[tuple[str, list[int]]]:
    """Each worker's sessions by start, each in the first lane free by then."""
    by_worker: dict[str, list] = {}
    for session in tracker.sessions:
        began = session.began or session.ended
        if began is not None and began.ts is not None:
            by_worker.setdefault(session.key[0], []).append(session)
    lanes = []
    for worker, found in sorted(by_worker.items(),
                                key=lambda item: min((s.began or s.ended).ts for s in item[1])):
        found.sort(key=lambda s: (s.began or s.ended).ts)
        slots: list[list] = []
        for session in found:
            start = (session.began or session.ended).ts
            slot = next((slot for slot in slots if slot[0] <= start), None)
            if slot is None:
                slot = [0.0, []]
                slots.append(slot)
            end = end_by_handle(session, waves)
            slot[0] = math.inf if end is None else end  # an open bar keeps its lane
            slot[1].append(int(session))
        lanes.extend((worker if i == 0 else f"{worker}·{i + 1}", numbers)
                     for i, (_, numbers) in enumerate(slots))
    return lanes


def painted(layout: Layout, tracker, waves, axis: Axis, until: float) -> list[list[int]]:
    """Each lane's row, every bar painted over those before it."""
    rows = []
    for lane in layout.lanes:
        row = [-1] * axis.cells
        for place, number in enumerate(lane.numbers):
            session = tracker.sessions[number]
            start = (session.began or session.ended).ts
            for cell in range(axis.column(start),
                              axis.column(bar_end(session, waves, until)) + 1):
                row[cell] = place
        rows.append(row)
    return rows


def marked(layout: Layout, axis: Axis) -> list[tuple[int, int]]:
    shown, free_from = [], 0
    for when, wave in zip(layout.wave_times, layout.wave_numbers):
        cell = axis.column(when)
        if cell >= free_from:
            shown.append((cell, wave))
            free_from = cell + len(f"│W{wave}") + 1
    return shown


def test_the_layout_from_columns_is_the_one_read_through_handles_and_drawn_bar_by_bar():
    rng = random.Random(5)
    base = datetime(2026, 2, 3, 5, 40, tzinfo=UTC).timestamp()
    for _ in range(40):
        tracker = random_tracker(rng)
        from_kernel = {wave: datetime.fromtimestamp(base + rng.randrange(900), UTC)
                       for wave in rng.sample(range(1, 7), rng.randrange(0, 3))}
        waves = waves_by_handles(tracker, from_kernel)
        run = rng.choice((LIVE, IDLE, FINISHED))
        until = base + rng.choice((0, 300, 630, 2000))
        layout = lay_out(tracker, run, until, from_kernel)
        assert [(lane.worker, list(lane.numbers)) for lane in layout.lanes] == lanes_by_handles(
            tracker, waves)
        assert sorted(zip(layout.wave_numbers, layout.wave_times)) == sorted(waves.items())
        for lane in layout.lanes:
            assert list(lane.sessions) == list(lane.numbers)
            for place, number in enumerate(lane.numbers):
                assert lane.end(place, until) == bar_end(tracker.sessions[number], waves, until)
        if not layout.lanes:
            continue
        for later in (until, until + 500):  # the open bars grow
            last = max(later, *(lane.end(place, later) for lane in layout.lanes
                                for place in range(len(lane.numbers))))
            for cells in (10, 37, 156):
                axis = Axis(layout.first, last, cells)
                assert [lane.cells(axis, later) for lane in layout.lanes] == painted(
                    layout, tracker, waves, axis, later)
                assert marks(layout, axis) == marked(layout, axis)
        for lane_at, lane in enumerate(layout.lanes):
            assert layout.find(lane.numbers[-1]) == (lane_at, len(lane.numbers) - 1)


def test_a_big_lane_is_drawn_by_halving_not_by_visiting_every_bar():
    """A frame costs its columns: 44k sessions in a lane, 6 lanes, froze it."""
    store = RunStore()
    store.apply("sessions", [
        session_event(kind, worker="w", run=1, session_id=n,
                      timestamp=f"2026-02-03T{5 + n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
                      **({"success": True} if kind == sessions.COMPLETED else {}))
        for n in range(20_000) for kind in (sessions.STARTED, sessions.COMPLETED)])
    layout = lay_out(store.sessions, FINISHED, 0.0, {})
    (lane,) = layout.lanes
    looked = []
    column = Axis.column

    class Counted(Axis):
        def column(self, ts: float) -> int:
            looked.append(ts)
            return column(self, ts)

    axis = Counted(layout.first, layout.latest, 100)
    shown = lane.cells(axis, 0.0)
    assert len(looked) < 20 * axis.cells  # not 20,000
    expected = [-1] * axis.cells
    for place, start in enumerate(lane.starts):
        expected[column(axis, start)] = place  # each as long as its start
    assert shown == expected and shown[-1] == 19_999
