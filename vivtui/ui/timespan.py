"""The time strip's keys on the main screen: [ ] choose a bin of the audit
pane's strip, T shows only its span in every pane (a mixin of ``MainScreen``)."""

from __future__ import annotations

from vivtui.ui import render
from vivtui.ui.panes.budget import BUDGET, BudgetPane
from vivtui.ui.timestrip import strip_of


class TimeSpanActions:
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
        self.say(f"every pane: {render.span(start, end, self.zone, self.now())} only "
                 "(T again: every time)", timeout=3)

    def _time_span(self, span) -> None:
        for pane in self.panes.values():
            pane.filters.time_span = span
            pane.filters_changed()
