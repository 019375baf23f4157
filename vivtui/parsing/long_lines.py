"""Lines too long to decode where the screen is drawn.

Below ``LONG_LINE`` a line is decoded where it is asked for, as ever. A
longer one is decoded by the screen's process's helper (``sources.elsewhere``:
its GIL is not the screen's) and its value cut to what a record holds
cheaply (``parsing.pruned``); every process cuts it the same way, so that a
record read by a backlog's process and its line read again by the screen
are the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from vivtui.parsing.pruned import pruned, text_within
from vivtui.sources import elsewhere, json_dialect
from vivtui.sources.json_dialect import NOT_JSON

LONG_LINE = 1 << 20  # bytes
# Values a line is decoded with at most. Decoded, a line's values take about
# 95 bytes each (a 45 MB line of 15 million ``{}`` took 1.4 GB for 2.4 s,
# wherever it was decoded: the helper, a backlog's process, a summary): a
# line of more is not decoded (``too_many_values``), and says so.
MOST_VALUES = 2_000_000
_DATA = itemgetter(2)
# A JSON string (the unrolled form: runs of plain bytes matched in C).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def value_of(data: bytes) -> Any:
    """The JSON value of a line as ``json_dialect.loads`` gives it; a long
    line's cut (``pruned``), and ``NOT_JSON`` if its helper ended first."""
    if len(data) <= LONG_LINE:
        return json_dialect.loads(data)
    try:
        return elsewhere.run(long_value, data)
    except elsewhere.Unfinished:
        return NOT_JSON


def long_value(data: bytes) -> Any:
    """(Run by the helper.) A long line's value, cut (``NOT_JSON``: too many
    values to decode)."""
    return NOT_JSON if too_many_values(data) else pruned(json_dialect.loads(data))


def too_many_values(data: bytes) -> str | None:
    """Why a line is not decoded, when it holds more than ``MOST_VALUES``
    values (its commas, and its containers' first items: counted outside its strings);
    None when it may be. Counted in C: a line of long text, with few commas,
    is passed by the first count (15 ms for 45 MB); only a line that may
    hold too many has its strings taken out first."""
    if _values_at_most(data) <= MOST_VALUES:
        return None
    found = _values_at_most(_STRING.sub(b'""', data)) if b'"' in data else \
        _values_at_most(data)
    if found <= MOST_VALUES:
        return None
    return f"not read: about {found:,} values (a line is decoded with at most {MOST_VALUES:,})"


def _values_at_most(data: bytes) -> int:
    """(A bound: an empty container written with spaces inside counts one.)"""
    return (data.count(b",") + data.count(b"[") + data.count(b"{") + 1
            - data.count(b"[]") - data.count(b"{}"))


def longest_in(lines: Iterable[tuple[int, int, bytes]]) -> tuple[Iterable, int]:
    """The lines (a list, if they could be read only once) and a bound on
    their lengths: a tailer's chunk knows one (``Chunk.longest``); else
    they are measured (a pass in C: 43 ns a line)."""
    longest = getattr(lines, "longest", None)
    if longest is not None:
        return lines, longest
    if not isinstance(lines, list):
        lines = list(lines)
    return lines, max(map(len, map(_DATA, lines)), default=0)


def cut_text(text: str) -> str:
    """A long line's text as its record holds it: its first ``LONG_LINE``
    characters, and how many more the line has (``pruned.text_within``)."""
    return text_within(text, LONG_LINE)
