"""How a pane's rows are named, found again, ranked for e/E and counted by
type: mixed into the base pane (``panes.base``), whose rows (``view``), query,
``describe``, ``brief_of``, ``time_of`` and ``severity_of`` it reads. A pane
with a model overrides ``place_of`` and ``item_named`` to find its rows by the
model's own keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from vivtui.parsing.record import ERROR, WARNING, make
from vivtui.store.rows import UNKNOWN, position_at, position_in
from vivtui.store.triage import TimedRows, rank_of

if TYPE_CHECKING:
    from vivtui.store.run import RunStore

PROBLEM_LEVEL = {ERROR: "failure", WARNING: "warning"}
LEVEL_SEVERITY = {level: severity for severity, level in PROBLEM_LEVEL.items()}
LOOK_THROUGH = object()  # ``RowFinding.item_named``: no index, the rows are looked through


class RowFinding:
    def place_of(self, item: Any) -> list | None:
        """What names a row across sessions of vivtui (a mark, the cursor kept):
        its line's kind, number and offset; a model's rows say their own."""
        record = self.brief_of(item)
        return [record.kind, record.line, record.offset] if record is not None else None

    def index_of(self, place: list) -> int | None:
        """Where the row ``place`` names is among the rows shown, if it is."""
        rows = self.view.rows
        if self.file_backed:
            if len(place) != 3:
                return None
            kind, line, offset = place
            return self.row_query.position_of(make(kind, line, offset, None, None, "", "", None),
                                              self.view)
        item = self.item_named(place)
        if item is not LOOK_THROUGH:
            return position_in(rows, item) if item is not None else None
        if len(place) == 3:
            found = position_at(rows, *place)
            if found is not UNKNOWN:
                return found
        return next((index for index, item in enumerate(rows)
                     if self.place_of(item) == place), None)

    def item_named(self, place: list) -> Any:
        """The row ``place`` names, found by its model's own index (None: it
        has none such); ``LOOK_THROUGH``: a pane whose model has no index,
        whose rows are looked through (short lists)."""
        return LOOK_THROUGH

    def problem_level(self, item: Any) -> str | None:
        """What e/E and w/W stop at: "failure", "warning", or nothing."""
        return PROBLEM_LEVEL.get(self.severity_of(item))

    def problems(self, level: str) -> Iterable[tuple[int, Any]]:
        """The rows shown whose ``problem_level`` is ``level``, with their
        places (e/E walk every row of every pane that lists models)."""
        return ((index, item) for index, item in enumerate(self.view.rows)
                if self.problem_level(item) == level)

    def rank_time(self, item: Any) -> float:
        """``time_of`` as e/E rank it (``store.triage.Position``)."""
        return rank_of(self.time_of(item))

    def timed_problems(self, level: str) -> Iterable[tuple[float, int]]:
        """The places of ``problems`` with their times as e/E rank them
        (``rank_time``)."""
        rank = self.rank_time
        return ((rank(item), index) for index, item in self.problems(level))

    def ranked_problems(self, level: str) -> TimedRows:
        """``timed_problems`` as columns, found once for what they are made of
        (``ranks_key``): each e over a big run's 200k sessions and tasks
        walked them all again (0.19 s)."""
        key = self.ranks_key(level)
        kept = self._ranked.get(level)
        if kept is None or kept[0] != key:
            timed = self.timed_problems(level)
            kept = self._ranked[level] = (key, timed if isinstance(timed, TimedRows)
                                          else TimedRows.of(timed))
        return kept[1]

    def ranks_key(self, level: str) -> object:
        """What ``timed_problems`` are made of: the rows shown as they are."""
        rows = self.view.rows
        return (id(rows), len(rows), self._seen_version)

    def categories(self, store: RunStore) -> list[tuple[str, int]]:
        """What the `t` picker offers: this pane's categories and their counts."""
        return Counter(map(self.category_of, self._source)).most_common()

    def category_of(self, item: Any) -> str:
        """``describe``'s category alone (what `t` counts: the timeline's
        50k rows, each described whole, took 0.3 s)."""
        return self.describe(item)[1]
