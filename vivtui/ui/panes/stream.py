"""A store buffer shown as it grows: the kernel output (and the action stream
until its file is read on demand, see ``actions``)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from vivtui.parsing.record import ERROR, WARNING, Record
from vivtui.store.run import RunStore
from vivtui.ui import heads, render, styles
from vivtui.ui.panes.base import Pane


class StreamPane(Pane):
    kind = ""  # the store's buffer this pane shows

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source_name = ""
        self.empty = f"waiting for {self.title.lower()}…"
        self.reads = (self.kind,)

    def render_row(self, record: Record, width: int) -> Text:
        raise NotImplementedError

    def row(self, record: Record, width: int) -> Text:
        return self.render_row(record, width)

    def categories(self, store: RunStore) -> list[tuple[str, int]]:
        return store.by_category[self.kind].most_common()

    def rows_changed(self, store: RunStore) -> int | None:
        """Shows what is new, if anything; the number of rows."""
        buffer = store.buffers[self.kind]
        if buffer.total != self._seen_version:
            self._seen_version = buffer.total
            self.show_rows(buffer)
        return buffer.total

    def _update(self, store: RunStore, now: datetime) -> None:
        self.source_name = store.sources.get(self.kind, self.source_name)
        total = self.rows_changed(store)
        head = heads.counts(self.title, self.counts(store, total))
        head.append_text(self.head_extra(store))
        head.append("  ")
        head.append_text(self.follow_text())
        self.head(head)

    def counts(self, store: RunStore, total: int) -> list[heads.Count]:
        severities = store.by_severity[self.kind]
        return [("rows", total, styles.NOTE), ("errors", severities[ERROR], styles.FAILURE),
                ("warnings", severities[WARNING], styles.CAUTION)]

    def head_extra(self, store: RunStore) -> Text:
        buffer = store.buffers[self.kind]
        if buffer.first_seq:
            # Older rows are counted above but no longer held (bounded memory).
            return heads.hint(f"  newest {len(buffer):,} kept")
        return Text("")


class KernelPane(StreamPane):
    title = "Kernel"
    kind = "kernel"

    def render_row(self, record: Record, width: int) -> Text:
        return render.kernel_row(record, width, self.zone, self.source_name)

    def counts(self, store: RunStore, total: int) -> list[heads.Count]:
        # FORMATS.md's classes, one word each (not severities beside them).
        k = store.kernel
        return [("lines", total, styles.NOTE), ("blocked", k.by_class["blocked"], styles.FAILURE),
                ("error", k.by_class["error"], styles.FAILURE),
                ("caution", k.by_class["caution"], styles.CAUTION),
                ("wave starts", k.wave_starts, styles.WAVE)]
