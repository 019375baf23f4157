"""The record every parser produces: one line (or array entry) of one file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, tzinfo
from functools import partial
from operator import itemgetter
from typing import Any, Callable, NamedTuple

import orjson

from vivtui.parsing.long_lines import cut_text, value_of
from vivtui.parsing.recent_big import BIG, RecentBig
from vivtui.parsing.values import timestamp
from vivtui.sources import decoding, json_dialect
from vivtui.sources.json_depth import within_depth

ERROR = "error"
WARNING = "warning"
OK = "ok"
INFO = "info"

SEVERITIES = (ERROR, WARNING, OK, INFO)
SEVERITY_RANK = {INFO: 0, OK: 1, WARNING: 2, ERROR: 3}

MALFORMED = "MALFORMED"

# Each kind module registers how its records read as one line. Summaries are
# built on demand: only the rows a person looks at ever need one, and building
# them for every line of a million-line file would halve the ingest rate.
# Building a record as a plain tuple skips the named tuple's Python-level __new__.
new_record = tuple.__new__

SUMMARIZERS: dict[str, Callable[["Record"], str]] = {}
# An object of more fields than this counts as big (``Record.size``).
MANY_FIELDS = 1000
# A big line's object and a big record's summary, made once while looked at.
_BIG_OBJECTS, _BIG_SUMMARIES = RecentBig(), RecentBig()


class Record(NamedTuple):
    """One parsed line; immutable.

    A named tuple rather than a frozen dataclass: building one is several
    times cheaper (a frozen dataclass sets each field through
    ``object.__setattr__``), and a record is built for every line read.

    ``kind`` names the file kind (see ``parsing.kinds``); ``category`` is the
    value users filter by (action_type, event, status, kernel class, ...);
    ``raw`` is the decoded object; or the line's bytes, decoded on demand
    (the action stream: a million kept dicts would cost memory and the
    garbage collector's time); or the line's text for text files and for
    malformed lines, whose ``note`` says what is wrong. ``offset`` is the byte
    offset of the line, or -1 for entries of a whole-file JSON array.

    ``note``: a malformed line's, what is wrong with it; a well-formed one
    read back from a copy a rotation left (``store.readback``), the copy's name.

    ``stamp`` is the time as written (an ISO string, or a datetime the parser
    worked out); ``ts`` reads it on demand, naive times in ``zone`` (None: the
    host's local zone). Parsing it for every line read would cost a fifth of
    the ingest rate, and most records are never looked at.
    """

    kind: str
    line: int
    offset: int
    stamp: Any
    zone: tzinfo | None
    severity: str
    category: str
    raw: Any
    malformed: bool = False
    note: str = ""

    @property
    def ts(self) -> datetime | None:
        stamp = self.stamp
        if stamp is None or stamp.__class__ is datetime:
            return stamp
        return timestamp(stamp, self.zone)

    @property
    def fields(self) -> dict:
        """The raw object when it is one, else an empty dict."""
        raw = self.raw
        if raw.__class__ is dict:
            return raw
        if raw.__class__ is bytes or raw.__class__ is Packed:
            return _object_of(raw) if len(raw) < BIG else _BIG_OBJECTS.made(raw, _object_of)
        return {}

    @property
    def line_text(self) -> str:
        """The record as it stands in its file (decoded, not yet display-safe)."""
        raw = self.raw
        if raw.__class__ is bytes or raw.__class__ is Packed:
            return decoding.text_of(raw)
        if raw.__class__ in (dict, list):
            return to_json(raw).decode()
        return str(raw)

    @property
    def summary(self) -> str:
        """One line of plain (not yet display-safe) text."""
        made = _BIG_SUMMARIES.get(self)
        if made is not None:
            return made
        made = _summary_of(self)
        return made if len(made) < BIG else _BIG_SUMMARIES.keep(self, made)

    def summary_soon(self, made: Callable[[], None],
                     pace_of: Callable[[], Callable[[], object] | None] | None = None
                     ) -> str | None:
        """``summary``; but a big record's not made yet is made by a thread,
        which calls ``made`` once it is kept: None until then (``pace_of``:
        see ``RecentBig.soon``)."""
        if _size_of(self.raw) >= BIG:
            return _BIG_SUMMARIES.soon(self, _summary_of, made, pace_of)
        return self.summary

    @property
    def size(self) -> int:
        """About how big the record is, in bytes or characters: its line's,
        or its object's strings' (those of its values and of theirs)."""
        return _size_of(self.raw)


def _size_of(raw: Any) -> int:
    if raw.__class__ is bytes or raw.__class__ is Packed or raw.__class__ is str:
        return len(raw)
    return _strings_size(raw) if raw.__class__ is dict else 0


def _strings_size(fields: dict, nested: bool = True) -> int:
    """The characters of an object's strings, and (``nested``) of its objects'."""
    if len(fields) > MANY_FIELDS:  # (as big as that, without a look at each: 500k took 129 ms)
        return BIG
    return sum(len(value) if value.__class__ is str else
               _strings_size(value, False) if nested and value.__class__ is dict else 0
               for value in fields.values())


def _summary_of(record: Record) -> str:
    if record.malformed:
        return f"malformed line ({record.note}): {record.raw}"
    summarize = SUMMARIZERS.get(record.kind)
    return str(record.raw) if summarize is None else summarize(record)


def copy_of(record: Record) -> str:
    """The rotated copy a well-formed record was read back from (its
    ``note``), "" when it is from the file itself."""
    return record.note if record.note and not record.malformed else ""


_AS_RECORD = partial(new_record, Record)


class GluedRecord(Record):
    """A line's first record as a pane whose rows are the file's lines shows
    it, with the records glued on the line after it (``parsing.glued``) in
    ``glued``: a search or filter passes the row when one of them passes."""

    glued: tuple = ()

    @property
    def glued_note(self) -> str:
        return f"{self.glued_count} glued on this line"

    @property
    def glued_count(self) -> str:
        """How many records are glued after it: "+1 record", "+2 records"."""
        more = len(self.glued)
        return f"+{more} record{'s' if more > 1 else ''}"


def glued_row(record: Record, glued: list) -> GluedRecord:
    row = new_record(GluedRecord, record)
    row.glued = tuple(glued)
    return row


class UnreadRecord(Record):
    """A line too long to read where its row is drawn (``store.big_rows``):
    its place and ``size`` in bytes, in the file part ``part``, until a
    thread has read it."""

    size: int = 0
    part: int = 0

    @property
    def summary(self) -> str:
        return being_read(self.size, "line")


def being_read(size: int, what: str) -> str:
    """What stands for something of ``size`` bytes a thread is reading."""
    return f"reading a {size / (1 << 20):.1f} MB {what}…"


def unread(kind: str, line: int, offset: int, size: int, part: int) -> UnreadRecord:
    row = new_record(UnreadRecord, (kind, line, offset, None, None, INFO, "", "", False, ""))
    row.size, row.part = size, part
    return row


_MALFORMED_FLAG = itemgetter(8)


class Records(Sequence):
    """A batch of records kept as plain tuples in the record layout, read as records.

    The per-line paths build plain tuples: a named tuple costs more to build,
    and the garbage collector walks every kept named tuple at each full pass
    while it stops looking at a plain tuple of plain values after the first.
    """

    __slots__ = ("rows",)

    def __init__(self, rows: list | None = None) -> None:
        self.rows: list = rows if rows is not None else []

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> Record:
        return new_record(Record, self.rows[index])

    def __iter__(self) -> Iterator[Record]:
        return map(_AS_RECORD, self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def extend(self, more: Iterable) -> None:
        self.rows.extend(more.rows if isinstance(more, Records) else map(tuple, more))

    def malformed_count(self) -> int:
        return sum(map(_MALFORMED_FLAG, self.rows))


def rows_of(records: Iterable) -> list:
    """The plain rows behind a batch (a Records or a list of records)."""
    return records.rows if isinstance(records, Records) else list(map(tuple, records))


def malformed(kind: str, line: int, offset: int, text: str, note: str) -> Record:
    return Record(kind, line, offset, None, None, ERROR, MALFORMED, text, True, note)


def make(kind: str, line: int, offset: int, stamp: Any, zone: tzinfo | None, severity: str,
         category: str, raw: Any) -> Record:
    return new_record(Record, (kind, line, offset, stamp, zone, severity, category, raw,
                               False, ""))


class Packed(bytes):
    """A line's decoded object packed again as JSON (a kept row's, to hold a
    few hundred bytes instead of a kilobyte): read as the object it was."""


def pack(obj: Any) -> Packed:
    # A copy of its own size: the bytes orjson returns keep its whole output
    # buffer (4 KB each: 200k kept were 800 MB).
    return Packed(memoryview(to_json(obj)).tobytes())


def packed(record: Record) -> Record:
    """The record with its decoded object packed (a few hundred bytes, where
    the object is a kilobyte): for records kept long, thousands at a time."""
    raw = record.raw
    return record._replace(raw=pack(raw)) if raw.__class__ is dict else record


def to_json(value: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """A decoded value as JSON again. The standard parser (``json_dialect``'s
    fallback) gives integers past 64 bits, which orjson does not write: they
    are kept as their digits, in a string; nor does it write a value nested
    deeper than 254 levels (one not decoded from a line: ``json_depth``)."""
    try:
        return orjson.dumps(value, default=default)
    except TypeError:  # (orjson's refusals of both are TypeErrors)
        return orjson.dumps(_within_64_bits(within_depth(value)), default=default)


def _within_64_bits(value: Any) -> Any:
    if value.__class__ is int and not -(1 << 63) <= value < (1 << 64):
        return str(value)
    if value.__class__ is dict:
        return {key: _within_64_bits(item) for key, item in value.items()}
    if value.__class__ is list:
        return [_within_64_bits(item) for item in value]
    return value


def decoded_once(data: bytes, value: dict) -> None:
    """A long line's object, decoded as its record was made: kept for the
    record's ``fields`` (a long line's row, made by a thread, decoded it
    twice: each a helper's work of seconds for a hostile line)."""
    _BIG_OBJECTS.keep(data, value, len(data))


def _object_of(data: bytes) -> dict:
    """A kept line decoded again; it decoded to an object when it was read."""
    value = value_of(data)
    return value if value.__class__ is dict else {}


def same_line(record: Record, data: bytes) -> bool:
    """Do ``data`` (a line's bytes, read again) hold what ``record`` was parsed from?"""
    raw = record.raw
    if raw.__class__ is bytes:
        return raw.rstrip(b"\r") == data.rstrip(b"\r")
    if raw.__class__ is Packed:
        raw = _object_of(raw)
    if raw.__class__ is dict:
        # Read as the parser reads it; compared as JSON again, where a NaN
        # is not equal to itself.
        value = value_of(data)
        return value is not json_dialect.NOT_JSON and (value == raw
                                                       or to_json(value) == to_json(raw))
    # (A long text line's record holds its start: ``long_lines.cut_text``.)
    return cut_text(decoding.line_text(data)) == str(raw)
