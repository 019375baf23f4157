"""Several runs at once: where they are, and what each one's row in the overview says.

A run not on screen keeps its models and counts, not its rows (``RunStore``
with no row capacity): fifty runs cost fifty sets of counters and models, not
fifty sets of kept rows.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import NamedTuple

from vivtui.alerts.alert import AlertSettings
from vivtui.alerts.rules import AlertEngine
from vivtui.ingest.layout import AUDIT_SUBDIR, RunLayout, discover, read_back_from
from vivtui.parsing.kinds import SPECS
from vivtui.parsing.record import MALFORMED
from vivtui.store.activity import FINISHED, IDLE, LIVE, RunActivity, RunState
from vivtui.store.run import RunStore
from vivtui.store.tasks import status_failed

RUN_FILES = frozenset(spec.name for spec in SPECS)
# The run's directory is no more (removed or moved while watched): its figures
# are the last it gave, and it is not live, however recent its last event.
GONE = "gone"
THIS_HOST = socket.gethostname().split(".")[0]


def is_run_directory(path: Path) -> bool:
    """Does ``path`` hold a run file (at its root or under vivarium/meta/audit/)?"""
    for place in (path, path / AUDIT_SUBDIR):
        try:
            names = os.listdir(place)
        except OSError:
            continue
        if RUN_FILES.intersection(names):
            return True
    return False


def find_runs(parent: Path, depth: int = 2) -> list[Path]:
    """Run directories under ``parent``: its children, and their children where
    a child is not a run itself (runs grouped by day or by host), by name."""
    found: list[Path] = []
    try:
        children = sorted(entry.path for entry in os.scandir(parent)
                          if entry.is_dir() and not entry.name.startswith("."))
    except OSError:
        return found
    for child in children:
        path = Path(child)
        if is_run_directory(path):
            found.append(path)
        elif depth > 1:
            found.extend(find_runs(path, depth - 1))
    return found


def run_names(paths: Iterable[Path]) -> list[str]:
    """A short name per run: its directory's name, with its parent's where two
    runs share a name."""
    paths = list(paths)
    names = [path.name or str(path) for path in paths]
    return [f"{path.parent.name}/{name}" if names.count(name) > 1 else name
            for path, name in zip(paths, names)]


@dataclass(slots=True)
class RunSettings:
    """What every run of the overview is read with (the command line's options)."""

    zone: tzinfo | None = None
    budget: float | None = None
    activity: RunActivity | None = None  # how run state is judged: each run a copy
    alerts: AlertSettings | None = None

    def activity_of_a_run(self) -> RunActivity:
        return copy(self.activity) if self.activity is not None else RunActivity()


class WatchedRun:
    """One run of the overview: its layout, its models and counts, its alerts."""

    def __init__(self, path: Path, name: str, settings: RunSettings, host: str = THIS_HOST,
                 clock=None) -> None:
        self.path = path
        self.name = name
        self.host = host
        self.layout: RunLayout = discover(path, settings.zone)
        self.store = RunStore(settings.budget, capacity=0, activity=settings.activity_of_a_run(),
                              clock=clock)
        read_back_from(self.layout, self.store, settings.zone)
        self.alerts = AlertEngine(name, settings.alerts)
        self.tailing = None  # set by whoever follows it (``fleet.follow``)
        self.gone_since: datetime | None = None  # when its directory was first missed

    def facts(self, now: datetime) -> RunFacts:
        if self.path.is_dir():
            self.gone_since = None
        elif self.gone_since is None:
            self.gone_since = now
        return facts_of(self, now)


class RunFacts(NamedTuple):
    """An overview row: everything it shows, worked out once per refresh."""

    name: str
    host: str
    state: str
    since: datetime | None  # the last sign of life
    last_event: datetime | None
    spent: float
    limit: float
    # The wrapper nearest its limit: its spend / its limit (None: no wrapper's
    # limit is known, ``BudgetTracker.limit_known``).
    worst_share: float | None
    running: int
    stalled: int
    failed: int
    unfinished: int
    tasks_failed: int
    blocks: int
    alerts: int
    live_alerts: int  # rung while watched (not history)
    malformed: int

    @property
    def trouble(self) -> int:
        """How much needs a look: a run with new alerts, failures or blocks first."""
        return (4 * self.live_alerts + 2 * (self.failed + self.tasks_failed + self.blocks)
                + self.stalled + self.unfinished + self.malformed
                + (8 if (self.worst_share or 0.0) >= 0.95 else 0))


def facts_of(run: WatchedRun, now: datetime) -> RunFacts:
    """Counted from the models' totals, not by walking sessions or tasks: the
    overview is worked out every second for every run."""
    store = run.store
    state = store.run_state(store.now(now))  # (by the run's own clock)
    since = state.since and state.since - store.activity.skew  # (by this one: the overview's)
    if run.gone_since is not None:  # its open sessions will be seen no further
        state = RunState(GONE, run.gone_since, state.last_event)
        since = run.gone_since
    sessions = store.sessions
    open_now = len(sessions.open_sessions())
    never_ended = sessions.started - (sessions.completed - sessions.orphan_completions)
    superseded = max(0, never_ended - open_now)
    budget = store.budget
    tightest = budget.tightest
    tasks_failed = sum(n for status, n in store.tasks.by_status().items()
                       if status_failed(status))
    return RunFacts(
        name=run.name, host=run.host, state=state.state, since=since,
        last_event=state.last_event, spent=budget.cost, limit=budget.limit,
        worst_share=(budget.fraction_of(tightest) if tightest is not None
                     else None if budget.by_user else 0.0),
        running=open_now if state.state == LIVE else 0,
        stalled=open_now if state.state == IDLE else 0,
        failed=sessions.failed,
        unfinished=superseded + (open_now if state.state in (FINISHED, GONE) else 0),
        tasks_failed=tasks_failed, blocks=store.blocked_count,
        alerts=len(run.alerts.alerts), live_alerts=run.alerts.fired_live,
        malformed=sum(counter[MALFORMED] for counter in store.by_category.values()))


def trouble_order(facts: RunFacts) -> tuple:
    """A sort key: troubled runs first, then by name."""
    return -facts.trouble, facts.name
