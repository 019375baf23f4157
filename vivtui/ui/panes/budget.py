"""The audit pane: API spend as the producer keeps it (per wrapper), failures
and budget events; or, one key away (``B``), every safety block from every file
with counts by source and by reason."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from itertools import compress, count, repeat
from operator import is_not

from rich.text import Text
from textual.app import ComposeResult

from vivtui.parsing import api_audit
from vivtui.parsing.record import ERROR, Record
from vivtui.store.blocks import BlockRows
from vivtui.store.budget import BudgetTracker, listed_event
from vivtui.store.rows import FilteredRows
from vivtui.store.run import RunStore
from vivtui.store.safety import SOURCE_OF_KIND, blocked_field, reason_of
from vivtui.store.triage import TimedRows, seconds_rank
from vivtui.ui import heads, render, styles
from vivtui.ui.panes.base import Pane
from vivtui.ui.panes.finding import LEVEL_SEVERITY
from vivtui.ui.textline import TextLine
from vivtui.ui.timestrip import LABEL, strip_of, strip_text

BUDGET, BLOCKS = "budget", "blocks"
OVERVIEW_LINES = 60


class BudgetPane(Pane):
    title = "Audit"
    empty = "no API failures or budget events yet"
    DEFAULT_CSS = """
    BudgetPane > .overview { height: auto; max-height: 60%; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mode = BUDGET
        self.strip_cursor: int | None = None  # the time strip's bin (None: the newest)

    @property
    def reads(self) -> tuple[str, ...]:
        """The kinds it lists, whose unreadable file it names: the audit log's;
        in the blocks view, every kind a block is written in (with the kernel
        log unreadable, it said "no safety blocks in any file")."""
        return tuple(SOURCE_OF_KIND) if self.mode == BLOCKS else (api_audit.KIND,)

    @property
    def preview_kinds(self) -> tuple[str, ...]:
        return (api_audit.KIND,)  # (the blocks are the store's, not a file's newest lines)

    def unlisted_before(self, store: RunStore) -> datetime | None:
        """API failures and budget events older than this are counted and not
        listed (the newest ``KEPT_PROBLEMS`` are): e/E cannot stop at them.
        None: every one is listed."""
        rows = self.view.rows
        if self.mode != BUDGET or not rows or store.budget.problem_count <= len(rows):
            return None
        return min(filter(None, (self.time_of(rows[at]) for at in (0, -1))), default=None)

    def categories(self, store: RunStore) -> list[tuple[str, int]]:
        """From the counts: describing every row read each back from its file
        (a big run's 37k blocks, 30k failures)."""
        if self.mode == BLOCKS:
            return store.safety.reasons()
        counted = self.rows_store(store).by_category[api_audit.KIND]
        return [(category, count) for category, count in counted.most_common()
                if listed_event(category)]

    def timed_problems(self, level: str) -> Iterable[tuple[float, int]]:
        """The list as it is kept, filtered or not, ranked from the budget's or
        the blocks' columns: walking it read every row back from its file (a
        big run's 30k failures, 37k blocks: 0.5-0.9 s)."""
        rows, shown = self.view.rows, self._source
        budget = self._listed_budget()
        if budget is not None and rows is shown:
            return budget.timed_at(LEVEL_SEVERITY[level])
        ranks = self._ranks(level)
        if ranks is None:
            return super().timed_problems(level)
        if rows is shown:
            places = list(compress(count(), map(is_not, ranks, repeat(None))))
            return TimedRows(list(map(ranks.__getitem__, places)), places)
        if isinstance(rows, FilteredRows) and rows.source is shown:
            return ((ranks[place], at) for at, place in enumerate(rows.positions())
                    if ranks[place] is not None)
        return super().timed_problems(level)

    def _ranks(self, level: str) -> list[float | None] | None:
        """For each row of the list kept, its time as e/E rank it, None where it
        is not at ``level``; None: not known from columns."""
        shown, severity = self._source, LEVEL_SEVERITY[level]
        if self.mode == BLOCKS and isinstance(shown, BlockRows):  # every block: a failure
            return ([seconds_rank(ts) for ts in shown.times()] if severity == ERROR
                    else [None] * len(shown))
        budget = self._listed_budget()
        return budget.ranks_at(severity) if budget is not None else None

    def _listed_budget(self) -> BudgetTracker | None:
        """The budget whose problems the list is (None: not listing them)."""
        if self.mode != BUDGET or self._last is None:
            return None
        budget = self.rows_store(self._last[0]).budget
        return budget if budget.problems is self._source else None

    def strip_width(self) -> int:
        """Bins the time strip has room for."""
        return max(8, (self.size.width or self.screen.size.width) - 4 - LABEL - 12)

    def compose(self) -> ComposeResult:
        # Its figures change with every call: a Static's update was a layout of
        # the whole screen each time; this changes its height only when its
        # number of lines does.
        yield TextLine(classes="overview", wrap=True, max_lines=OVERVIEW_LINES)
        yield from super().compose()

    def row(self, record: Record, width: int) -> Text:
        if self.mode == BLOCKS:
            return render.timeline_row(record, width, self.zone)
        return render.problem_row(record, width, self.zone, self.dated)

    def describe(self, record: Record) -> tuple:
        if self.mode == BLOCKS:  # picked by reason; found by what the row says
            return (f"{render.KIND_LABEL.get(record.kind, record.kind)} {record.summary}",
                    reason_of(record), record.severity, partial(blocked_field, record))
        return super().describe(record)

    def show_mode(self, mode: str) -> None:
        """The budget view, or the safety blocks."""
        if mode == self.mode:
            return
        self.mode = mode
        self.empty = ("no safety blocks in any file" if mode == BLOCKS
                      else "no API failures or budget events yet")
        self.view.empty = self._empty_text()  # (the other list's said so under B)
        self._seen_version = None
        self.view.rows = ()  # another list: the cursor starts over
        if self._last is not None:
            self._update(*self._last)

    def _update(self, store: RunStore, now: datetime) -> None:
        if self.mode == BLOCKS:
            self._update_blocks(store)
            return
        budget, shown = store.budget, self.rows_store(store).budget
        # The forecast moves with the clock and the run's state, not only with new
        # calls; the time strip with every event.
        seen = (self.counts_seen(budget.version), self.run.state, int(now.timestamp() // 10),
                store.version, self.strip_cursor, shown.version, shown is budget)
        if seen == self._seen_version:
            return
        self._seen_version = seen
        # (Its forecast and time strip: 4-15 ms of each e for a hidden pane.)
        self.draw_when_shown(partial(self._draw_overview, store, now))
        self.show_rows(shown.problems)  # read back as drawn: kept as places past the newest
        self.head(self.previewed(heads.newest_listed(heads.counts(
            "Failures and budget events  B blocks", [
                ("failed", budget.failed, styles.FAILURE),
                ("refused", budget.refused, styles.FAILURE),
                ("task budget", budget.task_budget_exceeded, styles.FAILURE),
                ("rate limited", budget.rate_limited, styles.CAUTION),
                ("violations", budget.violations, styles.FAILURE)]),
            len(shown.problems), shown.problem_count), "Failures and budget events"))

    def _draw_overview(self, store: RunStore, now: datetime) -> None:
        """The spend, forecast and wrappers, under the time strip."""
        width = max(20, (self.size.width or self.screen.size.width) - 4)
        preview = self.preview
        overview = (heads.overview_counting(preview.progress)
                    if preview is not None and preview.counting
                    else heads.overview(store.budget, width, self.run, now))
        strip = strip_of(store, self.strip_width())
        if strip is not None:
            cursor = self.strip_cursor
            cursor = strip.count - 1 if cursor is None else min(cursor, strip.count - 1)
            overview = strip_text(strip, cursor, self.zone, now).append("\n").append_text(overview)
        self.query_one(".overview", TextLine).update(overview)

    def _update_blocks(self, store: RunStore) -> None:
        seen = (BLOCKS, store.blocked_count, store.version)
        if seen == self._seen_version:
            return
        self._seen_version = seen
        self.draw_when_shown(lambda: self.query_one(".overview", TextLine).update(
            heads.safety_overview(store.safety)))
        # In time order; the kernel's backlog lines have no time: first, in file order.
        self.show_rows(store.blocked.in_time_order())
        self.head(heads.newest_listed(heads.counts("Safety blocks  B budget", [
            ("blocked", store.blocked_count, styles.FAILURE)]), len(store.blocked),
            store.blocked_count))
