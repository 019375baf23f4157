"""API spend against the budget, usage by model and call type, and every
failure and budget event."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from vivtui.parsing.record import Record
from vivtui.store.run import RunStore
from vivtui.ui import heads, render, styles
from vivtui.ui.panes.base import Pane


class BudgetPane(Pane):
    title = "Budget"
    empty = "no API failures or budget events yet"
    DEFAULT_CSS = """
    BudgetPane > .overview { height: auto; max-height: 16; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(classes="overview")
        yield from super().compose()

    def row(self, record: Record, width: int) -> Text:
        return render.problem_row(record, width, self.zone)

    def _update(self, store: RunStore, now: datetime) -> None:
        budget = store.budget
        if budget.version == self._seen_version:
            return
        self._seen_version = budget.version
        width = max(20, (self.size.width or self.screen.size.width) - 4)
        self.query_one(".overview", Static).update(heads.overview(budget, width))
        self.show_rows(budget.problems)
        self.head(heads.counts("Failures and budget events", [
            ("failed", budget.failed, styles.FAILURE),
            ("budget exceeded", budget.budget_exceeded, styles.FAILURE),
            ("task budget", budget.task_budget_exceeded, styles.FAILURE),
            ("rate limited", budget.rate_limited, styles.CAUTION),
            ("violations", budget.violations, styles.FAILURE)]))
