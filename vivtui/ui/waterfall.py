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

from datetime import datetime, tzinfo

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from vivtui.store import sessions as model
from vivtui.store.session_lanes import Axis, Lane, Layout, marks
from vivtui.store.sessions import Session
from vivtui.ui import render, styles

LABEL = 14
BAR = {model.SUCCEEDED: "━", model.FAILED: "█", model.RUNNING: "▓", model.STALLED: "▒",
       model.UNFINISHED: "░"}


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
        self.layout_: Layout | None = None
        self.lane = 0
        self.bar = -1  # in the lane; -1: its newest
        self._until = 0.0
        self._zone: tzinfo | None = None
        self._waiting = ""  # said while the first layout is made

    @property
    def lanes(self) -> list[Lane]:
        return self.layout_.lanes if self.layout_ is not None else []

    def show(self, layout: Layout, until: datetime, zone: tzinfo | None) -> None:
        """``until``: where open sessions' bars end (now, or the run's last event)."""
        selected = self.selected
        self.layout_, self._until, self._zone = layout, until.timestamp(), zone
        if selected is not None:  # the same session stays selected as bars are added
            found = layout.find(int(selected))
            if found is not None:
                self.lane, self.bar = found
        self.lane = min(self.lane, max(0, len(self.lanes) - 1))
        self._redraw()

    def laying_out(self, note: str) -> None:
        """Said until the first layout comes (a big run's is made by a worker)."""
        self._waiting = note
        if self.layout_ is None:
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
        layout = self.layout_
        if not self.lanes:
            out.append(self._waiting if layout is None and self._waiting
                       else "no session has started yet", styles.NOTE)
            return out
        until = self._until
        axis = Axis(layout.first, max(until, layout.latest), max(10, width - LABEL - 2))
        out.append_text(self._axis(axis))
        chosen = self.selected
        for lane_at, lane in enumerate(self.lanes):
            name_style = styles.STRONG if lane_at == self.lane else styles.NOTE
            out.append(render.fit(render.safe(lane.worker, LABEL), LABEL) + " ", name_style)
            cells = lane.cells(axis, until)
            if lane_at == self.lane and chosen is not None:
                # Over any later bar in its columns: the cursor is always seen.
                place = self.bar % len(lane.sessions)
                for cell in range(axis.column(lane.starts[place]),
                                  axis.column(lane.end(place, until)) + 1):
                    cells[cell] = place
            self._lane_row(out, lane, cells, chosen)
            out.append("\n")
        out.append_text(self._about(chosen))
        return out

    def _lane_row(self, out: Text, lane: Lane, cells: list[int],
                  chosen: Session | None) -> None:
        """The lane's bars, a run of cells of one session at a time."""
        run = self.layout_.run
        start = 0
        while start < len(cells):
            place = cells[start]
            stop = start + 1
            while stop < len(cells) and cells[stop] == place:
                stop += 1
            if place < 0:
                out.append(" " * (stop - start))
            else:
                session = lane.sessions[place]
                state = session.state(run)
                style = render.STATE_STYLE[state]
                if session == chosen:
                    style = f"{style} {styles.CURSOR}"
                out.append(BAR[state] * (stop - start), style)
            start = stop

    def _axis(self, axis: Axis) -> Text:
        cells = axis.cells
        line = [" "] * cells
        end = _when(axis.last, self._zone)
        labelled = cells > 2 * len(end)  # the end at the right
        # A mark that would run into the end's time is left out ("│W3561902-04").
        room = cells - len(end) - 1 if labelled else cells
        for at, wave in marks(self.layout_, axis):
            mark = f"│W{wave}"
            if labelled and at + len(mark) > room:
                continue
            for offset, char in enumerate(mark[:max(0, cells - at)]):
                line[at + offset] = char
        if labelled:  # (a line's leading spaces are lost)
            line[cells - len(end):] = end
        out = Text(no_wrap=True, end="")
        out.append(f"{_when(axis.first, self._zone):<{LABEL}} ", styles.NOTE)
        out.append("".join(line[:cells - len(end)]), styles.WAVE)
        out.append("".join(line[cells - len(end):]) + "\n", styles.NOTE)
        return out

    def _about(self, session: Session | None) -> Text:
        out = Text(no_wrap=True, end="")
        out.append("\n" + "  ".join(f"{BAR[state]} {state}" for state in BAR), styles.NOTE)
        if session is not None:
            worker, run, number = session.key
            out.append(f"\nselected: {render.safe(worker, 30)} run {render.safe(run, 8)} session "
                       f"{render.safe(number, 8)}  {session.state(self.layout_.run)}  "
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
