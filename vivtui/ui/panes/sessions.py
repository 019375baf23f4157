"""GrindSessions, failed and never finished first; the selected one in full below."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial
from threading import Event
from time import monotonic

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.types import NoActiveAppError
from textual.widgets import Static

from vivtui.parsing import safety
from vivtui.parsing.record import Record
from vivtui.store import session_order
from vivtui.store import session_states as states
from vivtui.store import sessions as model
from vivtui.store.filters import record_field
from vivtui.store.performance import PerformanceTracker, performance_of, quality_of
from vivtui.store.readback import Pace
from vivtui.store.related import DECISION_SLACK, gate_blocks
from vivtui.store.run import RunStore
from vivtui.store.session_lanes import Cancelled, Layout, lay_out
from vivtui.store.triage import seconds_rank
from vivtui.ui import heads, render, styles
from vivtui.ui.panes.base import Pane
from vivtui.ui.rowview import RowView
from vivtui.ui.waterfall import Waterfall

WATERFALL_TICK_S = 2  # open sessions' bars grow: drawn again this often
# Laid out on the UI thread up to this many sessions (a few ms); more by a
# worker (200k: a second of CPU).
LAID_OUT_IN_PLACE = 20_000
LAYOUT_SHARE = 0.25  # of a core at most, for a big live run's layouts one after another
GATE_BLOCKS_LOOKED_AT = 5_000  # for a session's detail, at each move of the cursor


class SessionsPane(Pane):
    title = "Sessions"
    follows = False
    reads = ("sessions",)
    empty = "waiting for structured_logs.jsonl…"
    empty_when_read = ("no GrindSession starts or completions in {name} yet: {lines} read"
                       "{malformed}")
    DEFAULT_CSS = """
    SessionsPane > .detail { height: 7; border-top: solid $primary-darken-2; }
    SessionsPane > .waterfall { height: 1fr; display: none; }
    SessionsPane.-waterfall > .waterfall { display: block; }
    SessionsPane.-waterfall > RowView, SessionsPane.-waterfall > .detail { display: none; }
    """

    class LaidOut(Message):
        """A worker's layout of the waterfall (None: it was cancelled or failed)."""

        def __init__(self, layout: Layout | None, until: datetime, took: float) -> None:
            super().__init__()
            self.layout = layout
            self.until = until
            self.took = took  # seconds

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._perf = PerformanceTracker()
        self._now = datetime.now().astimezone()
        self._waterfall_seen: tuple | None = None
        self._waterfall_shape: tuple | None = None  # (sessions' version, run state) laid out
        self._laying_out: Event | None = None  # a worker's, to cancel it
        self._wanted_layout: tuple | None = None  # asked for while a worker lays out
        self._layout_due = 0.0  # (monotonic) the next layout by a worker not before

    def compose_extra(self) -> ComposeResult:
        yield Static(classes="detail")
        with VerticalScroll(classes="waterfall"):
            yield Waterfall()

    @property
    def waterfall(self) -> Waterfall:
        return self.query_one(Waterfall)

    @property
    def focus_target(self):
        return self.waterfall if self.has_class("-waterfall") else self.view

    def toggle_waterfall(self) -> None:
        """The list, or the sessions as bars on a time axis."""
        self.toggle_class("-waterfall")
        self._seen_version = None
        self._waterfall_seen = self._waterfall_shape = None
        self._stop_laying_out()
        self._layout_due = 0.0  # opened again: laid out at once
        if self._last is not None:
            self._update(*self._last)
        self.focus_target.focus()

    def on_waterfall_chosen(self, message: Waterfall.Chosen) -> None:
        record = message.session.end or message.session.start
        if record is not None:
            self.screen.show_related(record)

    def row(self, session: model.Session, width: int) -> Text:
        quality = quality_of(session, self._perf)
        return render.session_row(session, width, self._now, self.run.state, quality, self.zone,
                                  self.dated)

    def describe(self, session: model.Session) -> tuple[str, str, str]:
        state = session.state(self.run.state)
        worker, run, number = session.key
        return (f"{state} {session.title} {render.safe(session.context('model'))} "
                f"worker={worker} run={run} session={number}", state,
                states.STATE_SEVERITY[state], partial(self._field, session, state))

    def _field(self, session: model.Session, state: str, name: str) -> str | None:
        if name in ("state", "status", "type"):
            return state
        if name in ("worker", "run", "session"):
            return dict(zip(("worker", "run", "session"), session.key))[name]
        # What the session keeps (model.KEPT): a filter over 200k sessions reads no file.
        value = session.context(name) if name in model.KEPT else None
        if value is not None:
            return str(value)
        record = session.brief
        return record_field(record, name) if record is not None else None

    def severity_of(self, session: model.Session) -> str:
        return states.STATE_SEVERITY[session.state(self.run.state)]

    def problem_level(self, session: model.Session) -> str | None:
        # A session that never finished is a failure to triage, not a warning.
        return "failure" if states.is_problem(session, self.run.state) else None

    def categories(self, store: RunStore) -> list[tuple[str, int]]:
        """The states, counted by the tracker as sessions change (describing
        a big run's 200k sessions to count them froze the screen 0.56 s)."""
        if not self._source:
            return []
        counts = self._source[0].tracker.state_counts(self.run.state)
        return sorted(((state, n) for state, n in counts.items() if n), key=lambda kv: -kv[1])

    def timed_problems(self, level: str) -> Iterable[tuple[float, int]]:
        if level != "failure":
            return ()
        return session_order.timed_problems(self.view.rows, self.run.state)

    def ranks_key(self, level: str) -> object:
        """The triage order's problems, whichever rows follow them: on a live
        run the rows change every second, and ranking a big run's 35k
        problems again took 20-35 ms of each e."""
        key = session_order.problems_key(self.view.rows, self.run.state)
        return key if key is not None else super().ranks_key(level)

    def record_of(self, session: model.Session) -> Record | None:
        return session.end or session.start

    def records_of(self, sessions: Sequence[model.Session],
                   pace: Pace | None = None) -> Iterable[Record]:
        return sessions[0].tracker.latest_records(sessions, pace) if sessions else ()

    def brief_of(self, session: model.Session) -> Record | None:
        return session.brief

    def time_of(self, session: model.Session) -> datetime | None:
        event = session.ended or session.began  # its brief's, without making it
        return event.when if event is not None else None

    def rank_time(self, session: model.Session) -> float:
        return seconds_rank(session.ts)

    def place_of(self, session: model.Session) -> list:
        """Its key and where it started (a key is reused across runs)."""
        began = session.began or session.ended
        return ["session", *session.key, began.line if began is not None else -1]

    def item_named(self, place: list) -> model.Session | None:
        """Among its key's occurrences (``SessionTracker.sought``)."""
        rows = self.view.rows
        if not rows or len(place) != 5 or place[0] != "session":
            return None
        key = tuple(place[1:4])
        return next((session for session in rows[0].tracker.sought(key)
                     if self.place_of(session) == place), None)

    def show_detail(self, session: model.Session | None) -> None:
        """Its events read back by a thread (``ui.soon``): a long line's took
        the screen's thread 268 ms at each move onto its row."""
        detail = self.query_one(".detail", Static)
        if session is None:
            detail.update(heads.hint("select a session to see its details"))
            return
        store = self._last[0] if self._last is not None else None
        self.detail_soon.show(
            partial(self._detail_text, session, store, self._now, self.run.state),
            detail.update, lambda: detail.update(heads.hint("reading the session's events…")))

    def _detail_text(self, session: model.Session, store: RunStore | None, now: datetime,
                     run: str) -> Text:
        perf = performance_of(session, self._perf)
        text = render.session_text(session, perf, now, run, self.zone, self.dated)
        if store is not None:
            sessions = self.rows_store(store).sessions  # the session's own tracker
            for block in gate_blocks(session, _gate_decisions(store, session), sessions)[:2]:
                text.append("blocked by the safety gate  ", styles.FAILURE_STRONG)
                text.append(render.safe(block.fields.get("blocked_reason"), 300) + "\n")
        return text

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        self.show_detail(message.item)

    def _show_waterfall(self, store: RunStore, now: datetime) -> None:
        """Drawn again when a session came or went, and while open bars grow."""
        tracker = store.sessions
        until = now if self.run.live else (self.run.last_event or now)
        seen = (tracker.version, self.run.state, int(until.timestamp()) // WATERFALL_TICK_S)
        if seen == self._waterfall_seen:
            return
        self._waterfall_seen = seen
        if seen[:2] == self._waterfall_shape:
            self.waterfall.grow(until)  # only the open bars moved: lanes and waves stand
            return
        self._waterfall_shape = seen[:2]
        asked = (tracker, self.run.state, until, dict(store.kernel.wave_times))
        if len(tracker.sessions) <= LAID_OUT_IN_PLACE:
            tracker, run, until, from_kernel = asked
            self.waterfall.show(lay_out(tracker, run, until.timestamp(), from_kernel), until,
                                self.zone)
        elif self._laying_out is not None:
            self._wanted_layout = asked  # the newest, once the worker's is shown
        else:
            self._lay_out_when_due(asked)

    def _lay_out_when_due(self, asked: tuple) -> None:
        """Laid out by a worker now, or after a pause as long again as three
        layouts once one was made (back to back, a live run's 200k sessions,
        0.6 s each, took 60-68 % of a core)."""
        wait = self._layout_due - monotonic()
        if wait <= 0:
            self._lay_out_apart(asked)
            return
        self._wanted_layout = asked  # replaced by newer asks meanwhile
        waiting = self._laying_out = Event()
        self.set_timer(wait, partial(self._lay_out_wanted, waiting))

    def _lay_out_wanted(self, waiting: Event) -> None:
        if self._laying_out is waiting and not waiting.is_set():
            wanted, self._wanted_layout = self._wanted_layout, None
            self._lay_out_apart(wanted)

    def _lay_out_apart(self, asked: tuple) -> None:
        tracker, run, until, from_kernel = asked
        cancel = self._laying_out = Event()
        self.waterfall.laying_out(f"laying out {len(tracker.sessions):,} sessions…")

        def work() -> None:
            layout, began = None, monotonic()
            try:
                layout = lay_out(tracker, run, until.timestamp(), from_kernel, cancel)
            except Cancelled:
                pass
            finally:
                try:
                    self.post_message(self.LaidOut(layout, until, monotonic() - began))
                except NoActiveAppError:
                    pass  # the monitor went away meanwhile

        self.run_worker(work, thread=True, exit_on_error=False, group="waterfall",
                        name="laying out the sessions waterfall")

    def on_sessions_pane_laid_out(self, message: LaidOut) -> None:
        if self._laying_out is None or self._laying_out.is_set():
            return  # the waterfall was closed meanwhile
        self._laying_out = None
        self._layout_due = monotonic() + message.took * (1 / LAYOUT_SHARE - 1)
        if message.layout is not None:
            self.waterfall.show(message.layout, message.until, self.zone)
        wanted, self._wanted_layout = self._wanted_layout, None
        if wanted is not None:  # sessions came meanwhile
            self._lay_out_when_due(wanted)

    def _stop_laying_out(self) -> None:
        if self._laying_out is not None:
            self._laying_out.set()
        self._laying_out = self._wanted_layout = None

    def on_unmount(self) -> None:
        super().on_unmount()
        self._stop_laying_out()

    def _ticking_on_screen(self) -> bool:
        """Is a running or stalled session (its elapsed time grows) on screen?
        Repainting every row each second for none was a big run's idle CPU."""
        view, rows = self.view, self.view.rows
        top = view.top_row()
        stop = min(len(rows), top + max(1, view.scrollable_content_region.height))
        return any(rows[i].ended is None and rows[i].state(self.run.state)
                   in (model.RUNNING, model.STALLED) for i in range(top, stop))

    def _update(self, store: RunStore, now: datetime) -> None:
        tracker, shown = store.sessions, self.rows_store(store)
        self._now = now
        self._perf = store.performance  # (a snapshot: read whole, never previewed)
        # The order depends on the run's state too (running, then stalled, then
        # unfinished, as the run goes quiet), not only on new sessions.
        seen = (self.counts_seen(tracker.version), shown.sessions.version, shown is store,
                self.run.state)
        if self.has_class("-waterfall"):
            self._show_waterfall(shown, now)
        if seen == self._seen_version:
            if self._ticking_on_screen():
                self.view.refresh()  # running sessions' elapsed time ticks
            return  # the counts too stand until a session or the run's state changes
        if self.rows_due(seen):
            self.show_rows(shown.sessions.triage_order(self.run.state, now))
            self.draw_when_shown(lambda: self.show_detail(self.view.selected))
        self._seen_version = seen
        states = tracker.state_counts(self.run.state)
        self.head(self.previewed(heads.counts("Sessions", [
            ("failed", states[model.FAILED], styles.FAILURE),
            ("unfinished", states[model.UNFINISHED], styles.CAUTION),
            ("stalled", states[model.STALLED], styles.CAUTION),
            ("running", states[model.RUNNING], styles.ACTIVE),
            ("ok", states[model.SUCCEEDED], styles.SUCCESS),
        ]), "Sessions"))


def _gate_decisions(store: RunStore, session: model.Session) -> Sequence[Record]:
    """The gate's blocks that may be ``session``'s: from its start on (found
    by their times; read back from the file past the newest hundred)."""
    began = session.began
    since = began.ts - DECISION_SLACK.total_seconds() if began and began.ts else -math.inf
    return store.blocked.of_kind_since(safety.KIND, since, GATE_BLOCKS_LOOKED_AT)
