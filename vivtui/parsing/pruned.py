"""A long line's decoded value, cut to what a record can hold cheaply.

A line may hold millions of values (a hostile or broken writer's: a 42 MB
line of ``[{},{},…]`` is 15 million objects, a gigabyte once decoded): kept
whole, every look at its record (a row drawn, a filter, the inspector) walks
them, on the screen's thread. A long line's value keeps ``MOST_VALUES`` of
them, taken breadth first (a record's own fields before what is nested in
them), at most ``MOST_ITEMS`` of each list or object (its first items whole,
rather than 50,000 shells with nothing in them: a list of small objects
showed so in the inspector), and says where it was cut and how much was
left, in its own words; and what is nested deeper than ``json_depth.MOST_DEPTH``
levels is said, not kept, as wherever a line is decoded.
Strings are kept whole: they cost by their length, which a line's bounds
(``sources.cut_lines``), and a producer's long output is worth its whole
(unless a bound is asked for: ``longest_text``, a line made to fit a
stream's message, ``parsing.fitted``).
The same cut is made wherever the line is read (``parsing.long_lines``), so
that a line read again is the same record.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from vivtui.sources.json_depth import DEEPER, MOST_DEPTH

# (50k objects pickled, the helper's answer, load in 19 ms: ``sources.elsewhere``)
MOST_VALUES = 50_000
MOST_ITEMS = 1000
CUT_KEY = "…"


def pruned(value: Any, most_values: int = MOST_VALUES, most_items: int = MOST_ITEMS,
           longest_text: int | None = None) -> Any:
    """``value`` (made of what JSON decodes to) with at most ``most_values``
    values in its containers, and ``most_items`` in each: the same value when
    it has no more; else each container cut short ends with what says how
    many of its items were left. With ``longest_text``, a longer string (not a
    key) keeps that many characters and says how many more it had."""
    root = _empty(value)
    if root is None:
        return text_within(value, longest_text)
    left = most_values
    todo = deque([(value, root, 1)])
    while todo:
        whole, kept, depth = todo.popleft()
        taken = min(len(whole), left, most_items)
        left -= taken
        if kept.__class__ is dict:
            for _, (key, item) in zip(range(taken), whole.items()):
                kept[key] = _queued(item, todo, longest_text, depth)
        else:
            kept.extend(_queued(item, todo, longest_text, depth) for item in whole[:taken])
        if taken < len(whole):
            _mark(kept, len(whole) - taken)
    return root


def _empty(value: Any) -> dict | list | None:
    if value.__class__ is dict:
        return {}
    if value.__class__ is list:
        return []
    return None


def _queued(item: Any, todo: deque, longest_text: int | None, depth: int) -> Any:
    """The item as kept (in a container ``depth`` levels down): a container's
    copy, to be filled when its turn comes; below ``MOST_DEPTH``, said."""
    copy = _empty(item)
    if copy is None:
        return text_within(item, longest_text)
    if item:
        if depth >= MOST_DEPTH:
            return DEEPER
        todo.append((item, copy, depth + 1))
    return copy


def text_within(value: Any, longest: int | None) -> Any:
    if longest is None or value.__class__ is not str or len(value) <= longest:
        return value
    return f"{value[:longest]}… ({len(value) - longest:,} more characters not read)"


def _mark(kept: dict | list, left: int) -> None:
    if kept.__class__ is dict:
        kept[CUT_KEY] = f"{left:,} more field{'s' if left > 1 else ''} not read"
    else:
        kept.append(f"… {left:,} more item{'s' if left > 1 else ''} not read")
