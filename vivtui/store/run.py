"""Everything known about one run: per-kind buffers and the models built from them.

Changed only by ``apply`` (in the monitor: on the UI thread, one batch at a time),
so nothing here needs a lock.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

from vivtui.parsing import actions, api_audit, execution, kernel, safety, sessions
from vivtui.parsing.record import (
    ERROR,
    MALFORMED,
    WARNING,
    Record,
    Records,
    copy_of,
    new_record,
    rows_of,
)
from vivtui.parsing.values import timestamp, zone_written
from vivtui.store.activity import (
    FINISHED,
    UNDATED,
    WIDEST_ZONE_GAP,
    RunActivity,
    RunState,
)
from vivtui.store.blocks import Blocks
from vivtui.store.budget import BudgetTracker
from vivtui.store.buffer import RecordBuffer
from vivtui.store.columns import BoundTracker
from vivtui.store.kernel import KernelTracker
from vivtui.store.performance import PerformanceTracker
from vivtui.store.safety import SafetyTally
from vivtui.store.sessions import SessionTracker
from vivtui.store.tasks import TaskTracker
from vivtui.store.timebins import TimeBins

_SEVERITY_AT = Record._fields.index("severity")
_MALFORMED_AT = Record._fields.index("malformed")
BUDGET_ACTION = "BUDGET"
_CATEGORY = itemgetter(Record._fields.index("category"))
_SEVERITY = itemgetter(_SEVERITY_AT)
_MALFORMED = itemgetter(_MALFORMED_AT)
_STAMP = itemgetter(Record._fields.index("stamp"))
_ZONE = itemgetter(Record._fields.index("zone"))

KEEP_MARGIN = 2  # see RunStore.apply
# Rows kept per kind for the timeline and the related view. The kinds a model
# sums keep fewer: each row holds its line's decoded object (a kilobyte).
MODEL_KINDS_KEPT = 20_000

KINDS = (actions.KIND, sessions.KIND, execution.KIND, "performance", api_audit.KIND,
         kernel.KIND, safety.KIND)


# Where a safety gate said no, by the kind of file it was written down in: an
# error-severity record of that category (a blocked action is a SAFETY error).
BLOCKED_CATEGORY = {
    actions.KIND: "SAFETY",
    kernel.KIND: kernel.BLOCKED,
    safety.KIND: safety.BLOCKED,
    execution.KIND: "safety_blocked",
    api_audit.KIND: api_audit.VIOLATION,
}


# Kinds whose stamps are events' times as written (a snapshot's entries are
# sessions' metrics; the kernel's lines carry none).
_EVENT_KINDS = frozenset({actions.KIND, sessions.KIND, execution.KIND, api_audit.KIND,
                          safety.KIND})
# The kinds a file of which can be read in parts at once, one store
# following another (``RunStore.followed_by``).
PART_KINDS = frozenset({execution.KIND, sessions.KIND, api_audit.KIND})

# The model of each kind that has one: (attribute, kind).
_MODELS = (("sessions", sessions.KIND), ("tasks", execution.KIND), ("budget", api_audit.KIND),
           ("kernel", kernel.KIND), ("performance", "performance"))
_MODEL_OF = {kind: name for name, kind in _MODELS}


class Found(NamedTuple):
    """What one batch held that is kept aside: its malformed lines and its
    safety blocks (``RunStore.apply``)."""

    malformed: list[Record]
    blocked: list[Record]


NOTHING_FOUND = Found([], [])


class RunStore:
    def __init__(self, budget_limit: float | None = None, capacity: int = 50_000,
                 kept_problems: int = 5_000, activity: RunActivity | None = None,
                 clock: Callable[[], datetime] | None = None, time_strip: bool = True,
                 listed: int | None = None) -> None:
        """``time_strip``: events and failures counted per minute (``timebins``)
        for the screen's strip; a report without one does not (about a tenth
        of reading a big audit log). ``listed``: API failures and budget
        events kept (``BudgetTracker``), and each file's safety blocks (``Blocks``)."""
        self.activity = activity or RunActivity()
        self.clock = clock or _utc_now
        self.buffers = {kind: RecordBuffer(capacity if kind in (actions.KIND, kernel.KIND)
                                           else min(capacity, MODEL_KINDS_KEPT), kind)
                        for kind in KINDS}
        self.by_category: dict[str, Counter] = {kind: Counter() for kind in KINDS}
        self.by_severity: dict[str, Counter] = {kind: Counter() for kind in KINDS}
        self.sessions = SessionTracker()
        self.tasks = TaskTracker()
        self.budget = BudgetTracker(budget_limit, listed)
        self.kernel = KernelTracker()
        self.performance = PerformanceTracker()
        self.buffers["performance"].reread = self.performance
        self.malformed: deque[Record] = deque(maxlen=kept_problems)
        self.malformed_count = 0
        self.blocked = Blocks(listed)  # every block of every file, past the newest as places
        self.blocked_count = 0
        self.safety = SafetyTally()
        self.timebins = TimeBins() if time_strip else None  # per minute: the time strip
        self.sources: dict[str, str] = {}  # kind -> name of the file it is read from
        self._asked_from: datetime | None = None  # (``lines_ended``)
        self.version = 0

    def __getstate__(self) -> dict:
        # The clock may be the app's (a bound method, with the app): a copy in
        # another process reads the time itself until it is given one back.
        return {**self.__dict__, "clock": _utc_now}

    def apply_batch(self, batch) -> Found:
        """A feed's batch (``ingest.batch.Batch``)."""
        if batch.fresh and (batch.records or batch.reset):
            self.activity.saw_growth(self.now())
        return self.apply(batch.kind, batch.records, batch.reset, batch.source,
                          batch.rows_to_come, batch.fresh, batch.written)

    def _newest_believed(self, rows: list) -> tuple[datetime | None, bool]:
        """The batch's newest time (``_extreme``), unless it is further ahead
        of the run's clock than any zone is (a year-9999 stamp, a writer's
        clock years out: one such line kept a run "live" for ever): then
        its newest before that. (It stays the row's time, as written.)"""
        newest, naive = _extreme(rows, max)
        if newest is None:
            return newest, naive
        latest = self.now() + WIDEST_ZONE_GAP
        return (newest, naive) if newest <= latest else _extreme_parsed(rows, max, latest)

    def _skew_from(self, kind: str, newest: datetime, naive: bool, fresh: bool,
                   written: datetime | None) -> None:
        """A batch's newest time against the run's clock (naive times read as
        they were written) or its file's last write (``RunActivity``)."""
        if fresh:
            if naive:
                self.activity.saw_fresh(newest, self.now())
        elif written is not None:
            self.activity.saw_written(kind, newest, written, naive)

    def now(self, wall: datetime | None = None) -> datetime:
        """The run's clock at ``wall`` (default: this clock's now): plus how
        far the run's times are from this clock (``RunActivity.skew``)."""
        return (wall or self.clock()) + self.activity.skew

    def apply(self, kind: str, records: list[Record], reset: bool = False,
              source: str = "", rows_to_come: int = 0, fresh: bool = False,
              written: datetime | None = None) -> Found:
        """``fresh``: lines read as their file grew; ``written``: the file's
        mtime (how far the run's times are from this clock: ``_skew_from``).
        ``rows_to_come``: lines the file already holds after these. Rows that
        more than ``KEEP_MARGIN`` buffers' worth of lines will push out are
        counted and not kept: freeing them many batches later, out of the
        cache, was a sixth of the ingest. (If the guess is wrong, the buffer ends with fewer rows
        than it could hold; every count and model still has them all.)"""
        if source:
            self.sources[kind] = source
        if reset:
            self._forget(kind)
        if not records:
            if reset:
                self.version += 1
            return NOTHING_FOUND
        rows = rows_of(records)
        if kind == "performance":
            rows = self.performance.apply(rows)  # (a reset was done by _forget)
            records = Records(rows)
        found = Found([], [])
        buffer = self.buffers[kind]
        if rows_to_come >= KEEP_MARGIN * buffer.capacity:
            buffer.pass_over(len(rows))
        else:
            buffer.extend(rows)
        # Counted with map/itemgetter so that no Python code runs per record
        # (this runs for every line of every file); the rows worth keeping
        # aside are looked for only when their category's count moved.
        categories = self.by_category[kind]
        watched = BLOCKED_CATEGORY.get(kind)
        malformed_before, blocked_before = categories[MALFORMED], categories[watched]
        budget_lines_before = categories[BUDGET_ACTION]
        categories_of_rows = list(map(_CATEGORY, rows))
        categories.update(categories_of_rows)
        newest, naive = self._newest_believed(rows)
        self.activity.saw_events(_extreme(rows, min)[0] if newest is not None else None,
                                 newest, naive)
        if newest is not None and kind in _EVENT_KINDS:
            self._skew_from(kind, newest, naive, fresh, written)
        self.by_severity[kind].update(map(_SEVERITY, rows))
        # (A snapshot's entries are sessions' metrics, not events.)
        if kind != "performance" and self.timebins is not None:
            self.timebins.add(rows)
        if categories[MALFORMED] != malformed_before:
            found.malformed.extend(new_record(Record, row)
                                   for row in compress(rows, map(_MALFORMED, rows)))
            self.malformed.extend(found.malformed)
            self.malformed_count += len(found.malformed)
        if watched is not None and categories[watched] != blocked_before:
            blocks = [row for row in _of_category(rows, categories_of_rows, watched,
                                                  categories[watched] - blocked_before)
                      if row[_SEVERITY_AT] == ERROR and not row[_MALFORMED_AT]]
            found.blocked.extend(new_record(Record, row) for row in blocks)
            self.blocked.extend(kind, blocks, found.blocked)
            self.blocked_count += len(found.blocked)
            self.safety.add(found.blocked)
        if kind == actions.KIND and categories[BUDGET_ACTION] != budget_lines_before:
            self.budget.saw_budget_lines(_of_category(
                rows, categories_of_rows, BUDGET_ACTION,
                categories[BUDGET_ACTION] - budget_lines_before))
        if not isinstance(records, Records):
            records = Records(rows)
        model = self._model(kind)
        if model is not None and model is not self.performance:  # that one came first
            model.apply(records)
        self.version += 1
        return found

    def absorb(self, other: RunStore, kinds: set[str], order: list[str]) -> None:
        """Take over what ``other`` read of ``kinds``, files this store did not
        read (a run read by several processes, ``ingest.split_read``):
        afterwards this store is what reading them here would have made.
        ``order``: the kinds in the order one process reads them (what is kept
        of several kinds, malformed lines and blocks, is in that order)."""
        for kind in kinds:
            self.buffers[kind] = other.buffers[kind]
            self.by_category[kind] = other.by_category[kind]
            self.by_severity[kind] = other.by_severity[kind]
            if kind in other.sources:
                self.sources[kind] = other.sources[kind]
        stated = (other if actions.KIND in kinds else self).budget.stated_limits
        for name, kind in _MODELS:
            if kind in kinds:
                mine, theirs = getattr(self, name), getattr(other, name)
                if hasattr(theirs, "version"):  # views redraw when it moves: never back
                    theirs.version = max(theirs.version, mine.version) + 1
                setattr(self, name, theirs)
        self.budget.stated_as(stated)
        rank = {kind: at for at, kind in enumerate(order)}
        self.malformed = _in_order(self.malformed, other.malformed, rank)
        self.blocked.absorb(other.blocked, kinds, rank)
        self._add_tallies(other)

    def retire(self) -> None:
        """Not to be used again (a part joined on, or not): its models with
        handles let go of themselves (``BoundTracker.retire``)."""
        for model in (self.tasks, self.sessions):
            if isinstance(model, BoundTracker):
                model.retire()

    def can_follow(self, later: RunStore, kind: str) -> bool:
        """Can ``later`` (the rest of ``kind``'s file) be joined on exactly?"""
        return kind in PART_KINDS and self._model(kind).can_follow(later._model(kind))

    def followed_by(self, later: RunStore, kind: str) -> bool:
        """What ``later`` read of ``kind`` after what this store read: the
        rest of the same file, read by another process at the same time
        (``ingest.apart_parts``). Afterwards this store is what reading the
        whole file here would have made. Only the kinds whose models know
        how to go on (``PART_KINDS``); False (nothing changed) when the
        model cannot join these two exactly."""
        if not self.can_follow(later, kind):
            return False
        self.buffers[kind].followed_by(later.buffers[kind])
        self.by_category[kind].update(later.by_category[kind])
        self.by_severity[kind].update(later.by_severity[kind])
        if kind in later.sources:
            self.sources[kind] = later.sources[kind]
        self._model(kind).followed_by(later._model(kind))
        self.malformed.extend(later.malformed)
        self.blocked.followed_by(later.blocked, kind)
        self._add_tallies(later)
        return True

    def _add_tallies(self, other: RunStore) -> None:
        """What ``other`` counted of files this store did not read, or of the
        rest of one it read: the counts, safety reasons, time strip and times."""
        self.malformed_count += other.malformed_count
        self.blocked_count += other.blocked_count
        self.safety.absorb(other.safety)
        if self.timebins is not None and other.timebins is not None:
            self.timebins.absorb(other.timebins)
        self.activity.absorb(other.activity)
        self.version += 1

    def kept_rows(self, kind: str) -> list[RecordBuffer]:
        """What keeps ``kind``'s rows past the newest as places in its file,
        to be read back (``RecordBuffer.reread``)."""
        return [self.buffers[kind], *([self.budget.problems] if kind == api_audit.KIND else []),
                *([self.blocked.buffer(kind)] if kind in BLOCKED_CATEGORY else [])]

    def settle_moves(self) -> None:
        """The models' kept orders brought up to date where that is a few
        moves: a live run's, each second. Left to a hidden pane's first look,
        they grew into a sort of every session (0.37 s of a live big run's e)."""
        self.sessions.settle_order(moves_only=True)
        self.tasks.settle_order(moves_only=True)

    def settle(self, kind: str) -> None:
        """What ``kind``'s model keeps in order, brought up to date now: by the
        process that read a backlog, not by the UI thread at its first look."""
        if kind == sessions.KIND:
            self.sessions.settle_order()
        elif kind == execution.KIND:
            self.tasks.settle_order()
        elif kind == api_audit.KIND:
            self.budget.wrappers()  # (in order: a big run's 300k took 0.25-0.4 s)

    def _model(self, kind: str):
        name = _MODEL_OF.get(kind)
        return getattr(self, name) if name is not None else None

    def _forget(self, kind: str) -> None:
        """A snapshot was replaced wholesale: its old entries no longer count."""
        self.buffers[kind].clear()
        self.by_category[kind].clear()
        self.by_severity[kind].clear()
        if kind == "performance":
            self.performance.apply([], reset=True)

    def lines_ended(self, now: datetime | None = None) -> bool:
        """Are the files' last lines with no newline their last? Asked once a
        second from when the run is watched. The run is finished and no file
        grew while watched for as long as a run takes to stall (``--finished``
        on a run still written: its lines being written are not cut in two);
        or it is undated (nothing tells how old its lines are) and has been
        watched that long without a file growing."""
        now = now or self.now()
        if self._asked_from is None:
            self._asked_from = now
        state = self.run_state(now).state
        if state == FINISHED:
            quiet_since = self.activity.last_growth
        elif state == UNDATED:  # (no growth seen: it would be live)
            quiet_since = self._asked_from
        else:
            return False
        return quiet_since is None or now - quiet_since >= self.activity.stall_after

    def run_state(self, now: datetime | None = None) -> RunState:
        return self.activity.state(now or self.now(),
                                   any(self.by_severity[kind] for kind in KINDS))

    def source_of(self, record: Record) -> str:
        """The name of the file the record is in (a rotated copy's, ``copy_of``)."""
        return copy_of(record) or self.sources.get(record.kind, record.kind)

    def let_go(self) -> list[str]:
        """The files (their kinds, if unnamed) whose older rows are counted but
        no longer kept: what looks through the kept rows did not see them."""
        return [self.sources.get(kind, kind) for kind, buffer in self.buffers.items()
                if buffer.first_seq > 0]

    def count(self, severity: str) -> int:
        return sum(counter[severity] for counter in self.by_severity.values())

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)


def _in_order(mine: deque[Record], theirs: deque[Record], rank: dict[str, int]) -> deque[Record]:
    """Two stores' kept records as one store reading kind after kind keeps
    them (the newest ``maxlen`` of all): by kind, each kind's in line order."""
    return deque(sorted([*mine, *theirs], key=lambda record: rank.get(record.kind, len(rank))),
                 maxlen=mine.maxlen)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _of_category(rows: list[tuple], categories: list[str], category: str,
                 count: int) -> list[tuple]:
    """The ``count`` rows of ``category`` (all the batch has; ``categories``:
    each row's): found by ``list.index``, a scan in C that meets the table's
    own string first by identity (a test of each row's, 70 ns a row, made
    reading the action log's BUDGET lines cost 6 % more)."""
    found, at = [], -1
    for _ in range(count):
        at = categories.index(category, at + 1)
        found.append(rows[at])
    return found


def _extreme(rows, pick=max) -> tuple[datetime | None, bool]:
    """The newest (``max``) or oldest (``min``) time in a batch, and whether
    it was written naive (no zone: read in ``--tz``): that stamp as written,
    parsed alone (one file writes one format, so its greatest string is its
    newest time)."""
    try:
        stamp = pick(filter(None, map(_STAMP, rows)), default=None)
    except TypeError:  # written and worked-out times mixed
        return _extreme_parsed(rows, pick)
    if stamp is None or stamp.__class__ is datetime:
        return stamp, False
    zone = next(_ZONE(row) for row in rows if _STAMP(row) is stamp)
    # A stamp that is not a time (sorted apart from the digits) hid the real ones.
    found = timestamp(stamp, zone)
    return (found, not zone_written(stamp)) if found else _extreme_parsed(rows, pick)


def _extreme_parsed(rows, pick, latest: datetime | None = None) -> tuple[datetime | None, bool]:
    """``_extreme`` row by row: of the times up to ``latest``, if given."""
    timed = [(record.ts, record.stamp) for record in (new_record(Record, row) for row in rows)
             if record.ts is not None and (latest is None or record.ts <= latest)]
    if not timed:
        return None, False
    ts, stamp = pick(timed, key=itemgetter(0))
    return ts, stamp.__class__ is str and not zone_written(stamp)

