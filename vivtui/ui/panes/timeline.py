"""Every file merged by time, in one zone, with a source column (``store.timeline``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from itertools import compress, count
from operator import attrgetter, itemgetter

from rich.text import Text
from textual.message import Message

from vivtui.parsing.kinds import gc_paused
from vivtui.parsing.record import Record, being_read
from vivtui.store.filters import record_field
from vivtui.store.memory_scan import no_pace
from vivtui.store.run import KINDS, RunStore
from vivtui.store.timeline import Entry, Timeline, code_parts
from vivtui.store.triage import TimedRows, identities
from vivtui.ui import heads, render, styles
from vivtui.ui.keys_first import worker_pace_of
from vivtui.ui.panes.base import Pane
from vivtui.ui.panes.finding import LEVEL_SEVERITY

# Rows to take in: more are merged on a thread. Kept rows are read back from
# their files and parsed: 5,000 took 267 ms of the UI thread at a big run's
# first e (``benchmarks/loop_lag.py``).
IN_THREAD_OVER = 1_000
_TIME, _RECORD, _SEVERITY = itemgetter(0), itemgetter(2), attrgetter("severity")
_KIND, _MALFORMED = attrgetter("kind"), attrgetter("malformed")
MERGING = "merging the newest rows of every file…"
COUNTING = "the files' rows come as they are counted…"


class _Takes:
    """Whether ``problem_places`` takes a row of a kind, malformed or not
    (``of``), or of a code (``timeline.code_parts``; called): each kind
    asked once."""

    def __init__(self, severity: str | None, of_kind: Callable[[str], bool] | None,
                 malformed_of_kind: Callable[[str], bool] | None) -> None:
        self.severity, self.of_kind, self.malformed_of_kind = severity, of_kind, malformed_of_kind
        self._kinds: dict[str | None, tuple[bool, bool]] = {}

    def __call__(self, code: int) -> int:
        kind, severity, malformed = code_parts(code)
        return int(severity is not None and severity == self.severity and self.of(kind, malformed))

    def of(self, kind: str | None, malformed: bool) -> bool:
        if self.of_kind is None:
            return True
        if kind not in self._kinds:
            self._kinds[kind] = (self.of_kind(kind), bool(
                self.malformed_of_kind and self.malformed_of_kind(kind)))
        taken, taken_malformed = self._kinds[kind]
        return taken or (taken_malformed and malformed)


class TimelinePane(Pane):
    title = "Timeline"
    empty = "no timestamped records yet"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.timeline = Timeline()
        self._gathering: object | None = None  # the merge on a thread, while it runs
        self._previewed: frozenset[str] = frozenset()  # kinds merged from previews (``_buffers``)
        self._coded: tuple[list, bytes] = ([], b"")  # the rows shown, their codes (``_show``)
        self._threads_work = True  # (not after one failed)
        # Merging reads every record's time: done only while someone looks (the
        # pane is shown, or e/E searches it), not for every batch of a big backlog.
        self.wanted = False
        # How far the run's backlogs are read (None: all are), given by the
        # screen: the rows merged are the files' counted so far.
        self.reading: Callable[[], float | None] = lambda: None
        # Given by the app: what is done with what lives as long as it does
        # (``Options.on_long_lived``), here with a merge made on a thread.
        self.long_lived: Callable[[], object] = lambda: None

    def row(self, item: Entry, width: int) -> Text:
        record = item[2]
        # A big line's summary is made by a thread (``Record.summary_soon``).
        summary = record.summary_soon(self.rows_made_elsewhere, partial(worker_pace_of, self.app))
        if summary is None:
            summary = being_read(record.size, "record")
        return render.timeline_row(record, width, self.zone, item[0], summary)

    def describe(self, item: Entry) -> tuple[str, str, str]:
        record = item[2]
        return (f"{render.KIND_LABEL.get(record.kind, record.kind)} {record.summary}",
                record.category, record.severity, partial(record_field, record))

    def category_of(self, item: Entry) -> str:
        return item[2].category

    def record_of(self, item: Entry) -> Record:
        return item[2]

    def time_of(self, item: Entry) -> datetime:
        return item[0]

    def severity_of(self, item: Entry) -> str:
        return item[2].severity

    def timed_problems(self, level: str) -> Iterable[tuple[float, int]]:
        """The walk over the rows the base pane makes, in C: a live big run's
        50k rows, a call for each, took 20-40 ms of every e."""
        return self.timed_at(self.problem_places(level))

    def problem_places(self, level: str, of_kind: Callable[[str], bool] | None = None,
                       malformed_of_kind: Callable[[str], bool] | None = None) -> list[int]:
        """The places of the rows at ``level`` (``problems``'), in order; with
        ``of_kind``, only those whose kind it takes, or that are malformed and
        of a kind ``malformed_of_kind`` takes (each asked once a kind: a call
        for each of a live big run's 16k took 30 ms of each e)."""
        rows, severity = self.view.rows, LEVEL_SEVERITY.get(level)
        takes = _Takes(severity, of_kind, malformed_of_kind)
        shown, codes = self._coded
        if rows is shown:  # (not filtered)
            return list(compress(count(), codes.translate(bytes(map(takes, range(256))))))
        places = list(compress(count(), map(severity.__eq__, map(_SEVERITY, map(_RECORD, rows)))))
        if of_kind is None:
            return places
        records = list(map(_RECORD, map(rows.__getitem__, places)))
        return list(compress(places, map(takes.of, map(_KIND, records), map(_MALFORMED, records))))

    def timed_at(self, places: list[int]) -> TimedRows:
        """The rows at ``places`` (in order) with their times as e/E rank them
        (``rank_of``'s: every row has a time)."""
        rows = self.view.rows
        return TimedRows(list(map(datetime.timestamp, map(_TIME, map(rows.__getitem__, places)))),
                         places)

    def places_by_identity(self, places: list[int]) -> dict[tuple, int]:
        """The rows at ``places`` by their records' ``identity``."""
        return dict(zip(identities(map(_RECORD, map(self.view.rows.__getitem__, places))),
                        places))

    def shown(self, visible: bool) -> None:
        super().shown(visible)
        self.wanted = visible

    class Gathered(Message):
        """A merge made on a thread (``catch_up``)."""

        def __init__(self, token: object, timeline: Timeline | None, store: RunStore) -> None:
            super().__init__()
            self.token, self.timeline, self.store = token, timeline, store

    @property
    def preview_kinds(self) -> tuple[str, ...]:
        return KINDS  # every file's: a big one's newest lines while it is read

    def catch_up(self, store: RunStore, wait: bool = True) -> None:
        """The merge brought up to date, shown or not (e/E look at it, and
        ``wait``). Without ``wait``, many rows to take in (a big run's kept
        rows, read back from their files: a second the first time the pane
        was shown) are merged on a thread, and the pane shows the merge it
        had meanwhile."""
        buffers = self._buffers(store)
        if not wait and self._gathering is not None:
            return
        if (not wait and self._threads_work
                and self.timeline.behind(buffers) > IN_THREAD_OVER):
            self._gather(buffers, store)
            return
        self._gathering = None  # (a merge on a thread meanwhile is dropped)
        timeline = self.timeline
        if timeline.catch_up_with(buffers) or self._seen_version < 0:
            self._show(timeline)

    def _buffers(self, store: RunStore) -> dict:
        """The rows merged: while big files are read, their newest lines (the
        previews': the pane said "rows 0" for the seconds a big run took to
        count), the run's rows for the rest. A file's rows are merged again
        when they change from the one to the other."""
        preview = self.preview
        previewed = preview.kinds if preview is not None and not preview.coming else frozenset()
        if previewed != self._previewed:
            self.timeline.forget(set(previewed ^ self._previewed))
            self._previewed = previewed
            self._gathering = None  # (a merge on a thread of the other rows is dropped)
        if not previewed:
            return store.buffers
        return {kind: (preview.store if kind in previewed else store).buffers[kind]
                for kind in store.buffers}

    @property
    def gathering(self) -> bool:
        """A merge on a thread is running."""
        return self._gathering is not None

    def merging(self, store: RunStore) -> bool:
        """Brought up to date, on a thread when there are many rows to take in:
        True while that merge runs (its ``Gathered`` message says when it is done)."""
        self.catch_up(store, wait=False)
        return self.gathering

    def _show(self, timeline: Timeline) -> None:
        self._seen_version = timeline.version
        # A copy: rows are inserted anywhere, so the view must not take it
        # for the same buffer grown at the end.
        rows = list(timeline.rows)
        self._coded = (rows, bytes(timeline.codes))
        self.show_rows(rows)

    def _gather(self, buffers: dict, store: RunStore) -> None:
        token = self._gathering = object()
        merge = self.timeline.copy()
        frozen = {kind: buffer.frozen() for kind, buffer in buffers.items()}
        pace = worker_pace_of(self.app) or no_pace  # (a pane switch's frame waited behind it)

        def run() -> None:
            done = None
            try:
                # Its rows are kept: handed to ``long_lived`` before the
                # collector runs again, which walked them all at once after
                # the merge (gen 0 and 1 passes, 36-55 ms, a key waiting).
                with gc_paused():
                    merge.catch_up_with(frozen, pace)
                    self.long_lived()
                done = merge
            finally:  # (failed: said as every worker's failure is, and merged here from now)
                self.post_message(self.Gathered(token, done, store))

        self.run_worker(run, thread=True, exit_on_error=False, group="timeline",
                        name="merging the timeline")

    def on_timeline_pane_gathered(self, message: Gathered) -> None:
        if message.token is not self._gathering:
            return
        self._gathering = None
        if message.timeline is None:
            self._threads_work = False
        else:
            self.timeline = message.timeline
            self._show(self.timeline)
        self.catch_up(message.store, wait=False)  # what came meanwhile
        self._head()

    def _update(self, store: RunStore, now: datetime) -> None:
        if not self.wanted:
            return
        self.catch_up(store, wait=False)
        self._head()

    def _head(self) -> None:
        timeline = self.timeline
        # The rows shown: a merge begun again (``_buffers``) shows the last one meanwhile.
        head = heads.counts("Timeline", [("rows", len(self.view.rows), styles.NOTE)])
        counting = self.reading()
        preview = self.preview if self._previewed else None
        if preview is not None:  # (how much of every file is read, not of the least read)
            head = heads.preview_note(preview.progress if counting is None else counting,
                                      preview.counting).append_text(head)
            counting = None
        empty = (MERGING if self._gathering is not None
                 else COUNTING if counting is not None else self.empty)
        if self.view.empty != empty:
            self.view.empty = empty
            self.view.refresh()
        if self._gathering is not None:
            head.append(f"  {MERGING}", styles.NOTE)
        if counting is not None:
            head.append(f"  counting {counting:.0%}", styles.NOTE)
        if timeline.let_go:
            kinds = ", ".join(render.KIND_LABEL.get(k, k) for k in sorted(timeline.let_go))
            head.append(f"  the newest only: older rows of {kinds} not kept", styles.CAUTION)
        if timeline.untimed:
            head.append(f"  {timeline.untimed} lines without a time not shown", styles.NOTE)
        head.append("  ")
        head.append_text(self.follow_text())
        self.head(head)
