"""Alerts of a file read in two parts at once (``ingest.apart_parts``): the
engine of the part after the cut joined onto the engine of the part before,
as if one engine had read on.

The later part's engine starts knowing nothing of what came before the cut.
What it raised stands where the rule needs nothing from before: a safety
block, a streak begun after the cut. The rest is mended at the join: a
file's malformed lines and a wrapper's refusal alert once (the first part
may have had them); a streak across the cut (``alerts.streaks``); for an
audit log, the later engine keeps a ``Lead``: each batch's moved wrapper
accounts (their spend there, without the first part's), to judge the
budget levels again with the first part's spend added, and its first
failures and rate limits, replayed on the first part's burst window until
the two windows agree.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vivtui.alerts.alert import BUDGET, BURST, MALFORMED_LINES, REFUSED, Alert
from vivtui.alerts.judging import burst_step, crossed_level
from vivtui.parsing import api_audit

if TYPE_CHECKING:
    from vivtui.alerts.rules import AlertEngine
    from vivtui.store.budget import BudgetTracker
    from vivtui.store.run import RunStore

# A batch's rows, read again from the file: (first line, its offset, the last row's offset).
ReadRows = Callable[[int, int, int], list]


@dataclass(slots=True)
class Lead:
    """What the engine of a part after a cut keeps for the join."""

    # Per batch whose wrappers moved: its first line and offset, its last
    # row's offset, each moved wrapper's (spend, spend at its latest refusal
    # that said what was left, what was left), and the wrappers refused first.
    batches: list[tuple[int, int, int, dict, set]] = field(default_factory=list)
    # The first failures and rate limits: (time, row, the window's length after it).
    bursts: list[tuple[float, tuple, int]] = field(default_factory=list)
    bursts_whole: bool = True  # every one of them is in ``bursts``
    refusals: list[tuple[str, Alert]] = field(default_factory=list)  # (wrapper, its alert)
    _burst_until: float | None = None
    _accounts: dict[str, tuple] = field(default_factory=dict)
    _refused: set[str] = field(default_factory=set)

    def saw_budget(self, rows: list, budget: BudgetTracker, refused: set[str],
                   users: list[str] | None = None) -> None:
        """``users``: the wrappers that may have moved (None: any of them)."""
        moved = {}
        wrappers = (budget.by_user.items() if users is None
                    else ((user, budget.by_user[user]) for user in users))
        for user, wrapper in wrappers:
            account = (wrapper.cost, wrapper.spent_at_refusal, wrapper.last_remaining)
            if self._accounts.get(user) != account:
                self._accounts[user] = moved[user] = account
        first_refused = refused - self._refused
        self._refused |= first_refused
        if moved or first_refused:
            self.batches.append((rows[0][1], rows[0][2], rows[-1][2], moved, first_refused))

    def saw_burst(self, at: float, row: tuple, length: int, window: float) -> None:
        """Kept up to the first one a window past the first (by then, the
        first part's, written before the cut, have left the window)."""
        if not self.bursts_whole:
            return
        if self._burst_until is None:
            self._burst_until = at + window
        elif self.bursts[-1][0] > self._burst_until:  # that one was the last kept
            self.bursts_whole = False
            return
        self.bursts.append((at, row, length))


def follow(engine: AlertEngine, later: AlertEngine, kind: str, store: RunStore,
           read_rows: ReadRows | None) -> bool:
    """``later``'s alerts and state joined onto ``engine``'s (``store``: the
    first part's, not yet joined); False, and nothing changed, when the join
    cannot be exact (a burst window the first part's events stay in for
    longer than the later part kept)."""
    fired = [alert for alert in later.alerts if not (
        alert.rule == MALFORMED_LINES and alert.file in engine._malformed_files)]
    api = None
    if kind == api_audit.KIND:
        # (Without its lead, the later part's budget levels were judged on its spend alone.)
        api = _join_api(engine, later, store, read_rows) if later.lead is not None else None
        if api is None:
            return False
        fired = [alert for alert in fired if id(alert) not in api.dropped]
        for alert in api.made:
            fired = replaced(fired, None, alert)
    engine._malformed_files |= later._malformed_files
    if kind in engine._streaks:
        streak = engine._streaks[kind]
        dropped, fire_at = streak.followed_by(later._streaks[kind], engine.settings.streak)
        made = None
        if fire_at is not None:
            length, streak.length = streak.length, engine.settings.streak  # (when it fired)
            made = engine.streak_alert(streak, fire_at, store)
            streak.length = length
        fired = replaced(fired, dropped, made)
    if api is not None:
        engine._judge_all = True
        engine._levels, engine._spent, engine._refused = api.levels, api.spent, api.refused
        engine._burst, engine._in_burst = api.burst, api.in_burst
    engine._seen.counts = {key: count for key, count in engine._seen.counts.items()
                           if key[0] != kind}  # (looked at again with the next batch)
    engine._last_block = max(engine._last_block, later._last_block,
                             key=lambda block: block[0])
    engine.fired += later.fired - len(later.alerts)
    engine._keep(fired)
    return True


@dataclass(slots=True)
class _ApiJoin:
    levels: dict
    spent: dict
    refused: set
    burst: deque
    in_burst: bool
    made: list[Alert] = field(default_factory=list)  # alerts one reading raises instead
    dropped: set[int] = field(default_factory=set)  # ids of ``later``'s it would not raise


def _join_api(engine: AlertEngine, later: AlertEngine, store: RunStore,
              read_rows: ReadRows | None) -> _ApiJoin | None:
    off = engine.settings.off
    join = _ApiJoin(dict(engine._levels), dict(engine._spent), set(engine._refused),
                    deque(engine._burst), engine._in_burst)
    join.dropped = {id(alert) for alert in later.alerts if alert.rule == BUDGET}
    join.dropped |= {id(alert) for user, alert in later.lead.refusals
                     if user in engine._refused}
    if BURST not in off and not _replay_bursts(engine, later, store, join):
        return None
    if BUDGET not in off:
        _replay_budget(engine, later.lead, store, read_rows, join)
    join.refused |= later._refused
    return join


def _replay_bursts(engine: AlertEngine, later: AlertEngine, store: RunStore,
                   join: _ApiJoin) -> bool:
    """The later part's first failures and rate limits on the first part's
    window, until the window holds none of the first part's and is the later
    part's own: from there on, the later part's burst alerts and window
    stand. False if the window never got there within what it kept."""
    lead, window, needed = later.lead, engine.settings.burst_window, engine.settings.burst
    times, in_burst, theirs = join.burst, join.in_burst, len(join.burst)
    if not lead.bursts:
        return True  # (nothing came after the cut: the first part's window stands)
    for at, row, length in lead.bursts:
        in_burst, began, left = burst_step(times, in_burst, at, window, needed)
        theirs = max(0, theirs - left)
        if began:
            join.made.append(engine.burst_alert(len(times), row, store))
        if not theirs and len(times) == length:  # the later part's own window from here
            join.dropped |= {id(alert) for alert in later.alerts
                             if alert.rule == BURST and alert.line <= row[1]}
            join.burst, join.in_burst = later._burst, later._in_burst
            return True
    if not lead.bursts_whole:
        return False
    join.dropped |= {id(alert) for alert in later.alerts if alert.rule == BURST}
    join.burst, join.in_burst = times, in_burst
    return True


def _replay_budget(engine: AlertEngine, lead: Lead, store: RunStore,
                   read_rows: ReadRows | None, join: _ApiJoin) -> None:
    """The budget levels judged again at each of the later part's batches,
    with the first part's spend added to each wrapper's."""
    budget = store.budget
    before = {user: (wrapper.cost, wrapper.inferred_limit)
              for user, wrapper in budget.by_user.items()}
    for line, offset, last_offset, moved, first_refused in lead.batches:
        if REFUSED not in engine.settings.off:
            join.refused |= first_refused
        for user, (cost, spent_at_refusal, remaining) in moved.items():
            spent_before, inferred = before.get(user, (0.0, None))
            if spent_at_refusal is not None and spent_before + spent_at_refusal > 0:
                inferred = round(spent_before + spent_at_refusal + remaining, 2)
            cost += spent_before
            limit = budget.limit_with(inferred)
            crossed = crossed_level(engine.settings.budget_levels, join.levels, join.spent,
                                    join.refused, user, cost, limit)
            if crossed is None:
                continue
            level, share, last = crossed
            rows = read_rows(line, offset, last_offset) if read_rows is not None else []
            join.made.append(engine.budget_alert(user, cost, limit, share, level, rows, last,
                                                 store))


def replaced(alerts: list[Alert], old: Alert | None, new: Alert | None) -> list[Alert]:
    """``alerts`` (of one file, in line order) with ``old`` taken out and
    ``new`` put in: where ``old`` was, else before the first of a later line."""
    at = next((i for i, alert in enumerate(alerts) if alert is old), None)
    if at is None and new is not None:
        at = next((i for i, alert in enumerate(alerts)
                   if alert.line is not None and new.line is not None and alert.line > new.line),
                  len(alerts))
    out = [alert for alert in alerts if alert is not old]
    if new is not None:
        out.insert(at, new)
    return out
