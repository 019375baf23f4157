"""Which API wrappers spent in each of a run's latest minutes: those a
forecast looks at (``WrapperLimits.forecast``), not all of them.

A forecast walked every wrapper's minutes at every draw of the audit pane:
with 300k wrappers, 0.3-1 s of the screen's thread each second while the run
was live, where a handful had spent in the last ten minutes. The latest
``KEPT`` minutes written are kept (a line stamped years ahead takes one of
them, not the rest); a look further back than they reach says so, and the
forecast walks every wrapper, as before.
"""

from __future__ import annotations

KEPT = 16  # minutes: the forecast's ten (``FORECAST_WINDOW_S``), and room for stray stamps


class RecentSpenders:
    def __init__(self) -> None:
        self.by_minute: dict[int, set[str]] = {}
        self.dropped: float = float("-inf")  # the latest minute no longer kept

    def of_minute(self, minute: int) -> set[str]:
        """The set to add a wrapper that spent in ``minute`` to (one that is not
        kept, for a minute older than those kept)."""
        users = self.by_minute.get(minute)
        if users is not None:
            return users
        if minute <= self.dropped:
            return set()
        if len(self.by_minute) >= KEPT:
            oldest = min(self.by_minute)
            if minute < oldest:
                self.dropped = max(self.dropped, minute)
                return set()
            del self.by_minute[oldest]
            self.dropped = max(self.dropped, oldest)
        users = self.by_minute[minute] = set()
        return users

    def since(self, first: int) -> set[str] | None:
        """The wrappers that spent in minute ``first`` or later; None if
        minutes from ``first`` on are no longer all kept."""
        if first <= self.dropped:
            return None
        return set().union(*(users for minute, users in self.by_minute.items()
                             if minute >= first))

    def followed_by(self, later: RecentSpenders) -> None:
        """``later``'s minutes with these (a log read in two parts)."""
        for minute, users in sorted(later.by_minute.items()):
            self.of_minute(minute).update(users)
        self.dropped = max(self.dropped, later.dropped)
