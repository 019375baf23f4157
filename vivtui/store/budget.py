"""API spend, tokens and budget events from api_audit.log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from vivtui.parsing.api_audit import (
    BUDGET_EXCEEDED,
    FAILURE,
    RATE_LIMITED,
    SUCCESS,
    TASK_BUDGET_PREFIX,
    VIOLATION,
)
from vivtui.parsing.record import Record
from vivtui.parsing.values import integer, number, text

DEFAULT_LIMIT = 2.00  # the producer's default per-process budget, USD


@dataclass(slots=True)
class Usage:
    calls: int = 0
    cost: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0


class BudgetTracker:
    def __init__(self, limit: float = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self.succeeded = 0
        self.failed = 0
        self.cost = 0.0
        self.input_tokens = 0
        self.output_tokens = 0
        self.budget_exceeded = 0
        self.task_budget_exceeded = 0
        self.rate_limited = 0
        self.violations = 0
        self.unreadable_costs = 0  # successes whose cost is not a number
        self.by_model: dict[str, Usage] = defaultdict(Usage)
        self.by_call_type: dict[str, Usage] = defaultdict(Usage)
        self.problems: list[Record] = []  # failures and budget/rate/violation events
        self.first_spend: datetime | None = None
        self.last_spend: datetime | None = None
        self.version = 0

    def apply(self, records: list[Record]) -> None:
        for record in records:
            if record.malformed:
                continue
            event = record.category
            if event == SUCCESS:
                self._success(record)
            elif event == FAILURE:
                self.failed += 1
                self.problems.append(record)
            elif event == BUDGET_EXCEEDED:
                self.budget_exceeded += 1
                self.problems.append(record)
            elif event.startswith(TASK_BUDGET_PREFIX):
                self.task_budget_exceeded += 1
                self.problems.append(record)
            elif event == RATE_LIMITED:
                self.rate_limited += 1
                self.problems.append(record)
            elif event == VIOLATION:
                self.violations += 1
                self.problems.append(record)
        if records:
            self.version += 1

    def _success(self, record: Record) -> None:
        f = record.fields
        cost = number(f.get("cost"))
        if cost is None:
            if f.get("cost") is not None:
                self.unreadable_costs += 1
            cost = 0.0
        tokens_in = integer(f.get("input_tokens")) or 0
        tokens_out = integer(f.get("output_tokens")) or 0
        self.succeeded += 1
        self.cost += cost
        self.input_tokens += tokens_in
        self.output_tokens += tokens_out
        for table, key in ((self.by_model, text(f.get("model")) or "?"),
                           (self.by_call_type, text(f.get("call_type")) or "?")):
            usage = table[key]
            usage.calls += 1
            usage.cost += cost
            usage.input_tokens += tokens_in
            usage.output_tokens += tokens_out
        if record.ts is not None and cost:
            # Lines are not strictly time-ordered (concurrent writers).
            if self.first_spend is None or record.ts < self.first_spend:
                self.first_spend = record.ts
            if self.last_spend is None or record.ts > self.last_spend:
                self.last_spend = record.ts

    @property
    def calls(self) -> int:
        return self.succeeded + self.failed

    @property
    def remaining(self) -> float:
        return self.limit - self.cost

    @property
    def fraction_used(self) -> float:
        return self.cost / self.limit if self.limit > 0 else 0.0

    def spend_rate(self) -> float | None:
        """USD per second between the first and the last priced call."""
        if self.first_spend is None or self.last_spend is None:
            return None
        span = (self.last_spend - self.first_spend).total_seconds()
        return self.cost / span if span > 0 else None

    def seconds_to_exhaustion(self) -> float | None:
        rate = self.spend_rate()
        if rate is None or rate <= 0:
            return None
        return max(0.0, self.remaining / rate)
