"""The next failure (or warning) of the run across panes, in time order: e/E
and w/W. The ranking rule is ``store.triage``'s (``next_among``); rows a
pane's file holds and the timeline does not are walked (``ui.jump_gaps``)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import NamedTuple

from vivtui.parsing.kinds import gc_paused
from vivtui.store.triage import (
    NO_RANK,
    Position,
    Ranked,
    TimedRows,
    identity,
    malformed_only_in_timeline,
    moment,
    next_among,
)
from vivtui.ui import render
from vivtui.ui.jump_gaps import Found, Gap, gaps, walk
from vivtui.ui.panes.base import Pane
from vivtui.ui.panes.registry import BY_NAME, NAMES, pane_of_kind
from vivtui.ui.panes.timeline import TimelinePane

TIMELINE = "timeline"
AUDIT = "budget"


class _TimelineOnly(NamedTuple):
    """The timeline's problems no other pane lists (``_timeline_only``), kept
    for what they were found from: its rows, the level, the file-backed panes."""

    made_of: tuple
    problems: TimedRows
    row_of: dict  # a row's identity -> its place among the timeline's rows


class JumpActions:
    """Mixed into the main screen: needs ``store``, ``zone``, ``panes``,
    ``current_pane``, ``active_name``, ``focus_pane``, ``refresh_panes``,
    ``say``, ``_selected_identity`` (``TriageActions``) and ``reading`` (how
    much of the run's backlog is read; None: all of it)."""

    pending_jump: tuple[str, int] | None = None
    _unlisted_said = False  # see ``_note_unlisted``
    _jump_token: object | None = None  # the latest jump's, whose walk may answer
    _timeline_kept: _TimelineOnly | None = None  # see ``_timeline_only``

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
        # The jump looks at every pane's rows; hidden ones wait. First: a
        # refresh can change what the timeline merges (a file read to its end
        # is merged from its rows, no longer its preview's), and that merge,
        # made in ``jump``, took 331-419 ms of the UI thread. (The status line
        # is drawn with the answer: 2-7 ms more on a live big run.)
        self.refresh_panes(status=False)
        if self.panes[TIMELINE].merging(self.store):
            self._wait_for_merge(level, step)
            return
        self.pending_jump = None
        self.jump(level, step)

    def _wait_for_merge(self, level: str, step: int) -> None:
        """The timeline's newest rows of every file are merged on a thread
        when many (a big run's first e merged 50,000 rows on the UI thread:
        1.4 s): the jump follows (``on_timeline_pane_gathered``)."""
        self.pending_jump = (level, step)
        self.say(f"merging the newest rows of every file: the {level} follows")
        answer_waits = getattr(self.app, "answer_waits_for_work", None)
        if answer_waits is not None:
            answer_waits()

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
        current = self._selected_identity()
        # Its rows' ranks are made and let go at once: a pass of the cyclic
        # collector over a big run's kept rows in the middle (50 ms) would
        # only make the key wait.
        with gc_paused():
            candidates, found = self._candidates(level, backed, listed, current)
        here = self._position()
        target = next_among(candidates, here, step)
        wrapped = target is not None and (target < here if step > 0 else target > here)
        start, end = moment(here[0]), moment(target[0]) if target is not None else None
        first, then = gaps(self.panes.values(), timeline.timeline, step, start, end, wrapped)
        token = self._jump_token = object()  # (a walk of an earlier jump answers no more)
        if not first and not then:
            self._go_to(level, target, found, backed)
            self._note_unlisted(start, end)
            return

        def walked(hit: Found | None, rest: list[Gap]) -> None:
            if token is not self._jump_token:
                return  # another jump since
            if hit is not None:
                self.focus_pane(pane_of_kind(hit.pane.kind) or self.active_name())
                hit.pane.view.select(hit.position)
                self._note_unlisted(start, hit.time)
            elif rest:
                walk(rest, level, step, lambda hit: walked(hit, []))
            else:
                self._go_to(level, target, found, backed)
                self._note_unlisted(start, end)

        walk(first, level, step, lambda hit: walked(hit, then))

    def _candidates(self, level: str, backed: set[str], listed: list[str],
                    current: object) -> tuple[list[Ranked], bool]:
        """Every pane's rows of ``level`` (sorted, with the row not to stop at:
        the one under the cursor); and whether there was any at all."""
        active = self.active_name()
        candidates: list[Ranked] = []
        for rank, name in enumerate(NAMES):
            pane = self.panes[name]
            if name in backed:
                continue
            if name == TIMELINE:
                ranked, skip = self._timeline_only(pane, level, backed, listed, current)
            else:
                ranked = pane.ranked_problems(level)
                skip = pane.view.cursor if name == active else -1
            if ranked:
                candidates.append((rank, ranked, skip))
        return candidates, bool(candidates)

    def _timeline_only(self, pane: TimelinePane, level: str, backed: set[str],
                       listed: list[str], current: object) -> tuple[TimedRows, int]:
        """Of the timeline's rows at ``level``, those no other pane lists,
        ranked, and the one that is the row under the cursor (-1: none). (A
        row's record is made only in the timeline, which repeats other panes:
        made for each of a big run's failed sessions and tasks, e took 0.9-1
        s; kept while the timeline's rows stand. Those others are not ranked:
        a live big run's 12k, at each e, took 10-15 ms.)"""
        made_of = (pane.ranks_key(level), level, frozenset(backed))
        kept = self._timeline_kept
        if kept is None or kept.made_of != made_of:
            only = pane.problem_places(level, lambda kind: pane_of_kind(kind) in backed,
                                       partial(malformed_only_in_timeline, listed_kinds=listed))
            kept = self._timeline_kept = _TimelineOnly(made_of, pane.timed_at(only),
                                                       pane.places_by_identity(only))
        return kept.problems, kept.row_of.get(current, -1)

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
            return (NO_RANK, -1, -1)
        if pane.file_backed:
            # Its failures are ranked where the timeline has them: say where
            # this row is there, so that equal times keep file order.
            timeline = self.panes[TIMELINE]
            wanted = identity(pane.brief_of(item))
            for index, row in enumerate(timeline.view.rows):
                if identity(timeline.record_of(row)) == wanted:
                    return (pane.rank_time(item), NAMES.index(TIMELINE), index)
        return (pane.rank_time(item), NAMES.index(active), pane.view.cursor)
