"""A run read to its end by several processes at once (``vivtui summary``).

Reading a file is Python code, bound to one core: a big run's files, read one
after another, took the sum of their times. Here each process reads a group
of files into a store of its own, and one store takes over the others'
(``RunStore.absorb``): the result is the store one process would have made.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import tempfile
from copy import copy
from datetime import tzinfo
from pathlib import Path
from typing import IO

from vivtui.allocator import give_back
from vivtui.ingest import handover, kept_answers
from vivtui.ingest.costs import cost_of, shared_out
from vivtui.ingest.counting import count_records
from vivtui.ingest.feeds import Feed, read_to_end
from vivtui.ingest.file_status import Reading
from vivtui.ingest.forked import Forked
from vivtui.ingest.kept_reading import answered, read_kept
from vivtui.ingest.layout import RunLayout, discover
from vivtui.ingest.python_child import given_on_stdin, started
from vivtui.parsing.kinds import SNAPSHOT, FileSpec
from vivtui.sources.child_command import module_command
from vivtui.sources.regular import size_of
from vivtui.store.activity import RunActivity
from vivtui.store.run import RunStore

# Below this many bytes in all, starting processes costs more than it saves.
SPLIT_OVER = 64 << 20
# A report lists the newest API failures and budget events, and safety blocks;
# it reads no line back, so each one kept is kept whole.
REPORTED_LISTS = 5_000
MOST_PROCESSES = 4


def read_run(path: Path | str, zone: tzinfo | None = None, budget: float | None = None,
             activity: RunActivity | None = None, rows: int = 0,
             processes: int | None = None,
             split_over: int = SPLIT_OVER) -> tuple[RunLayout, RunStore]:
    """Every file of the run read to its end (an unfinished last line too,
    unless the run is live or idle: ``_last_lines``), and the files it does
    not use (the action log's text twin) counted (``RunLayout.counted``),
    by up to ``processes`` processes (default: the cores this one may use)
    when the run holds more than ``split_over`` bytes left to read (a big
    file's first bytes may have been read already: ``kept_reading``). For a
    report: no time strip."""
    layout = discover(path, zone)
    ask = (str(path), zone, budget, copy(activity), rows)  # (its activity as given)
    store = _report_store(budget, activity, rows)
    if processes is None:
        processes = min(usable_cores(), MOST_PROCESSES)
    jobs = _jobs(layout)
    kinds = {feed.kind for feed in layout.feeds}
    done = {name: answered(*jobs[name], zone, _fresh_store(ask))
            for name in jobs if name in kinds}
    big = sum(max(0, size_of(file) - done.get(name, 0))
              for name, (_, file) in jobs.items()) > split_over
    groups = (balanced(jobs, processes, done) if big and not layout.single_file
              else [set(jobs)])
    asks = [(*ask, group) for group in groups[1:]]
    workers = [_Worker(ask) for ask in asks]
    read = _do(layout, groups[0], store, ask)
    if workers:
        give_back()
    order = [feed.kind for feed in layout.feeds]
    for ask, worker in zip(asks, workers):
        # A process that failed (no memory left?): its group is done here.
        other, readings, counted = worker.result() or _do_apart(*ask)
        store.absorb(other, {job for job in ask[-1] if job in readings}, order)
        for feed in layout.feeds:
            if feed.kind in readings:
                feed.read_by_other(readings[feed.kind])
        layout.counted.update(counted)
        read.update(readings)
    _last_lines(layout, store, read)
    return layout, store


def _last_lines(layout: RunLayout, store: RunStore, read: dict[str, Reading]) -> None:
    """The files' last lines with no newline, which every reading left out:
    read as lines unless the run is live or idle (then its writers may be
    writing them: held, as the monitor holds them, and said). Counted at
    once, a live run's line caught mid-write was a malformed record."""
    writing = store.run_state().writing
    for feed in layout.feeds:
        reading = read.get(feed.kind)
        if reading is None or reading.place is None:
            continue
        chosen = feed.current_choice()
        left = size_of(chosen[1]) - reading.place.offset if chosen is not None else 0
        if left <= 0:
            continue
        if writing:
            feed.holds_last_line(left)
            continue
        feed.read_on_from(reading)
        read_to_end(feed, store.apply_batch)
        feed.close()


def _report_store(budget: float | None, activity: RunActivity | None, rows: int) -> RunStore:
    return RunStore(budget, activity=activity, capacity=rows, time_strip=False,
                    listed=REPORTED_LISTS)


def _fresh_store(ask: tuple) -> RunStore:
    """A store of one file of the reading ``ask`` (see ``_do``), with an
    activity of its own as given."""
    _, _, budget, activity, rows = ask[:5]
    return _report_store(budget, copy(activity), rows)


def _jobs(layout: RunLayout) -> dict[str, tuple[FileSpec, Path]]:
    """What there is to do, by name: each feed's kind (read its file), and
    each file present that a feed does not use (counted: the report lists it)."""
    jobs: dict[str, tuple[FileSpec, Path]] = {}
    for feed in layout.feeds:
        chosen = feed.current_choice()
        jobs[feed.kind] = chosen or feed.choices[0]
        for spec, file in feed.choices:
            if chosen is not None and spec.name != chosen[0].name and file.is_file():
                jobs.setdefault(str(file), (spec, file))
    return jobs


def _do(layout: RunLayout, group: set[str], store: RunStore, ask: tuple) -> dict[str, Reading]:
    """The group's jobs done here: its kinds read into ``store`` (a big
    file's into a store of its own, taken from what its last reading kept
    if it can be, then absorbed), its unused files counted. ``ask``: the
    reading's path, zone, budget, activity as given and rows."""
    zone = ask[1]
    jobs = _jobs(layout)
    feeds = [feed for feed in layout.feeds if feed.kind in group]
    order = [feed.kind for feed in layout.feeds]
    # A file read whole first: its bytes, held while its entries are taken
    # in (a long run's 93 MB history), are gone before the other files'
    # models are built. Last, they added to them: a summary's process peaked
    # at 268 MB.
    for feed in sorted(feeds, key=_read_in_lines):
        own = read_kept(feed, _fresh_store(ask))
        if own is None:
            read_to_end(feed, store.apply_batch, final=False)  # (the last line: ``_last_lines``)
        else:
            store.absorb(own, {feed.kind}, order)
        feed.close()
    kinds = {feed.kind for feed in layout.feeds}
    for name in group - kinds:
        if name in jobs:
            layout.counted[jobs[name][1]] = count_records(*jobs[name], zone)
    return {feed.kind: feed.reading() for feed in feeds}


def _read_in_lines(feed: Feed) -> bool:
    return feed.spec.mode != SNAPSHOT


def _do_apart(path: str, zone: tzinfo | None, budget: float | None,
              activity: RunActivity | None, rows: int, group: set[str]) -> tuple:
    """A group's jobs done on a layout and a store of their own (in another
    process): the store, the readings and the counts."""
    layout = discover(path, zone)
    store = _report_store(budget, copy(activity), rows)
    readings = _do(layout, group, store, (path, zone, budget, activity, rows))
    return store, readings, layout.counted


class _Worker:
    """One group done in another process (``python_child.started``: forked
    from this one, which runs no other thread; else ``python -m
    vivtui.ingest.split_read``). Its answer goes to a nameless file, loaded
    once the process has ended: read from a pipe as it was written, the
    store was in memory twice at once (the process's and its copy here: a
    big run's summary peaked at 293 MB for its two processes)."""

    def __init__(self, args: tuple) -> None:
        self._process: subprocess.Popen | Forked | None = None
        self._answer: IO[bytes] | None = None
        try:
            self._answer = tempfile.TemporaryFile()
            self._process = started(module_command(__name__), _work,
                                    (args, self._answer.fileno(), kept_answers.taking()),
                                    (self._answer.fileno(),))
        except (OSError, pickle.PicklingError):  # not started: ``result`` says None
            pass

    def result(self) -> tuple | None:
        """What ``_do_apart`` gave in the process, or None if it did not finish."""
        process, answer = self._process, self._answer
        if process is None or answer is None:
            if answer is not None:
                answer.close()
            return None
        try:
            if process.wait() != 0:
                return None
            answer.seek(0)
            return handover.load(answer)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        finally:
            answer.close()


def balanced(jobs: dict[str, tuple[FileSpec, Path]], count: int,
             done: dict[str, int] | None = None) -> list[set[str]]:
    """The jobs in at most ``count`` groups of about equal time, the lightest
    first (done by the process that also merges); ``done``: the bytes of a
    job's file read already (``kept_reading.answered``)."""
    done = done or {}
    # (A job named by its file is a file counted, not read: ``_jobs``.)
    return shared_out({name: cost_of(spec, file, counted=name == str(file),
                                     done=done.get(name, 0))
                       for name, (spec, file) in jobs.items()},
                      min(count, MOST_PROCESSES))


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _work(given: tuple) -> None:
    ask, answer_fd, taking = given
    if not taking:  # (``--fresh``)
        kept_answers.take_none()
    made = _do_apart(*ask)
    give_back()
    with os.fdopen(answer_fd, "wb") as answer:
        handover.dump(made, answer)
    handover.leave()  # (``made`` held: not freed first)


if __name__ == "__main__":
    _work(given_on_stdin())
