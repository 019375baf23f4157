"""What reading a file to its end costs, relative to the action log's bytes:
to share a run's files out among processes (``split_read``), and to give
the backlogs' turns at other processes out in lanes that end together
(``turns``).

Measured with ``vivtui summary`` on each file of a big run
(``benchmarks/file_costs.py``; last on 2026-12-02: audit 2.22-2.29, queue
2.56-2.57, sessions 3.59-3.88, kernel 6.39-6.44; the queue's had been 3.5,
from before its reading was made faster, and a big run's two summary
processes ended 0.98 s apart in a timed run, 0.21 s after). ("text": the
action log's text form, entries assembled across lines; counted, not read,
beside the JSONL: 16 ms/MB against the action log's 19, 2026-12-03.)
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

from vivtui.parsing.kinds import FileSpec
from vivtui.sources.regular import size_of

COST_PER_BYTE = {"actions": 1.0, "api": 2.25, "tasks": 2.6, "sessions": 3.7, "kernel": 6.4,
                 "text": 10.0}
OTHER_COST_PER_BYTE = 4.0
COUNTED_TEXT_PER_BYTE = 0.9  # the text form counted (``counting.count_records``)
MOST_GROUPS = 4


def cost_of(spec: FileSpec, path: Path, counted: bool = False, done: int = 0) -> float:
    """Reading ``path`` (a file of ``spec``) now, in the action log's bytes;
    ``counted``: only its records counted (a file the run does not use);
    ``done``: its first bytes read already."""
    left = max(0, size_of(path) - done)
    if spec.assembled:
        return left * (COUNTED_TEXT_PER_BYTE if counted else COST_PER_BYTE["text"])
    return left * COST_PER_BYTE.get(spec.kind, OTHER_COST_PER_BYTE)


def shared_out(costs: dict[str, float], count: int) -> list[set[str]]:
    """The names in at most ``count`` groups of about equal cost, the lightest
    first; the names that cost nothing in it. A run has at most a dozen names
    with a cost: every assignment is tried (for at most ``MOST_GROUPS`` groups)."""
    busy = [name for name, cost in costs.items() if cost > 0]
    count = min(count, len(busy), MOST_GROUPS)
    if count < 2:
        return [set(costs)]
    # The busiest group as little busy as can be, then the next busiest...
    best = min(product(range(count), repeat=len(busy)),
               key=lambda places: sorted(_loads(places, busy, costs, count), reverse=True))
    groups = [{name for name, place in zip(busy, best) if place == at} for at in range(count)]
    groups = sorted((group for group in groups if group),
                    key=lambda group: sum(costs[name] for name in group))
    groups[0] |= set(costs) - set(busy)  # nothing to read: done at once
    return groups


def _loads(places: tuple[int, ...], names: list[str], costs: dict[str, float],
           count: int) -> list[float]:
    loads = [0.0] * count
    for name, place in zip(names, places):
        loads[place] += costs[name]
    return loads
