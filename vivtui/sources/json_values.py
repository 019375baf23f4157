"""How many values a JSON text holds, told before it is decoded.

Decoded, a JSON text's values take about 95 bytes each: a 45 MB line of 15
million ``{}`` took 1.4 GB for 2.4 s wherever it was decoded (the screen's
helper, a backlog's process, a summary, a snapshot's tail loop). A text of
more than ``MOST_VALUES`` is not decoded, and says so.
"""

from __future__ import annotations

import re

from vivtui.sources import elsewhere

MOST_VALUES = 2_000_000
STEP = 1 << 20  # bytes counted at a time (``_values_at_most``)
# A JSON string (the unrolled form: runs of plain bytes matched in C).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def too_many_values(data: bytes, start: int = 0, end: int | None = None) -> str | None:
    """Why ``data[start:end]`` is not decoded, when it holds more than
    ``MOST_VALUES`` values (its commas, and its containers' first items,
    outside its strings); None when it may be. A long text with few commas
    is passed by a count in C, a megabyte at a time (``_values_at_most``);
    only one that may hold too many has its strings taken out, by the
    screen's helper (``elsewhere``: a regex over 150 MB held the GIL)."""
    end = len(data) if end is None else end
    found = _values_at_most(data, start, end)
    if found <= MOST_VALUES:
        return None
    text = data[start:end] if start or end != len(data) else data
    if b'"' in text:
        try:
            found = elsewhere.run(_values_outside_strings, text)
        except elsewhere.Unfinished:  # (the bound stands)
            pass
    if found <= MOST_VALUES:
        return None
    return f"not read: about {found:,} values (at most {MOST_VALUES:,} are decoded)"


def _values_at_most(data: bytes, start: int, end: int) -> int:
    """A bound on the values in ``data[start:end]``, counted ``STEP`` bytes
    at a time: the GIL is handed on between (a 150 MB history counted at once
    held the screen 290 ms). (An empty container written with spaces inside,
    or cut by a step, counts one.)"""
    found = 1
    for at in range(start, end, STEP):
        stop = min(end, at + STEP)
        found += (data.count(b",", at, stop) + data.count(b"[", at, stop)
                  + data.count(b"{", at, stop) - data.count(b"[]", at, stop)
                  - data.count(b"{}", at, stop))
    return found


def _values_outside_strings(text: bytes) -> int:
    """(Run by the helper.) ``_values_at_most`` of ``text`` with its strings taken out."""
    bare = _STRING.sub(b'""', text)
    return _values_at_most(bare, 0, len(bare))
