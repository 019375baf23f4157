"""Models kept in columns: one list or array per field, an entry per item, and
a small handle per item that reads its entries.

A long run knows every task and session. An object per item holding its
fields, with a tuple of values and an int or float object per number, cost
hundreds of bytes each; a column entry costs its value's width.
"""

from __future__ import annotations

import math
from array import array
from typing import Any

from vivtui.parsing.record import ERROR, INFO, OK, WARNING

# A severity kept as a byte: its index here.
SEVERITIES = (INFO, OK, WARNING, ERROR)
SEVERITY_CODE = {severity: code for code, severity in enumerate(SEVERITIES)}


def or_none(value: float) -> float | None:
    """A float column's entry: NaN stands for None."""
    return None if value != value else value


class Handle:
    """Item ``at`` of ``tracker``'s columns. The tracker makes one handle per
    item and keeps it: handles compare by identity, in C (a re-sorted list
    finds its selected row with ``list.index`` among 200k)."""

    __slots__ = ("tracker", "at")

    def __init__(self, tracker: Any, at: int) -> None:
        self.tracker = tracker
        self.at = at


def entry_of(name: str, doc: str = "") -> property:
    """The handle's entry in the tracker's column ``name``."""
    return property(lambda handle: getattr(handle.tracker, name)[handle.at], doc=doc)


class NumberColumn:
    """A column of values that are mostly floats (costs, seconds): 8 bytes
    each in an array, where a float object and its list slot were 32; None
    and values of other types are kept aside."""

    def __init__(self) -> None:
        self._floats = array("d")  # NaN: None, or a value kept aside
        self._other: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self._floats)

    def append(self, value: Any) -> None:
        self._floats.append(math.nan)
        self[len(self._floats) - 1] = value

    def __getitem__(self, at: int) -> Any:
        value = or_none(self._floats[at])
        return value if value is not None else self._other.get(at)

    def __setitem__(self, at: int, value: Any) -> None:
        if value.__class__ is float and value == value:
            self._floats[at] = value
            self._other.pop(at, None)
            return
        self._floats[at] = math.nan
        if value is None:
            self._other.pop(at, None)
        else:
            self._other[at] = value
