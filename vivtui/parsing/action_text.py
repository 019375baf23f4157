"""action_log.log: the human-readable twin of the action stream.

Used only when action_log.jsonl is absent. Entries can span several lines (a
detail with newlines is written raw), so this parser is an assembler: an entry
is handed out when the next one starts, or when the reader says the file is
quiet (``flush``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vivtui.parsing.actions import KIND, action_severity
from vivtui.parsing.context import ParseContext
from vivtui.parsing.long_lines import LONG_LINE, cut_text
from vivtui.parsing.record import Record, make
from vivtui.parsing.values import timestamp
from vivtui.sources.decoding import line_text

_ENTRY = re.compile(r"^(\?\?\?|[A-Z][a-z]{2}) (\d\d):(\d\d):(\d\d) \| ")
_RULE = re.compile(r"^(=+|-+)\s*$")
_STARTED = re.compile(r"^ACTION LOG STARTED: (\S+)")
_COLUMNS = re.compile(r"^DAY TIME\s+\|")
_DAY = timedelta(days=1)
# The day names the producer writes (``%a`` in the C locale Python keeps by default).
_WEEKDAYS = {name: number for number, name in enumerate(
    ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))}


# What a line is, for the assembler and the counter alike.
BLANK, STARTED, RESET, ENTRY, MORE = "blank", "started", "reset", "entry", "more"


def line_kind(content: str) -> tuple[str, re.Match | None]:
    """A line's part in the log (an entry's first line, its header, a rule,
    a continuation: ``MORE``) and its match where it has one. (An entry's
    first line is looked for first: most are; it cannot be a header or a rule.)"""
    entry = _ENTRY.match(content)
    if entry is not None:
        return ENTRY, entry
    if not content.strip():
        return BLANK, None
    started = _STARTED.match(content)
    if started is not None:
        return STARTED, started
    if _RULE.match(content) or _COLUMNS.match(content):
        return RESET, None
    return MORE, None


class EntryCounter:
    """How many records the assembler hands out for the same lines, none of
    them made: the file counted where it is not read (``vivtui summary``,
    beside the JSONL; making the records of 1M entries took 14 s of CPU)."""

    def __init__(self) -> None:
        self.records = 0
        self.pending = False  # an entry begun, whose continuations are its own

    def feed_all(self, lines: Iterable[bytes]) -> None:
        records, pending = self.records, self.pending
        for data in lines:
            kind = line_kind(line_text(data))[0]
            if kind is ENTRY:
                records += 1
                pending = True
            elif kind is MORE:
                records += not pending  # a continuation with no entry stands alone
            elif kind is not BLANK:
                pending = False
        self.records, self.pending = records, pending


@dataclass(slots=True)
class _Pending:
    line: int
    offset: int
    ts: datetime | None
    fields: dict
    more: list[str] = field(default_factory=list)

    def record(self) -> Record:
        fields = self.fields
        if self.more:
            fields = dict(fields, detail="\n".join([fields["detail"], *self.more]))
        severity = action_severity(fields["action_type"], fields["action"], fields["detail"])
        return make(KIND, self.line, self.offset, self.ts, None, severity,
                    fields["action_type"] or "?", fields)


class ActionTextAssembler:
    def __init__(self) -> None:
        self._pending: _Pending | None = None
        self._base: datetime | None = None
        self._last_ts: datetime | None = None

    def feed(self, data: bytes, line: int, offset: int, ctx: ParseContext) -> list[Record]:
        content = line_text(data)
        if len(data) > LONG_LINE:  # (split, stripped and judged on its start: see ``cut_text``)
            content = cut_text(content)
        kind, found = line_kind(content)
        if kind is BLANK:
            return []
        if kind is STARTED:
            self._base = timestamp(found.group(1), ctx.zone)
            self._last_ts = None
            return self.flush()
        if kind is RESET:
            return self.flush()
        if kind is MORE:
            if self._pending is None:
                # A continuation whose entry was already handed out (or never
                # seen) stands on its own rather than being lost.
                return [make(KIND, line, offset, None, None, "info", "?",
                             {"actor": "", "action_type": "?", "action": "",
                              "detail": content, "continuation": True})]
            self._pending.more.append(content)
            return []
        done = self.flush()
        parts = [p.strip() for p in content[found.end():].split(" | ", 3)]
        parts += [""] * (4 - len(parts))
        actor, action_type, action, detail = parts
        day_time = content[: found.end() - 3]
        fields = {"time": day_time, "actor": actor, "action_type": action_type,
                  "action": action, "detail": detail}
        self._pending = _Pending(line, offset, self._entry_time(found), fields)
        return done

    def flush(self) -> list[Record]:
        pending, self._pending = self._pending, None
        return [pending.record()] if pending is not None else []

    def _entry_time(self, entry: re.Match) -> datetime | None:
        """The header's date with the entry's clock time, rolling over midnight."""
        if self._base is None:
            return None
        hours, minutes, seconds = (int(entry.group(i)) for i in (2, 3, 4))
        if hours > 23 or minutes > 59 or seconds > 59:
            return None
        ts = self._base.replace(hour=hours, minute=minutes, second=seconds, microsecond=0)
        floor = (self._last_ts or self._base.replace(microsecond=0)) - timedelta(minutes=1)
        if ts < floor:
            # As many days as it takes to pass the floor, worked out (a day a
            # loop turn took longer at each of a long log's backward steps).
            ts += _DAY * -((ts - floor) // _DAY)
        weekday = _WEEKDAYS.get(entry.group(1))
        if weekday is not None:
            # The first day on or after that which has the name written: a
            # quiet day or more between two entries is told by the name, where
            # the clock alone put "Wed 12:00" after "Tue 11:06" on the Tuesday.
            ts += _DAY * ((weekday - ts.weekday()) % 7)
        self._last_ts = ts
        return ts
