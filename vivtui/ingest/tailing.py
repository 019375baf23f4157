"""Following a live run: a thread per feed, woken by the directory watcher.

Each thread reads its file, parses it and hands every batch to ``post``; what
goes wrong is handed to ``report`` and the thread goes on (a file silently no
longer followed is a monitor that lies). Plain threads, not the UI's workers:
a run has a reader per file kind plus the watcher, more than an event loop's
default executor holds on a small machine (the watcher and the last files
waited forever for a free thread on two cores).

The backlog policy: live lines first, history when the run is quiet. While a
new line is on its way to the screen (``line_arrived`` … ``line_drawn``) a
backlog batch waits for it; while the run's lines stream in, the backlog is
parsed in small batches with rests between.
"""

from __future__ import annotations

import threading
from functools import partial
from time import monotonic
from typing import Callable, Iterable

from vivtui.ingest.apart import ReadApart
from vivtui.ingest.apart_parts import ApartParts
from vivtui.ingest.apart_process import ApartProcess, Load
from vivtui.ingest.batch import Batch
from vivtui.ingest.early_backlogs import (
    EarlyBacklogs,
    Started,
    feed_cost,
    read_elsewhere,
    turns_for,
)
from vivtui.ingest.early_previews import EarlyPreviews
from vivtui.ingest.feeds import BATCH_BYTES, Feed
from vivtui.ingest.preview_loops import KEY_WAIT_S, KEYS_MOST_S, PreviewLoops
from vivtui.ingest.turns import Turns
from vivtui.parsing.kinds import gc_paused
from vivtui.sources.watcher import watch_directories
from vivtui.store.run import RunStore

IDLE_RECHECK_S = 1.0  # a look at every file even without a change notice
BACKLOG_YIELD_S = 0.05  # at most, per backlog batch, for a live line's frame
# While the run grows (a line in the last LIVE_WINDOW_S), the backlog rests this
# long after each batch. (0.2 s: a 13 MB kernel log took 22 s to count while a
# demo run wrote 30 lines a second, 0.05 s: 7 s, with the action log's tail
# latency unchanged, median 20.6 ms.)
LIVE_WINDOW_S, BACKLOG_REST_S = 0.5, 0.05
BACKLOG_BUDGET, BACKLOG_LIVE_BUDGET = 1 << 20, 128 << 10  # bytes parsed per batch
# A backlog taken in apart parses and takes in each batch while holding the
# GIL's turns: batches no bigger than the one-shot reads' (``BATCH_BYTES``).
APART_BUDGET = BATCH_BYTES
IN_FLIGHT = 2  # batches handed over and not applied yet, per feed
TAKE_OVER_WAIT_S = 1.0  # at most in all, for frames while another process's store is loaded
WORKER_WAIT_S = 1.0  # at most in all, for keys and frames, by a scan of the screen's

Post = Callable[[Batch], None]
Report = Callable[[str, Exception], None]


def spawn(work: Callable[[], None], name: str, report: Report) -> threading.Thread:
    """A daemon thread named ``vivtui <name>`` doing ``work``; what it raises
    is reported, not lost with the thread."""
    def guarded() -> None:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - reported to the user
            report(name, exc)

    thread = threading.Thread(target=guarded, name=f"vivtui {name}", daemon=True)
    thread.start()
    return thread


class Tailing(PreviewLoops):
    """The threads that follow ``feeds``; ``post`` and ``report`` are called
    from them. ``applied(kind)`` must follow every batch posted."""

    def __init__(self, feeds: Iterable[Feed], directories: Iterable, post: Post,
                 report: Report, *, poll: float | None = None,
                 on_change: Callable[[set[str]], None] | None = None,
                 one_thread: bool = False, previewed: Iterable[str] = (),
                 apart: Callable[[str], ReadApart] | None = None,
                 apart_processes: int = 0,
                 preview_store: Callable[..., RunStore] | None = None,
                 early: EarlyPreviews | None = None,
                 on_taken_over: Callable[[], None] | None = None,
                 early_backlogs: EarlyBacklogs | None = None) -> None:
        """``one_thread``: one thread reads every feed in turn and no watcher
        runs (someone else calls ``changed``): a run of an overview, one of
        many, not on screen. ``previewed``: the kinds whose big files are
        posted their newest lines first (``Feed.preview``). ``apart``: where
        the backlog of such a file is taken in, in its reading thread (called
        there with its kind); the reading is posted whole once done
        (``Batch.apart``). ``apart_processes``: how many such backlogs may be
        read by other processes at once (``apart_process``; 0: none, each is
        read by its thread). ``preview_store``: where a preview is taken in, in
        its reading thread (posted whole, ``Batch.apart``); without it, the
        preview's records are posted; given a store, the one to use (taken
        in by ``early``, the previews read while the monitor started).
        ``on_taken_over``: called once a backlog read by other processes is
        loaded here and joined, the collector paused since (``gc.freeze``:
        what they made lives as long as the run; ``launch.tune_process``).
        ``early_backlogs``: processes started as the monitor started, with
        the run's turns, each taken over where its loop would start one."""
        self.feeds = list(feeds)
        self.directories = list(directories)
        self._post = post
        self._report = report
        self.poll = poll  # seconds between looks instead of change notices
        self._on_change = on_change
        self.stopped = threading.Event()
        self.one_thread = one_thread
        self.previewed = frozenset(previewed)
        self._apart = apart
        self._apart_processes = apart_processes
        self._preview_store = preview_store
        self._early = early
        self._on_taken_over = on_taken_over
        self._early_backlogs = early_backlogs
        self._shown_early: set[Feed] = set()  # their previews went with the first frame
        self._turns: Turns | None = None  # at the other processes, from the start
        self._children: set[ApartProcess | ApartParts] = set()
        self._posting: set[Feed] = set()  # previews being posted beside their reading threads
        shared = threading.Event()
        self._wakeups = {feed: shared if one_thread else threading.Event()
                         for feed in self.feeds}
        # A backlog is parsed faster than it is applied: batches queued up
        # unread were the memory peak of a big file.
        self._in_flight = {feed.kind: threading.Semaphore(IN_FLIGHT) for feed in self.feeds}
        self._handed: set[str] = set()  # kinds whose whole backlog is posted (``backlogs_posted``)
        self._screen_free = threading.Event()
        self._screen_free.set()
        self._key_free = threading.Event()  # cleared while a key is being answered
        self._key_free.set()
        # One backlog batch parsed at a time, whatever the number of files: each
        # parsing thread takes as large a share of the GIL as the UI thread, and
        # with a whole run's seven at once a key took a second to show.
        self._backlog_turn = threading.Lock()
        self._last_live = float("-inf")
        self._lines_ended = False  # (``lines_ended``)
        self.threads: list[threading.Thread] = []
        # To be started (after the first frame): what is read so far is
        # nothing yet, not everything (``e`` said "no failures" meanwhile).
        self.due = False

    # -- from the UI thread ---------------------------------------------------------

    def start(self) -> None:
        if self.one_thread:
            self._spawn(lambda: self._follow(*self.feeds), "reading the run")
            return
        if self.poll is None:
            self._spawn(self._watch, "watching the run directory")
        if self._apart_processes:
            self._turns = (self._early_backlogs.turns if self._early_backlogs is not None
                           else turns_for(self.feeds, self._apart_processes))
        for feed in self.feeds:
            self._spawn(lambda feed=feed: self._follow(feed), f"reading {feed.kind}")

    def lines_ended(self, ended: bool) -> None:
        """Is the run finished (its writers gone)? Then a file's last line with
        no newline will never have one: it is read as a line (a crash's last
        words; ``vivtui summary`` counted it, the monitor never showed it).
        While the run lives, such a line is held until its newline: its
        writer is still writing it."""
        was, self._lines_ended = self._lines_ended, ended
        if ended and not was:
            for wakeup in set(self._wakeups.values()):
                wakeup.set()

    def stop(self, join: float = 0.0) -> None:
        self.stopped.set()
        self._screen_free.set()
        self._key_free.set()
        for wakeup in self._wakeups.values():
            wakeup.set()
        for child in list(self._children):
            child.stop()
        if self._early_backlogs is not None:
            self._early_backlogs.close()
        if self._early is not None:
            self._early.close()
        for thread in self.threads:
            thread.join(join)

    def reading_backlog(self) -> float | None:
        """How much of the backlogs is read, each weighed by what reading it
        costs (``ingest.costs``), while one is being read; None: all are read
        (or the loops have not started and are not ``due``: nothing will be
        read). (The least read of them, said before, stayed at 0 % for most
        of a big run's loading: its costliest backlogs waited for their turn.)"""
        if not self.threads:
            return 0.0 if self.due else None
        read = weight = 0.0
        left = False
        for feed in self.feeds:
            progress, cost = feed.reading_backlog(), feed_cost(feed)
            left = left or progress is not None
            read += (1.0 if progress is None else progress) * cost
            weight += cost
        if not left:
            return None
        return read / weight if weight else 0.0

    def backlogs_posted(self) -> bool:
        """Has every feed posted all its file held at the first look (a
        one-shot reading is over once they are taken in)?"""
        return len(self._handed) == len(self.feeds)

    def applied(self, kind: str) -> None:
        """A batch of ``kind`` was taken in: the next may come."""
        slots = self._in_flight.get(kind)
        if slots is not None:
            slots.release()

    def line_arrived(self) -> None:
        """A live line is on its way to the screen: the backlog waits for it."""
        self._last_live = monotonic()
        self.screen_busy()

    def screen_busy(self) -> None:
        """A frame is on its way (a new line's, a key's, a preview's): the
        backlog waits for it (``line_drawn``)."""
        self._screen_free.clear()

    def key_pressed(self) -> None:
        """A key is being answered: the previews' parsing and taking in wait
        until ``key_answered`` (a bounded time, ``_frames_first``): at a big
        run's first frame they held the GIL while the key passed up to its
        binding and its pane was drawn."""
        self._key_free.clear()
        self.screen_busy()

    def key_answered(self) -> None:
        self._key_free.set()

    def line_drawn(self) -> None:
        self._screen_free.set()

    def changed(self, names: set[str]) -> None:
        """Names of entries that changed (empty: anything may have): the feeds
        that read them look now."""
        if self._on_change is not None:
            self._on_change(names)
        for feed, wakeup in self._wakeups.items():
            feed.relink(names)
            if not names or names & feed.names or any(n.startswith(tuple(feed.names))
                                                      for n in names):
                wakeup.set()

    # -- in the threads -------------------------------------------------------------

    def _spawn(self, work: Callable[[], None], name: str) -> None:
        self.threads.append(spawn(work, name, self._report))

    def _watch(self) -> None:
        watch_directories(self.directories, self.changed, self.stopped, on_failure=partial(
            self._report, "watching the run directory (started again)"))

    def _follow(self, *feeds: Feed) -> None:
        """Each of ``feeds`` read in turn (one, but for ``one_thread``)."""
        wakeup = self._wakeups[feeds[0]]
        wait = self.poll or IDLE_RECHECK_S
        try:
            for feed in feeds:
                if feed.kind in self.previewed:
                    self._preview(feed, beside=self._in_process(feed))
            while not self.stopped.is_set():
                wakeup.clear()
                for feed in feeds:
                    try:
                        self.read_all(feed)
                    except Exception as exc:  # noqa: BLE001 - reported, then retried
                        self._report(f"reading {feed.path.name}", exc)
                wakeup.wait(wait)
        finally:
            for feed in feeds:
                feed.close()

    def read_all(self, feed: Feed) -> None:
        """Every batch the file holds now, posted one at a time (a big file's
        backlog: taken in apart, posted whole).

        Taken in on the UI thread a piece at a time, a big action log's or
        kernel's backlog (their panes show the file's newest lines without
        it) cost the UI thread as much CPU again as the reading (1M kernel
        lines: 2.0 s beside the reading thread's 1.9 s), and kept keys waiting."""
        if self._apart is not None and feed.backlog_progress() is not None:
            in_process = self._in_process(feed)
            if in_process or feed.previewing or feed.big():
                self._read_apart(feed, in_process)
        while True:
            batch = (self._backlog_batch(feed) if feed.backlog_progress() is not None
                     else feed.poll(final=self._lines_ended))
            more = batch.more
            if batch.records or batch.events or batch.reset:
                self._hand_over(batch)
            del batch  # freed once applied, not after the next batch is read
            if not more:
                self._handed.add(feed.kind)
            if not more or self.stopped.is_set():
                return

    def _read_apart(self, feed: Feed, in_process: bool) -> None:
        """The backlog taken in apart: by another process as far as it reads
        (``in_process``), by this thread for the rest."""
        started = self._early_backlogs.take(feed) if self._early_backlogs is not None else None
        reading = started.reading if started is not None else self._apart(feed.kind)
        feed.apart = True
        if in_process:
            self._read_in_process(feed, reading, started)
        while not self.stopped.is_set():
            batch = self._backlog_batch(feed, reading.take)
            if batch.events:  # said on screen (the reading's engine saw what happened)
                self._hand_over(Batch(feed.kind, source=batch.source, events=batch.events))
            if not batch.more:
                self._hand_over(Batch(feed.kind, source=batch.source, apart=reading))
                return

    def _in_process(self, feed: Feed) -> bool:
        """Is the feed's backlog for another process to read (one may be at it already)?"""
        return read_elsewhere(feed, self._apart_processes) or (
            self._early_backlogs is not None and self._early_backlogs.has(feed))

    def _read_in_process(self, feed: Feed, reading: ReadApart, started: Started | None) -> None:
        """As much of the backlog as another process will read (``apart_process``),
        in its turn (``turns``; ``started``: the process was started with
        its turn as the monitor started), the turn given back as soon as
        the process is done: its answer is loaded here meanwhile."""
        if started is None:
            turn = (self._turns.take(feed.kind, feed_cost(feed), self.stopped)
                    if self._turns is not None else None)
            if turn is None:  # (stopped, or not started: read here)
                return
            started = Started.launch(feed, reading, turn, self._turns)
            if started is None:
                return
        with started.turn as turn:
            process = started.process
            self._children.add(process)

            def meanwhile() -> None:
                feed.offset_elsewhere = process.offset
                self._post_preview_more(feed)

            try:
                # The part done first is loaded while the other is still read,
                # but not frozen until the take-over: if the other part fails,
                # it is dropped and freed.
                if process.wait(self.stopped, meanwhile, partial(self._loaded, settled=False)):
                    turn.give_back()
                    self._loaded(partial(process.take_over, feed, reading))
            finally:
                self._children.discard(process)
                # Its progress is the feed's own now, or void (it failed: read here from the start).
                feed.offset_elsewhere = 0

    def _loaded(self, load: Load, settled: bool = True) -> bool:
        """A process's answer loaded (and joined, taken over) with the
        collector paused, then ``on_taken_over`` if it was: a big store's
        million new objects were walked by its passes again and again
        meanwhile (the two answers of a 200k-task queue loaded in 118-130 ms
        with it paused, 148-222 ms without; 200k sessions': 48-67 against
        79-98 ms). Also a part's answer loaded ahead (``ApartParts.wait``)."""
        with gc_paused():
            taken = load(self._frames_first(TAKE_OVER_WAIT_S))
            if taken and settled and self._on_taken_over is not None:
                self._on_taken_over()
            return taken

    def keys_first(self) -> Callable[[], None]:
        """For other work of the screen's process that can wait (a file's
        history indexed): called between its pieces, it waits while a key is
        being answered, as the previews do."""
        return self._frames_first(0.0, keys=KEYS_MOST_S)

    def worker_pace(self, most: float = WORKER_WAIT_S) -> Callable[[], None]:
        """For a worker of the screen's that holds the GIL in long pieces (a
        scan): between them, a key's answer and the frames on their way go
        first, ``most`` seconds in all (``_frames_first``)."""
        return self._frames_first(most, most)

    def _frames_first(self, most: float, keys: float = 0.0) -> Callable[[], None]:
        """For work that holds the GIL in long pieces: called between them, it
        waits while a frame is on its way, ``most`` seconds in all (a run whose
        screen is always busy still gets the work done); and, ``keys`` seconds
        in all, while a key is being answered (``key_pressed``), however long
        it has waited for frames."""
        left, keys_left = most, keys

        def pace() -> None:
            nonlocal left, keys_left
            if keys_left > 0 and not self._key_free.is_set():
                began = monotonic()
                self._key_free.wait(min(KEY_WAIT_S, keys_left))
                keys_left -= monotonic() - began
            if left > 0 and not self._screen_free.is_set():
                began = monotonic()
                self._screen_free.wait(min(BACKLOG_YIELD_S, left))
                left -= monotonic() - began

        return pace

    def _backlog_batch(self, feed: Feed, take: Callable[[Batch], None] | None = None) -> Batch:
        """The backlog's next batch, parsed (and ``take``n in) in its turn,
        after the preview's new lines are posted and the backlog's rest."""
        self._post_preview_more(feed)
        self._pace_backlog(feed, BACKLOG_BUDGET if take is None else APART_BUDGET)
        with self._backlog_turn, gc_paused():  # its garbage freed before the collector walks it
            batch = feed.poll()
            if take is not None:
                take(batch)
        return batch

    def _pace_backlog(self, feed: Feed, budget: int) -> None:
        self._screen_free.wait(BACKLOG_YIELD_S)
        live = monotonic() - self._last_live < LIVE_WINDOW_S
        if live:
            self.stopped.wait(BACKLOG_REST_S)
            self._screen_free.wait(BACKLOG_YIELD_S)  # a line came meanwhile
        # Small batches while live: a new line waits at most for one.
        feed.budget = min(BACKLOG_LIVE_BUDGET, budget) if live else budget

    def _hand_over(self, batch: Batch) -> None:
        slots = self._in_flight[batch.kind]
        while not slots.acquire(timeout=0.2):
            if self.stopped.is_set():
                return
        self._post(batch)

