"""The burst and budget-level rules' arithmetic: one step of each, on state
passed in, for the engine (``rules``) and for the join of a file read in two
parts (``parts``), which replays the later part's events on the first part's
state."""

from __future__ import annotations

from collections import deque

from vivtui.store.budget_limits import limit_holds


def burst_step(times: deque[float], in_burst: bool, at: float, window: float,
               needed: int) -> tuple[bool, bool, int]:
    """A failure or rate limit at ``at`` taken into the window ``times``:
    whether a burst is on now, whether it began with this one, and how many
    earlier ones left the window."""
    left = 0
    while times and times[0] < at - window:
        times.popleft()
        left += 1
    times.append(at)
    if len(times) < needed:
        return False, False, left
    return True, not in_burst, left


def crossed_level(wanted: tuple[float, ...], levels: dict[str, float], spent: dict[str, float],
                  refused: set[str], user: str, cost: float,
                  limit: float) -> tuple[float, float, float] | None:
    """Wrapper ``user`` at ``cost`` of ``limit`` after a batch: the level it
    crossed since the last look, its share of the limit and its spend at the
    last look, when an alert is due; ``levels`` and ``spent`` brought up to
    date either way."""
    before = spent.get(user, 0.0)
    spent[user] = cost
    if not limit_holds(cost, limit):
        return None  # its limit is not known: no level of it is crossed
    share = cost / limit if limit > 0 else 0.0
    crossed = [level for level in wanted if share >= level > levels.get(user, 0.0)]
    if not crossed:
        return None
    level = levels[user] = max(crossed)  # several at once (a backlog): the highest says it all
    if user in refused:
        return None  # its refusal said more (and a refusal moves the limit it infers)
    return level, share, before


def first_time(seen: set, cause) -> bool:
    """Is this the first time ``cause`` is seen? (It is, from now on.)"""
    if cause in seen:
        return False
    seen.add(cause)
    return True
