"""A big file's newest lines read by a forked process while the monitor
starts, not after its first frame.

A big audit log's newest screen came half a second after the monitor was
started: the interpreter and Textual's import took about 0.3 s, the first
frame came 0.1 s later, and only then did the tail loops read the file's last
megabyte, parse it and take it into a preview store, on the GIL the screen was
drawing with. The importing is one core's work; here the other core reads the
preview meanwhile. The monitor's process opens the file's preview
(``Feed.open_preview``), then forks before Textual is imported, while it has
no other thread; the child reads and takes in each preview, writes the store
and where it stopped to a nameless file of the feed's, and says so on the
feed's pipe. The screen takes the one it shows first in before its first
frame; a tail loop that finds no answer (the child failed, or is late) reads
its preview itself, as before. ``benchmarks/ab_open.py``, against the tail
loops alone: the audit log's newest screen after 0.381 s against 0.503 s
(medians), the queue's 0.419 against 0.539 s, the sessions' 0.439 against
0.595 s.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from typing import IO

from vivtui.ingest import handover
from vivtui.ingest.feeds import Feed
from vivtui.parsing.kinds import gc_paused
from vivtui.sources.readable import readable
from vivtui.store.run import RunStore

WAIT_S = 2.0  # at most, a tail loop waits for its preview's answer
DONE = b"1"


class _Answer:
    """Where the child's answer for one feed comes: a flag on a pipe, then a file."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile()
        self.ready, self.said = os.pipe()

    def close(self) -> None:
        self.file.close()
        self.close_end("ready")
        self.close_end("said")

    def close_end(self, name: str) -> None:
        """One end of the pipe closed, once: its number may be another
        descriptor's afterwards."""
        fd = getattr(self, name)
        if fd >= 0:
            setattr(self, name, -1)
            os.close(fd)


class EarlyPreviews:
    """The previews a forked process reads, one answer per feed; ``start``
    gives None when none is to be read (no big line file, or no fork)."""

    def __init__(self, pid: int, answers: dict[Feed, _Answer]) -> None:
        self._pid = pid
        self._answers = answers
        self._lock = threading.Lock()

    @classmethod
    def start(cls, feeds: Iterable[Feed], kinds: Iterable[str],
              make_store: Callable[[], RunStore]) -> EarlyPreviews | None:
        """Fork the process that reads the previews of ``feeds`` of ``kinds``;
        call before Textual is imported. Not while another thread runs (a
        stream's receiver): the child would have none of the threads, but
        whatever locks they held. Linux only: elsewhere a fork without an exec
        is not what the system libraries expect (the tail loops read them)."""
        if not sys.platform.startswith("linux") or other_threads():
            return None
        wanted = set(kinds)
        chosen = [feed for feed in feeds if feed.kind in wanted and feed.open_preview()]
        if not chosen:
            return None
        answers: dict[Feed, _Answer] = {}
        try:
            for feed in chosen:
                answers[feed] = _Answer()
            pid = os.fork()
        except OSError:  # out of descriptors or processes: read by the tail loops
            for answer in answers.values():
                answer.close()
            return None
        if pid == 0:
            _child(answers, make_store)  # never returns
        for answer in answers.values():
            answer.close_end("said")
        return cls(pid, answers)

    def take(self, feed: Feed, wait: float = WAIT_S) -> RunStore | None:
        """``feed``'s preview taken in by the child, once it says it is (at
        most ``wait`` seconds). None: none came, and the caller reads it; or,
        without a ``wait``, it is not in yet and may be asked for again."""
        answer = self._answers.get(feed)
        if answer is None:
            return None
        try:
            ready = bool(readable([answer.ready], wait))
        except (OSError, ValueError):  # let go meanwhile (``close``)
            return None
        if not ready and not wait:
            return None
        with self._lock:
            if self._answers.pop(feed, None) is None:
                return None
        try:
            if not ready or os.read(answer.ready, 1) != DONE:
                return None
            answer.file.seek(0)
            store, place = handover.load(answer.file)
        except Exception:  # noqa: BLE001 - whatever is wrong with its answer: read here
            return None
        finally:
            answer.close()
            self._reap()
        feed.previewed_elsewhere(place)
        return store

    def close(self) -> None:
        """The answers not taken let go, and the child with them."""
        with self._lock:
            answers, self._answers = list(self._answers.values()), {}
        for answer in answers:
            answer.close()
        self._reap(end=True)

    def _reap(self, end: bool = False) -> None:
        """The child's end taken note of (no zombie left): once it has ended,
        or, with ``end``, killed first if it is still at work."""
        if self._pid == 0:
            return
        try:
            if end:
                os.kill(self._pid, signal.SIGKILL)
            ended, _ = os.waitpid(self._pid, 0 if end else os.WNOHANG)
        except OSError:  # reaped already
            ended = self._pid
        if ended:
            self._pid = 0


def other_threads() -> bool:
    """Does another thread run in this process?"""
    return threading.active_count() > 1


def _child(answers: dict[Feed, _Answer], make_store: Callable[[], RunStore]) -> None:
    """In the forked process: each preview read and taken in, its answer
    written and said; then gone, without the parent's exit handlers."""
    try:
        for answer in answers.values():
            answer.close_end("ready")
        with gc_paused():
            for feed, answer in answers.items():
                _answer(feed, answer, make_store)
    finally:
        os._exit(0)


def _answer(feed: Feed, answer: _Answer, make_store: Callable[[], RunStore]) -> None:
    try:
        batch = feed.preview()
        if batch is None:
            return
        store = make_store()
        store.apply_batch(batch)
        handover.dump((store, feed.preview_place()), answer.file)
        answer.file.flush()
        os.write(answer.said, DONE)
    except Exception:  # noqa: BLE001 - no answer: the monitor reads it itself
        pass
    finally:
        answer.close_end("said")
