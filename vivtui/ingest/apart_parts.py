"""A big file's backlog read in two parts at once, by two processes, when it
is the only backlog to read (a file opened alone).

Read by one process (``apart_process``), a big queue's backlog kept one core
busy for 3 s while the other had nothing to do. Here the file is cut where
a line starts near its middle; one process reads up to the cut, the other
from it (numbering its lines on from those before). The second's store and
alert engine then follow the first's (``RunStore.followed_by``,
``AlertEngine.followed_by``): the result is what one reading would have
made. Only for the kinds whose models know how to go on (``PART_KINDS``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import partial

from vivtui.ingest.apart import ReadApart
from vivtui.ingest.apart_process import (
    Ahead,
    ApartProcess,
    hand_over,
    opened_kept,
    outgrown,
    wait_all,
)
from vivtui.ingest.feeds import Feed
from vivtui.ingest.kept_answers import Kept
from vivtui.ingest.layout import rows_between
from vivtui.sources.tailer import Place
from vivtui.store.run import PART_KINDS

# Each part is read by a process started afresh (~0.3 s): worth it above this
# size (twice ``apart_process.WORTH_OVER``, written out: a value taken from it
# when this module is imported would be whatever a test had made it then).
PARTS_OVER = 32 << 20
CUT_LOOK = 1 << 20  # bytes looked through for a line's start past the middle


def cut_of(fd: int, size: int) -> int | None:
    """Where a line starts near the middle of the ``size`` bytes of ``fd``
    (None: no line starts within ``CUT_LOOK`` bytes past it)."""
    middle = size // 2
    try:
        found = os.pread(fd, min(CUT_LOOK, size - middle), middle).find(b"\n")
    except OSError:
        return None
    cut = middle + found + 1
    return cut if found >= 0 and cut < size else None


def joined(first: tuple, second: tuple, feed: Feed, cut: int) -> tuple:
    """What one reading of both parts makes, from what each made (a store,
    an alert engine, and its place, records and malformed lines); when they
    cannot be joined exactly, the first's alone: the rest is read on from
    its place. (A first part that stopped short of ``cut`` found the file
    cut meanwhile: what one reading would have made is the first part, then
    the file started over.)"""
    (store, engine, (place, records, malformed)), (later, later_engine, end) = first, second
    kind = feed.kind
    # (The engine first: it judges the later part with the first part's figures.)
    if place.offset == cut and store.can_follow(later, kind) and (
            engine is None or engine.followed_by(
            later_engine, kind, store, partial(rows_between, feed))):
        store.followed_by(later, kind)
        place = Place(end[0].offset, end[0].line_no, (place.prints[0], end[0].prints[1]))
        records, malformed = records + end[1], malformed + end[2]
    later.retire()
    store.settle(kind)
    return store, engine, (place, records, malformed)


class ApartParts:
    """Two processes, one per part, waited for and taken over as one
    (the interface of ``ApartProcess``)."""

    def __init__(self, first: ApartProcess, second: ApartProcess, cut: int) -> None:
        self._first, self._second = first, second
        self._cut = cut
        self._answers: dict[ApartProcess, tuple | None] = {}  # loaded while the other ran

    @classmethod
    def start(cls, feed: Feed, reading: ReadApart) -> ApartParts | ApartProcess | None:
        """Two processes for a big enough file of a kind read in parts, else one."""
        if feed.kind not in PART_KINDS:
            return ApartProcess.start(feed, reading)
        opened = opened_kept(feed, reading)
        if opened is None:
            return None
        fd, size, kept, found = opened
        first = ApartProcess.taken_from(*found) if found is not None else None
        if first is not None:  # the parts of an earlier look, where they were cut
            return cls._taken(feed, reading, fd, size, kept, first)
        cut = cut_of(fd, size) if size > PARTS_OVER else None
        if cut is None:
            return ApartProcess.launch(feed, reading, fd, size, kept=kept)
        return cls._launched(feed, reading, fd, size, kept, cut)

    @classmethod
    def _launched(cls, feed: Feed, reading: ReadApart, fd: int, size: int, kept: Kept | None,
                  cut: int, first: ApartProcess | None = None) -> ApartParts | ApartProcess | None:
        """A process for each part (``first`` given: for the later part only)."""
        first = first or ApartProcess.launch(feed, reading, fd, cut, kept=kept)
        second = ApartProcess.launch(feed, reading, fd, size, cut, kept) if first else None
        if second is None:
            if first is not None:
                first.stop()
            return ApartProcess.launch(feed, reading, fd, size, kept=kept)
        return cls(first, second, cut)

    @classmethod
    def _taken(cls, feed: Feed, reading: ReadApart, fd: int, size: int, kept: Kept,
               first: ApartProcess) -> ApartParts | ApartProcess | None:
        """The first part kept (``first``, up to its end); the later one kept
        too, unless the file has outgrown it since (``apart_process.outgrown``:
        the tail loop would read that much on the screen's process): then it
        is read by a process from that end."""
        end = first.offset
        later = kept.find(end, size)
        if later is not None and not outgrown(later[0], size):
            second = ApartProcess.taken_from(*later)
            if second is not None:
                return cls(first, second, end)
        if not outgrown(end, size):
            return first
        return cls._launched(feed, reading, fd, size, kept, end, first)

    @property
    def offset(self) -> int:
        """Bytes read so far, by both."""
        return self._first.offset + max(0, self._second.offset - self._cut)

    def wait(self, stopped: threading.Event, meanwhile: Callable[[], None],
             ahead: Ahead | None = None) -> bool:
        """Until both are done (True), or ``stopped`` is set (False: both are
        stopped). The answer of the one done first is loaded meanwhile, given
        to ``ahead`` (the parts end 0.3-0.9 s apart on a big queue, and each
        answer took 0.1-0.14 s to load after both had ended)."""
        def ended(process: ApartProcess) -> None:
            if ahead is not None:
                ahead(partial(self._load, process))

        return wait_all([self._first, self._second], stopped, meanwhile, ended)

    def _load(self, process: ApartProcess, pace: Callable[[], object] | None) -> bool:
        self._answers[process] = process.answer(pace)
        return self._answers[process] is not None

    def take_over(self, feed: Feed, reading: ReadApart,
                  pace: Callable[[], object] | None = None) -> bool:
        """Both parts' stores and engines, one following the other, taken
        over by ``reading`` and ``feed``; False (nothing changed) if either failed."""
        first = self._answer(self._first, pace)
        second = self._answer(self._second, pace) if first is not None else None
        self.stop()
        if second is None:
            return False
        hand_over(joined(first, second, feed, self._cut), feed, reading)
        return True

    def _answer(self, process: ApartProcess, pace: Callable[[], object] | None) -> tuple | None:
        if process in self._answers:
            return self._answers.pop(process)
        return process.answer(pace)

    def stop(self) -> None:
        self._answers.clear()
        self._first.stop()
        self._second.stop()
