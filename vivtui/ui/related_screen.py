"""Related events (``r``): every record that shares the record's session, task
or identity. Found first among the rows kept; then, in a file whose older
lines are no longer kept (a big action log's), by a scan of the whole file in
a worker, its finds added as they come."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from operator import attrgetter

from rich.text import Text

from vivtui.parsing.record import Record
from vivtui.store.related import kernel_occurrence, time_key
from vivtui.store.scan import RowScan
from vivtui.ui import render, styles
from vivtui.ui.keys_first import keys_before
from vivtui.ui.listscreen import ListScreen
from vivtui.ui.rowview import RowView

TAKE_S = 0.2  # between looks at what the scans found
# A record's place: records glued on one line share its number, not their offsets.
_place = attrgetter("kind", "line", "offset")


class RelatedScreen(ListScreen):
    def __init__(self, origin: Record, records: list[Record], zone: tzinfo | None,
                 inspect: Callable[[Record], None], let_go: Sequence[str] = (),
                 further: Sequence[tuple[str, RowScan]] = ()) -> None:
        """``let_go``: the files whose older lines were not looked at; of
        them, ``further``: (name, a scan of it not started yet, its test a
        ``Kept``) to look with."""
        self.origin = origin
        self.records = records
        self._seen = set(map(_place, records))
        self._let_go = [name for name in let_go if name not in dict(further)]
        self._further = list(further)
        self._taken = [0] * len(self._further)
        super().__init__(self._about(), records,
                         lambda record, width: render.timeline_row(record, width, zone),
                         inspect, selected=records.index(origin) if origin in records else 0)

    def on_mount(self) -> None:
        super().on_mount()
        for name, scan in self._further:
            keys_before(self.app, scan)
            self.run_worker(scan.run, thread=True, exit_on_error=False, group="related scan",
                            name=f"related events in {name}")
        if self._further:
            self._timer = self.set_interval(TAKE_S, self._take_found)

    def on_unmount(self) -> None:
        for _, scan in self._further:
            scan.cancel.set()

    def _take_found(self) -> None:
        """What the scans found since the last look, added in time order."""
        found = []
        for at, (_, scan) in enumerate(self._further):
            kept = scan.given.records  # (``Kept``: what the worker parsed, not read again)
            count = len(kept)
            for record in kept[self._taken[at]:count]:
                if _place(record) not in self._seen:
                    self._seen.add(_place(record))
                    found.append(record)
            self._taken[at] = count
        if found:
            self.records = kernel_occurrence(self.origin, sorted(
                [*self.records, *found], key=lambda r: (time_key(r), r.kind, r.line)))
            self.query_one(RowView).set_rows(self.records)
        self.query_one("#about").update(self._about())
        if all(scan.done for _, scan in self._further):
            self._timer.stop()

    def _about(self) -> Text:
        origin = self.origin
        about = Text(no_wrap=True, overflow="ellipsis", end="")
        about.append(f" {len(self.records)} related events", styles.STRONG)
        about.append(f" of {origin.kind} line {render.line_number(origin.line)}, "
                     "in time order", styles.NOTE)
        looking = [(name, scan) for name, scan in self._further if not scan.done]
        if looking:
            shown = ", ".join(f"{name} {scan.progress:.0%}" for name, scan in looking)
            about.append(f"; looking through {render.safe(shown, 200)}", styles.NOTE)
        if self._let_go:  # found among the rows kept: these files' older ones were not looked at
            about.append(f"; older lines of {render.safe(', '.join(self._let_go), 200)} "
                         "not looked at (not kept)", styles.CAUTION)
        return about
