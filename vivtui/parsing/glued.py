"""Records glued together on one line.

A writer that dies in the middle of a line leaves it without its newline,
and the next record written (after a restart, by another process) goes on
the same line: ``{"timestamp": "2026-02-03T21:00:01", "ev{"timestamp": …}``.
A crash can also leave a block of NUL bytes where the file had grown but its
data was never written, and the next record follows the NULs. A writer that
forgot the newline glues two whole records: ``{…}{…}``. Read as one line,
each of these is refused as JSON, and the whole records on it were lost: an
API call's cost missing from the spend, a session's start from the sessions.

``stretches`` finds them: every object on the line that is not inside
another, and the text around them that is none.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from vivtui.sources import json_dialect
from vivtui.sources.decoding import damage_text, text_of

# A line's object starts looked at: a hostile line of them costs bounded work.
MOST_STARTS = 1000

_START = '{"'  # how every object Python's json writes begins, unless it is empty
_DECODER = json.JSONDecoder()
_BLANK = " \t\r"
_LEFT_BY_CRASH = b"\x00 \t\r"
# What follows a record written after a tear: nothing, or the next record.
_LAST = re.compile(r'[\x00 \t\r\n]*(?:\{"|\Z)')


def stretches(data: bytes) -> list[tuple[int, int, Any]] | None:
    """The line's stretches as (start byte, end byte, value), in order: each
    a JSON object (its value, read as ``json_dialect`` reads a line) or text
    that is none (``json_dialect.NOT_JSON``; blank text is left out). None
    when the line holds no whole object, or only one and nothing else."""
    if not _damage(data) or data.find(b'{"', 1) < 0:
        return None  # (the common refused line: text, or one object cut short)
    text, byte_at = _text_of(data)
    objects = _objects(text)
    if not objects:
        return None
    out: list[tuple[int, int, Any]] = []
    done = 0
    for start, end in objects:
        _add_text(out, data, byte_at(done), byte_at(start))
        first, last = byte_at(start), byte_at(end)
        out.append((first, last, json_dialect.loads(data[first:last])))
        done = end
    _add_text(out, data, byte_at(done), len(data))
    if len(out) < 2 or not all(_damage(data[first:last]) for first, last, value in out
                               if value is json_dialect.NOT_JSON):
        return None
    return out


def _damage(data: bytes) -> bool:
    """Is ``data`` what a torn write or a crash leaves: the start of a record
    (an object's), or NUL bytes? Text around an object is neither: a line
    of text that quotes an object is one malformed line, not a record."""
    rest = data.lstrip(_LEFT_BY_CRASH)
    return not rest or rest.startswith(b"{")


def shown(data: bytes) -> str:
    """The text of damage on a line: a crash's NUL block as its size (a row
    of thousands of replacement marks says less)."""
    if not data.strip(_LEFT_BY_CRASH):
        return f"({data.count(0)} NUL bytes)"
    return damage_text(data)


def _objects(text: str) -> list[tuple[int, int]]:
    """Where each whole object on the line starts and ends (in characters),
    leaving out those inside another (``_inside``) and those within an
    object found."""
    found: list[tuple[int, int]] = []
    start = text.find(_START)
    first_key = _key_at(text, start)
    for _ in range(MOST_STARTS):
        if start < 0:
            break
        after = start + 1
        inside = _inside(text, start)
        # (Only an object that may be a record costs a decoding.)
        if not inside or text.startswith(first_key, start):
            try:
                value, end = _DECODER.raw_decode(text, start)
            except (ValueError, RecursionError):
                pass
            else:
                if value.__class__ is dict and (not inside or _LAST.match(text, end)):
                    found.append((start, end))
                    after = end  # (the objects inside it are not looked at)
        start = text.find(_START, after)
    return found


def _key_at(text: str, start: int) -> str:
    """The start of the object at ``start`` up to its first key's end
    (``{"timestamp"``); one no object starts with when there is none."""
    end = text.find('"', start + 2) if start >= 0 else -1
    return text[start:end + 1] if end >= 0 else "\x00"


def _inside(text: str, start: int) -> bool:
    """Does the object at ``start`` follow what only a value inside an object
    or array follows (a ``:``, ``,`` or ``[``)? Such an object is a value
    inside the torn record before it, unless the writer died just after one
    of those: then it is the record written next, which begins as the line's
    first one does (a file's writer puts its keys in one order) and ends
    the line or is followed by another record. A value inside a torn record
    is followed by more of it, or begins with another key."""
    at = start - 1
    while at >= 0 and text[at] in _BLANK:
        at -= 1
    return at >= 0 and text[at] in ":,["


def _add_text(out: list, data: bytes, first: int, last: int) -> None:
    piece = data[first:last]
    if piece.strip():
        out.append((first, last, json_dialect.NOT_JSON))


def _text_of(data: bytes) -> tuple[str, Callable[[int], int]]:
    """The line as text, and a map from its character positions to bytes
    (the same numbers unless it holds UTF-8 characters of several bytes)."""
    if data.isascii():
        return data.decode("ascii"), _same
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return text_of(data), _same  # read as Windows-1252: a byte a character
    return text, lambda at: len(text[:at].encode("utf-8"))


def _same(at: int) -> int:
    return at
