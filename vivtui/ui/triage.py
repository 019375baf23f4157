"""The main screen's triage keys: search, filters, the inspector, related events,
copy and save (the next failure across panes: ``ui.jumps``). The rules they
follow (same-thread stepping) are ``store.triage``'s; this module turns keys
into them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from vivtui.export import ExportError, export_target, write_records
from vivtui.parsing.kinds import gc_paused
from vivtui.parsing.record import Record, same_line
from vivtui.store.filters import next_severity
from vivtui.store.readback import paced
from vivtui.store.related import (
    file_keys,
    own_events,
    related_records,
    related_to,
    relation_keys,
    relation_prefilter,
)
from vivtui.store.scan import Kept, RowScan
from vivtui.store.triage import SAME_THREAD_REACH, identity, next_of_thread
from vivtui.ui import render
from vivtui.ui.clipboard import copy_soon
from vivtui.ui.inspector import InspectorScreen
from vivtui.ui.panes.base import Pane
from vivtui.ui.panes.registry import BY_NAME, NAMES, pane_of_kind
from vivtui.ui.prompt import PickerScreen
from vivtui.ui.related_screen import RelatedScreen
from vivtui.ui.soon import Soon

NO_THREAD = "this row has no session, task or identity"


class TriageActions:
    """Mixed into the main screen: needs ``store``, ``run_layout``, ``zone``,
    ``panes``, ``prompt``, ``current_pane``, ``active_name`` and ``keys_first``."""

    _related_asked: tuple[str, Record] | None = None  # (pane, row) whose related events come
    _copying: Soon | None = None  # what ``c`` copies is made by its thread (``clipboard.copy_soon``)
    _reading: Soon | None = None  # the selected row's record, for a key (``_with_record``)

    def say(self, text: str, severity: str = "information", timeout: float = 2) -> None:
        self.app.notify(render.safe(text, 300), severity=severity, markup=False,
                        timeout=timeout)

    def _selected(self) -> tuple[Pane, Any] | None:
        pane = self.current_pane()
        if pane is None or pane.view.selected is None:
            return None
        return pane, pane.view.selected

    def _selected_identity(self) -> tuple | None:
        """Which line the selected row is (``store.triage.identity``), from
        what its pane keeps of it: nothing read back, nothing read whole."""
        selected = self._selected()
        if selected is None or self._being_read(*selected, say=False):
            return None
        return identity(selected[0].brief_of(selected[1]))

    def _with_record(self, then: Callable[[Pane, Any, Record], None],
                     none_said: str | None = None) -> None:
        """``then(pane, item, record)`` with the selected row's record, made
        by a thread: a task's or a session's is read back from its file (Enter
        on a task whose line is 41 MB held the screen 84-102 ms). Quick, it is
        acted on in the same frame (``Soon``); late, only if that row is
        still the one selected, in front. A row with no record: ``none_said``."""
        selected = self._selected()
        if selected is None or self._being_read(*selected):
            return
        pane, item = selected
        if self._reading is None:
            self._reading = Soon(self, "record")
        late = False

        def meanwhile() -> None:
            nonlocal late
            late = True
            self.say("reading the row's line…")

        def made(record: Record | None) -> None:
            if late and (self.app.screen is not self or self.current_pane() is not pane
                         or pane.view.selected != item):
                return
            if record is not None:
                then(pane, item, record)
            elif none_said is not None:
                self.say(none_said)

        self._reading.show(partial(pane.record_of, item), made, meanwhile)

    def _being_read(self, pane: Pane, item: Any, say: bool = True) -> bool:
        """Is the row's line still read by a thread (its record not to be read
        on the screen's thread)? Said, unless ``say`` is False."""
        reading = pane.being_read(item)
        if reading is not None and say:
            self.say(f"{reading}: ask again once its row shows it", timeout=4)
        return reading is not None

    # -- search and filters -------------------------------------------------------

    def action_search(self) -> None:
        pane = self.current_pane()
        if pane is not None:
            self.prompt.ask("search (regex; plain text if it does not compile)",
                            self._searched, pane.search.text if pane.search else "")

    def _searched(self, text: str) -> None:
        pane = self.current_pane()
        if pane is None:
            return
        # The count is the filter bar's alone: a scan of a file-backed pane
        # keeps counting after this, and a toast said "0" over a bar saying 1.
        pane.set_search(text)

    def action_next_match(self, step: int) -> None:
        pane = self.current_pane()
        if pane is not None and pane.search is not None and not pane.next_match(step):
            self.say("no hits" + (" yet: still scanning" if pane.row_query.scanning else ""))

    def action_add_filter(self) -> None:
        self.prompt.ask("filter in (regex), or !regex to filter out", self._filtered)

    def _filtered(self, text: str) -> None:
        pane = self.current_pane()
        if pane is not None and text.strip("!"):
            pane.add_filter(text)

    def action_toggle_filters(self) -> None:
        pane = self.current_pane()
        if pane is not None and pane.filters.describe():
            pane.filters.enabled = not pane.filters.enabled
            pane.filters_changed()

    def action_clear_filters(self) -> None:
        self._related_asked = None  # Escape: related events asked for are not shown
        if self.maximized is not None:
            self.minimize()
            return
        pane = self.current_pane()
        if pane is not None:
            pane.clear_filters()

    def action_cycle_severity(self) -> None:
        pane = self.current_pane()
        if pane is not None:
            pane.filters.min_severity = next_severity(pane.filters.min_severity)
            pane.filters_changed()

    def action_pick_type(self) -> None:
        pane = self.current_pane()
        if pane is None:
            return

        def chosen(choice: str | None) -> None:
            if choice is not None:
                pane.filters.categories = (None if choice == PickerScreen.ALL
                                           else frozenset({choice}))
                pane.filters_changed()

        picker = BY_NAME[self.active_name()].picker
        self.app.push_screen(PickerScreen(f"show only one {picker}",
                                          pane.categories(self.store)), chosen)

    def action_toggle_foreign(self) -> None:
        root = str(self.run_layout.root if not self.run_layout.single_file else self.run_layout.root.parent)
        hide = self.panes[NAMES[0]].filters.hide_foreign_under is None
        for pane in self.panes.values():
            pane.filters.hide_foreign_under = root if hide else None
            pane.filters_changed()
        self.say("hiding lines with paths outside the run directory" if hide
                 else "showing every line", timeout=3)

    # -- one record -----------------------------------------------------------------

    def action_inspect(self) -> None:
        self._with_record(lambda _pane, _item, record: self.inspect(record))

    def inspect(self, record: Record) -> None:
        self.app.push_screen(InspectorScreen(record, self.source_of(record), self.zone,
                                             self.show_related, self._file_line))

    def source_of(self, record: Record) -> str:
        """The name of the file a record is in, as the pane of its kind names it."""
        pane = self.panes.get(pane_of_kind(record.kind) or "")
        return (pane.source_of(record, self.store) if pane is not None
                else self.store.source_of(record))

    def _file_line(self, record: Record) -> bytes | None:
        data = self.run_layout.line_of(record)
        # After a rotation or truncation the offset may hold another line.
        return data if data is not None and same_line(record, data) else None

    def action_related(self) -> None:
        self._with_record(lambda _pane, _item, record: self.show_related(record))

    def show_related(self, record: Record) -> None:
        # Kept rows are read back from their files: on a thread, from a copy
        # of where they are taken now (the tail loops go on adding rows).
        kept = [buffer.frozen() for buffer in self.store.buffers.values()]
        sessions, tasks, let_go = self.store.sessions, self.store.tasks, self.store.let_go()
        further = self._related_further(record)
        asked = self._related_asked = (self.active_name(), record)

        def run() -> None:
            # Every kept row read back at once (a big run's: 170k objects), acyclic:
            # the collector's full passes walked them again and again meanwhile
            # (22-100 ms each, all threads held).
            with gc_paused():
                found = related_records(record, [*(r for rows in kept for r in rows),
                                                 *own_events(record, sessions, tasks)],
                                        sessions)
            self.app.call_from_thread(self._related_found, asked, found, let_go, further)

        self.run_worker(run, thread=True, exclusive=True, exit_on_error=False, group="related",
                        name="finding related events")

    def _related_found(self, asked: tuple[str, Record], found: list[Record],
                       let_go: list[str], further: list[tuple[str, RowScan]]) -> None:
        """Their screen, if the row's pane is still in front: on a big run they
        take a while, and a screen that opened after Escape, another pane or
        another screen came in front hid what the user had gone on to."""
        pane_name, record = asked
        if (asked is not self._related_asked or self.app.screen is not self
                or self.active_name() != pane_name):
            return
        self._related_asked = None
        self.app.push_screen(RelatedScreen(record, found, self.zone, self.inspect, let_go,
                                           further))

    def _related_further(self, record: Record) -> list[tuple[str, RowScan]]:
        """Scans, not started, of the files a pane reads whole whose older lines
        the store no longer keeps (a big action log's): related events among
        them are found there. Named as ``RunStore.let_go`` names them."""
        keys = file_keys(record, self.store.sessions)
        if not keys:
            return []
        out: list[tuple[str, RowScan]] = []
        for kind, buffer in self.store.buffers.items():
            pane = self.panes.get(pane_of_kind(kind) or "")
            if buffer.first_seq > 0 and pane is not None and pane.file_backed and pane.kind == kind:
                out.append((self.store.sources.get(kind, kind),
                            RowScan(pane.file_rows, Kept(related_to(keys)),
                                    relation_prefilter(keys))))
        return out

    def action_copy(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        pane, item = selected
        if self._copying is None:
            self._copying = Soon(self, "copy")

        def text() -> str | None:  # (a long line's record is read whole here)
            record = pane.record_of(item)
            return record.line_text if record is not None else None

        copy_soon(self._copying, self.app, text, self.say)

    def action_same_thread(self, step: int) -> None:
        self._with_record(partial(self._same_thread, step), none_said=NO_THREAD)

    def _same_thread(self, step: int, pane: Pane, item: Any, record: Record) -> None:
        keys = relation_keys(record)
        if not keys:
            self.say(NO_THREAD)
            return
        rows = pane.view.rows
        # A file-backed pane is searched this far, not through millions of rows.
        reach = SAME_THREAD_REACH if pane.file_backed else len(rows)
        found = next_of_thread(keys, lambda i: pane.brief_of(rows[i]), len(rows),
                               pane.view.cursor, step, reach)
        if found is not None:
            pane.view.select(found)
            return
        nearby = f" in the {reach:,} rows nearest" if reach < len(rows) else " here"
        self.say(f"no more rows of the same session or task{nearby}")

    # -- saving -------------------------------------------------------------------------

    def action_export(self) -> None:
        self.prompt.ask("save the rows shown as JSONL to (path)", self._export)

    def _export(self, answer: str) -> None:
        pane = self.current_pane()
        if pane is None or not answer.strip():
            return
        try:
            path = export_target(answer.strip(), self.run_layout)
        except ExportError as exc:
            self.say(str(exc), severity="error", timeout=10)
            return
        if path.exists():
            shown = render.safe(str(path), 200)
            self.prompt.ask(f"{shown} exists: replace it? (y/N)",
                            lambda yes: self._save(pane, path) if yes.strip().lower() in (
                                "y", "yes") else self.say("not saved"))
            return
        self._save(pane, path)

    def _save(self, pane: Pane, path) -> None:
        pace = self.keys_first() if self.keys_first is not None else None
        records = pane.row_query.saved(pane.view, partial(pane.records_of, pace=pace))
        source_of = self.source_of
        shown = render.safe(str(path), 200)
        self.say(f"saving {len(pane.view.rows):,} rows to {shown}…")

        def run() -> None:
            try:
                count = write_records(path, ((r, source_of(r)) for r in paced(records(), pace)),
                                      pace)
                done, severity = f"saved {count:,} rows to {shown}", "information"
            except ExportError as exc:
                done, severity = str(exc), "error"
            self.app.call_from_thread(self.say, done, severity, 5)

        self.run_worker(run, thread=True, exit_on_error=False, group="save",
                        name=f"saving {shown}")

