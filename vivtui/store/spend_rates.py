"""Each API wrapper's spend over the forecast's window, kept as the spend
comes in (``WrapperLimits.forecast``).

The forecast worked out every wrapper that spent in its ten minutes again at
each draw of the audit pane: with 60k of them, 230-340 ms of the screen's
thread every second of a live run. Each one's spend over the window and the
time its rate is measured from are kept here; a look works them out again
only for the wrappers whose account changed since the last look and, when
the window has moved on, for those that spent in the minutes it left or took
in. What is left for a draw is passes in C over the kept columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vivtui.store.budget import Wrapper
    from vivtui.store.recent_spenders import RecentSpenders


class SpendRates:
    def __init__(self) -> None:
        self.minutes: range | None = None  # the window of the last look
        # Per wrapper that spent in it, the same keys in the same order: its
        # spend in the window, when its rate is measured from at the latest
        # (epoch s), and its account as the last look found it (a draw read
        # them from 60k wrappers: 20 ms, each one's object a cache miss).
        self.spent: dict[str, float] = {}
        self.first: dict[str, float] = {}
        self.cost: dict[str, float] = {}
        self.inferred: dict[str, float | None] = {}
        self.changed: set[str] = set()  # wrappers whose account moved since the last look

    def look(self, by_user: dict[str, Wrapper], recent: RecentSpenders,
             minutes: range) -> None:
        """The kept spend brought up to ``minutes`` and the wrappers' accounts."""
        changed, self.changed = self.changed, set()
        if minutes != self.minutes:
            moved_in = None if self.minutes is None else _spenders_of(
                recent, set(minutes).symmetric_difference(self.minutes))
            if moved_in is None:  # (the minutes' spenders are not all known: all of them)
                self.spent, self.first, self.cost, self.inferred = {}, {}, {}, {}
                known = recent.since(minutes[0])
                changed = set(by_user) if known is None else known
            else:
                changed |= moved_in
            self.minutes = minutes
        spent, first, cost, inferred = self.spent, self.first, self.cost, self.inferred
        for user in changed:
            wrapper = by_user[user]
            found = rate_basis(wrapper, minutes)
            if found is None:
                if spent.pop(user, None) is not None:
                    del first[user], cost[user], inferred[user]
            else:
                spent[user], first[user] = found
                cost[user], inferred[user] = wrapper.cost, wrapper.inferred_limit


def _spenders_of(recent: RecentSpenders, minutes: set[int]) -> set[str] | None:
    """Who spent in any of ``minutes``; None if one of them is no longer kept."""
    if minutes and min(minutes) <= recent.dropped:
        return None
    return set().union(*(recent.by_minute.get(minute, ()) for minute in minutes))


def rate_basis(wrapper: Wrapper, minutes: range) -> tuple[float, float] | None:
    """What ``wrapper`` spent in ``minutes`` (those it spent in, summed in
    order), and the time its rate is measured from at the latest: its first
    spend, to the second, if that is within its earliest minute written (its
    first line was its earliest), else that minute's start. None: it spent
    nothing in them."""
    by_minute = wrapper.by_minute
    spending = [minute for minute in minutes if by_minute.get(minute, 0) > 0]
    if not spending:
        return None
    earliest = min(by_minute) * 60.0
    first = wrapper.first_spent_at
    if first is None or not earliest <= first < earliest + 60.0:
        first = earliest
    return sum(by_minute[minute] for minute in spending), first
