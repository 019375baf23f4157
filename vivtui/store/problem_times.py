"""When and how severe each of the audit log's listed failures and budget
events is, in columns beside the list (``BudgetTracker.problems``): e/E rank
them from these and read no row back (e/E over a big run's list had read
every row back, a call for each)."""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from itertools import compress
from operator import itemgetter

from vivtui.parsing.record import Record
from vivtui.store.buffer import RecordBuffer
from vivtui.store.columns import SEVERITY_CODE
from vivtui.store.triage import NO_RANK, TimedRows

_STAMP, _ZONE, _SEVERITY = map(Record._fields.index, ("stamp", "zone", "severity"))
_SEVERITY_OF = itemgetter(_SEVERITY)


class ProblemTimes:
    def __init__(self) -> None:
        # A column each, a problem's place as in the list; those the list has
        # let go (its oldest) are at their start until let go in bulk.
        self.times = array("d")  # NaN: no time
        self.severities = bytearray()
        # Each severity's ranks and places, as ``timed_at`` last made them.
        self._timed: dict[int, tuple] = {}

    def add(self, rows: list[tuple], seconds: Callable, listed: int) -> None:
        """``rows``, just listed (the list holds ``listed`` now), timed by
        ``seconds`` (a row's stamp and zone to epoch seconds, or None)."""
        times = self.times
        for row in rows:
            ts = seconds(row[_STAMP], row[_ZONE])
            times.append(ts if ts is not None else math.nan)
        self.severities.extend(SEVERITY_CODE.get(severity, 0)
                               for severity in map(_SEVERITY_OF, rows))
        self._let_go(listed, len(self.times) - listed)

    def followed_by(self, later: ProblemTimes, listed: int) -> None:
        """``later``'s after these, for a joined list of ``listed``. (Those
        ``later``'s list let go are at its columns' start: when there are
        any, the joined list is ``later``'s alone, and they go with these.)"""
        self.times.extend(later.times)
        self.severities.extend(later.severities)
        self._let_go(listed, len(self.times) - listed, at_once=True)

    def _let_go(self, listed: int, over: int, at_once: bool = False) -> None:
        """Those the list no longer holds, let go when they outnumber it (in
        bulk: each problem added let one go, a shift of both columns)."""
        if over > (0 if at_once else listed):
            del self.times[:over]
            del self.severities[:over]

    def ranks_at(self, severity: str, problems: RecordBuffer) -> list[float | None]:
        """Each listed problem's time (``problems``' order) as e/E rank it
        where it is of ``severity`` (seconds; no time: ``NO_RANK``), else
        None: with no call per problem (a live big run's e spent 10-20 ms in one)."""
        skip = len(self.times) - len(problems)
        code = SEVERITY_CODE.get(severity)
        return [(ts if ts == ts else NO_RANK) if found == code else None
                for ts, found in zip(self.times[skip:], self.severities[skip:])]

    def timed_at(self, severity: str, problems: RecordBuffer) -> TimedRows:
        """The listed problems of ``severity`` (their places in ``problems``)
        with their times as ``ranks_at`` gives them, made in C (a live big
        run's 30k: 6-10 ms of each e, a call for each), from those of the
        last look while the list only grew (the big run's 100k listed looked
        at again: 10 ms of each e)."""
        times, listed, first = self.times, len(problems), problems.first_seq
        skip = len(times) - listed
        code = SEVERITY_CODE.get(severity)
        if code is None:
            return TimedRows([], [])
        # (Made when the list's oldest was ``first`` too: none has gone since.)
        made_first, start, ranks, places = self._timed.get(code, (None, 0, [], []))
        if made_first != first or start > listed:
            start, ranks, places = 0, [], []
        fresh = list(compress(range(start, listed), map(code.__eq__,
                                                        self.severities[skip + start:])))
        ranks = ranks + list(map(times.__getitem__, map(skip.__add__, fresh)))
        places = places + fresh
        self._timed[code] = (first, listed, ranks, places)
        return TimedRows(ranks, places)
