"""What the safety gates blocked, from every file that writes it down: one
place for the audit pane, the summary and the triage keys."""

from __future__ import annotations

import re
from collections import Counter
from heapq import nlargest, nsmallest
from itertools import compress, repeat
from operator import eq, gt, itemgetter

from vivtui.parsing import actions, api_audit, execution, kernel, safety
from vivtui.parsing.record import Record
from vivtui.parsing.values import text
from vivtui.store.filters import record_field

# Where a block is written down, by file kind, named as the summary names it.
SOURCE_OF_KIND = {safety.KIND: "safety_audit", kernel.KIND: "kernel", actions.KIND: "actions",
                  execution.KIND: "tasks", api_audit.KIND: "api"}
SOURCES = tuple(SOURCE_OF_KIND.values())

REASON_WIDTH = 60
_NAME, _COUNT = itemgetter(0), itemgetter(1)
_KERNEL_REASON = re.compile(r"\bBLOCKED\b[:\s]*(.*)")


def reason_of(record: Record) -> str:
    """A short reason to count blocks by: the words before the first colon
    ("Attempt to write to protected file", "Constitutional violation")."""
    if record.kind == kernel.KIND:
        found = kernel.match_at_word(_KERNEL_REASON, str(record.raw), "BLOCKED")
        full = found.group(1) if found else str(record.raw)
    else:
        f = record.fields
        if record.kind == safety.KIND:
            checks = f.get("checks")
            failed = [name for name, check in (checks.items() if isinstance(checks, dict) else ())
                      if isinstance(check, dict) and check.get("passed") is False]
            full = text(f.get("blocked_reason")) or ", ".join(failed)
        elif record.kind == actions.KIND:
            full = text(f.get("detail")) or text(f.get("action"))
        elif record.kind == execution.KIND:
            full = text(f.get("errors")) or text(f.get("safety_report"))
        else:
            full = text(f.get("reason"))
    head = full.split(":", 1)[0].strip().split("\n", 1)[0]
    return head[:REASON_WIDTH] or "(no reason given)"


def blocked_field(record: Record, name: str) -> str | None:
    """A block's fields for field terms: ``reason`` and ``source`` as counted here."""
    if name == "reason":
        return reason_of(record)
    if name == "source":
        return f"{SOURCE_OF_KIND.get(record.kind, record.kind)} {record.kind}"
    return record_field(record, name)


class SafetyTally:
    def __init__(self) -> None:
        self.by_source: Counter = Counter()
        self.by_reason: Counter = Counter()

    def add(self, records: list[Record]) -> None:
        for record in records:
            self.by_source[SOURCE_OF_KIND.get(record.kind, record.kind)] += 1
            self.by_reason[reason_of(record)] += 1

    def absorb(self, other: SafetyTally) -> None:
        self.by_source.update(other.by_source)
        self.by_reason.update(other.by_reason)

    def forget(self, kind: str) -> None:
        self.by_source.pop(SOURCE_OF_KIND.get(kind, kind), None)

    def reasons(self, most: int | None = None) -> list[tuple[str, int]]:
        """Reasons, the most frequent first; ties by name, so that the order
        does not depend on which file was read first. Sorted in C: a run's
        150k reasons (one a blocked task), sorted with a Python key at each
        draw of the blocks, held the screen 50-64 ms a second."""
        counts = self.by_reason
        if most is None or len(counts) <= most:
            return _by_count(list(counts.items()))[:most]
        values = list(counts.values())
        floor = nlargest(most, values)[-1]
        above = _by_count(list(compress(counts.items(), map(gt, values, repeat(floor)))))
        tied = nsmallest(most - len(above), compress(counts, map(eq, values, repeat(floor))))
        return above + [(reason, floor) for reason in tied]

    @property
    def total(self) -> int:
        return sum(self.by_source.values())


def _by_count(counted: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The most first, ties by name (a stable sort keeps the names' order)."""
    counted.sort(key=_NAME)
    counted.sort(key=_COUNT, reverse=True)
    return counted
