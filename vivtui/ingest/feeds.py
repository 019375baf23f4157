"""A feed: one file kind of a run, tailed and parsed into batches of records.

The one-shot ``summary`` and the live monitor's tail loops (``tailing``) both
drive feeds through ``poll``.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from vivtui.ingest.batch import Batch
from vivtui.ingest.file_status import (
    FileStatus,
    Reading,
    reader_note,
    reader_refusal,
    stat_state,
    unique_names,
)
from vivtui.ingest.newest_lines import NewestLines
from vivtui.ingest.rotated import Identity, UnreadCopies, copies_note
from vivtui.parsing import performance
from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import SNAPSHOT, FileSpec, LineParser, gc_paused
from vivtui.parsing.record import Records
from vivtui.sources.lineindex import lines_before
from vivtui.sources.regular import size_of
from vivtui.sources.snapshot import SnapshotReader, SnapshotUpdate
from vivtui.sources.tailer import MISSING, UNREADABLE, Chunk, LineTailer, Place

# A line file this big at the first look is previewed by its end (``Feed.preview``).
PREVIEW_OVER = 8 << 20
# The kinds whose panes draw a model of the whole file (the queue, the sessions,
# the budget): a big file of theirs is shown by its newest lines first, from a
# store of their own (``ui.preview``); those of the others read their lines
# where they are shown.
PREVIEWED_KINDS = frozenset({"tasks", "sessions", "api"})
# Bytes read and parsed per batch. A batch's rows are gone over several times
# (parsed, counted, its stamps, its model): a 1 MB batch's rows no longer
# stayed in the cache in between, and two processes reading side by side
# drove each other's out. ``vivtui summary`` of a big run took 19-20 s of CPU
# with 1 MB batches, 15 s with 128 KB (2026-12-01).
BATCH_BYTES = 128 << 10
SNAPSHOT_BATCH = 2000  # entries of a rewritten history a batch (about as many bytes)


class Feed:
    """One file kind; a kind with alternatives (the action log's two forms)
    settles on the first that exists and then keeps it."""

    def __init__(self, choices: list[tuple[FileSpec, Path]], zone: tzinfo | None = None,
                 budget: int = BATCH_BYTES) -> None:
        self.choices = choices
        self.kind = choices[0][0].kind
        self.zone = zone
        self.budget = budget
        self.spec, self.path = choices[0]
        self._settled = False
        self._reader: LineTailer | SnapshotReader | None = None
        self._parser: LineParser | None = None
        self.records = 0
        self.malformed = 0
        self._backlog_read = False
        # A version's entries not yet handed out (``_poll_snapshot``): the
        # version, the next entry, and whether its batches are fresh growth.
        self._snapshot_rest: tuple[SnapshotUpdate, int, bool] | None = None
        # Its backlog taken in apart (``ingest.apart``) and not yet handed to
        # the screen: the backlog still counts as being read until it is.
        self.apart = False
        self._preview: NewestLines | None = None  # see ``preview``
        self._looked = False  # polled once: a file missing then has no backlog
        # Polled here: its reading from the start began in this process, and a
        # preview's newest lines would come after lines already handed on. (A
        # backlog handed to another process is no such reading: a run
        # directory's big files were, before their panes' previews, which
        # then never came: "reading the file's newest lines…" until counted.)
        self._polled = False
        self._names: set[str] | None = None  # see ``names``
        self.own_names = {path.name for _, path in choices}
        self._read_elsewhere: list[FileStatus] | None = None  # see ``read_by_other``
        self._held = 0  # see ``holds_last_line``
        self._identities: set[Identity] = set()  # the files its lines were read from
        self._unread_copies = UnreadCopies()
        self.offset_elsewhere = 0  # bytes of its backlog read by another process so far

    @property
    def names(self) -> set[str]:
        """Names a change notice may carry: a symlinked file's target's too.
        Worked out again only when a notice names one of the links themselves
        (``relink``): resolving every link at every notice was a quarter of a
        live run's CPU."""
        if self._names is None:
            self._names = {p.name for _, path in self.choices
                           for p in (path, resolved_target(path))}
        return self._names

    def relink(self, changed: set[str]) -> None:
        """Entries named ``changed`` changed (empty: any may have)."""
        if not changed or not changed.isdisjoint(self.own_names):
            self._names = None

    def poll(self, final: bool = False) -> Batch:
        """Read what is new. ``final``: a one-shot read, unfinished lines count."""
        batch = Batch(self.kind, source=self.path.name)
        if not self._settled:
            self._settle()
            batch.source = self.path.name
            if not self._settled:
                # Missing at the first look: it has no backlog, and what it
                # will hold is written while watched.
                self._backlog_read = self._backlog_read or not self._looked
                self._looked = self._polled = True
                return batch
        if self.spec.mode == SNAPSHOT:
            self._poll_snapshot(batch)
        else:
            self._poll_lines(batch, final)
        self.malformed += batch.records.malformed_count()
        self.records += len(batch.records)
        self._looked = self._polled = True
        return batch

    def preview(self, pace: Callable[[], object] | None = None) -> Batch | None:
        """The newest lines of a big line file, at the first look, before its
        reading from the start gets there (a 200k-task queue took 10 s): for a
        view to show apart from the models, which take every line in order
        (``NewestLines``). ``pace``: called between pieces of the parsing."""
        if self._polled or (self._preview is None and not self.open_preview()):
            return None
        try:
            chunk = self._preview.read()
        except OSError:
            self._end_preview()
            return None
        return self._preview_batch(chunk, pace)

    def open_preview(self) -> bool:
        """Its newest lines made ready to be read by ``preview`` (here, or by
        a copy of this feed in another process: ``previewed_elsewhere``);
        False when it has none to read ahead: not a big line file, or looked
        at already."""
        if self._polled or self._preview is not None:
            return False
        self._settle()
        if not self._settled or self.spec.mode == SNAPSHOT or not self.big():
            return False
        self._preview = NewestLines.opened(self.spec, self.path, self.zone)
        return self._preview is not None

    def previewed_elsewhere(self, place: Place) -> None:
        """Its preview was read by a copy of this feed (``open_preview``, then
        forked) up to ``place``: its new lines come after it."""
        if self._preview is not None:
            self._preview.took_over(place)

    def preview_place(self) -> Place | None:
        """How far its preview was read (for ``previewed_elsewhere``)."""
        return self._preview.place() if self._preview is not None else None

    def preview_more(self) -> Batch | None:
        """Lines written after the preview's, while the reading from the start
        has not got there yet: a live run's preview stays the newest. None once
        it has (or the file was rotated or truncated: then only it is read)."""
        if self._preview is None:
            return None
        chunk = self._preview.read() if not self._backlog_read else None
        if chunk is None or chunk.events:
            self._end_preview()
            return None
        return self._preview_batch(chunk) if len(chunk) else None

    def _preview_batch(self, chunk: Chunk, pace: Callable[[], object] | None = None) -> Batch:
        assert self._preview is not None
        return Batch(self.kind, self._preview.records(chunk, pace), source=self.path.name,
                     preview=True)

    def _end_preview(self) -> None:
        if self._preview is not None:
            self._preview.close()
            self._preview = None

    # -- a backlog read by another process (``ingest.apart_process``) --------------

    def descriptor(self) -> tuple[int, int] | None:
        """Its line file, opened now for another process to read through: the
        descriptor and how many bytes the file holds. None when it is not a
        line file, has been read from already, or cannot be opened."""
        self._settle()
        tailer = self._reader
        if not self._settled or not isinstance(tailer, LineTailer) or tailer.offset:
            return None
        fd = tailer.open_now()
        if fd is None:
            return None
        self._looked = True
        try:
            return fd, os.fstat(fd).st_size
        except OSError:
            return None

    def read_through(self, path: Path, limit: int, begin: int = 0) -> None:
        """Read its file through another name (an inherited descriptor's), from
        byte ``begin`` (where a line starts) no further than ``limit`` bytes;
        batches are named after the file."""
        self.spec, self.path = self.choices[0]
        self._settled = True
        self._reader = self._reader_for(self.spec, path)
        if isinstance(self._reader, LineTailer):
            self._reader.limit = limit
            if begin:
                self._reader.resume_at(begin, lines_before(path, begin))

    def place(self) -> tuple[Place, int, int]:
        """How far it read, and the records and malformed lines it found."""
        assert isinstance(self._reader, LineTailer)
        return self._reader.place(), self.records, self.malformed

    def stop_at(self, limit: int | None) -> None:
        """No byte past ``limit`` read from now on (a file read in two steps,
        what the first made kept: ``ingest.kept_reading``); None: on to its
        end, what is left still its backlog, as if read in one go."""
        assert isinstance(self._reader, LineTailer)
        self._reader.limit = limit
        if limit is None:
            self._backlog_read = False

    def took_over(self, place: Place, records: int, malformed: int) -> None:
        """Its file was read up to ``place`` by another process (``place``)."""
        assert isinstance(self._reader, LineTailer)
        self._reader.took_over(place)
        self.records += records
        self.malformed += malformed

    def reading(self) -> Reading:
        reader = self._reader
        return Reading(self.status(), self.records, self.malformed,
                       reader.place() if isinstance(reader, LineTailer) else None)

    def read_by_other(self, reading: Reading) -> None:
        """Its file was read by a copy of this feed in another process: its
        status and counts are from now on the ones that reading left."""
        self._read_elsewhere = reading.statuses
        self.records, self.malformed = reading.records, reading.malformed

    def read_on_from(self, reading: Reading) -> None:
        """Read on from where ``reading`` (of its file, here or in another
        process) ended, with its counts; what comes is no new growth."""
        assert reading.place is not None
        self._settle()
        assert isinstance(self._reader, LineTailer)
        self._reader.took_over(reading.place)
        self._read_elsewhere = None
        self.records, self.malformed = reading.records, reading.malformed
        self._backlog_read = False

    def holds_last_line(self, length: int) -> None:
        """Its file ends with a line of ``length`` bytes still being written,
        not read (a one-shot read of a live run): said in its status."""
        self._held = length

    def status(self) -> list[FileStatus]:
        """One status per file name this feed covers (unchosen alternatives too)."""
        if self._read_elsewhere is not None:
            return [self._said_held(status) for status in self._read_elsewhere]
        out = []
        for spec, path in self.choices:
            if path == self.path and self._reader is not None:
                state = self._reader.state
                if state == MISSING and not self._looked:  # not read yet (a preview's first)
                    state = stat_state(path)[0]
                copies = self._unread_copies.of(path, self._identities)
                out.append(FileStatus(path.name, path, state, self.records, self.malformed,
                                      note=reader_note(self._reader) or copies_note(copies),
                                      unread_copies=len(copies),
                                      refused=reader_refusal(self._reader)))
            elif self._settled and path.name == self.path.name:
                continue  # the same name in the other directory: not the one used
            else:
                used = not self._settled
                state, why = stat_state(path)
                note = why if used or state == MISSING else f"superseded by {self.path.name}"
                out.append(FileStatus(path.name, path, state, used=used, note=note))
        for status in out:
            status.kind = self.kind
        return [self._said_held(status) for status in unique_names(out)]

    def _said_held(self, status: FileStatus) -> FileStatus:
        if not self._held or not status.used or status.state in (MISSING, UNREADABLE):
            return status
        held = f"a last line being written ({self._held} bytes), not read"
        return replace(status, note=f"{status.note}; {held}" if status.note else held)

    def big(self) -> bool:
        """Is its file (or the one it will read) big enough to be previewed?"""
        chosen = self.current_choice()
        return chosen is not None and size_of(chosen[1]) > PREVIEW_OVER

    def current_choice(self) -> tuple[FileSpec, Path] | None:
        """The file this feed reads, or will read once it looks: the one it
        settled on, else the first alternative that exists."""
        if self._settled:
            return self.spec, self.path
        return next(((s, p) for s, p in self.choices if p.exists()), None)

    def backlog_progress(self) -> float | None:
        """How much of what was in the file at the start is read, while it is
        being read (0 before the first read: counts shown meanwhile are not
        the file's); None once it is."""
        reader = self._reader
        if reader is None and not self._backlog_read:
            return 0.0
        if self._backlog_read or not isinstance(reader, LineTailer):
            return None
        try:
            size = self.path.stat().st_size
        except OSError:
            return None
        return min(1.0, max(reader.offset, self.offset_elsewhere) / size) if size else None

    def reading_backlog(self) -> float | None:
        """How much of the file's first content is read while some is left;
        None once all of it is (or there was none: the file was missing)."""
        if not self._looked:
            return 0.0
        progress = self.backlog_progress()
        return 1.0 if progress is None and self.apart else progress

    @property
    def previewing(self) -> bool:
        """Its newest lines were read ahead (a big file), and the rest is being read."""
        return self._preview is not None

    def close(self) -> None:
        if isinstance(self._reader, LineTailer):
            self._reader.close()
        self._end_preview()

    # -- internals --------------------------------------------------------------

    def _settle(self) -> None:
        existing = [(s, p) for s, p in self.choices if p.exists()]
        if not existing and len(self.choices) > 1 and self._reader is None:
            # Nothing yet: wait on the first choice, but keep looking for the others.
            self._reader = self._reader_for(*self.choices[0])
            return
        if existing:
            self.spec, self.path = existing[0]
            self._settled = True
            if self._reader is None or self._reader.path != self.path:
                self._reader = self._reader_for(self.spec, self.path)

    def _reader_for(self, spec: FileSpec, path: Path) -> LineTailer | SnapshotReader:
        if spec.mode == SNAPSHOT:
            return SnapshotReader(path)
        self._parser = LineParser(spec, ParseContext(self.zone))
        return LineTailer(path, budget=self.budget)

    def _poll_lines(self, batch: Batch, final: bool) -> None:
        tailer = self._reader
        assert isinstance(tailer, LineTailer) and self._parser is not None
        before, identity = tailer.offset, tailer.identity
        chunk = tailer.read(final=final)
        self._identities.update(filter(None, (identity, tailer.identity)))
        if chunk.more:
            batch.rows_to_come = _rows_to_come(self.path, tailer.offset, tailer.offset - before,
                                               len(chunk))
        if self._backlog_read and (tailer.offset != before or chunk.events):
            batch.fresh = True
            # Lines without a time of their own (kernel output) take their read time.
            self._parser.ctx = ParseContext(self.zone, datetime.now(UTC))
        elif self._backlog_read:  # a last line held since the backlog, taken as ended
            self._parser.ctx = ParseContext(self.zone)  # (nobody saw it written)
        batch.records = self._parser.parse(chunk)
        if batch.records and not batch.fresh:  # (lines nobody saw written: a look back)
            batch.written = tailer.written()
        if not chunk.more:
            self._backlog_read = True
            self._end_preview()  # the models have every line now
            batch.records.extend(self._parser.flush())
        batch.more = chunk.more
        batch.happened = chunk.events
        batch.events = [f"{self.path.name} {event}" for event in chunk.events]

    def _poll_snapshot(self, batch: Batch) -> None:
        """A version's new entries, ``SNAPSHOT_BATCH`` a batch (``more`` until
        the last): a long run's 250k in one batch were taken in with the
        collector paused, and its pass over them all, after, held the
        screen's thread 460 ms."""
        if self._snapshot_rest is None:
            reader = self._reader
            assert isinstance(reader, SnapshotReader)
            update = reader.read()
            if update is None:
                return
            self._snapshot_rest = (update, 0, self._backlog_read)
            if isinstance(update.entries, list) and len(update.entries) > SNAPSHOT_BATCH:
                # Its decoded entries (no cycles among them) stay until handed
                # out: left to the collector, its young and middle passes
                # walked all of them, 190 and 290 ms of the screen's thread.
                # (A big file read whole comes in ``Pieces``, decoded as handed out.)
                gc.freeze()
            self._backlog_read = True
            if update.reset:
                batch.reset = True
                self.records = self.malformed = 0
                batch.events.append(f"{self.path.name} rewritten")
        update, at, batch.fresh = self._snapshot_rest
        ctx = ParseContext(self.zone)
        end = min(at + SNAPSHOT_BATCH, len(update.entries))
        batch.records = Records([performance.parse_entry(entry, update.start + i, ctx)
                                 for i, entry in enumerate(update.entries[at:end], at)])
        batch.more = end < len(update.entries)
        self._snapshot_rest = (update, end, batch.fresh) if batch.more else None


def read_to_end(feed: Feed, apply: Callable[[Batch], None], final: bool = True) -> None:
    """Every batch up to the end of the file, handed to ``apply`` as one-shot
    reads need them. Each batch is let go before the next is read: freed while
    its rows are still in the cache, not after the next batch is made."""
    while True:
        with gc_paused():  # freed before the collector ever walks them
            batch = feed.poll(final=final)
            more = batch.more
            apply(batch)
            del batch
        if not more:
            return


def _rows_to_come(path: Path, offset: int, read: int, rows: int) -> int:
    """Lines left after ``offset``, guessed from the lines just read."""
    try:
        left = path.stat().st_size - offset
    except OSError:
        return 0
    return max(0, left) * rows // read if read > 0 else 0


def resolved_target(path: Path) -> Path:
    try:
        return path.resolve() if path.is_symlink() else path
    except OSError:
        return path
