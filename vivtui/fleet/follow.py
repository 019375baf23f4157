"""Following the runs of an overview: one thread per run reads its files in
turn, one watcher for every run's directories says when, and the parents
given with ``--runs`` are looked at again for runs that start later.

Threads are what bounds the cost of fifty runs: a run read by a thread per
file (as the run on screen is) would be four hundred threads and fifty
change-notice watchers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path

from vivtui.alerts.alert import Alert
from vivtui.fleet.runs import THIS_HOST, RunSettings, WatchedRun, find_runs, run_names
from vivtui.ingest.batch import Batch
from vivtui.ingest.feeds import read_to_end
from vivtui.ingest.layout import POLL_UNLISTABLE_S, LayoutError
from vivtui.ingest.tailing import Tailing, spawn
from vivtui.sources.watcher import watch_directories

RESCAN_S = 2.0  # how often the --runs parents are listed again for new runs
# The runs not on screen only feed the overview: their change notices gathered for
# 200 ms and looked for every 50 ms (the defaults, 20 and 2, for one run on screen,
# kept the watcher of fifty busy runs at 16 % of a core).
DEBOUNCE_MS, STEP_MS = 200, 50
RECHECK_S = 5.0  # a look at a run's files without a notice (one run on screen: every 1 s)

Post = Callable[[WatchedRun, Batch], None]
Report = Callable[[str, Exception], None]


def take(run: WatchedRun, batch: Batch) -> list[Alert]:
    """A batch taken into its run's models; the alerts it fired."""
    found = run.store.apply_batch(batch)
    return run.alerts.saw_batch(batch, found, run.store)


def tick(run: WatchedRun, now: datetime) -> list[Alert]:
    """What only time tells (a run that stopped writing, a stalled session;
    whether its files' last lines with no newline are their last:
    ``Tailing.lines_ended``)."""
    if run.tailing is not None:
        run.tailing.lines_ended(run.store.lines_ended(run.store.now(now)))
    return run.alerts.tick(run.store, run.layout.statuses(), now)


class Fleet:
    """The runs at ``paths`` and those found under ``parents`` (now and later).
    ``post(run, batch)`` and ``report`` are called from the reading threads;
    ``take`` each posted batch on one thread, then ``applied``."""

    def __init__(self, paths: Iterable[Path | str], parents: Iterable[Path | str],
                 settings: RunSettings, post: Post, report: Report, *,
                 poll: float | None = None, on_new_run: Callable[[WatchedRun], None] | None = None,
                 clock=None, hosts_in_paths: bool = False) -> None:
        """``hosts_in_paths``: the parents hold HOST/RUN directories (a mirror of
        a stream, ``stream.mirror``): a run is named by RUN, its host by HOST."""
        self.settings = settings
        self.parents = [Path(parent) for parent in parents]
        self.poll = poll
        self._post = post
        self._report = report
        self._on_new_run = on_new_run
        self._clock = clock
        self.hosts_in_paths = hosts_in_paths
        self.runs: list[WatchedRun] = []
        self._runs_in: dict[Path, list[WatchedRun]] = {}  # a run's directories: its notices
        # Runs that could not be opened, by path: said once, however often looked at again.
        self.problems: dict[Path, str] = {}
        self.stopped = threading.Event()
        self._adding = threading.Lock()  # the watcher's thread and the rescans' both add
        self._threads: list[threading.Thread] = []
        paths = [Path(path) for path in paths]
        for path, name in zip(paths, run_names(paths)):
            self._add(path, name)
        for parent in self.parents:
            for path in find_runs(parent):
                self._add(path, self._name_under(parent, path))

    def _name_under(self, parent: Path, path: Path) -> str:
        return path.name if self.hosts_in_paths else str(path.relative_to(parent))

    def _add(self, path: Path, name: str) -> WatchedRun | None:
        if any(run.path == path for run in self.runs):
            return None
        host = path.parent.name if self.hosts_in_paths else THIS_HOST
        try:
            run = WatchedRun(path, name, self.settings, host=host, clock=self._clock)
        except LayoutError as exc:
            self.problems[path] = str(exc)
            return None
        self.problems.pop(path, None)
        poll = self.poll or (RECHECK_S if run.layout.listable else POLL_UNLISTABLE_S)
        run.tailing = Tailing(run.layout.feeds, (), lambda batch: self._post(run, batch),
                              self._report, poll=poll, one_thread=True)
        self.runs.append(run)
        runs_in = {directory: list(runs) for directory, runs in self._runs_in.items()}
        for directory in run.layout.directories:
            runs_in.setdefault(directory, []).append(run)
        self._runs_in = runs_in  # replaced whole: the watcher's thread reads it
        return run

    # -- from the UI thread -------------------------------------------------------------

    def start(self) -> None:
        for run in list(self.runs):
            run.tailing.start()
        if self.poll is None:
            self._spawn(lambda: watch_directories(
                self._directories, self._changed, self.stopped, paths=True,
                debounce_ms=DEBOUNCE_MS, step_ms=STEP_MS,
                on_failure=partial(self._report, "watching the runs (started again)")),
                "watching the runs")
        if self.parents:
            self._spawn(self._rescan_forever, "looking for new runs")

    def stop(self) -> None:
        self.stopped.set()
        for run in list(self.runs):
            run.tailing.stop()

    def read_once(self) -> None:
        """Every run's files read to their ends, no threads (``summary``, tests)."""
        for run in self.runs:
            for feed in run.layout.feeds:
                read_to_end(feed, lambda batch, run=run: take(run, batch))
                feed.close()

    @staticmethod
    def applied(run: WatchedRun, batch: Batch) -> None:
        if run.tailing is not None:
            run.tailing.applied(batch.kind)

    # -- in the threads -----------------------------------------------------------------

    def _spawn(self, work: Callable[[], None], name: str) -> None:
        self._threads.append(spawn(work, name, self._report))

    def _directories(self) -> list[Path]:
        dirs = list(self.parents)
        for run in list(self.runs):
            dirs.extend(run.layout.directories)
        return dirs

    def _changed(self, paths: set[Path]) -> None:
        """Change notices, handed to the runs whose directories they are in."""
        if not paths:  # a watched directory went: anything may have changed
            for run in list(self.runs):
                run.tailing.changed(set())
            return
        by_directory: dict[Path, set[str]] = {}
        for path in paths:
            by_directory.setdefault(path.parent, set()).add(path.name)
        runs_in = self._runs_in
        for directory, names in by_directory.items():
            for run in runs_in.get(directory, ()):
                run.tailing.changed(names)
        if any(parent in by_directory for parent in self.parents):
            self.rescan()

    def _rescan_forever(self) -> None:
        while not self.stopped.wait(RESCAN_S):
            self.rescan()

    def rescan(self) -> list[WatchedRun]:
        """Runs that appeared under the parents since the last look, started."""
        new = []
        with self._adding:
            for parent in self.parents:
                for path in find_runs(parent):
                    run = self._add(path, self._name_under(parent, path))
                    if run is not None:
                        new.append(run)
        for run in new:
            if not self.stopped.is_set():
                run.tailing.start()
            if self._on_new_run is not None:
                self._on_new_run(run)
        return new
