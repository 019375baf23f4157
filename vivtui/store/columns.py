"""Models kept in columns: one list or array per field, an entry per item, and
a small handle per item that reads its entries.

A long run knows every task and session. An object per item holding its
fields, with a tuple of values and an int or float object per number, cost
hundreds of bytes each; a column entry costs its value's width.
"""

from __future__ import annotations

from typing import Any


class Handle:
    """Item ``at`` of ``tracker``'s columns; equal to another handle on it."""

    __slots__ = ("tracker", "at")

    def __init__(self, tracker: Any, at: int) -> None:
        self.tracker = tracker
        self.at = at

    def __eq__(self, other: object) -> bool:
        return (other.__class__ is self.__class__ and other.tracker is self.tracker
                and other.at == self.at)

    def __hash__(self) -> int:
        return hash((id(self.tracker), self.at))


def entry_of(name: str, doc: str = "") -> property:
    """The handle's entry in the tracker's column ``name``."""
    return property(lambda handle: getattr(handle.tracker, name)[handle.at], doc=doc)
