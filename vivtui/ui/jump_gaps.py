"""e/E across panes where the timeline holds only a file's newest rows.

The jump ranks the run's failures by time across panes, a file-backed pane's
(the action log's) as the timeline has them: its newest 50,000 rows of every
file together. From a session early in a big run, ``e`` skipped every failure
of the action log older than those. Here the older lines of such a file are
walked (``FileQuery.seek``, a worker) between the row the jump starts from
and the answer the timeline gave; a failure found there comes first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

from vivtui.store.scan import first_row_after
from vivtui.store.timeline import Timeline
from vivtui.ui.panes.base import Pane


class Gap(NamedTuple):
    """File rows of a pane the timeline does not hold, to walk from ``start``
    to before (going down) or down to (going up) ``stop``, for rows written
    after ``after`` and before ``before`` (None: no bound): the rows were
    found by their times, and a file written by several writers is in time
    order only roughly."""

    pane: Pane
    start: int
    stop: int
    after: datetime | None
    before: datetime | None


class Found(NamedTuple):
    pane: Pane
    position: int  # among the pane's rows shown
    time: datetime


def gaps(panes: Iterable[Pane], timeline: Timeline, step: int, here: datetime,
         target: datetime | None, wrapped: bool) -> tuple[list[Gap], list[Gap]]:
    """The gaps to walk first, and then if nothing is found there (when the
    timeline's answer went round the run's end, or there is none): the rows
    between the jump's start ``here`` and the ``target`` time the timeline gave,
    and round the end."""
    first: list[Gap] = []
    then: list[Gap] = []
    for pane in panes:
        if not (pane.file_backed and pane.view.is_mounted and pane.kind in timeline.let_go
                and pane.kind not in timeline.untimed_kinds and len(pane.file_rows)):
            continue
        try:
            _add_gaps(pane, timeline, step, here, target, wrapped, first, then)
        except (IndexError, OSError):  # the file rotated or shrank meanwhile: ranked as kept
            continue
    walked = [gap for gap in first if _rows_in(gap, step)]
    return walked, [gap for gap in then if _rows_in(gap, step)]


def _add_gaps(pane: Pane, timeline: Timeline, step: int, here: datetime,
              target: datetime | None, wrapped: bool, first: list[Gap],
              then: list[Gap]) -> None:
    """``gaps`` of one pane: its file's rows are looked at by halves."""
    rows = pane.file_rows
    oldest = timeline.oldest_of(pane.kind)
    kept = len(rows) if oldest is None else rows.row_of(oldest[2])
    if kept is None:  # (not found where it was read: by its time)
        kept = first_row_after(rows, oldest[0], strict=False)
    bounded = target is not None and not wrapped
    if step > 0:
        start = first_row_after(rows, here)
        stop = min(kept, first_row_after(rows, target, strict=False)) if bounded else kept
        first.append(Gap(pane, start, stop, here, target if bounded else None))
        if not bounded:  # round the end: the run's first failure may be here
            end = kept if target is None else first_row_after(rows, target, strict=False)
            then.append(Gap(pane, 0, min(end, kept, start), None,
                            here if target is None else target))
    else:
        below = min(kept, first_row_after(rows, here, strict=False))
        stop = first_row_after(rows, target) if bounded else 0
        first.append(Gap(pane, below - 1, stop, target if bounded else None, here))
        if not bounded:  # round the start: the run's last failure may be here
            low = 0 if target is None else first_row_after(rows, target)
            then.append(Gap(pane, kept - 1, max(low, below),
                            here if target is None else target, None))


def walk(gaps: list[Gap], level: str, step: int,
         answer: Callable[[Found | None], None]) -> None:
    """Each gap walked in turn for its failure of ``level`` nearest the jump's
    start; the nearest of those found ``answer``ed (None: none)."""
    found: list[Found] = []

    def next_gap(left: list[Gap]) -> None:
        if not left:
            answer(min(found, key=lambda f: f.time) if step > 0 and found
                   else max(found, key=lambda f: f.time) if found else None)
            return
        gap, rest = left[0], left[1:]
        pane = gap.pane

        def walked(position: int | None) -> None:
            if position is not None:
                record = pane.record_of(pane.view.rows[position])
                if record is not None and record.ts is not None:
                    found.append(Found(pane, position, record.ts))
            next_gap(rest)

        def wanted(record) -> bool:
            when = record.ts
            return (pane.problem_level(record) == level and when is not None
                    and (gap.after is None or when > gap.after)
                    and (gap.before is None or when < gap.before))

        pane.row_query.seek(pane.view, step, wanted, walked, between=(gap.start, gap.stop))

    next_gap(list(gaps))


def _rows_in(gap: Gap, step: int) -> bool:
    return gap.start < gap.stop if step > 0 else gap.start >= gap.stop
