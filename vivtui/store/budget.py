"""API spend, tokens and budget events from api_audit.log."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from operator import is_, itemgetter, not_

from vivtui.parsing.api_audit import (
    BUDGET_EXCEEDED,
    FAILURE,
    RATE_LIMITED,
    SUCCESS,
    TASK_BUDGET_PREFIX,
    VIOLATION,
)
from vivtui.parsing.record import Record, new_record, rows_of
from vivtui.parsing.values import (
    EpochMinutes,
    all_are,
    columns,
    minutes_written,
    number,
    text,
    texts,
)
from vivtui.store import budget_parts
from vivtui.store.budget_limits import MAX_LIMIT, WrapperLimits
from vivtui.store.buffer import RecordBuffer
from vivtui.store.problem_times import ProblemTimes
from vivtui.store.recent_spenders import RecentSpenders
from vivtui.store.timebins import MinuteCounts
from vivtui.store.triage import TimedRows
from vivtui.store.wrapper_order import WrapperOrder

# Beyond these a value is not a real call's (1e308 twice made the spend $inf).
MAX_CALL_COST = 1_000.0  # USD
MAX_CALL_TOKENS = 100_000_000
KEPT_BAD_VALUES = 100
# Failures and budget events listed: each kept as its place in the file (16
# bytes) past the newest hundred, read back when looked at. The newest 5,000
# only were, and e/E passed the older ones by.
KEPT_PROBLEMS = 1_000_000
_MALFORMED, _CATEGORY, _RAW, _STAMP, _ZONE = map(
    Record._fields.index, ("malformed", "category", "raw", "stamp", "zone"))
_CATEGORY_OF, _RAW_OF, _STAMP_OF, _ZONE_OF, _MALFORMED_OF = map(
    itemgetter, (_CATEGORY, _RAW, _STAMP, _ZONE, _MALFORMED))
# What a success's line says of the call (``_add_successes``' columns).
_CALL_FIELDS = ("cost", "input_tokens", "output_tokens", "model", "call_type", "user")


@dataclass(slots=True)
class Usage:
    calls: int = 0
    cost: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(slots=True)
class Wrapper:
    """One API wrapper's account: the producer keeps a budget per ``user``
    context (runtime/secure_api_wrapper.py), not one for the run."""

    user: str
    calls: int = 0
    cost: float = 0.0
    refused: int = 0  # BUDGET_EXCEEDED: calls the wrapper would not make
    last_remaining: float | None = None  # what it had left at its latest refusal
    inferred_limit: float | None = None  # its spend at a refusal plus what was left
    by_minute: dict[int, float] = field(default_factory=dict)  # spend per epoch minute
    spent_at_refusal: float | None = None  # its spend at its latest refusal that said what was left
    first_spent_at: float | None = None  # when its first call that cost something was (epoch s)


def listed_event(category: str) -> bool:
    """Is a line of this category one of the failures and budget events listed?"""
    return (category in (FAILURE, BUDGET_EXCEEDED, RATE_LIMITED, VIOLATION)
            or category.startswith(TASK_BUDGET_PREFIX))


def spend_of(fields: dict) -> float:
    """What one successful call cost, as the tracker sums it (0 when the
    cost is not a usable amount)."""
    cost = number(fields.get("cost"))
    return cost if cost is not None and 0.0 <= cost <= MAX_CALL_COST else 0.0


def _usual(costs: list, tokens_in: list, tokens_out: list) -> bool:
    """Is every cost a float amount and every token count an int one, as a
    real call's are? Looked at in C (the sum: no NaN)."""
    total = sum(costs) if all_are(costs, float) else math.nan
    return (total == total and 0.0 <= min(costs) and max(costs) <= MAX_CALL_COST
            and all(all_are(tokens, int) and 0 <= min(tokens) and max(tokens) <= MAX_CALL_TOKENS
                    for tokens in (tokens_in, tokens_out)))


def _unusual(costs: list, tokens_in: list, tokens_out: list) -> list[int]:
    """Where a cost or a token count is not a real call's: those only are
    looked at again (``_usable``), a batch with one odd call no slower than
    before (a producer writing a free call's cost as 0, say)."""
    return [at for at, (cost, used_in, used_out) in enumerate(zip(costs, tokens_in, tokens_out))
            if not (_real_cost(cost) and _real_tokens(used_in) and _real_tokens(used_out))]


def _real_cost(cost: object) -> bool:
    return cost.__class__ is float and 0.0 <= cost <= MAX_CALL_COST


def _real_tokens(tokens: object) -> bool:
    return tokens.__class__ is int and 0 <= tokens <= MAX_CALL_TOKENS


def _names(values: Iterable) -> list[str]:
    """Each a table's name: its text, "?" for none."""
    named = texts(values)
    return named if "" not in named else [name or "?" for name in named]


class BudgetTracker(WrapperLimits):
    """The spend, tokens, failures and budget events of api_audit.log, summed
    per model, call type and wrapper (judged by ``WrapperLimits``)."""

    def __init__(self, limit: float | None = None, listed: int | None = None) -> None:
        """``listed``: failures and budget events kept in ``problems`` (the
        newest; default ``KEPT_PROBLEMS``)."""
        self.option_limit = limit  # --budget; None: inferred or the producer's default
        self.succeeded = 0
        self.failed = 0
        self.cost = 0.0
        self.input_tokens = 0
        self.output_tokens = 0
        self.budget_exceeded = 0
        self.task_budget_exceeded = 0
        self.rate_limited = 0
        self.violations = 0
        self.unreadable_costs = 0  # successes whose cost is not a usable number
        # (record, field, value as written): costs and token counts that are not
        # numbers, are negative, or beyond any real call; counted, never summed.
        self.bad_values: list[tuple[Record, str, object]] = []
        self.bad_value_count = 0
        self.by_model: dict[str, Usage] = defaultdict(Usage)
        self.by_call_type: dict[str, Usage] = defaultdict(Usage)
        # Failures and budget/rate/violation events, the newest ``listed`` (a run
        # out of budget refuses every call), with each one's time and severity
        # (e/E rank them without reading them back).
        self.problems = RecordBuffer(KEPT_PROBLEMS if listed is None else listed, "api")
        self.problem_times = ProblemTimes()
        self.by_user: dict[str, Wrapper] = {}
        # Wrappers whose account changed since the alert engine last looked
        # (``take_moved``): a batch's budget levels were judged by walking
        # every wrapper, which with 100k of them took 20 s to read 14 MB.
        self.moved: set[str] = set()
        self._place: dict[str, int] = {}  # each wrapper's place in ``by_user``
        self.order = WrapperOrder()  # see ``wrappers``
        self.recent = RecentSpenders()  # see ``forecast``
        self.inferred: Counter[float] = Counter()  # see ``infers``
        # What the action log's BUDGET lines say: the limit stated most often
        # (see ``saw_stated_limit``), and how often each was.
        self.stated_limit: float | None = None
        self.stated_limits: Counter[float] = Counter()
        self.last_refusal: Wrapper | None = None
        self._minutes = EpochMinutes()
        # The run's spend and tokens per epoch minute (the time strip's).
        self.spend_by_minute: Counter[int] = MinuteCounts()
        self.tokens_by_minute: Counter[int] = MinuteCounts()
        self.version = 0

    def apply(self, records) -> None:
        # Successes (most lines of a big audit log) are summed a batch's run
        # at a time (``_add_successes``), up to each refusal: it reads the
        # spend before it. The other events are looked at one by one.
        rows = rows_of(records)
        categories = list(map(_CATEGORY_OF, rows))
        problems: list[tuple] = []
        begun = 0
        for at in compress(count(), map(SUCCESS.__ne__, categories)):
            row = rows[at]
            if row[_MALFORMED]:
                continue
            event = categories[at]
            if event == FAILURE:
                self.failed += 1
            elif event == BUDGET_EXCEEDED:
                self._add_successes(rows[begun:at], categories[begun:at])
                begun = at
                self.budget_exceeded += 1
                self._refused(new_record(Record, row))
            elif event.startswith(TASK_BUDGET_PREFIX):
                self.task_budget_exceeded += 1
            elif event == RATE_LIMITED:
                self.rate_limited += 1
            elif event == VIOLATION:
                self.violations += 1
            else:
                continue
            problems.append(row)
        self._add_successes(rows[begun:], categories[begun:])
        if problems:
            self._listed(problems)
        if records:
            self.version += 1

    def _add_successes(self, rows: list[tuple], categories: list[str]) -> None:
        """The successes among ``rows`` (of ``categories``), a column at a
        time; summed per (model, call type, wrapper, minute written, its
        zone, the naive ones' zone), and those sums taken in (``_add_calls``)."""
        rows = list(compress(rows, map(SUCCESS.__eq__, categories)))
        if any(map(_MALFORMED_OF, rows)):
            rows = [row for row in rows if not row[_MALFORMED]]
        if not rows:
            return
        fields = list(map(_RAW_OF, rows))
        if not all_are(fields, dict):
            fields = [new_record(Record, row).fields for row in rows]
        costs, tokens_in, tokens_out, models, call_types, users = columns(fields, _CALL_FIELDS)
        if not _usual(costs, tokens_in, tokens_out):  # (only the odd ones looked at again)
            for at in _unusual(costs, tokens_in, tokens_out):
                costs[at], tokens_in[at], tokens_out[at] = self._usable(rows[at], fields[at])
        # The minute as written: made a time once per minute, in _add_calls.
        minutes, zones_written = minutes_written(list(map(_STAMP_OF, rows)))
        zones = list(map(_ZONE_OF, rows))
        if 0 in costs or None in minutes:  # (a call that cost nothing: no minute)
            for at in compress(count(), map(not_, costs)):
                minutes[at] = None
            for at in compress(count(), map(is_, minutes, repeat(None))):
                zones_written[at] = zones[at] = None
        models, call_types, users = map(_names, (models, call_types, users))
        firsts = self._first_spends(users, minutes, rows)
        keys = zip(models, call_types, users, minutes, zones_written, zones)
        calls: dict[tuple, list] = {}
        for key, cost, used_in, used_out in zip(keys, costs, tokens_in, tokens_out):
            summed = calls.get(key)
            if summed is None:
                calls[key] = [1, cost, used_in, used_out]
            else:
                summed[0] += 1
                summed[1] += cost
                summed[2] += used_in
                summed[3] += used_out
        self.succeeded += len(rows)
        self.cost += sum(costs)
        self.input_tokens += sum(tokens_in)
        self.output_tokens += sum(tokens_out)
        self._add_calls(calls)
        for user, at in firsts.items():  # (each one's wrapper made by now, in the order seen)
            self.by_user[user].first_spent_at = at

    def _first_spends(self, users: list[str], minutes: list, rows: list[tuple]) -> dict:
        """When each wrapper that had spent nothing spent first, to the second
        (a forecast's rate is measured from then: from the start of its
        minute, a wrapper 8 s old was spread over a minute). Looked for only
        for wrappers new to spending: once each."""
        firsts = {}
        for user in set(users):
            known = self.by_user.get(user)
            if known is not None and known.by_minute:
                continue
            at = next((at for at, (named, minute) in enumerate(zip(users, minutes))
                       if named == user and minute is not None), None)
            if at is not None:
                firsts[user] = self._minutes.seconds(rows[at][_STAMP], rows[at][_ZONE])
        return firsts

    def _listed(self, rows: list[tuple]) -> None:
        self.problems.extend(rows)
        self.problem_times.add(rows, self._minutes.seconds, len(self.problems))

    def ranks_at(self, severity: str) -> list[float | None]:
        """See ``ProblemTimes.ranks_at``."""
        return self.problem_times.ranks_at(severity, self.problems)

    def timed_at(self, severity: str) -> TimedRows:
        """See ``ProblemTimes.timed_at``."""
        return self.problem_times.timed_at(severity, self.problems)

    @property
    def problem_count(self) -> int:
        """Failures and budget, rate and violation events: counted, the newest
        ``listed`` of them kept (``problems``)."""
        return (self.failed + self.budget_exceeded + self.task_budget_exceeded
                + self.rate_limited + self.violations)

    def _usable(self, row: tuple, f: dict) -> tuple[float, int, int]:
        """A success's cost and token counts, each as a usable amount, else 0
        (a bad one kept aside)."""
        cost = f.get("cost")
        if not _real_cost(cost):
            cost = self._amount(row, "cost", MAX_CALL_COST)
            if cost is None:
                if f.get("cost") is not None:
                    self.unreadable_costs += 1
                cost = 0.0
        tokens_in = f.get("input_tokens")
        if not _real_tokens(tokens_in):
            tokens_in = int(self._amount(row, "input_tokens", MAX_CALL_TOKENS) or 0)
        tokens_out = f.get("output_tokens")
        if not _real_tokens(tokens_out):
            tokens_out = int(self._amount(row, "output_tokens", MAX_CALL_TOKENS) or 0)
        return cost, tokens_in, tokens_out

    def _add_calls(self, calls: dict[tuple, list]) -> None:
        """Each key's sums (``_add_successes``) into the tables by model, call
        type, wrapper and minute (each minute's start found once a batch).
        The run's minutes and the (model, call type) pairs are summed for
        the batch first, and each table set once: a batch of a big audit log
        has a key for nearly every second call, and few minutes and pairs."""
        minutes: dict[tuple, int | None] = {}
        pairs: dict[tuple, list] = {}
        spent: dict[int, list] = {}
        moved, was, recent = self.moved, self.order.was, self.recent.by_minute
        rated = self._rates.changed if self._rates is not None else None
        for (model, call_type, user, written, zone_written, zone), summed in calls.items():
            count_, cost, tokens_in, tokens_out = summed
            pair = pairs.get((model, call_type))
            if pair is None:
                pairs[model, call_type] = list(summed)
            else:
                pair[0] += count_
                pair[1] += cost
                pair[2] += tokens_in
                pair[3] += tokens_out
            wrapper = self.wrapper_named(user)
            if was is not None:  # (an order kept: as a rule, not in a backlog's reading)
                self.order.leaving(wrapper, self._nearest_first)
            wrapper.calls += count_
            wrapper.cost += cost
            moved.add(user)
            if rated is not None:
                rated.add(user)
            if written is None:
                continue
            at = minutes.get((written, zone_written, zone), False)
            if at is False:
                at = minutes[written, zone_written, zone] = self._minutes.of_minute(
                    (written, zone_written), zone)
            if at is not None:
                wrapper.by_minute[at] = wrapper.by_minute.get(at, 0.0) + cost
                spenders = recent.get(at)
                (spenders if spenders is not None else self.recent.of_minute(at)).add(user)
                minute = spent.get(at)
                if minute is None:
                    spent[at] = [cost, tokens_in + tokens_out]
                else:
                    minute[0] += cost
                    minute[1] += tokens_in + tokens_out
        for (model, call_type), (count_, cost, tokens_in, tokens_out) in pairs.items():
            for usage in (self.by_model[model], self.by_call_type[call_type]):
                usage.calls += count_
                usage.cost += cost
                usage.input_tokens += tokens_in
                usage.output_tokens += tokens_out
        for at, (cost, tokens) in spent.items():
            self.spend_by_minute[at] += cost
            self.tokens_by_minute[at] += tokens

    def _amount(self, row: tuple, name: str, most: float) -> float | None:
        """A field as a usable amount; a bad one is kept aside with its line."""
        record = new_record(Record, row)
        value = record.fields.get(name)
        if value is None:
            return None
        amount = number(value)
        if amount is None or amount < 0 or amount > most:
            if len(self.bad_values) < KEPT_BAD_VALUES:
                self.bad_values.append((record, name, value))
            self.bad_value_count += 1
            return None
        return amount

    def _wrapper(self, fields: dict) -> Wrapper:
        return self.wrapper_named(text(fields.get("user")) or "?")

    def wrapper_named(self, user: str) -> Wrapper:
        """The wrapper of that name (a table's name: ``_names``), made if new."""
        wrapper = self.by_user.get(user)
        if wrapper is None:
            self._place[user] = len(self.by_user)
            wrapper = self.by_user[user] = Wrapper(user)
            self.order.added(user)
        return wrapper

    def _refused(self, record: Record) -> None:
        wrapper = self._wrapper(record.fields)
        self.order.leaving(wrapper, self._nearest_first)
        wrapper.refused += 1
        self.moved.add(wrapper.user)
        if self._rates is not None:
            self._rates.changed.add(wrapper.user)
        remaining = self._amount(record, "remaining", MAX_LIMIT)
        if remaining is not None:
            wrapper.last_remaining = remaining
            wrapper.spent_at_refusal = wrapper.cost
            if wrapper.cost > 0:  # with no spend seen, what was left says nothing of the limit
                self.infers(wrapper, round(wrapper.cost + remaining, 2))
        self.last_refusal = wrapper

    def can_follow(self, later: BudgetTracker) -> bool:
        """Calls and budget events add up wherever the cut falls."""
        return True

    def followed_by(self, later: BudgetTracker) -> None:
        """``later``'s calls and budget events after these: the rest of the
        audit log, read by another process (``store.budget_parts``)."""
        budget_parts.follow(self, later)

    @property
    def calls(self) -> int:
        return self.succeeded + self.failed

    @property
    def refused(self) -> int:
        return self.budget_exceeded

    def take_moved(self) -> list[str]:
        """The wrappers whose account changed since the last call, in
        ``by_user``'s order."""
        moved, self.moved = self.moved, set()
        return sorted(moved, key=self._place.__getitem__)
