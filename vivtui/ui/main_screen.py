"""The main screen: the panes in tabs, the prompt, the status line
(``ui.status_line``) and the pane keys. Its bindings are inactive while the
inspector, help or a picker is in front (Textual's rule for a screen's
bindings), so no key needs a guard.

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
from textual.screen import Screen
from textual.widgets import TabbedContent, TabPane

from vivtui.alerts.alert import Alert
from vivtui.alerts.rules import AlertEngine
from vivtui.ingest.feeds import PREVIEWED_KINDS, Feed
from vivtui.ingest.layout import RunLayout
from vivtui.pacing import Pacer
from vivtui.store.run import RunStore
from vivtui.ui import keys
from vivtui.ui.alerts import AlertActions
from vivtui.ui.jumps import JumpActions
from vivtui.ui.keys_footer import KeysFooter
from vivtui.ui.later_panes import LaterPanes
from vivtui.ui.marking import MarkActions
from vivtui.ui.panes.actions import ActionsPane
from vivtui.ui.panes.base import Pane
from vivtui.ui.panes.budget import BLOCKS, BUDGET, BudgetPane
from vivtui.ui.panes.registry import (
    NAMES,
    PANES,
    home_pane,
    pane_of_kind,
)
from vivtui.ui.panes.stream import StreamPane
from vivtui.ui.panes.timeline import TimelinePane
from vivtui.ui.panetabs import PaneTabs
from vivtui.ui.preview import Previews
from vivtui.ui.prompt import Prompt
from vivtui.ui.rowview import RowView
from vivtui.ui.status_line import StatusLine
from vivtui.ui.textline import TextLine
from vivtui.ui.timespan import TimeSpanActions
from vivtui.ui.triage import TriageActions
from vivtui.ui.viewkeeper import ViewKeeper
from vivtui.ui.worker_failures import SaysWorkerFailures

REFRESH_S = 1.0
STATUS = "status"  # the status line, among the panes' names in ``_drawn_at``


class MainScreen(TriageActions, JumpActions, AlertActions, MarkActions, TimeSpanActions,
                 StatusLine, SaysWorkerFailures, Screen[None]):
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
                 alerts: AlertEngine | None = None, keeper: ViewKeeper | None = None,
                 source_note: Callable[[], str | None] = lambda: None,
                 preview_store: Callable[[], RunStore] = RunStore,
                 long_lived: Callable[[], object] | None = None) -> None:
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
        timeline = self.panes.get("timeline")
        if isinstance(timeline, TimelinePane):
            timeline.reading = reading
            if long_lived is not None:
                # A merge's rows live until the next merge, which goes on from
                # them. Left to the collector, each of its full passes walked a
                # big run's 50k merged rows: 42-116 ms of a key's answer, many
                # times a minute.
                timeline.long_lived = long_lived
        self.prompt = Prompt()
        self.failures: list[str] = []  # background work that failed, said in the status line
        # Of several runs (``fleetapp``): (alerts, of them rung) of the runs not on screen.
        self.elsewhere: Callable[[], tuple[int, int]] | None = None
        self.source_note = source_note  # see ``Options``
        self._dirty: set[str] = set()
        self._status_due = False  # the status line alone changed (see ``status_soon``)
        self._drawn_at: dict[str, float] = {}
        self._draw_timer = None
        self._pacer = Pacer()
        self._ready = False  # drawing before the panes exist, or while they go, is skipped
        # The pane kept from the last look, in the first frame: shown only once
        # every pane was made, it replaced the home pane a second after the start.
        kept = self.keeper.state.pane
        self.home = kept if kept in self.panes else home_pane(
            [feed.kind for feed in layout.feeds],
            [feed.kind for feed in layout.feeds if feed.current_choice() is not None])
        self.switched = False  # a pane was chosen since the start (see ``restore_filters``)
        self.previews = Previews(preview_store, layout.feeds, PREVIEWED_KINDS)
        # Paces the workers that read much (a save), once the files are followed.
        self.keys_first: Callable[[], Callable[[], None]] | None = None
        self._later = LaterPanes(self)

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
                    yield pane if spec.name == self.home else self._later.stand_in(spec.name,
                                                                                   pane)
        yield self.prompt
        yield TextLine(id="status", wrap=True)
        # Compact: at 80 columns the footer keeps `?` and `q` (the app's keys come last).
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self._ready = True
        self._later.start()
        self.refresh_panes()
        self.set_interval(REFRESH_S, self._refresh_tick)
        if not self.switched:  # (a key typed ahead may have chosen one already)
            self.focus_pane(self.home)

    def on_unmount(self) -> None:
        self._ready = False

    def follow_files(self, feeds: list[Feed], parse_zone, every: float,
                     keys_first: Callable[[], Callable[[], None]] | None = None) -> None:
        """The stream panes read their files themselves (see ``panes.stream``)."""
        self.keys_first = keys_first
        for name, pane in self.stream_panes().items():
            feed = next((feed for feed in feeds if feed.kind == pane.kind), None)
            pane.follow_file(feed, parse_zone, partial(self.draw_soon, (name,)), every,
                             keys_first)

    @property
    def settling(self) -> bool:
        """Is a pane a key switched to still on its way to the screen?"""
        return self._later.wanted is not None

    def stream_panes(self) -> dict[str, StreamPane]:
        return {name: pane for name, pane in self.panes.items() if isinstance(pane, StreamPane)}

    # -- panes ----------------------------------------------------------------------------

    def active_name(self) -> str:
        return self.query_one(TabbedContent).active or self.home

    def current_pane(self) -> Pane | None:
        return self.panes.get(self.active_name())

    def focus_pane(self, name: str) -> None:
        if name != self.active_name():
            self.switched = True
        self.query_one(TabbedContent).active = name
        pane = self.panes[name]
        for other, shown in self.panes.items():
            shown.shown(other == name)
        # Drawn now from what the store holds: a hidden pane is otherwise drawn
        # once a second, and showed zero counts for up to that long.
        self._draw((name,))
        if not pane.view.is_mounted:  # a hidden pane in the first frames: once it is
            self._later.want(name)
            self.call_after_refresh(self._focus_when_mounted, name)
            return
        if self._later.wanted == name:
            # Once its first frame is out: the tail loops' start and the other
            # mounts wait for that, and they held the GIL before it (17 ms and more).
            self.call_after_refresh(self._later.settled_for, name)
        else:
            self._later.settled()
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

    def draw_kind_now(self, kind: str) -> None:
        """The newest lines of a big file, or its whole backlog (read apart):
        its panes drawn now, not at the next tick (which left a big queue's
        final counts off screen for up to a second)."""
        self._draw([name for name, pane in self.panes.items() if kind in pane.preview_kinds])

    def refresh_panes(self, status: bool = True) -> None:
        """Every pane, hidden ones too (before a jump looks at their rows);
        the status line unless not ``status`` (a jump's answer draws it)."""
        self._dirty.clear()
        self._draw(NAMES, hidden_too=True, status=status)

    def _refresh_tick(self) -> None:
        """Every pane, once a second, but not one a live stream drew just now:
        a frame costs ~25 ms. The view is kept (``viewkeeper``)."""
        self.jump_if_pending()
        self._keep_view()
        self.store.settle_moves()
        recent = monotonic() - REFRESH_S / 2
        names = [name for name in NAMES if self._drawn_at.get(name, 0.0) < recent]
        self._dirty.difference_update(names)
        if self.active_name() not in names and self._drawn_at.get(STATUS, 0.0) >= recent:
            return  # the pane and the status line were drawn just now: no frame for nothing
        self._draw(names)

    def draw_soon(self, names: Iterable[str]) -> None:
        """New rows for these panes: drawn when the pacer says (see ``pacing``).
        A hidden pane's are not: it is drawn when shown, and the status line's
        counts by the second's tick (a frame for each burst of a hidden pane's
        file made a long live run's frames a minute grow threefold)."""
        if self.active_name() not in names:
            return
        self._dirty.update(names)
        self._draw_after(self._pacer.arrived())

    def _draw_after(self, wait: float) -> None:
        if not wait:
            names, self._dirty = self._dirty, set()
            self._draw(names)
        elif self._draw_timer is None:
            self._draw_timer = self.set_timer(wait, self._draw_when_due)

    def status_soon(self) -> None:
        """The status line changed (an alert fired): drawn within the pacer's
        budget. A frame at once for each, in a live run that fires a few a
        second, was a third of its frames."""
        self._status_due = True
        self._draw_after(self._pacer.arrived())

    def _draw_when_due(self) -> None:
        self._draw_timer = None
        if self._dirty or self._status_due:
            self._draw_after(self._pacer.due())

    def _draw(self, names: Iterable[str], hidden_too: bool = False, status: bool = True) -> None:
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
                pane = self.panes[name]
                pane.update_from(self.store, now,
                                 self.previews.for_reads(pane.preview_kinds)
                                 if pane.previews else None)
                self._drawn_at[name] = monotonic()
            if status:
                self.refresh_status()
                self._status_due = False
                self._drawn_at[STATUS] = monotonic()
        except NoMatches:
            # The refresh timer can fire while the widgets are being removed at
            # exit: nothing is left to draw.
            self._ready = False

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        self._draw(())  # the status line's follow state; may arrive during exit
