"""The audit log's rules, mixed into the alert engine (``rules.AlertEngine``,
whose state they keep: the burst window, the wrappers refused, the budget
levels crossed): bursts of failures and rate limits, refusals, and each
wrapper's spend crossing a level of its limit."""

from __future__ import annotations

import math
from itertools import compress
from operator import itemgetter

from vivtui.alerts.alert import BUDGET, BURST, CRITICAL, INFO, REFUSED, WARNING, Alert
from vivtui.alerts.judging import burst_step, crossed_level, first_time
from vivtui.parsing import api_audit
from vivtui.parsing.record import Record, new_record
from vivtui.parsing.values import text
from vivtui.store.budget import spend_of
from vivtui.store.run import RunStore

_STAMP_AT, _ZONE_AT = map(Record._fields.index, ("stamp", "zone"))
_CATEGORY_AT, _MALFORMED_AT = map(Record._fields.index, ("category", "malformed"))
_CATEGORY = itemgetter(_CATEGORY_AT)
# The lines a burst is made of, picked out of a batch in C (every batch of a
# big audit log has some: a test per line in Python was the engine's most).
_BURSTING = frozenset((api_audit.FAILURE, api_audit.RATE_LIMITED))


class ApiRules:
    """The rules of ``api_audit.log``'s lines; the engine's ``settings``,
    ``lead`` and ``_make`` and its state (``_burst``, ``_in_burst``,
    ``_refused``, ``_levels``, ``_spent``, ``_limits``, ``_judge_all``,
    ``_seconds``) are ``AlertEngine``'s."""

    def _limits_moved(self, store: RunStore) -> bool:
        """Has the wrappers' limit changed since they were last judged? (The
        action log states it; its batches may come after the audit log's.)"""
        budget = store.budget
        return (budget.option_limit, budget.stated_limit) != self._limits

    def _bursts(self, rows: list, store: RunStore, live: bool, out: list[Alert]) -> None:
        window, needed = self.settings.burst_window, self.settings.burst
        for row in compress(rows, map(_BURSTING.__contains__, map(_CATEGORY, rows))):
            if row[_MALFORMED_AT]:
                continue
            # Seconds of its minute as written, parsed once a minute: a big audit
            # log's 30k failures each made a record and parsed its time.
            at = self._seconds.seconds(row[_STAMP_AT], row[_ZONE_AT])
            if at is None:
                at = store.clock().timestamp()
            times = self._burst
            self._in_burst, began, _ = burst_step(times, self._in_burst, at, window, needed)
            if began:
                out.append(self.burst_alert(len(times), row, store, live))
            if self.lead is not None:
                self.lead.saw_burst(at, row, len(times), window)

    def burst_alert(self, length: int, row: tuple, store: RunStore, live: bool = False) -> Alert:
        record = new_record(Record, row)
        return self._make(BURST, WARNING, f"{length} API failures or rate limits within "
                          f"{self.settings.burst_window:g} s, the latest {record.category}",
                          store, record, live)

    def _refusals(self, rows: list, store: RunStore, live: bool, out: list[Alert]) -> None:
        for row in rows:
            if row[_CATEGORY_AT] != api_audit.BUDGET_EXCEEDED or row[_MALFORMED_AT]:
                continue
            record = new_record(Record, row)
            user = text(record.fields.get("user")) or "?"
            if not first_time(self._refused, user):
                continue
            out.append(self._make(REFUSED, CRITICAL,
                                  f"wrapper {user} refused a call: budget exceeded",
                                  store, record, live))
            if self.lead is not None:
                self.lead.refusals.append((user, out[-1]))

    def _budget(self, rows: list, store: RunStore, live: bool, out: list[Alert]) -> None:
        budget = store.budget
        limits = (budget.option_limit, budget.stated_limit)
        if self._judge_all or limits != self._limits:
            budget.moved = set()  # (all judged: those that moved are not looked for)
            moved = None
        else:
            moved = budget.take_moved()
        self._judge_all, self._limits = False, limits
        if self.lead is not None:
            self.lead.saw_budget(rows, budget, self._refused, moved)
        judged = (budget.wrappers(moved) if moved is not None
                  else budget.may_cross(self._spent, min(self.settings.budget_levels,
                                                         default=math.inf)))
        for wrapper in judged:
            limit = budget.limit_of(wrapper)
            crossed = crossed_level(self.settings.budget_levels, self._levels, self._spent,
                                    self._refused, wrapper.user, wrapper.cost, limit)
            if crossed is not None:
                level, share, before = crossed
                out.append(self.budget_alert(wrapper.user, wrapper.cost, limit, share, level,
                                             rows, before, store, live))

    def budget_alert(self, user: str, cost: float, limit: float, share: float, level: float,
                     rows: list, before: float, store: RunStore, live: bool = False) -> Alert:
        """Wrapper ``user`` past ``level`` of its limit in the batch of
        ``rows``, having spent ``before`` at the batch before."""
        record = _crossing(rows, user, before, level * limit)
        severity = CRITICAL if level >= 0.95 else WARNING if level >= 0.8 else INFO
        return self._make(BUDGET, severity, f"wrapper {user} has spent ${cost:.2f} of "
                          f"${limit:.2f} ({share:.0%}), past {level:.0%}", store, record, live)


def _crossing(rows: list, user: str, spent_before: float, mark: float) -> Record | None:
    """The successful call of ``user`` in ``rows`` that took its spend past
    ``mark``; else the batch's last line (the limit itself moved)."""
    spent = spent_before
    for row in rows:
        if row[_CATEGORY_AT] != api_audit.SUCCESS or row[_MALFORMED_AT]:
            continue
        fields = new_record(Record, row).fields
        if (text(fields.get("user")) or "?") != user:
            continue
        spent += spend_of(fields)
        if spent >= mark:
            return new_record(Record, row)
    return new_record(Record, rows[-1]) if rows else None
