"""Every file merged by time, in one zone, with a source column (``store.timeline``)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from rich.text import Text

from vivtui.parsing.record import Record
from vivtui.store.filters import record_field
from vivtui.store.run import RunStore
from vivtui.store.timeline import Entry, Timeline
from vivtui.ui import heads, render, styles
from vivtui.ui.panes.base import Pane


class TimelinePane(Pane):
    title = "Timeline"
    empty = "no timestamped records yet"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.timeline = Timeline()
        # Merging reads every record's time: done only while someone looks (the
        # pane is shown, or e/E searches it), not for every batch of a big backlog.
        self.wanted = False

    def row(self, item: Entry, width: int) -> Text:
        return render.timeline_row(item[2], width, self.zone, item[0])

    def describe(self, item: Entry) -> tuple[str, str, str]:
        record = item[2]
        return (f"{render.KIND_LABEL.get(record.kind, record.kind)} {record.summary}",
                record.category, record.severity, partial(record_field, record))

    def record_of(self, item: Entry) -> Record:
        return item[2]

    def time_of(self, item: Entry) -> datetime:
        return item[0]

    def severity_of(self, item: Entry) -> str:
        return item[2].severity

    def shown(self, visible: bool) -> None:
        self.wanted = visible

    def catch_up(self, store: RunStore) -> None:
        """The merge brought up to date, shown or not (e/E look at it)."""
        timeline = self.timeline
        if timeline.catch_up(store) or self._seen_version < 0:
            self._seen_version = timeline.version
            # A copy: rows are inserted anywhere, so the view must not take it
            # for the same buffer grown at the end.
            self.show_rows(list(timeline.rows))

    def _update(self, store: RunStore, now: datetime) -> None:
        if not self.wanted:
            return
        self.catch_up(store)
        timeline = self.timeline
        head = heads.counts("Timeline", [("rows", len(timeline.rows), styles.NOTE)])
        if timeline.untimed:
            head.append(f"  {timeline.untimed} lines without a time not shown", styles.NOTE)
        head.append("  ")
        head.append_text(self.follow_text())
        self.head(head)
