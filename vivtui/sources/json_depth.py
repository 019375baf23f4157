"""JSON nested deeper than any producer writes it, cut where it is decoded.

orjson decodes up to 1024 levels, and what vivtui does with a value walks it
by recursion: the inspector's tree, the JSON written again for an export, a
copy or a stream (orjson writes at most 254 levels), Python's comparison of
two values and their repr. A valid line of 1000 objects, one in another,
raised RecursionError in the inspector: the monitor ended, and Textual's
report of it, pretty-printing the value, held the terminal at full CPU.

A value nested deeper than ``MOST_DEPTH`` levels keeps its first
``MOST_DEPTH``; each container below is said, not kept (``DEEPER``). Only a
line that may be so deep is walked: one longer than ``SHORT`` (a line holds
at most half its length in levels: those walks take ``SAFE_DEPTH`` levels)
with brackets enough (counted in C: 0.1-0.2 us a line, a tenth of a short
line's reading, where a line of a big run is rarely so long).
"""

from __future__ import annotations

from typing import Any

MOST_DEPTH = 64
DEEPER = f"… nested deeper than {MOST_DEPTH} levels: not read"
SAFE_DEPTH = 200  # levels every walk of a value takes (orjson writes 254)
SHORT = 2 * SAFE_DEPTH  # bytes: a line no longer is not looked at


def may_be_deep(data: bytes) -> bool:
    """May ``data`` be nested deeper than a walk takes? Long enough, and with
    brackets enough to be deeper than ``MOST_DEPTH``."""
    return len(data) > SHORT and data.count(b"{") + data.count(b"[") > MOST_DEPTH


def bounded(value: Any, data: bytes) -> Any:
    """``value``, decoded from ``data``: cut if nested too deep."""
    return within_depth(value) if may_be_deep(data) else value


def within_depth(value: Any) -> Any:
    """``value``, or when it is nested deeper than ``MOST_DEPTH``, a copy cut there."""
    if value.__class__ not in _CONTAINERS or not _deeper(value):
        return value
    return _cut(value)


def _deeper(value: Any) -> bool:
    todo = [(value, 1)]
    while todo:
        container, depth = todo.pop()
        if depth > MOST_DEPTH:
            return True
        items = container.values() if container.__class__ is dict else container
        todo.extend((item, depth + 1) for item in items if item.__class__ in _CONTAINERS and item)
    return False


def _cut(value: Any) -> Any:
    root = value.__class__()
    todo = [(value, root, 1)]
    while todo:
        whole, kept, depth = todo.pop()
        pairs = whole.items() if whole.__class__ is dict else enumerate(whole)
        for key, item in pairs:
            if item.__class__ in _CONTAINERS and item:
                copy = DEEPER if depth >= MOST_DEPTH else item.__class__()
                if copy is not DEEPER:
                    todo.append((item, copy, depth + 1))
                item = copy
            if kept.__class__ is dict:
                kept[key] = item
            else:
                kept.append(item)
    return root


_CONTAINERS = (dict, list)
