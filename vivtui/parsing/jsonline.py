"""Decoding one line of a JSONL file into an object, or a malformed record."""

from __future__ import annotations

from typing import Callable, Iterable

import orjson

from vivtui.parsing.context import ParseContext
from vivtui.parsing.record import Record, Records, malformed, new_record

# A row in the record layout: a Record, or a plain tuple on the hot paths.
FromObject = Callable[[dict, bytes, int, int, ParseContext], tuple]
LineParse = Callable[[bytes, int, int, ParseContext], Record]


def decode_text(data: bytes) -> str:
    """Bytes as text: invalid UTF-8 becomes U+FFFD, a trailing CR is dropped."""
    return data.decode("utf-8", "replace").rstrip("\r")


def load_object(kind: str, data: bytes, line: int, offset: int) -> dict | Record:
    """The line's JSON object, or a malformed record saying why it is not one."""
    try:
        value = orjson.loads(data)
        if value.__class__ is dict:
            return value
    except orjson.JSONDecodeError:
        # orjson refuses invalid UTF-8 outright; the same line with U+FFFD in
        # place of the bad bytes is still a good record.
        repaired = data.decode("utf-8", "replace")
        try:
            value = orjson.loads(repaired)
        except orjson.JSONDecodeError:
            return malformed(kind, line, offset, repaired.rstrip("\r"), "not JSON")
    if isinstance(value, dict):
        return value
    return malformed(
        kind, line, offset, decode_text(data), f"JSON {type(value).__name__}, not an object"
    )


def line_parser(kind: str, from_object: FromObject) -> LineParse:
    """One line to one record, for a kind whose records are built from an object."""

    def parse(data: bytes, line: int, offset: int, ctx: ParseContext) -> Record:
        obj = load_object(kind, data, line, offset)
        if isinstance(obj, Record):
            return obj
        return new_record(Record, from_object(obj, data, line, offset, ctx))

    return parse


def parse_batch(kind: str, from_object: FromObject,
                lines: Iterable[tuple[int, int, bytes]], ctx: ParseContext) -> Records:
    """``line_parser`` over a batch, with the common case (a valid object) inlined:
    this loop runs for every line of every file."""
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    out: list = []
    append = out.append
    for line, offset, data in lines:
        try:
            obj = loads(data)
        except decode_error:
            obj = None
        if obj.__class__ is not dict:
            if not data or data.isspace():
                continue  # blank lines are not records and are not counted
            obj = load_object(kind, data, line, offset)
            if isinstance(obj, Record):
                append(obj)
                continue
        append(from_object(obj, data, line, offset, ctx))
    return Records(out)
