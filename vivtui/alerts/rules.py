"""Alert rules: what in a run an operator must be told of at once.

One implementation for every output (the monitor's banner and list, ``vivtui
watch``, the alert command): ``AlertEngine`` looks at each batch the store took
in and, once a second, at the run's state, and returns the alerts that fired.

Each alert fires once per cause: a budget level once per wrapper, a streak once
until a success ends it, a burst once until it ebbs, a stalled session once, a
file's first malformed line once; every safety block is a cause of its own.
An alert names its evidence (file and line) where there is a line to name.

Alerts found in what a file already held when it was first read are history:
listed, never rung (``Alert.live``). Work per batch is a few counter lookups
unless a rule's category moved (this runs for every line of a big backlog).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress, repeat
from operator import eq, itemgetter

from vivtui.alerts import parts
from vivtui.alerts.alert import (
    BUDGET,
    BURST,
    CRITICAL,
    FILE_TROUBLE,
    MALFORMED_LINES,
    REFUSED,
    RUN_STALL,
    SAFETY,
    SESSION_STALL,
    STREAK,
    WARNING,
    Alert,
    AlertSettings,
)
from vivtui.alerts.api_rules import ApiRules
from vivtui.alerts.judging import first_time
from vivtui.alerts.parts import Lead, ReadRows
from vivtui.alerts.streaks import Streak
from vivtui.parsing import actions, api_audit, execution, sessions
from vivtui.parsing.record import ERROR, OK, Record, new_record, rows_of
from vivtui.parsing.values import EpochMinutes, text
from vivtui.safetext import preview
from vivtui.sources.tailer import TRUNCATED
from vivtui.store.activity import LIVE
from vivtui.store.run import Found, RunStore
from vivtui.store.safety import reason_of

KEPT_ALERTS = 5_000
SESSION_CHECK_S = 5.0  # open sessions are looked at this often, not every second
MOST_STALLS_SAID = 20  # sessions newly stalled at one look said each (the rest: in one)
BLOCK_ECHO_S = 2.0  # blocks in other files this close in time are the same block

_CATEGORY = itemgetter(Record._fields.index("category"))


@dataclass(slots=True)
class _Seen:
    """How far the engine has looked: counts at the last batch, per kind."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def moved(self, counter, kind: str, *keys: str) -> bool:
        changed = False
        for key in keys:
            now = counter[key]
            if self.counts.get((kind, key)) != now:
                self.counts[(kind, key)] = now
                changed = True
        return changed


class AlertEngine(ApiRules):
    def __init__(self, run: str, settings: AlertSettings | None = None,
                 every_alert: bool = False) -> None:
        """``every_alert``: keep each alert raised (a backlog read apart whose
        alerts are all told: ``vivtui watch --history``), not the newest
        ``KEPT_ALERTS``."""
        self.run = run
        self.settings = settings or AlertSettings()
        # Every alert, oldest first.
        self.alerts: deque[Alert] = deque(maxlen=None if every_alert else KEPT_ALERTS)
        self.fired = 0
        self.fired_live = 0  # of them, rung while watched (not history)
        self._seen = _Seen()
        self._levels: dict[str, float] = {}  # wrapper -> highest level crossed
        self._spent: dict[str, float] = {}  # wrapper -> its spend at the last look
        self._refused: set[str] = set()
        # Every wrapper is judged again at the next batch (not only those that
        # moved): after state taken over from another engine, or a new limit.
        self._judge_all = True
        self._limits: tuple = ()
        self._streaks = {sessions.KIND: Streak("sessions"), execution.KIND: Streak("tasks")}
        self._burst: deque[float] = deque()
        self._seconds = EpochMinutes()
        self._in_burst = False
        self._last_block: tuple[float, set[str]] = (float("-inf"), set())
        self._malformed_files: set[str] = set()
        self._unreadable: set[str] = set()
        self._stalled_sessions: set[int] = set()
        self._was_live = False
        self._run_stalled = False
        self._sessions_checked = 0.0
        self._since: float | None = None  # when the engine first looked at open sessions
        self._newest: Record | None = None  # the newest line read while watching
        # Set in the engine of an audit log's part after a cut (``alerts.parts``).
        self.lead: Lead | None = None

    # -- batches ----------------------------------------------------------------------

    def saw_batch(self, batch, found: Found, store: RunStore) -> list[Alert]:
        """After ``store`` took ``batch`` in (``found``: what it kept aside)."""
        out: list[Alert] = []
        off, live, kind = self.settings.off, batch.fresh, batch.kind
        rows = rows_of(batch.records)
        if rows and live:
            self._newest = new_record(Record, rows[-1])
        if FILE_TROUBLE not in off and TRUNCATED in batch.happened:
            out.append(self._make(FILE_TROUBLE, WARNING,
                                  f"{batch.source} was truncated: its lines start over",
                                  store, None, live, file=batch.source))
        if MALFORMED_LINES not in off and found.malformed:
            self._malformed(found.malformed, store, live, out)
        if SAFETY not in off:
            for record in found.blocked:
                if self._same_block(record, store):
                    continue
                out.append(self._make(SAFETY, CRITICAL, f"safety gate blocked: "
                                      f"{reason_of(record)}", store, record, live))
        by_category, by_severity = store.by_category[kind], store.by_severity[kind]
        if kind == api_audit.KIND and rows:
            if BURST not in off and self._seen.moved(by_category, kind, api_audit.FAILURE,
                                                     api_audit.RATE_LIMITED):
                self._bursts(rows, store, live, out)
            if REFUSED not in off and self._seen.moved(by_category, kind,
                                                       api_audit.BUDGET_EXCEEDED):
                self._refusals(rows, store, live, out)
            if BUDGET not in off:
                self._budget(rows, store, live, out)
        elif kind == sessions.KIND and STREAK not in off and self._seen.moved(
                by_category, kind, sessions.COMPLETED):
            self._streak(kind, list(compress(rows, map(eq, repeat(sessions.COMPLETED),
                                                       map(_CATEGORY, rows)))),
                         store, live, out)
        elif kind == execution.KIND and STREAK not in off and self._seen.moved(
                by_severity, kind, ERROR, OK):
            self._streak(kind, rows, store, live, out)
        elif kind == actions.KIND and rows and BUDGET not in off and self._limits_moved(store):
            self._budget(rows, store, live, out)  # (a BUDGET action stated another limit)
        return self._keep(out)

    def _same_block(self, record: Record, store: RunStore) -> bool:
        """One block is written down in several files (the action log, the
        kernel's output, the task's status) within moments: one alert. Two
        in one file are two blocks."""
        when, name = record.ts, store.source_of(record)
        if when is None:
            return False  # a history kernel line has no time: nothing to be close to
        at = when.timestamp()
        last_at, files = self._last_block
        if abs(at - last_at) <= BLOCK_ECHO_S and name not in files:
            files.add(name)
            return True
        self._last_block = (at, {name})
        return False

    def _malformed(self, records: list[Record], store: RunStore, live: bool,
                   out: list[Alert]) -> None:
        for record in records:
            name = store.source_of(record)
            if not first_time(self._malformed_files, name):
                continue
            out.append(self._make(MALFORMED_LINES, WARNING,
                                  f"malformed lines in {name}, the first at line {record.line}",
                                  store, record, live))

    def _streak(self, kind: str, rows: list, store: RunStore, live: bool,
                out: list[Alert]) -> None:
        streak = self._streaks[kind]
        for row in streak.firing(rows, self.settings.streak):
            out.append(self.streak_alert(streak, row, store, live))

    def streak_alert(self, streak: Streak, row: tuple, store: RunStore,
                     live: bool = False) -> Alert:
        record = new_record(Record, row)
        alert = self._make(STREAK, CRITICAL, f"{streak.length} {streak.what} failed in a row, "
                           f"the latest: {_what_failed(record)}", store, record, live)
        streak.fired_alert(alert)
        return alert

    # -- time -------------------------------------------------------------------------

    def tick(self, store: RunStore, statuses, now: datetime) -> list[Alert]:
        """Once a second: what only time or the files' states tell (``now``:
        this clock's; the run is judged by its own, ``RunStore.now``)."""
        now = store.now(now)
        out: list[Alert] = []
        off = self.settings.off
        run = store.run_state(now)
        if RUN_STALL not in off:
            self._run_stall(run, store, now, out)
        if SESSION_STALL not in off and run.state == LIVE:
            at = now.timestamp()
            if at - self._sessions_checked >= SESSION_CHECK_S:
                self._sessions_checked = at
                self._session_stalls(store, now, out)
        if FILE_TROUBLE not in off:
            self._unreadable_files(statuses, store, now, out)
        return self._keep(out)

    def _run_stall(self, run, store: RunStore, now: datetime, out: list[Alert]) -> None:
        """Only a run seen live while watched stalls (an old run is not news)."""
        if run.live:
            self._was_live = run.last_event is not None
            self._run_stalled = False
            return
        if not self._was_live or self._run_stalled:
            return
        self._run_stalled = True
        quiet = (now - run.since).total_seconds() if run.since is not None else 0.0
        newest = self._newest
        where = f", the last at {store.source_of(newest)}:{newest.line}" if newest else ""
        out.append(self._make(RUN_STALL, WARNING,
                              f"the run stopped writing: nothing new for {_span(quiet)}"
                              f"{where}", store, newest, True, when=now))

    def _session_stalls(self, store: RunStore, now: datetime, out: list[Alert]) -> None:
        """The open sessions newly open for ``session_stall`` seconds: each
        said, up to ``MOST_STALLS_SAID`` at a look (the latest started);
        the others in one alert (a run's history of 200k open sessions took
        10 s here, each one's start read back from the file)."""
        threshold = self.settings.session_stall
        if self._since is None:
            self._since = now.timestamp()
        seen = self._stalled_sessions
        news, latest = store.sessions.open_started_by(now.timestamp() - threshold,
                                                      besides=seen, most=MOST_STALLS_SAID + 1)
        seen.update(news)
        sessions = store.sessions.sessions
        for at in latest[-MOST_STALLS_SAID:]:
            session = sessions[at]
            began = session.started_at
            # Stalled before vivtui looked: the history's news, listed, not rung.
            crossed = began.timestamp() + threshold >= self._since
            out.append(self._make(SESSION_STALL, WARNING,
                                  f"{_session_text(session.key, session.title)} open for "
                                  f"{_span((now - began).total_seconds())} with no completion",
                                  store, session.start, crossed, when=now))
        unsaid = len(news) - MOST_STALLS_SAID
        if unsaid > 0:
            newest = sessions[latest[0]].started_at  # (the latest of those not said)
            out.append(self._make(SESSION_STALL, WARNING,
                                  f"{unsaid:,} more sessions open for over "
                                  f"{_span(threshold)} with no completion "
                                  "(the sessions pane lists them)",
                                  store, None, newest.timestamp() + threshold >= self._since,
                                  when=now))

    def _unreadable_files(self, statuses, store: RunStore, now: datetime,
                          out: list[Alert]) -> None:
        for status in statuses:
            if status.state != "unreadable":
                self._unreadable.discard(status.name)
                continue
            if not first_time(self._unreadable, status.name):
                continue
            out.append(self._make(FILE_TROUBLE, CRITICAL,
                                  f"{status.name} is unreadable: "
                                  f"{status.note or 'no reason given'}", store, None, True,
                                  when=now, file=status.name))

    # -- alerts -----------------------------------------------------------------------

    def _make(self, rule: str, severity: str, message: str, store: RunStore,
              record: Record | None, live: bool, when: datetime | None = None,
              file: str | None = None) -> Alert:
        if record is not None:
            when = when or record.ts
            file = store.source_of(record)
        return Alert(when or store.clock(), rule, severity, preview(message, 300),
                     file, record.line if record is not None else None, self.run, live,
                     record.kind if record is not None else None,
                     record.offset if record is not None else None)

    def absorb(self, other: AlertEngine, kinds: set[str],
               store: RunStore | None = None) -> list[Alert]:
        """What ``other`` raised and learnt from the batches of ``kinds``,
        which it alone saw (a backlog taken in apart, ``ingest.apart``), as
        if this engine had seen them; the alerts it raised. ``store``: the
        run's, which took ``other``'s in: the wrappers are judged against
        the limits it knows (``other`` judged the audit log against the limit
        its own files stated: none, when the action log states it)."""
        self._seen.counts.update({key: count for key, count in other._seen.counts.items()
                                  if key[0] in kinds})
        if api_audit.KIND in kinds:
            # Every wrapper is where ``other`` last judged it: judged again only
            # if the run's limits are not those it judged with (a big run's
            # 300k wrappers held the screen 0.2-0.3 s here).
            self._judge_all, self._limits = other._judge_all, other._limits
            self._levels, self._spent = other._levels, other._spent
            self._refused, self._burst, self._in_burst = (other._refused, other._burst,
                                                          other._in_burst)
        for kind in kinds & self._streaks.keys():
            self._streaks[kind] = other._streaks[kind]
        self._malformed_files |= other._malformed_files
        self._last_block = max(self._last_block, other._last_block, key=lambda block: block[0])
        fired = list(other.alerts)
        self.fired += other.fired - len(fired)  # raised, and no longer kept there
        if store is not None and BUDGET not in self.settings.off and (
                api_audit.KIND in kinds or self._limits_moved(store)):
            self._budget([], store, False, fired)
        return self._keep(fired)

    def reads_after_cut(self, kind: str) -> None:
        """This engine sees a part of ``kind``'s file from a cut on: it keeps
        what the join needs (``alerts.parts.Lead``)."""
        if kind == api_audit.KIND:
            self.lead = Lead()

    def followed_by(self, later: AlertEngine, kind: str, store: RunStore,
                    read_rows: ReadRows | None = None) -> bool:
        """What ``later`` raised and learnt from the rest of ``kind``'s file,
        read by another process at the same time as this one read the start,
        as if this engine had read on (``alerts.parts``); ``store``: the
        first part's store, not yet joined; ``read_rows``: a batch of the
        file read again. False (nothing changed) if it cannot be exact."""
        return parts.follow(self, later, kind, store, read_rows)

    def _keep(self, fired: list[Alert]) -> list[Alert]:
        self.alerts.extend(fired)
        self.fired += len(fired)
        self.fired_live += sum(alert.live for alert in fired)
        return fired


def _what_failed(record: Record) -> str:
    fields = record.fields
    if record.kind == sessions.KIND:
        return _session_text(sessions.session_key(record),
                             sessions.task_title(sessions.context_of(fields).get("task")))
    error = text(fields.get("errors"))
    return f"{text(fields.get('task_id')) or '?'} {record.category}" + (
        f": {error}" if error else "")


def _session_text(key: tuple, title: str) -> str:
    worker, run, number = key
    return f"{worker or '?'} session {number or '?'} of run {run or '?'}" + (
        f": {title}" if title else "")


def _span(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.0f} days"
