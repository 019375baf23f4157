"""A big file of a one-shot reading (``vivtui summary``) taken from what the
last reading of it kept (``ingest.kept_answers``) and read on from there.

A script that asks for a big run's summary every few minutes had every file
read again each time: 18-20 s of both cores on this project's VM for the
big run. What one file's reading makes (a store of its own) is small and
is what the same reading of the same bytes makes again, so it is kept as
the monitor keeps its processes' answers, under a key of its own (the
summary's store, not the monitor's store and alert engine), and taken
when the same file still holds those bytes. What the file gained since is
read on into it.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import Any

from vivtui.ingest import handover
from vivtui.ingest.apart_process import reads_apart
from vivtui.ingest.feeds import Feed, read_to_end
from vivtui.ingest.kept_answers import Kept
from vivtui.parsing.kinds import FileSpec
from vivtui.sources.regular import size_of
from vivtui.store.run import RunStore

# Below this size a file's reading costs little more than loading its answer
# (as the monitor's processes: ``apart_process.WORTH_OVER``).
KEEP_OVER = 16 << 20
# Read on from a kept answer, a file's answer is kept again once this much
# more of it was read: not at every look at a live run.
KEEP_AGAIN_OVER = 1 << 20


def read_kept(feed: Feed, fresh: RunStore) -> RunStore | None:
    """``feed``'s complete lines read (its last line with no newline is
    ``split_read._last_lines``'s), into the store kept of an earlier reading
    of it, else into ``fresh``; what they made kept for the next reading.
    None, and nothing read, when it is not a file worth keeping
    (``worth_keeping``)."""
    chosen = feed.current_choice()
    if chosen is None or not worth_keeping(*chosen):
        return None
    opened = feed.descriptor()
    if opened is None:
        return None
    fd, size = opened
    store = fresh

    def take(kept: tuple) -> None:
        nonlocal store
        store, place = kept
        feed.took_over(*place)

    read_on(Kept.of(feed.path, feed.spec.name, feed.zone, fresh, fd), size, take,
            lambda final: read_to_end(feed, store.apply_batch, final), feed.stop_at,
            lambda: (store, feed.place()), final=False)
    return store


def read_on(kept: Kept | None, size: int, take: Callable[[Any], None],
            read: Callable[[bool], None], stop_at: Callable[[int | None], None],
            made: Callable[[], Any], final: bool = True) -> None:
    """A file of ``size`` bytes read to its end: from what ``kept`` holds of
    it, given to ``take``, if it holds something; then by ``read`` (final:
    an unfinished last line too) up to ``size`` (``stop_at``), what was
    ``made`` of its complete lines kept; then on to its end (``final``, or
    its complete lines only)."""
    since = 0
    found = kept.find(0, size) if kept is not None else None
    taken = _taken(found[1]) if found is not None else None
    if taken is not None:
        take(taken)
        since = found[0]
    marks = kept.marks(size) if kept is not None and size - since > KEEP_AGAIN_OVER else None
    stop_at(size)
    read(False)
    if marks is not None:
        _keep(kept, size, made(), marks)
    stop_at(None)
    read(final)


def answered(spec: FileSpec, path: Path, zone: tzinfo | None, fresh: RunStore) -> int:
    """How many of the file's bytes a kept answer has read already (0: none),
    for ``fresh``'s reading of it: what is left to read is what it costs."""
    if not worth_keeping(spec, path):
        return 0
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return 0
    try:
        kept = Kept.of(path, spec.name, zone, fresh, fd)
        found = kept.find(0, os.fstat(fd).st_size) if kept is not None else None
    finally:
        os.close(fd)
    return found[0] if found is not None else 0


def worth_keeping(spec: FileSpec, path: Path) -> bool:
    """A line file of one-line records (whose reading can stop at any line:
    ``reads_apart``), big enough (``KEEP_OVER``)."""
    return reads_apart(spec) and size_of(path) > KEEP_OVER


def _taken(path: Path) -> Any:
    """A kept answer loaded; None if it is gone (another reading's pruning)
    or unreadable."""
    try:
        with open(path, "rb") as answer:
            return handover.load(answer)
    except (OSError, EOFError, ValueError, pickle.UnpicklingError, AttributeError,
            ImportError):
        return None


def _keep(kept: Kept, end: int, made: tuple, marks: str) -> None:
    try:
        with tempfile.TemporaryFile() as answer:
            handover.dump(made, answer)
            kept.keep(0, end, answer, marks)
    except OSError:  # (no room left: nothing kept)
        pass
