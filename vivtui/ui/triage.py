"""The main screen's triage keys: search, filters, the inspector, related events,
the next failure across panes, copy and save. The rules they follow (time order
across panes, same-thread stepping) are ``store.triage``'s; this module turns
keys into them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vivtui.export import ExportError, export_target, write_records
from vivtui.parsing.record import Record, same_line
from vivtui.safetext import shareable
from vivtui.store.filters import next_severity
from vivtui.store.related import (
    file_keys,
    own_events,
    related_records,
    related_to,
    relation_keys,
    relation_prefilter,
    sort_time,
)
from vivtui.store.scan import Kept, RowScan
from vivtui.store.triage import (
    SAME_THREAD_REACH,
    Position,
    identity,
    next_of_thread,
    next_position,
    only_in_timeline,
)
from vivtui.ui import render
from vivtui.ui.inspector import InspectorScreen
from vivtui.ui.jump_gaps import Found, Gap, gaps, walk
from vivtui.ui.panes.base import Pane
from vivtui.ui.panes.registry import BY_NAME, NAMES, pane_of_kind
from vivtui.ui.prompt import PickerScreen
from vivtui.ui.related_screen import RelatedScreen

TIMELINE = "timeline"
AUDIT = "budget"


class TriageActions:
    """Mixed into the main screen: needs ``store``, ``run_layout``, ``zone``,
    ``panes``, ``prompt``, ``current_pane``, ``active_name``, ``focus_pane`` and
    ``reading`` (how much of the run's backlog is read; None: all of it)."""

    pending_jump: tuple[str, int] | None = None
    _unlisted_said = False  # see ``_note_unlisted``
    _jump_token: object | None = None  # the latest jump's, whose walk may answer

    def say(self, text: str, severity: str = "information", timeout: float = 2) -> None:
        self.app.notify(render.safe(text, 300), severity=severity, markup=False,
                        timeout=timeout)

    def _selected(self) -> tuple[Pane, Any] | None:
        pane = self.current_pane()
        if pane is None or pane.view.selected is None:
            return None
        return pane, pane.view.selected

    def _selected_record(self) -> Record | None:
        selected = self._selected()
        return selected[0].record_of(selected[1]) if selected is not None else None

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
        record = self._selected_record()
        if record is not None:
            self.inspect(record)

    def inspect(self, record: Record) -> None:
        self.app.push_screen(InspectorScreen(record, self.store.source_of(record), self.zone,
                                             self.show_related, self._file_line))

    def _file_line(self, record: Record) -> bytes | None:
        data = self.run_layout.line_at(record.kind, record.offset)
        # After a rotation or truncation the offset may hold another line.
        return data if data is not None and same_line(record, data) else None

    def action_related(self) -> None:
        record = self._selected_record()
        if record is not None:
            self.show_related(record)

    def show_related(self, record: Record) -> None:
        # Kept rows are read back from their files: on a thread, from a copy
        # of where they are taken now (the tail loops go on adding rows).
        kept = [buffer.frozen() for buffer in self.store.buffers.values()]
        sessions, tasks, let_go = self.store.sessions, self.store.tasks, self.store.let_go()
        further = self._related_further(record)

        def run() -> None:
            found = related_records(record, [*(r for rows in kept for r in rows),
                                             *own_events(record, sessions, tasks)], sessions)
            self.app.call_from_thread(self.app.push_screen, RelatedScreen(
                record, found, self.zone, self.inspect, let_go, further))

        self.run_worker(run, thread=True, exclusive=True, exit_on_error=False, group="related",
                        name="finding related events")

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
        record = self._selected_record()
        if record is not None:
            data = shareable(record.line_text)  # masked, no escapes: it leaves the screen
            self.app.copy_to_clipboard(data)
            self.say(f"copied {len(data):,} characters")

    def action_same_thread(self, step: int) -> None:
        selected = self._selected()
        if selected is None:
            return
        pane, item = selected
        record = pane.record_of(item)
        keys = relation_keys(record) if record is not None else set()
        if not keys:
            self.say("this row has no session, task or identity")
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

    # -- across panes -----------------------------------------------------------------

    def action_jump(self, level: str, step: int) -> None:
        """e/E, w/W: the next failure (warning) of the run in time order, any
        pane. While the files' first contents are still being read, the answer
        would come from part of the run: the jump waits for the rest. In a
        file-backed pane that ``walks_its_file``, the next one in its file."""
        pane = self.current_pane()
        walks = self.walks_its_file(pane) if pane is not None else False
        if walks is None:
            self._wait_for_merge(level, step)
            return
        if walks:
            self.pending_jump = None
            self._jump_token = object()  # (an earlier jump's walk answers no more)

            def answered(found: int | None) -> None:
                if found is None:
                    self.say(f"no {level}s {'below' if step > 0 else 'above'} this line")

            pane.seek_problem(level, step, answered)
            return
        progress = self.reading()
        if progress is not None:
            self.pending_jump = (level, step)
            self.say(f"reading the run ({progress:.0%}): the {level} follows once it is read")
            return
        if self.panes[TIMELINE].merging(self.store):
            self._wait_for_merge(level, step)
            return
        self.pending_jump = None
        self.refresh_panes()  # the jump looks at every pane's rows; hidden ones wait
        self.jump(level, step)

    def _wait_for_merge(self, level: str, step: int) -> None:
        """The timeline's newest rows of every file are merged on a thread
        when many (a big run's first e merged 50,000 rows on the UI thread:
        1.4 s): the jump follows (``on_timeline_pane_gathered``)."""
        self.pending_jump = (level, step)
        self.say(f"merging the newest rows of every file: the {level} follows")

    def on_timeline_pane_gathered(self, message) -> None:
        self.jump_if_pending()  # (the pane took the merge in first)

    def walks_its_file(self, pane: Pane) -> bool | None:
        """Do e/E in ``pane`` go through its file rather than the run's kept rows
        in time order? When the timeline is short of its rows: they have no time
        of their own (the kernel's backlog: a kernel log opened alone said "no
        failures" beside 105,193), or it keeps only the newest (from the top of
        a 1M-line action log, e went to line 950,014, the oldest failure kept).
        None: not known until the timeline's merge on a thread is done."""
        if not pane.file_backed:
            return False
        timeline = self.panes[TIMELINE]
        if len(pane.file_rows) > timeline.timeline.capacity:
            return True  # (known before its backlog is counted)
        if timeline.merging(self.store):
            return None
        return pane.kind in timeline.timeline.short

    def jump_if_pending(self) -> None:
        if (self.pending_jump is not None and self.reading() is None
                and not self.panes[TIMELINE].gathering):
            self.action_jump(*self.pending_jump)

    def jump(self, level: str, step: int) -> None:
        timeline = self.panes[TIMELINE]
        timeline.catch_up(self.store)  # its malformed lines count too
        # A file-backed pane (the action log) may hold millions of rows: its
        # problems are found in the timeline (the store's newest records of
        # every file) and shown where they are in the file.
        backed = {name for name, pane in self.panes.items() if pane.file_backed}
        listed = [kind for name in NAMES for kind in BY_NAME[name].streams]
        current = identity(self._selected_record())
        active = self.active_name()
        candidates: list[Position] = []
        found = False
        for rank, name in enumerate(NAMES):
            pane = self.panes[name]
            if name in backed:
                continue
            cursor = pane.view.cursor if name == active else -1
            for when, index, item in pane.ranked_problems(level):
                # Not its own next failure. (A row's record is made only in the
                # timeline, which repeats other panes: made for each of a big
                # run's failed sessions and tasks, e took 0.9-1 s.)
                if name == TIMELINE:
                    record = pane.brief_of(item)
                    if not (only_in_timeline(record, listed) or (
                            record is not None and pane_of_kind(record.kind) in backed)):
                        continue
                    mine = identity(record) == current
                else:
                    mine = index == cursor
                found = True
                if not mine:
                    candidates.append((when, rank, index))
        here = self._position()
        target = next_position(candidates, here, step)
        wrapped = target is not None and (target < here if step > 0 else target > here)
        first, then = gaps(self.panes.values(), timeline.timeline, step, here[0],
                           target[0] if target is not None else None, wrapped)
        token = self._jump_token = object()  # (a walk of an earlier jump answers no more)
        if not first and not then:
            self._go_to(level, target, found, backed)
            self._note_unlisted(here[0], target[0] if target is not None else None)
            return

        def walked(hit: Found | None, rest: list[Gap]) -> None:
            if token is not self._jump_token:
                return  # another jump since
            if hit is not None:
                self.focus_pane(pane_of_kind(hit.pane.kind) or self.active_name())
                hit.pane.view.select(hit.position)
                self._note_unlisted(here[0], hit.time)
            elif rest:
                walk(rest, level, step, lambda hit: walked(hit, []))
            else:
                self._go_to(level, target, found, backed)
                self._note_unlisted(here[0], target[0] if target is not None else None)

        walk(first, level, step, lambda hit: walked(hit, then))

    def _note_unlisted(self, *times: datetime | None) -> None:
        """Said once, when a jump starts or ends where the audit pane's older
        failures are not listed (it lists the newest): the jump passed them."""
        before = self.panes[AUDIT].unlisted_before(self.store)
        if before is None or self._unlisted_said or not any(
                when is not None and when < before for when in times):
            return
        self._unlisted_said = True
        self.say(f"API failures and budget events before {render.clock(before, self.zone, True)}"
                 " are counted, not listed (the audit pane lists the newest): e/E pass them",
                 timeout=8)

    def _go_to(self, level: str, target: Position | None, found: bool,
               backed: set[str]) -> None:
        """The jump's answer among the panes' rows and the timeline's."""
        if target is None:
            self.say(f"no other {level}s" if found else f"no {level}s")
            return
        _, rank, index = target
        name = NAMES[rank]
        record = self.panes[name].brief_of(self.panes[name].view.rows[index])
        home = pane_of_kind(record.kind) if record is not None else None
        if home in backed:
            position = self.panes[home].row_query.position_of(record, self.panes[home].view)
            if position is not None:
                name, index = home, position
        self.focus_pane(name)
        self.panes[name].view.select(index)

    def _position(self) -> Position:
        active = self.active_name()
        pane = self.panes[active]
        item = pane.view.selected
        if item is None:
            return (sort_time(None), -1, -1)
        if pane.file_backed:
            # Its failures are ranked where the timeline has them: say where
            # this row is there, so that equal times keep file order.
            timeline = self.panes[TIMELINE]
            wanted = identity(pane.record_of(item))
            for index, row in enumerate(timeline.view.rows):
                if identity(timeline.record_of(row)) == wanted:
                    return (sort_time(pane.time_of(item)), NAMES.index(TIMELINE), index)
        return (sort_time(pane.time_of(item)), NAMES.index(active), pane.view.cursor)

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
        records = pane.row_query.saved(pane.view, pane.record_of)
        source_of = self.store.source_of
        shown = render.safe(str(path), 200)
        self.say(f"saving {len(pane.view.rows):,} rows to {shown}…")

        def run() -> None:
            try:
                count = write_records(path, ((r, source_of(r)) for r in records()))
                done, severity = f"saved {count:,} rows to {shown}", "information"
            except ExportError as exc:
                done, severity = str(exc), "error"
            self.app.call_from_thread(self.say, done, severity, 5)

        self.run_worker(run, thread=True, exit_on_error=False, group="save",
                        name=f"saving {shown}")
