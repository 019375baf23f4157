"""A big file's backlog taken in by another process: the reading of
``ingest.apart``, done where it holds no GIL the screen needs.

In the screen's process, a big backlog was read by its thread taking turns
at the GIL with the screen (a 200k-task queue took 10 s of CPU there against
6-7.7 s alone), or taken in on the UI thread a piece at a time (the action
log's and the kernel's), and a key waited behind each turn. Here a process
started afresh reads the file through the reading thread's own descriptor
(the same file, whatever is renamed meanwhile), up to the size it had when
asked, into the reading's store and alert engine, and writes them to a
nameless file; once it has ended, the thread takes them and where it
stopped, and reads on from there for what came since.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import tempfile
import threading
from datetime import tzinfo
from pathlib import Path
from typing import IO, Callable

from vivtui.ingest import handover
from vivtui.ingest.apart import ReadApart
from vivtui.ingest.feeds import Feed, read_to_end
from vivtui.ingest.forked import Forked
from vivtui.ingest.kept_answers import Kept
from vivtui.ingest.layout import LineReread
from vivtui.ingest.python_child import given_on_stdin, started
from vivtui.parsing.kinds import BY_NAME, LINES, FileSpec
from vivtui.sources.child_command import lowered, module_command
from vivtui.sources.readable import readable
from vivtui.sources.regular import size_of

# Below this size the process costs more than it saves (its start: ~0.3 s).
WORTH_OVER = 16 << 20
WAIT_S = 0.2  # between looks at the process (and the preview's new lines meanwhile)
LOOK_GAP_S = 0.05  # at least, between those looks
# A kept answer (``kept_answers``) is taken when the file has gained no more
# than this since: the tail loop reads that on, on the screen's process.
READ_ON_MOST = 16 << 20


# The loading of an answer: given the pace of ``handover.load``, says whether it loaded.
Load = Callable[[Callable[[], object] | None], bool]
# Given such a loading while other processes still run: does it, with the take-over's care.
Ahead = Callable[[Load], object]


def reads_apart(spec: FileSpec) -> bool:
    """Can another process read a part of such a file? A line file whose
    records are each one line (the action log's text form assembles entries
    across lines: its part would end mid-entry)."""
    return spec.mode == LINES and not spec.assembled


def worth_it(path: Path) -> bool:
    """Is the backlog of ``path`` (a file that could be read apart) worth
    another process? When it is big, even alone: read by a thread of the
    screen's process, it takes turns at the GIL with the screen (a big audit
    log alone was counted in 8.5-10.5 s by its thread, 6.4-9.7 s by a
    process; keys waited 25-42 ms against 20-31 ms while a big file loaded);
    the process's memory (16-31 MB) comes on top."""
    return size_of(path) > WORTH_OVER


class ApartProcess:
    """One backlog read by another process; ``None`` from ``start`` when it
    cannot be (then the thread reads it, as before)."""

    def __init__(self, process: subprocess.Popen | _Done, progress: int,
                 answer: IO[bytes]) -> None:
        self._process = process
        self.progress = progress  # read end: the child's offsets, a line each; EOF: done
        self._answer = answer  # a nameless file the child writes its answer to
        self.offset = 0  # how far the child has read
        # Where its answer is kept once made (``kept_answers``): the range and
        # what its bytes read as when it began.
        self._keeping: tuple[Kept, int, int, str | None] | None = None

    @classmethod
    def start(cls, feed: Feed, reading: ReadApart) -> ApartProcess | None:
        """The answer kept from an earlier look; when the file has outgrown it
        (a live run looked at again an hour later), a process reading on from
        it; else a process reading the file."""
        opened = opened_kept(feed, reading)
        if opened is None:
            return None
        fd, size, kept, found = opened
        went_on = None  # (None too if another monitor's pruning took it meanwhile)
        if found is not None:
            went_on = (cls.launch(feed, reading, fd, size, kept=kept, went_on=found[1])
                       if outgrown(found[0], size) else cls.taken_from(*found))
        return went_on or cls.launch(feed, reading, fd, size, kept=kept)

    @classmethod
    def taken_from(cls, end: int, path: Path) -> ApartProcess | None:
        """An answer kept from an earlier look (``kept_answers``), of the
        bytes up to ``end``: done at once, read on from there."""
        try:
            answer = open(path, "rb")  # noqa: SIM115 - closed by ``stop``
            progress, done = os.pipe()
        except OSError:
            return None
        os.close(done)
        taken = cls(_Done(), progress, answer)
        taken.offset = end
        return taken

    @staticmethod
    def opened(feed: Feed) -> tuple[int, int] | None:
        """The feed's file opened for other processes to read (its descriptor
        and size), when it is big enough to be worth one."""
        opened = feed.descriptor()
        return opened if opened is not None and opened[1] > WORTH_OVER else None

    @classmethod
    def launch(cls, feed: Feed, reading: ReadApart, fd: int, size: int,
               begin: int = 0, kept: Kept | None = None,
               went_on: Path | None = None) -> ApartProcess | None:
        """The process reading ``fd`` from byte ``begin`` (where a line starts)
        up to byte ``size``, into a copy of ``reading``'s store and engine
        (``went_on``: into the kept answer there, from where it ends, as the
        tail loop reads on from one); its answer kept in ``kept`` once made."""
        try:
            progress_read, progress_write = os.pipe()
        except OSError:  # out of descriptors: read here
            return None
        answer = process = carried = None
        try:
            # (Opened here: pruned by another monitor meanwhile, it is still read.)
            carried = open(went_on, "rb") if went_on is not None else None  # noqa: SIM115
            answer = tempfile.TemporaryFile()  # (no writable temporary directory: read here)
            passed = (fd, progress_write, answer.fileno(),
                      *([carried.fileno()] if carried is not None else []))
            work = (feed.spec.name, str(feed.path), feed.zone, fd, begin, size,
                    progress_write, answer.fileno(), reading.store, reading.engine,
                    carried.fileno() if carried is not None else None)
            process = _started(work, passed)
        except (OSError, pickle.PicklingError):
            os.close(progress_read)
            if answer is not None:
                answer.close()
            if process is not None:
                process.kill()
                process.wait()
            return None
        finally:
            os.close(progress_write)
            if carried is not None:
                carried.close()
        launched = cls(process, progress_read, answer)
        if kept is not None:
            launched._keeping = (kept, begin, size, kept.marks(size))
        return launched

    def wait(self, stopped: threading.Event, meanwhile: Callable[[], None],
             ahead: Ahead | None = None) -> bool:
        """Until the process is done (True), or ``stopped`` is set (False: the
        process is stopped too); ``meanwhile`` between looks. (``ahead``:
        see ``ApartParts.wait``; one process has nothing to load ahead.)"""
        return wait_all([self], stopped, meanwhile)

    def take_over(self, feed: Feed, reading: ReadApart,
                  pace: Callable[[], object] | None = None) -> bool:
        """The process's store, alert engine and place, taken over by
        ``reading`` and ``feed``; False (and nothing changed) if it failed.
        (Read once the process has ended: its store and this one's copy are
        never in memory at once.) ``pace``: see ``handover.load``."""
        made = self.answer(pace)
        if made is None:
            return False
        hand_over(made, feed, reading)
        return True

    def answer(self, pace: Callable[[], object] | None = None) -> tuple | None:
        """What the process made: its store, engine and place (None: it failed)."""
        try:
            if self._process.wait() != 0:
                return None
            if self._keeping is not None:
                kept, begin, end, marks = self._keeping
                kept.keep(begin, end, self._answer, marks)
            self._answer.seek(0)
            return handover.load(self._answer, pace)
        except Exception:  # noqa: BLE001 - whatever is wrong with its answer: read here
            return None
        finally:
            self.stop()

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if not self._answer.closed:
            self._answer.close()
            try:
                os.close(self.progress)
            except OSError:  # closed by another thread just now
                pass

    def read_progress(self) -> bool:
        """The child's latest offset taken; False at the pipe's end."""
        data = os.read(self.progress, 4096)
        lines = data.split(b"\n")
        if len(lines) > 1 and lines[-2].isdigit():
            self.offset = int(lines[-2])
        return bool(data)


class _Done:
    """The process of an answer kept from an earlier look: ended, and well."""

    def wait(self) -> int:
        return 0

    def poll(self) -> int:
        return 0

    def kill(self) -> None:
        pass


def outgrown(end: int, size: int) -> bool:
    """Has a file of ``size`` bytes gained more since a kept answer's ``end``
    than the tail loop should read on (``READ_ON_MOST``)?"""
    return size - end > READ_ON_MOST


def opened_kept(feed: Feed, reading: ReadApart) -> tuple[
        int, int, Kept | None, tuple[int, Path] | None] | None:
    """The feed's file opened for another process (``ApartProcess.opened``:
    its descriptor and size), where the answers of ``reading`` of it are
    kept, and the one kept from its start (``Kept.find``), if any."""
    opened = ApartProcess.opened(feed)
    if opened is None:
        return None
    fd, size = opened
    kept = Kept.of(feed.path, feed.spec.name, feed.zone, (reading.store, reading.engine), fd)
    return fd, size, kept, kept.find(0, size) if kept is not None else None


def wait_all(processes: list[ApartProcess], stopped: threading.Event,
             meanwhile: Callable[[], None],
             ended: Callable[[ApartProcess], None] | None = None) -> bool:
    """Until every process is done (True), or ``stopped`` is set (False: they
    are stopped too); ``meanwhile`` between looks, and ``ended`` with each
    process that is done while others still run. (Each one's progress is
    read as it comes: a full pipe would hold its process up.)"""
    running = list(processes)
    try:
        while not stopped.is_set():
            ready = readable([process.progress for process in running], WAIT_S)
            still = [process for process in running
                     if process.progress not in ready or process.read_progress()]
            if not still:
                return True
            if ended is not None:
                for process in running:
                    if process not in still:
                        ended(process)
            running = still
            meanwhile()
            # A process writes its progress at every batch: a look at each
            # (hundreds a second) cost the screen's process CPU, and its
            # readers' cores time. The pipe holds thousands meanwhile.
            stopped.wait(LOOK_GAP_S)
    except (OSError, ValueError):  # stopped from another thread meanwhile (at exit)
        pass
    for process in processes:
        process.stop()
    return False


def hand_over(made: tuple, feed: Feed, reading: ReadApart) -> None:
    """A backlog's store, engine and place (``ApartProcess.answer``) are
    ``reading``'s and ``feed``'s from now on."""
    store, engine, place = made
    store.clock = reading.store.clock
    reading.store, reading.engine = store, engine
    feed.took_over(*place)


def _command() -> list[str]:
    return module_command(__name__)


def _started(work: tuple, passed: tuple[int, ...]) -> subprocess.Popen | Forked:
    """The process doing ``work`` (``_work``'s arguments) with the descriptors
    ``passed``, at idle priority."""
    process = started(_command(), _work, work, passed)
    # Set from here the moment it exists: at the lowest niceness, set by the
    # process itself once started, tmux was slow to answer during a big run's
    # loading (over 50 ms, 4-9 times in 14 s) and keys were answered later.
    lowered(process.pid)
    return process


def _read(spec_name: str, path: str, zone: tzinfo | None, fd: int, begin: int, size: int,
          progress: IO[str], store, engine, went_on: tuple | None = None) -> tuple:
    """In the process: the file read through ``fd`` from byte ``begin`` up
    to ``size`` bytes (``went_on``: from the place, records and malformed
    lines a kept answer ends at, whose store and engine these are)."""
    feed = Feed([(BY_NAME[spec_name], Path(path))], zone)
    feed.read_through(Path(f"/dev/fd/{fd}"), size, begin)
    if went_on is not None:
        feed.took_over(*went_on)
    if begin and engine is not None:
        engine.reads_after_cut(feed.kind)
    # Kept rows past the newest held as places in the file, as the monitor
    # holds them: packed, a big run's were 75 MB of the monitor's memory.
    for buffer in store.kept_rows(feed.kind):
        buffer.reread = LineReread(feed)

    def take(batch) -> None:
        found = store.apply_batch(batch)
        if engine is not None:
            engine.saw_batch(batch, found, store)
        progress.write(f"{feed.place()[0].offset}\n")

    read_to_end(feed, take, final=False)
    feed.close()
    store.settle(feed.kind)
    return store, engine, feed.place()


def _work(work: tuple) -> None:
    # (At idle priority already: ``lowered``, from the monitor.)
    (spec_name, path, zone, fd, begin, size, progress_fd, answer_fd, store, engine,
     carried_fd) = work
    went_on = None
    if carried_fd is not None:  # a kept answer, read on from
        with os.fdopen(carried_fd, "rb") as carried:
            store, engine, went_on = handover.load(carried)
    # The progress pipe ends when the process does, after its answer is written.
    progress = os.fdopen(progress_fd, "w", buffering=1)
    with os.fdopen(answer_fd, "wb") as answer:
        # Written as it is made: never the whole answer in memory beside the store.
        made = _read(spec_name, path, zone, fd, begin, size, progress, store, engine, went_on)
        handover.dump(made, answer)
    progress.close()
    handover.leave()  # (``made`` held: not freed first)


if __name__ == "__main__":
    _work(given_on_stdin())
