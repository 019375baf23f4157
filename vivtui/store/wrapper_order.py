"""The API wrappers in the audit pane's order (``WrapperLimits.wrappers``:
nearest their limit first), kept in that order as their accounts change
instead of sorted whole again.

They were sorted whole after every batch, a Python key for each: with 300k
wrappers (a ``user`` per identity), 0.25-0.9 s of the screen's thread at
each batch of a live run. Here a wrapper about to change leaves its key
(``was``: its place in the order); the next look takes it out from there and
puts it back where its key is now, both found by halving.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vivtui.store.budget import Wrapper

# Wrappers changed since the last look: over this, all are sorted again (each
# moved one costs a Python key and two shifts of the order's lists).
MOST_MOVED = 5000

Key = tuple  # ``budget_limits.order_key``'s


class WrapperOrder:
    def __init__(self) -> None:
        self._keys: list[Key] = []
        self._wrappers: list[Wrapper] = []
        self._limits: tuple | None = None  # the run's limits the order was made with
        # Each wrapper changed since the last look: its key before the change
        # (None: new since). None itself: no order kept (a backlog's reading,
        # which never looks), or one to be made whole again.
        self.was: dict[str, Key | None] | None = None

    def added(self, user: str) -> None:
        """A wrapper new since the last look (put in the order at the next)."""
        if self.was is not None:
            self.was[user] = None

    def leaving(self, wrapper: Wrapper, key_of: Callable[[Wrapper], Key]) -> None:
        """Before ``wrapper`` changes: its key now, where it is in the order (if one is kept)."""
        was = self.was
        if was is not None and wrapper.user not in was:
            was[wrapper.user] = key_of(wrapper)

    def forget(self) -> None:
        """Made whole again at the next look (many wrappers changed at once)."""
        self.was = None

    def in_order(self, by_user: dict[str, Wrapper], limits: tuple,
                 keys_of: Callable[[list[Wrapper]], list[Key]],
                 key_of: Callable[[Wrapper], Key]) -> list[Wrapper]:
        """Every wrapper of ``by_user`` in order, for the run's ``limits``
        (``keys_of``: the keys of many, ``key_of``: of one)."""
        was = self.was
        if was is None or limits != self._limits or len(was) > MOST_MOVED \
                or not self._moved(was, by_user, key_of):
            self._sort_all(list(by_user.values()), keys_of)
        self.was, self._limits = {}, limits
        return self._wrappers

    def _sort_all(self, wrappers: list[Wrapper], keys_of: Callable) -> None:
        keys = keys_of(wrappers)
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self._keys = list(map(keys.__getitem__, order))
        self._wrappers = list(map(wrappers.__getitem__, order))

    def _moved(self, was: dict[str, Key | None], by_user: dict[str, Wrapper],
               key_of: Callable[[Wrapper], Key]) -> bool:
        """Each changed wrapper moved to its place; False (the order to be
        made whole) if one is not where its key said."""
        keys, wrappers = self._keys, self._wrappers
        for user, old in was.items():
            wrapper = by_user[user]
            if old is not None:
                at = bisect_left(keys, old)
                if at == len(keys) or wrappers[at] is not wrapper:
                    return False
                del keys[at], wrappers[at]
            key = key_of(wrapper)
            at = bisect_left(keys, key)
            keys.insert(at, key)
            wrappers.insert(at, wrapper)
        return True

