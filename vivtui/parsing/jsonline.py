"""Decoding one line of a JSONL file into an object, or a malformed record."""

from __future__ import annotations

from typing import Any, Callable, Iterable, NamedTuple

import orjson

from vivtui.parsing import glued
from vivtui.parsing.context import ParseContext
from vivtui.parsing.long_lines import LONG_LINE, longest_in
from vivtui.parsing.pruned import pruned
from vivtui.parsing.recent_big import RecentBig
from vivtui.parsing.record import Record, Records, decoded_once, malformed, new_record
from vivtui.sources import elsewhere
from vivtui.sources.cut_lines import cut_note
from vivtui.sources.decoding import damage_text, line_text
from vivtui.sources.json_depth import SHORT, bounded
from vivtui.sources.json_dialect import NOT_JSON, after_orjson
from vivtui.sources.json_values import too_many_values

_RAW = Record._fields.index("raw")
# A row in the record layout: a Record, or a plain tuple on the hot paths.
FromObject = Callable[[dict, bytes, int, int, ParseContext], tuple]
LineParse = Callable[[bytes, int, int, ParseContext], Record]


def refused_rows(kind: str, from_object: FromObject, data: bytes, line: int, offset: int,
                 ctx: ParseContext) -> list:
    """The rows of a line orjson refused: its object as the producers' dialect
    reads it (``json_dialect.after_orjson``), the records glued on it
    (``glued``: each at its own byte offset, with the text between them
    malformed), or one malformed record."""
    return _rows_of(kind, from_object, data, line, offset, ctx, refused_parts(data))


# What a line holds: a value; records glued together (``glued.stretches``,
# with why each stretch that is none is not JSON); or no JSON, and why.
VALUE, GLUED, WHY = "value", "glued", "why"


def refused_parts(data: bytes) -> tuple[str, Any]:
    """What a line orjson refused holds (``VALUE``, ``GLUED``, ``WHY``). The
    whys are worked out here too: a long line's, by its helper (a torn
    record's hostile stretch was decoded again to find its depth)."""
    value = after_orjson(data)
    if value is not NOT_JSON:
        return VALUE, bounded(value, data)
    found = glued.stretches(data)
    if found is None:
        return WHY, why_not_json(data)
    return GLUED, [(first, last, value, None if value is not NOT_JSON else
                    f"{why_not_json(data[first:last])}, glued to a record on this line")
                   for first, last, value in found]


def long_line_parts(data: bytes) -> tuple[str, Any]:
    """(Run by the helper: ``long_lines``.) What a long line holds, each value cut
    (``pruned``); not decoded when it holds too many (``json_values.too_many_values``)."""
    refused = too_many_values(data)
    if refused is not None:
        return WHY, refused
    try:
        what, found = VALUE, orjson.loads(data)
    except orjson.JSONDecodeError:
        what, found = refused_parts(data)
    if what == VALUE:
        return what, pruned(found)
    if what == GLUED:
        return what, [(first, last, pruned(value), why) for first, last, value, why in found]
    return what, found


LONG: Any = object()  # (``_loads_unless_long``'s answer for a long line: no value JSON has)


def _loads_unless_long(data: bytes) -> Any:
    return LONG if len(data) > LONG_LINE else orjson.loads(data)


def long_rows(kind: str, from_object: FromObject, data: bytes, line: int, offset: int,
              ctx: ParseContext) -> list:
    """The rows of a line longer than ``long_lines.LONG_LINE``, decoded where
    it holds no GIL the screen needs (``sources.elsewhere``)."""
    parts = _long_line_parts_of(data)
    rows = _rows_of(kind, from_object, data, line, offset, ctx, parts)
    what, found = parts
    if what == VALUE and found.__class__ is dict and rows[0][_RAW] is data:
        decoded_once(data, found)  # (its record's ``fields``: not decoded again)
    return rows


def _long_line_parts_of(data: bytes) -> tuple[str, Any]:
    """``long_line_parts``, by the helper; in the screen's process kept by
    the line's bytes (``recent_big``: 64 MB of them at most), so that the
    line read back from its file, to show a task or session's record in the
    inspector, is not decoded again while the screen waits (3.4 s for a
    36 MB line of 4 million objects)."""
    kept = elsewhere.in_use()
    found = _DECODED.get(data) if kept else None
    if found is not None:
        return found
    try:
        parts = elsewhere.run(long_line_parts, data)
    except elsewhere.Unfinished as exc:
        return WHY, f"not read: {exc}"  # (not kept: a later look may read it)
    return _DECODED.keep(data, parts, len(data)) if kept else parts


_DECODED = RecentBig(by_content=True)


def _rows_of(kind: str, from_object: FromObject, data: bytes, line: int, offset: int,
             ctx: ParseContext, parts: tuple[str, Any]) -> list:
    what, found = parts
    if what == VALUE:
        return [_value_row(kind, from_object, found, data, line, offset, ctx)]
    if what == WHY:
        return [malformed(kind, line, offset, damage_text(data), found)]
    rows = []
    for first, last, value, why in found:
        piece = data[first:last]
        rows.append(_value_row(kind, from_object, value, piece, line, offset + first, ctx)
                    if why is None else malformed(kind, line, offset + first,
                                                  glued.shown(piece), why))
    return rows


def _value_row(kind: str, from_object: FromObject, value: object, data: bytes, line: int,
               offset: int, ctx: ParseContext) -> tuple:
    return (from_object(value, data, line, offset, ctx) if value.__class__ is dict
            else not_an_object(kind, data, line, offset, value))


# What a JSON value that is not an object is, in JSON's words (Python's
# type names, "JSON NoneType", are not the operator's).
_JSON_NAMES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean",
               type(None): "null"}


def not_an_object(kind: str, data: bytes, line: int, offset: int, value: object) -> Record:
    name = _JSON_NAMES.get(type(value), type(value).__name__)
    return malformed(kind, line, offset, line_text(data), f"JSON {name}, not an object")


NESTING_MOST = 1024  # objects and arrays within each other: orjson's limit


def why_not_json(data: bytes) -> str:
    """"not JSON", with the cause when it can be seen (``_cause``), and for a
    line too long to hold, its length (``cut_lines``)."""
    cut = cut_note(data)
    if cut is None:
        return _cause(data)
    note, head = cut
    return f"{_cause(head)}; {note}"


def _cause(data: bytes) -> str:
    """A run of NUL bytes is what a crash leaves where a file grew but its
    data was never written; UTF-16 reads as a NUL byte every other byte."""
    if data.startswith(b"\x00\x00"):
        return "not JSON: NUL bytes (left by a crash?)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:8]:
        return "not JSON: UTF-16 text? (vivtui reads UTF-8)"
    if data.count(b"[") + data.count(b"{") > NESTING_MOST:  # (before decoding again)
        try:
            orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            # (JSON, perhaps, but deeper than orjson and Python's json go: no
            # producer's json.dumps writes it)
            if str(exc).startswith("depth limit exceeded"):
                return f"not read: nested more than {NESTING_MOST} deep"
    return "not JSON"


def line_parser(kind: str, from_object: FromObject) -> LineParse:
    """One line to one record, for a kind whose records are built from an object."""

    def parse(data: bytes, line: int, offset: int, ctx: ParseContext) -> Record:
        # The first record of a line that holds several: the one at ``offset``.
        if len(data) > LONG_LINE:
            return new_record(Record, long_rows(kind, from_object, data, line, offset, ctx)[0])
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            return new_record(Record, refused_rows(kind, from_object, data, line, offset,
                                                   ctx)[0])
        if obj.__class__ is not dict:
            return not_an_object(kind, data, line, offset, obj)
        return new_record(Record, from_object(bounded(obj, data), data, line, offset, ctx))

    # Named as its kind's module names it (``parse = line_parser(...)``), so
    # that a model holding it is sent to another process by reference.
    parse.__module__ = from_object.__module__
    parse.__name__ = parse.__qualname__ = "parse"
    return parse


class Shortcut(NamedTuple):
    """How a kind builds its common rows inline, without calling its
    ``from_object``: the category is the string in ``field``, and for the
    categories in ``severities`` it alone gives the severity. Such rows keep
    the line's bytes as raw and the "timestamp" field as stamp, as the kind's
    ``from_object`` does (tested against it); with ``raw_object``, the
    decoded object as raw instead of the bytes (a kind whose model reads
    every row's fields). With ``severity_of``, every category's severity is
    its own (a status no producer list has, a new event): worked out once a
    batch for each category that ``severities`` does not have."""

    field: str
    severities: dict[str, str]
    raw_object: bool = False
    severity_of: Callable[[str], str] | None = None


def parse_batch(kind: str, from_object: FromObject,
                lines: Iterable[tuple[int, int, bytes]], ctx: ParseContext,
                shortcut: Shortcut | None = None) -> Records:
    """``line_parser`` over a batch, with the common cases (a valid object; a
    row the kind's shortcut builds) inlined: this loop runs for every line of
    every file: a kind's common rows cost no call of its ``from_object``."""
    lines, longest = longest_in(lines)
    # A batch with no long line (nearly all) pays nothing for them in its loop:
    # looked for there, 19 ns a line (2 % of the action log's reading).
    loads = orjson.loads if longest <= LONG_LINE else _loads_unless_long
    decode_error = orjson.JSONDecodeError
    field, severities, raw_object, severity_of = shortcut or ("", {}, False, None)
    # Rows keep the table's own category strings: each line's copy is freed
    # at once instead of being kept with the row (less memory, fewer objects).
    categories = {category: category for category in severities}
    if severity_of is not None:
        severities = dict(severities)  # this batch's other categories join it
    zone = ctx.zone
    # (An object kept nested too deep is cut: ``json_depth``. A batch of
    # short lines, nearly all, pays one test a line for it.)
    deep_check = longest > SHORT
    out: list = []
    append = out.append
    for line, offset, data in lines:
        try:
            obj = loads(data)
        except decode_error:
            obj = decode_error  # (not a value JSON has)
        if obj.__class__ is dict:
            category = obj.get(field)
            severity = severities.get(category) if category.__class__ is str else None
            if severity is None and severity_of is not None and category.__class__ is str \
                    and category:
                severity = severities[category] = severity_of(category)
                categories[category] = category
            if severity is not None:
                if raw_object and deep_check and len(data) > SHORT:
                    obj = bounded(obj, data)
                append((kind, line, offset, obj.get("timestamp"), zone, severity,
                        categories[category], obj if raw_object else data, False, ""))
            else:
                if deep_check and len(data) > SHORT:
                    obj = bounded(obj, data)
                append(from_object(obj, data, line, offset, ctx))
            continue
        if obj is LONG:
            out.extend(long_rows(kind, from_object, data, line, offset, ctx))
            continue
        if not data or data.isspace():
            continue  # blank lines are not records and are not counted
        if obj is decode_error:
            out.extend(refused_rows(kind, from_object, data, line, offset, ctx))
        else:
            append(not_an_object(kind, data, line, offset, obj))
    return Records(out)
