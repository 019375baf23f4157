"""The main screen: the panes in tabs, the prompt, the status line and the pane
keys. Its bindings are inactive while the inspector, help or a picker is in
front (Textual's rule for a screen's bindings), so no key needs a guard.

It decides when panes are drawn: a pane whose records stream in is drawn when
the pacer says (at once after a quiet spell, twice a second while lines pour
in), every pane once a second (elapsed times, models fed by batches), and a
pane switched to at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from time import monotonic

from textual import events
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane

from vivtui.alerts.rules import Alert, AlertEngine
from vivtui.ingest.feeds import Feed
from vivtui.ingest.layout import LineReread, RunLayout
from vivtui.pacing import Pacer
from vivtui.parsing.record import Record, new_record
from vivtui.store.run import RunStore
from vivtui.ui import alerts as alerts_ui
from vivtui.ui import heads, keys
from vivtui.ui.marks import MarksScreen
from vivtui.ui.panes.actions import ActionsPane
from vivtui.ui.panes.base import Pane
from vivtui.ui.panes.budget import BLOCKS, BUDGET, BudgetPane
from vivtui.ui.panes.registry import NAMES, PANES, home_pane, pane_of_kind
from vivtui.ui.panes.stream import StreamPane
from vivtui.ui.panetabs import PaneTabs
from vivtui.ui.prompt import Prompt
from vivtui.ui.rowview import RowView
from vivtui.ui.textline import TextLine
from vivtui.ui.timestrip import status_strip, strip_of
from vivtui.ui.triage import TriageActions
from vivtui.ui.viewkeeper import ViewKeeper, apply_filters
from vivtui.viewstate import Mark

REFRESH_S = 1.0
STATUS_STRIP, STATUS_STRIP_FROM = 16, 110  # the status line's time strip: bins, from width


class MainScreen(TriageActions, Screen[None]):
    BINDINGS = keys.bindings(keys.SCREEN, PANES)
    DEFAULT_CSS = """
    MainScreen { layout: vertical; }
    MainScreen TabbedContent { height: 1fr; }
    MainScreen TabPane { padding: 0; }
    MainScreen #status { background: $panel; }
    """

    def __init__(self, store: RunStore, layout: RunLayout, *, zone=None,
                 now: Callable[[], datetime],
                 reading: Callable[[], float | None] = lambda: None,
                 alerts: AlertEngine | None = None, keeper: ViewKeeper | None = None) -> None:
        super().__init__()
        self.keeper = keeper or ViewKeeper(None, False, self.say)
        self.alerts = alerts or AlertEngine(layout.root.name)
        self.unseen: list[Alert] = []  # fired while watched, not yet seen in the list
        self.reading = reading
        self.store = store
        self.run_layout = layout
        self.zone = zone  # of every time shown (None: this host's)
        self.now = now
        self.panes: dict[str, Pane] = {spec.name: spec.cls(zone=zone)
                                       for spec in PANES}
        self.prompt = Prompt()
        self.failures: list[str] = []  # background work that failed, said in the status line
        self._dirty: set[str] = set()
        self._drawn_at: dict[str, float] = {}
        self._draw_timer = None
        self._pacer = Pacer()
        self._ready = False  # drawing before the panes exist, or while they go, is skipped
        self.home = home_pane([feed.kind for feed in layout.feeds])

    @property
    def actions(self) -> ActionsPane:
        pane = self.panes["actions"]
        assert isinstance(pane, ActionsPane)
        return pane

    def compose(self) -> ComposeResult:
        with PaneTabs(id="panes", initial=self.home):
            for spec in PANES:
                pane = self.panes[spec.name]
                with TabPane(f"{spec.key} {spec.title}", id=spec.name):
                    # The hidden panes after the first frame: styling and laying
                    # them out first put ~40 ms before the newest rows showed.
                    yield pane if spec.name == self.home else Lazy(pane)
        yield self.prompt
        yield TextLine(id="status", wrap=True)
        # Compact: at 80 columns the footer keeps `?` and `q` (the app's keys come last).
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._ready = True
        self.refresh_panes()
        self.set_interval(REFRESH_S, self._refresh_tick)
        self.focus_pane(self.home)

    def on_unmount(self) -> None:
        self._ready = False

    def follow_files(self, feeds: list[Feed], parse_zone, every: float) -> None:
        """The stream panes read their files themselves (see ``panes.stream``)."""
        for name, pane in self.stream_panes().items():
            feed = next((feed for feed in feeds if feed.kind == pane.kind), None)
            pane.follow_file(feed, parse_zone, partial(self.draw_soon, (name,)), every)

    def stream_panes(self) -> dict[str, StreamPane]:
        return {name: pane for name, pane in self.panes.items() if isinstance(pane, StreamPane)}

    # -- panes ----------------------------------------------------------------------------

    def active_name(self) -> str:
        return self.query_one(TabbedContent).active or self.home

    def current_pane(self) -> Pane | None:
        return self.panes.get(self.active_name())

    def focus_pane(self, name: str) -> None:
        self.query_one(TabbedContent).active = name
        pane = self.panes[name]
        for other, shown in self.panes.items():
            shown.shown(other == name)
        # Drawn now from what the store holds: a hidden pane is otherwise drawn
        # once a second, and showed zero counts for up to that long.
        self._draw((name,))
        if not pane.view.is_mounted:  # a hidden pane in the first frames: once it is
            self.call_after_refresh(self._focus_when_mounted, name)
            return
        # At once when it can be (Widget.focus defers, so keys typed right
        # after the switch went to the pane left behind).
        target = pane.focus_target
        self.set_focus(target)
        if self.focused is not target:
            target.focus()

    def _focus_when_mounted(self, name: str) -> None:
        if self.active_name() == name:  # not switched away meanwhile
            self.focus_pane(name)

    def refocus_pane(self) -> None:
        if self.prompt.display:
            return  # an answer asked another question (replace the file?)
        pane = self.current_pane()
        if pane is not None and pane.view.is_mounted:
            pane.focus_target.focus()

    def action_pane(self, name: str) -> None:
        self.focus_pane(name)

    def action_cycle(self, step: int) -> None:
        self.focus_pane(NAMES[(NAMES.index(self.active_name()) + step) % len(NAMES)])

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane_id = event.pane.id
        # Delivered after the keys that follow a switch: a prompt opened meanwhile
        # keeps its focus, and a tab switched away from since is not brought back.
        if (pane_id in self.panes and pane_id == self.active_name()
                and not isinstance(self.focused, Prompt)):
            self.focus_pane(pane_id)

    def action_blocks(self) -> None:
        """Every safety block, in the audit pane; from there, back to the budget."""
        pane = self.panes["budget"]
        assert isinstance(pane, BudgetPane)
        again = self.active_name() == "budget" and pane.mode == BLOCKS
        pane.show_mode(BUDGET if again else BLOCKS)
        self.focus_pane("budget")

    def action_waterfall(self) -> None:
        """v: the sessions pane as a waterfall, or as the list again."""
        pane = self.panes["sessions"]
        if self.active_name() != "sessions":
            self.focus_pane("sessions")
            if pane.has_class("-waterfall"):
                return
        pane.toggle_waterfall()

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        pane = self.current_pane()
        if pane is not None:
            self.maximize(pane, container=False)
            pane.view.focus()

    def on_prompt_closed(self, message: Prompt.Closed) -> None:
        self.call_later(self.refocus_pane)

    async def route_to_prompt(self, event: events.Key) -> None:
        """A key the app got while the prompt is open: the prompt's. (Typed
        straight after `/` or `&`, keys were dispatched to the pane's bindings
        before the prompt opened.)"""
        prompt = self.prompt
        if prompt.display and self.focused is prompt:
            event.stop()
            event.prevent_default()
            await prompt.type_key(event)

    # -- drawing ------------------------------------------------------------------------

    def records_arrived(self, kind: str) -> None:
        """The store took in records of ``kind``."""
        if self.pending_jump is not None:
            self.jump_if_pending()
        name = pane_of_kind(kind)
        if name is None:
            return  # drawn by the refresh tick
        if self.panes[name].paces_itself:
            # Drawn with the next frame, not taken for a stream (that held a
            # new line of the file back for a whole pacing interval).
            self._dirty.add(name)
        else:
            self.draw_soon((name,))

    def refresh_panes(self) -> None:
        """Every pane, hidden ones too (before a jump looks at their rows)."""
        self._dirty.clear()
        self._draw(NAMES, hidden_too=True)

    def _refresh_tick(self) -> None:
        """Every pane, once a second, but not one a live stream drew just now:
        a frame costs ~25 ms. The view is kept (``viewkeeper``)."""
        self.jump_if_pending()
        self._keep_view()
        recent = monotonic() - REFRESH_S / 2
        names = [name for name in NAMES if self._drawn_at.get(name, 0.0) < recent]
        self._dirty.difference_update(names)
        self._draw(names)

    def draw_soon(self, names: Iterable[str]) -> None:
        """New rows for these panes: drawn when the pacer says (see ``pacing``)."""
        self._dirty.update(names)
        self._draw_after(self._pacer.arrived())

    def _draw_after(self, wait: float) -> None:
        if not wait:
            names, self._dirty = self._dirty, set()
            self._draw(names)
        elif self._draw_timer is None:
            self._draw_timer = self.set_timer(wait, self._draw_when_due)

    def _draw_when_due(self) -> None:
        self._draw_timer = None
        if self._dirty:
            self._draw_after(self._pacer.due())

    def _draw(self, names: Iterable[str], hidden_too: bool = False) -> None:
        """The panes named, if on screen: a hidden pane is drawn when it is
        shown (re-sorting every hidden pane every second made a long live run's
        CPU grow with its length)."""
        if not self._ready:
            return
        now = self.now()
        self._pacer.drawn()
        active = self.active_name()
        try:
            for name in names:
                if name != active and not hidden_too:
                    continue
                self.panes[name].update_from(self.store, now)
                self._drawn_at[name] = monotonic()
            self.refresh_status()
        except NoMatches:
            # The refresh timer can fire while the widgets are being removed at
            # exit: nothing is left to draw.
            self._ready = False

    def refresh_status(self) -> None:
        statuses = self.run_layout.statuses()
        self.query_one("#status", TextLine).update(self.status_text(statuses))
        unreadable = {s.kind: f"{s.name}: unreadable ({s.note or 'no reason given'})"
                      for s in statuses if s.state == "unreadable"}
        for pane in self.panes.values():
            pane.file_problem(next((unreadable[k] for k in pane.reads if k in unreadable), None))

    def status_text(self, statuses=None):
        pane = self.current_pane()
        if statuses is None:
            statuses = self.run_layout.statuses()
        wide = self.size.width >= STATUS_STRIP_FROM
        text = heads.status(statuses, self.store,
                            pane.follow_text() if pane is not None else None, self.now(),
                            self.zone, alerts=self.alerts.fired,
                            strip=status_strip(self.store, STATUS_STRIP) if wide else None)
        if self.unseen:
            text = alerts_ui.banner(self.unseen, self.size.width).append_text(text)
        if self.failures:
            text = heads.failures(self.failures).append_text(text)
        return text

    # -- the time strip --------------------------------------------------------------------

    def action_strip_move(self, step: int) -> None:
        """[ ]: the strip's bin under the cursor, in the audit pane."""
        pane = self.panes["budget"]
        assert isinstance(pane, BudgetPane)
        if self.active_name() != "budget" or pane.mode != BUDGET:
            pane.show_mode(BUDGET)
            self.focus_pane("budget")
        strip = strip_of(self.store, pane.strip_width())
        if strip is None:
            self.say("no dated event yet: the strip is empty")
            return
        last = strip.count - 1
        at = last if pane.strip_cursor is None else min(pane.strip_cursor, last)
        pane.strip_cursor = max(0, min(last, at + step))
        self._draw(("budget",))

    def action_strip_filter(self) -> None:
        """T: every pane shows only the rows of the strip's bin; again, all."""
        pane = self.panes["budget"]
        assert isinstance(pane, BudgetPane)
        if any(p.filters.time_span is not None for p in self.panes.values()):
            self._time_span(None)
            self.say("every time shown again")
            return
        strip = strip_of(self.store, pane.strip_width())
        if strip is None:
            self.say("no dated event yet: nothing to choose")
            return
        at = strip.count - 1 if pane.strip_cursor is None else min(pane.strip_cursor,
                                                                   strip.count - 1)
        start, end = strip.span(at)
        self._time_span((start.astimezone(self.zone), end.astimezone(self.zone)))
        self.say(f"every pane: {start.astimezone(self.zone):%m-%d %H:%M}–"
                 f"{end.astimezone(self.zone):%H:%M} only (T again: every time)", timeout=3)

    def _time_span(self, span) -> None:
        for pane in self.panes.values():
            pane.filters.time_span = span
            pane.filters_changed()

    # -- the view kept across sessions, marks ---------------------------------------------

    def _keep_view(self) -> None:
        keeper = self.keeper
        if keeper.filters_pending and all(p.view.is_mounted for p in self.panes.values()):
            root = self.run_layout.root if not self.run_layout.single_file else (
                self.run_layout.root.parent)
            keeper.restore_filters(self.panes, self.focus_pane, str(root))
        if keeper.cursors_pending and not keeper.filters_pending and self.reading() is None:
            self.refresh_panes()  # hidden panes' rows, before looking for the rows kept
            keeper.restore_cursors(self.panes)
        keeper.take(self.panes, self.active_name())

    def action_mark(self) -> None:
        pane, name = self.current_pane(), self.active_name()
        if pane is None or pane.view.selected is None:
            self.say("no row to mark")
            return
        if self.keeper.marked(name, pane):
            self.keeper.toggle_mark(name, pane, "")
            self.say("mark removed")
            return
        self.prompt.ask("a note for the mark (enter: none)",
                        lambda note: self._marked(name, pane, note))

    def _marked(self, name: str, pane: Pane, note: str) -> None:
        if pane.view.selected is not None and self.keeper.toggle_mark(name, pane, note):
            self.say(f"marked ({len(self.keeper.state.marks)} marks; ' goes to the next)")
        self.keeper.save()

    def action_next_mark(self) -> None:
        marks = self.keeper.state.marks
        if not marks:
            self.say("no marks: m marks the row")
            return
        pane, name = self.current_pane(), self.active_name()
        here = pane.place_of(pane.view.selected) if pane and pane.view.selected else None
        at = next((i for i, mark in enumerate(marks)
                   if mark.pane == name and mark.place == here), -1)
        self.go_to_mark(marks[(at + 1) % len(marks)])

    def go_to_mark(self, mark: Mark) -> None:
        pane = self.panes.get(mark.pane)
        if pane is None:
            return
        self.focus_pane(mark.pane)
        index = pane.index_of(mark.place)
        if index is None:
            self.say(f"mark {mark.note or mark.text}: not among the rows shown "
                     "(a filter hides it, or the file no longer has it)", timeout=4)
            return
        pane.view.follow = False
        pane.view.select(index)

    def action_marks(self) -> None:
        self.app.push_screen(MarksScreen(self.keeper.state.marks, self._chose_mark))

    def _chose_mark(self, mark: Mark) -> None:
        self.app.pop_screen()
        self.go_to_mark(mark)

    def name_filters(self) -> None:
        pane = self.current_pane()
        if pane is None or not pane.filters.patterns:
            self.say("no filters to name: & adds one")
            return
        self.prompt.ask("a name for these filters", lambda name: self._named(pane, name))

    def _named(self, pane: Pane, name: str) -> None:
        if name.strip():
            self.keeper.name_filters(name.strip(), pane)
            self.keeper.save()
            self.say(f"filters saved as {name.strip()}: ctrl+p recalls them")

    def recall_filters(self, name: str) -> None:
        pane = self.current_pane()
        texts = self.keeper.state.named_filters.get(name)
        if pane is None or texts is None:
            return
        apply_filters(pane, texts)
        pane.filters_changed()

    # -- alerts ------------------------------------------------------------------------

    def alerts_fired(self, fired: list[Alert]) -> None:
        self.unseen.extend(alert for alert in fired if alert.live)
        if self._ready:
            self.refresh_status()

    def action_alerts(self) -> None:
        self.app.push_screen(alerts_ui.AlertsScreen(self.alerts.alerts, self.alerts.fired,
                                                    self.zone, self.show_alert))
        self.unseen.clear()
        self.refresh_status()

    def show_alert(self, alert: Alert) -> None:
        """An alert's evidence in the inspector, read from its file as it is now."""
        record = None
        if alert.kind is not None and alert.offset is not None and alert.line is not None:
            row = LineReread(self.run_layout, alert.kind).rows_at(
                [(alert.line, alert.offset)]).get(alert.offset)
            record = new_record(Record, row) if row is not None else None
        if record is None:
            self.say(f"{alert.rule}: {alert.message}"
                     + (f" ({alert.evidence}: no longer in the file)" if alert.evidence else ""))
            return
        self.inspect(record)

    def report_failure(self, message: str) -> None:
        self.failures.append(message)
        if self._ready:
            self.refresh_status()

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        self._draw(())  # the status line's follow state; may arrive during exit
