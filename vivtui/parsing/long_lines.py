"""Lines too long to decode where the screen is drawn.

Below ``LONG_LINE`` a line is decoded where it is asked for, as ever. A
longer one is decoded by the screen's process's helper (``sources.elsewhere``:
its GIL is not the screen's) and its value cut to what a record holds
cheaply (``parsing.pruned``); every process cuts it the same way, so that a
record read by a backlog's process and its line read again by the screen
are the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from vivtui.parsing.pruned import pruned, text_within
from vivtui.sources import elsewhere, json_dialect
from vivtui.sources.json_dialect import NOT_JSON
from vivtui.sources.json_values import too_many_values

LONG_LINE = 1 << 20  # bytes
_DATA = itemgetter(2)


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
