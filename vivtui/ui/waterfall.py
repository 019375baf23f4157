"""Sessions as bars on a time axis, a lane per worker: the trace view of the
run, from its own files. Each bar runs from a session's start to its
completion (an open one to now while the run is live, else to the run's last
event), drawn by outcome with a character of its own (readable without
colour) and its state's colour; the waves' starts are marked on the axis
where they can be placed.

Keys: j/k a lane, h/l (or ←/→) a session in the lane, enter its related
events (its start and completion among them).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from vivtui.store import sessions as model
from vivtui.store.sessions import Session
from vivtui.ui import render, styles

LABEL = 14
BAR = {model.SUCCEEDED: "━", model.FAILED: "█", model.RUNNING: "▓", model.STALLED: "▒",
       model.UNFINISHED: "░"}


@dataclass(frozen=True, slots=True)
class Lane:
    worker: str
    sessions: list[Session]  # by start


def lanes_of(sessions: Sequence[Session], end_of) -> list[Lane]:
    """A lane per worker; a worker's sessions that overlap (a wave's tasks run
    in parallel under one worker id) in lanes of their own below it, each
    session in the first that is free by its start."""
    by_worker: dict[str, list[Session]] = {}
    for session in sessions:
        if _start(session) is not None:
            by_worker.setdefault(session.key[0], []).append(session)
    lanes: list[Lane] = []
    for worker, found in sorted(by_worker.items(), key=lambda item: min(map(_start, item[1]))):
        found.sort(key=_start)
        # Each: [where it is free from, its sessions], grown in place (copied
        # at each session, a lane of a big run's 200k sessions froze the screen).
        slots: list[list] = []
        for session in found:
            start = _start(session)
            slot = next((slot for slot in slots if slot[0] <= start), None)
            if slot is None:
                slots.append([end_of(session), [session]])
            else:
                slot[0] = end_of(session)
                slot[1].append(session)
        lanes.extend(Lane(worker if i == 0 else f"{worker}·{i + 1}", taken)
                     for i, (_, taken) in enumerate(slots))
    return lanes


def _firsts_after(waves: dict[int, datetime]) -> tuple[list[int], list[datetime]]:
    """The waves' numbers in order, and for each the earliest start of it and
    those after it: the wave after a run is found by halving (looked for among
    every wave, for each of a big run's unfinished sessions, it froze the
    screen for minutes: 5,889 sessions, 44,374 waves)."""
    numbers = sorted(waves)
    firsts: list[datetime] = []
    for number in reversed(numbers):
        when = waves[number]
        firsts.append(min(when, firsts[-1]) if firsts else when)
    firsts.reverse()
    return numbers, firsts


def _start(session: Session) -> float | None:
    event = session.began or session.ended
    return event.ts if event is not None else None


class Waterfall(Static, can_focus=True):
    DEFAULT_CSS = """
    Waterfall { height: auto; padding: 0 1; text-wrap: nowrap; text-overflow: clip; }
    Waterfall:focus { background-tint: $foreground 3%; }
    """
    BINDINGS = [
        Binding("j,down", "lane(1)", "Lane down", show=False),
        Binding("k,up", "lane(-1)", "Lane up", show=False),
        Binding("l,right", "bar(1)", "Later session", show=False),
        Binding("h,left", "bar(-1)", "Earlier session", show=False),
        Binding("enter", "open", "Related events"),
    ]

    class Chosen(Message):
        def __init__(self, session: Session) -> None:
            super().__init__()
            self.session = session

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lanes: list[Lane] = []
        self.lane = 0
        self.bar = -1  # in the lane; -1: its newest
        self._run = ""
        self._until = 0.0
        self._waves: dict[int, datetime] = {}
        self._waves_after: tuple[list[int], list[datetime]] = ([], [])
        self._zone: tzinfo | None = None

    def show(self, sessions: Sequence[Session], run: str, until: datetime,
             waves: dict[int, datetime], zone: tzinfo | None) -> None:
        """``until``: where open sessions' bars end (now, or the run's last event)."""
        selected = self.selected
        self._run, self._until, self._waves, self._zone = run, until.timestamp(), waves, zone
        self._waves_after = _firsts_after(waves)
        self.lanes = lanes_of(sessions, self._end)
        if selected is not None:  # the same session stays selected as bars are added
            for lane_at, lane in enumerate(self.lanes):
                if selected in lane.sessions:
                    self.lane, self.bar = lane_at, lane.sessions.index(selected)
        self.lane = min(self.lane, max(0, len(self.lanes) - 1))
        self._redraw()

    def grow(self, until: datetime) -> None:
        """Open sessions' bars reach ``until`` now; the lanes are as they were
        (they change only when a session comes or the run's state does)."""
        self._until = until.timestamp()
        self._redraw()

    @property
    def selected(self) -> Session | None:
        if not self.lanes:
            return None
        sessions = self.lanes[self.lane].sessions
        return sessions[self.bar] if -len(sessions) <= self.bar < len(sessions) else None

    def draw(self, width: int) -> Text:
        out = Text(no_wrap=True, overflow="crop", end="")
        if not self.lanes:
            out.append("no session has started yet", styles.NOTE)
            return out
        cells = max(10, width - LABEL - 2)
        first = min(_start(lane.sessions[0]) for lane in self.lanes)
        last = max(self._until, *(self._end(s) for lane in self.lanes for s in lane.sessions))
        scale = (cells - 1) / max(last - first, 1e-9)

        def column(ts: float) -> int:
            return max(0, min(cells - 1, int((ts - first) * scale)))

        out.append_text(self._axis(first, last, cells, column))
        chosen = self.selected
        for lane_at, lane in enumerate(self.lanes):
            row = [(" ", "")] * cells
            for session in lane.sessions:
                state = session.state(self._run)
                style = render.STATE_STYLE[state]
                if session is chosen:
                    style = f"{style} {styles.CURSOR}"
                for at in range(column(_start(session)), column(self._end(session)) + 1):
                    row[at] = (BAR[state], style)
            name_style = styles.STRONG if lane_at == self.lane else styles.NOTE
            out.append(render.fit(render.safe(lane.worker, LABEL), LABEL) + " ", name_style)
            for char, style in row:
                out.append(char, style)
            out.append("\n")
        out.append_text(self._about(chosen))
        return out

    def _end(self, session: Session) -> float:
        """Its completion; for one that never completed, where its evidence
        ends: the next start of its key, or the next wave's start (a later run
        took its place), else ``until``."""
        ended = session.ended
        if ended is not None and ended.ts is not None:
            return ended.ts
        start = _start(session) or self._until
        if session.superseded:
            later = session.tracker.next_start(session) or self._next_wave(session.key[1])
            if later is not None:
                return max(start, later.timestamp())
        return max(self._until, start)

    def _next_wave(self, run: str) -> datetime | None:
        """When the wave after run ``run`` began (its worker moved on then)."""
        if not run.isdigit():
            return None
        numbers, firsts = self._waves_after
        at = bisect_right(numbers, int(run))
        return firsts[at] if at < len(numbers) else None

    def _axis(self, first: float, last: float, cells: int, column) -> Text:
        axis = [" "] * cells
        free_from = 0  # a wave's mark is left out where it would cover the last one's
        for wave, when in sorted(self._waves.items(), key=lambda item: item[1]):
            at = column(when.timestamp())
            if at < free_from:
                continue
            mark = f"│W{wave}"
            for offset, char in enumerate(mark[:max(0, cells - at)]):
                axis[at + offset] = char
            free_from = at + len(mark) + 1
        end = _when(last, self._zone)
        if cells > 2 * len(end):  # the end at the right (a line's leading spaces are lost)
            axis[cells - len(end):] = end
        out = Text(no_wrap=True, end="")
        out.append(f"{_when(first, self._zone):<{LABEL}} ", styles.NOTE)
        out.append("".join(axis[:cells - len(end)]), styles.WAVE)
        out.append("".join(axis[cells - len(end):]) + "\n", styles.NOTE)
        return out

    def _about(self, session: Session | None) -> Text:
        out = Text(no_wrap=True, end="")
        out.append("\n" + "  ".join(f"{BAR[state]} {state}" for state in BAR), styles.NOTE)
        if session is not None:
            worker, run, number = session.key
            out.append(f"\nselected: {render.safe(worker, 30)} run {render.safe(run, 8)} session "
                       f"{render.safe(number, 8)}  {session.state(self._run)}  "
                       f"{render.safe(session.title, 80)}   enter: related events",
                       styles.STRONG)
        return out

    def action_lane(self, step: int) -> None:
        if self.lanes:
            self.lane = max(0, min(len(self.lanes) - 1, self.lane + step))
            self.bar = -1
            self._redraw()

    def action_bar(self, step: int) -> None:
        if not self.lanes:
            return
        count = len(self.lanes[self.lane].sessions)
        at = (self.bar % count) + step
        self.bar = max(0, min(count - 1, at))
        self._redraw()

    def action_open(self) -> None:
        if self.selected is not None:
            self.post_message(self.Chosen(self.selected))

    def _redraw(self) -> None:
        # Before its first layout it has no size: the screen's, less the padding.
        width = self.content_size.width or (self.screen.size.width - 4)
        self.update(self.draw(max(40, width)))

    def on_resize(self) -> None:
        self._redraw()


def _when(ts: float, zone: tzinfo | None) -> str:
    return datetime.fromtimestamp(ts, zone).strftime("%m-%d %H:%M:%S")
