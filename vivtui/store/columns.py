"""Models kept in columns: one list or array per field, an entry per item, and
a small handle per item that reads its entries.

A long run knows every task and session. An object per item holding its
fields, with a tuple of values and an int or float object per number, cost
hundreds of bytes each; a column entry costs its value's width.
"""

from __future__ import annotations

import math
import operator
import sys
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized
from itertools import accumulate, compress, repeat
from typing import Any

from vivtui.parsing.record import ERROR, INFO, OK, WARNING

# A severity kept as a byte: its index here.
SEVERITIES = (INFO, OK, WARNING, ERROR)
SEVERITY_CODE = {severity: code for code, severity in enumerate(SEVERITIES)}


def or_none(value: float) -> float | None:
    """A float column's entry: NaN stands for None."""
    return None if value != value else value


class Handle(int):
    """Item number ``int(handle)`` of its tracker's columns. A handle is made
    when asked for and not kept (an object per item, with its number, was a
    quarter of what a long run's models held, and its many small objects
    pinned the allocator's arenas): it is its number, so two handles on one
    item are equal, compared in C (a re-sorted list finds its selected row
    with ``list.index`` among 200k). Its tracker is its class's: each tracker
    makes its own class (``bound``). Handles of different trackers are not
    to be mixed in one list."""

    __slots__ = ()
    tracker: Any = None

    @classmethod
    def bound(cls, tracker: Any) -> type:
        return type(cls.__name__, (cls,), {"__slots__": (), "tracker": tracker})

    @property
    def at(self) -> int:
        return int(self)

    def __bool__(self) -> bool:  # item 0 is an item
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"


class BoundTracker:
    """A tracker whose handles are of a class of its own (``Handle.bound``):
    that class and the views made with it (``BOUND``) are made again by
    ``_bind`` when a copy is unpickled (a model read in another process)."""

    BOUND: tuple[str, ...] = ()

    def _bind(self) -> None:
        raise NotImplementedError

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name not in self.BOUND}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._bind()

    def retire(self) -> None:
        """Taken over by another tracker (a part of its file joined on): its
        handles' class lets go of it. A class is in a reference cycle of its
        own, so the tracker it held waited for a pass of the collector, which
        the monitor's freeze of its heap once a backlog joins may never make:
        a big queue's second part (tens of MB) was kept for good. Its handles
        are not to be used afterwards."""
        for name in self.BOUND:
            value = self.__dict__.pop(name, None)
            if isinstance(value, type):
                value.tracker = None


class Handles(Sequence):
    """Items as handles, made as they are read: those numbered in ``numbers``
    (an order: 200k handles made at each re-sort of a big list doubled its
    time), or every item of a column (``Every``)."""

    def __init__(self, make: Callable[[int], Handle], numbers: Sequence[int]) -> None:
        self._make, self._numbers = make, numbers

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(map(self._make, self._numbers[index]))
        return self._make(self._numbers[index])

    def __iter__(self) -> Iterator[Handle]:
        return map(self._make, self._numbers)

    @property
    def numbers(self) -> Sequence[int]:
        return self._numbers

    def index(self, value: Any, start: int = 0, stop: int = sys.maxsize) -> int:
        """In C when the numbers are a list (a handle is equal to its number)."""
        return self._numbers.index(value, start, stop)


def numbers_of(items: Sequence[Handle]) -> Sequence[int]:
    """The items' numbers: columns are read faster by plain ints than by
    handles (a big list's walk makes no handle for the items it passes)."""
    return items.numbers if isinstance(items, Handles) else items


class Every(Sequence):
    """The numbers of every item of a column, as it grows."""

    def __init__(self, column: Sized) -> None:
        self._column = column

    def __len__(self) -> int:
        return len(self._column)

    def __getitem__(self, index):
        return range(len(self._column))[index]

    def index(self, value: Any, start: int = 0, stop: int = sys.maxsize) -> int:
        if isinstance(value, int) and max(start, 0) <= value < min(stop, len(self._column)):
            return int(value)
        raise ValueError(f"{value!r} is not among the items")


class HandleMap(Mapping):
    """Items by their key (``{key: number}``), as handles."""

    def __init__(self, make: Callable[[int], Handle], numbers: dict) -> None:
        self._make, self._numbers = make, numbers

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, key) -> Handle:
        return self._make(self._numbers[key])

    def __iter__(self) -> Iterator:
        return iter(self._numbers)


def entry_of(name: str, doc: str = "") -> property:
    """The handle's entry in the tracker's column ``name``."""
    return property(lambda handle: getattr(handle.tracker, name)[handle], doc=doc)


def entries_of(name: str, doc: str = "") -> property:
    """The handle's entry in each of the tracker's columns ``name`` (a tuple of them)."""
    return property(lambda handle: tuple(column[int(handle)]
                                         for column in getattr(handle.tracker, name)), doc=doc)


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
        if value is not None:
            self[len(self._floats) - 1] = value

    def extend(self, values: Sequence[Any]) -> None:
        """``append`` of each (most None: only those that are not are looked at)."""
        start = len(self._floats)
        self._floats.extend(repeat(math.nan, len(values)))
        for at, value in enumerate(values, start):
            if value is not None:
                self[at] = value

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

    def extend_kept(self, other: NumberColumn, kept: Kept) -> None:
        """``other``'s values that ``kept`` keeps, after these."""
        start = len(self._floats)
        kept.extend(self._floats, other._floats)
        if other._other:
            kept_up_to = list(accumulate(kept.keep))
            self._other.update((start + kept_up_to[at] - 1, value)
                               for at, value in other._other.items() if kept.keep[at])


class Kept:
    """Which entries of a later part's columns a join keeps (``followed_by``:
    a model read in parts), taken over a run of kept entries at a time. (An
    array extended through ``compress`` converts entry by entry: a big
    queue's join spent 115 ms on it, on the screen's thread.)"""

    def __init__(self, keep: Sequence[bool]) -> None:
        self.keep = keep
        left_out = list(compress(range(len(keep)), map(operator.not_, keep)))
        self.runs = [(start, stop) for start, stop in zip([0, *(at + 1 for at in left_out)],
                                                           [*left_out, len(keep)])
                     if start < stop]

    def extend(self, column: Any, other: Any) -> None:
        """``other``'s kept entries after ``column``'s (a list, an array, a
        ``NumberColumn``)."""
        if isinstance(column, NumberColumn):
            column.extend_kept(other, self)
            return
        for start, stop in self.runs:
            column.extend(other[start:stop])
