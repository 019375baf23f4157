"""Each API wrapper judged against its own limit: which limit that is (the
``--budget`` option, its refusals, the action log's BUDGET lines, the
producer's default), whether its spend allows it, how near it is, and when
the nearest runs out. A mixin of ``store.budget.BudgetTracker``, which sums
the spend it judges."""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import compress, count, repeat
from operator import and_, attrgetter, ge, gt, le, ne, not_, or_, sub, truediv
from typing import TYPE_CHECKING

from vivtui.parsing.record import Record, new_record
from vivtui.parsing.values import text
from vivtui.store.spend_rates import SpendRates

if TYPE_CHECKING:
    from vivtui.store.budget import Wrapper

DEFAULT_LIMIT = 2.00  # the producer's default per-wrapper budget, USD
FORECAST_WINDOW_S = 600.0  # the spend rate of a forecast: over the last ten minutes
# At least, the seconds a rate is measured over: a wrapper's first call, just
# made, is not a rate of its cost a second.
MIN_SPAN_S = 10.0

OPTION, INFERRED, DEFAULT = "option", "inferred", "default"
STATED = "stated"  # a ``limit_basis``: only the action log's BUDGET lines give the limit
# What each ``limit_basis`` is called where the limit is shown (the audit
# pane, ``vivtui summary``): one wording, so that both say the same.
BASIS_WORDS = {OPTION: "--budget", INFERRED: "inferred from refusals",
               DEFAULT: "producer default", STATED: "per the action log"}

# The producer refuses a call that would take a wrapper past its limit, so its
# spend passes the limit by no more than a call's estimate misses by. Spend
# beyond this share of the limit, with no refusal since, is not one wrapper's
# account against that limit (``limit_holds``).
OVERSHOOT = 0.1
STATED_LIMIT = re.compile(r"\$[\d.]+\s*[/>]\s*\$(\d+(?:\.\d+)?)")
_RAW_AT, _MALFORMED_AT = map(Record._fields.index, ("raw", "malformed"))
MAX_LIMIT = 1_000_000.0  # USD: a limit (stated, or a refusal's remainder) past it is no wrapper's


@dataclass(frozen=True, slots=True)
class Forecast:
    seconds: float  # until the wrapper nearest its limit runs out, at the recent rate
    user: str
    rate: float  # its USD per second over the window
    window: float  # seconds the rate is measured over


def order_key(cost: float, limit: float, user: str) -> tuple[bool, float, str]:
    """A wrapper's place among the others (``wrappers``): those with a known
    limit first, nearest it first; then the others, the biggest spender first."""
    if limit_holds(cost, limit):
        return False, -(cost / limit) if limit > 0 else -0.0, user
    return True, -cost, user


def limit_holds(cost: float, limit: float) -> bool:
    """Can a wrapper that has spent ``cost`` have ``limit``? Not when its spend
    is well past it and no refusal said otherwise (refusals set the limit
    again): the limit is higher than the one assumed, or the wrapper was
    started again (the producer keeps its account in memory; the log's sum of
    its spend goes on across a kernel's restarts)."""
    return cost <= limit * (1.0 + OVERSHOOT)


def _ceilings(limits: list[float]) -> Iterable[float]:
    """The most each of ``limits`` holds (``limit_holds``); worked out once
    when they are one (most runs: one limit for every wrapper)."""
    if limits and limits.count(limits[0]) == len(limits):
        return repeat(limits[0] * (1.0 + OVERSHOOT), len(limits))
    return [limit * (1.0 + OVERSHOOT) for limit in limits]


_COST, _USER, _INFERRED = map(attrgetter, ("cost", "user", "inferred_limit"))
_PIECE = 10_000  # wrappers looked at with the GIL held (``may_cross``)


class WrapperLimits:
    """The judging half of ``BudgetTracker``: reads its ``option_limit``,
    ``by_user``, ``_place`` and ``recent``, and keeps ``order``, ``inferred``
    (how many wrappers' refusals point to each limit), ``stated_limit`` and
    ``stated_limits`` (what the action log says), and ``version``."""

    # The forecast's spend in its window, per wrapper, made at its first look
    # (``SpendRates``); told of each wrapper whose account moves after that.
    _rates: SpendRates | None = None

    def infers(self, wrapper: Wrapper, limit: float) -> None:
        """``wrapper``'s refusals point to ``limit`` now. (Counted as they
        do: the audit pane asks at every draw, and walking 300k wrappers
        for it took 8-10 ms, three times a draw.)"""
        inferred = self.inferred
        if wrapper.inferred_limit is not None:
            inferred[wrapper.inferred_limit] -= 1
            if not inferred[wrapper.inferred_limit]:
                del inferred[wrapper.inferred_limit]
        wrapper.inferred_limit = limit
        inferred[limit] += 1

    def saw_budget_lines(self, rows: list[tuple]) -> None:
        """The limit each of the action log's BUDGET lines states
        (``$0.41/$2.00 (21%)``, ``$2.01 > $2.00``): the wrappers' limit when no
        refusal has said it (``saw_stated_limit``)."""
        for row in rows:
            raw = row[_RAW_AT]
            # (Decoded only where the line's bytes may state one: most do not.)
            if not row[_MALFORMED_AT] and (raw.__class__ is not bytes
                                           or b"/" in raw or b">" in raw):
                found = STATED_LIMIT.search(text(new_record(Record, row).fields.get("detail")))
                if found is not None:
                    self.saw_stated_limit(float(found.group(1)))

    def saw_stated_limit(self, limit: float) -> None:
        """A BUDGET line stated ``limit``. The run's is the one stated most
        often (the first of those stated as often), as the refusals' is (``limit``):
        callers that pass their own limit ($0.10) write lines beside the
        default's, and the newest stated judged every wrapper against each
        in turn (each turn sorted 300k wrappers again, 0.3 s)."""
        if 0 < limit <= MAX_LIMIT:
            self.stated_limits[limit] += 1
            self._stated_again()

    def stated_as(self, counts: Counter[float]) -> None:
        """The limits ``counts`` says were stated, and how often: the whole
        action log's (read by another process, or a part of it after these)."""
        self.stated_limits = counts
        self._stated_again()

    def _stated_again(self) -> None:
        counts = self.stated_limits
        stated = max(counts, key=counts.__getitem__) if counts else None  # (the first of ties)
        if stated != self.stated_limit:
            self.stated_limit = stated
            self.version += 1

    @property
    def limit_source(self) -> str:
        if self.option_limit is not None:
            return OPTION
        if self.stated_limit is not None or self.inferred:
            return INFERRED
        return DEFAULT

    @property
    def limit_basis(self) -> str:
        """What the limit shown rests on: ``limit_source``, with "stated" for a
        limit only the action log's BUDGET lines give."""
        source = self.limit_source
        if source == INFERRED and not self.inferred:
            return STATED
        return source

    @property
    def limit(self) -> float:
        """The run's figure for one wrapper's limit: the option's, else the one
        refusals point to most often, else the producer's default."""
        if self.option_limit is not None:
            return self.option_limit
        if self.inferred:
            return self.inferred.most_common(1)[0][0]
        return self.stated_limit if self.stated_limit is not None else DEFAULT_LIMIT

    def limit_of(self, wrapper: Wrapper) -> float:
        """The option's; else its own refusals'; else the producer's default
        (callers may give each wrapper its own limit: one wrapper's refusals
        say nothing of another's)."""
        return self.limit_with(wrapper.inferred_limit)

    def limit_with(self, inferred: float | None) -> float:
        """A wrapper's limit had its refusals pointed to ``inferred`` (``limit_of``)."""
        if self.option_limit is not None:
            return self.option_limit
        if inferred is not None:
            return inferred
        return self.stated_limit if self.stated_limit is not None else DEFAULT_LIMIT

    def remaining_of(self, wrapper: Wrapper) -> float:
        return self.limit_of(wrapper) - wrapper.cost

    def limit_known(self, wrapper: Wrapper) -> bool:
        """Is the wrapper judged against its limit (``limit_holds``)? Those
        that are not have no share, no forecast and no budget alerts."""
        return limit_holds(wrapper.cost, self.limit_of(wrapper))

    def fraction_of(self, wrapper: Wrapper) -> float:
        limit = self.limit_of(wrapper)
        return wrapper.cost / limit if limit > 0 else 0.0

    def wrappers(self, users: list[str] | None = None) -> list[Wrapper]:
        """Nearest its limit first (of ``users`` alone, if given). All of
        them are kept in that order as they change (``store.wrapper_order``):
        the status line asks every second, and a live run changes a few."""
        if users is not None:
            return sorted(map(self.by_user.__getitem__, users), key=self._nearest_first)
        return self.order.in_order(self.by_user, (self.option_limit, self.stated_limit),
                                   self._keys_of, self._nearest_first)

    def _nearest_first(self, wrapper: Wrapper) -> tuple[bool, float, str]:
        return order_key(wrapper.cost, self.limit_of(wrapper), wrapper.user)

    def _keys_of(self, wrappers: list[Wrapper]) -> list[tuple[bool, float, str]]:
        """``_nearest_first`` of each: their limits found a column at a time."""
        return list(map(order_key, map(_COST, wrappers), self._limits_of(wrappers),
                        map(_USER, wrappers)))

    def _limits_of(self, wrappers: list[Wrapper]) -> list[float]:
        """``limit_of`` of each (most have no limit of their own: one for all)."""
        return self._limits_with(list(map(_INFERRED, wrappers)))

    def _limits_with(self, inferred: list[float | None]) -> list[float]:
        """``limit_with`` of each."""
        if self.option_limit is None and inferred.count(None) < len(inferred):
            return list(map(self.limit_with, inferred))
        return [self.limit_with(None)] * len(inferred)

    def may_cross(self, spent: dict[str, float], share: float) -> list[Wrapper]:
        """Nearest first, the wrappers a judging of all of them can find past
        a level of ``share`` or more of their limit: those whose spend is not
        what ``spent`` says it was at the last judging, and those at
        ``share`` of a known limit or more; the others are where they were
        (a big run's 300k wrappers, judged one by one, held the screen 0.3 s
        when its audit log joined it). Looked for a piece at a time: the GIL
        is let go between pieces (a pass in C over all of them held it 0.1 s)."""
        wrappers = list(self.by_user.values())
        found: list[Wrapper] = []
        for start in range(0, len(wrappers), _PIECE):
            piece = wrappers[start:start + _PIECE]
            costs = list(map(_COST, piece))
            limits = self._limits_of(piece)
            # (A little under ``share``: the level itself is judged by division.)
            near = map(and_, map(le, [limit * share * (1 - 1e-9) for limit in limits], costs),
                       map(le, costs, _ceilings(limits)))
            moved = map(ne, map(spent.get, map(_USER, piece)), costs)
            found.extend(compress(piece, map(or_, near, moved)))
        return sorted(found, key=self._nearest_first)

    @property
    def tightest(self) -> Wrapper | None:
        """The wrapper nearest its limit, of those whose limit is known."""
        wrappers = self.wrappers()
        return wrappers[0] if wrappers and self.limit_known(wrappers[0]) else None

    @property
    def unknown_limits(self) -> int:
        """Wrappers whose spend says their limit is not the one assumed: the
        last of ``wrappers``, found by halving (the status line asks every second)."""
        wrappers = self.wrappers()
        return len(wrappers) - bisect_left(wrappers, True,
                                           key=lambda wrapper: not self.limit_known(wrapper))

    @property
    def remaining(self) -> float | None:
        """What the wrapper nearest its limit has left (the run has no single
        pot); None when no wrapper's limit is known."""
        tightest = self.tightest
        if tightest is not None:
            return self.remaining_of(tightest)
        return None if self.by_user else self.limit

    @property
    def fraction_used(self) -> float:
        tightest = self.tightest
        return self.fraction_of(tightest) if tightest is not None else 0.0

    def forecast(self, now: datetime, window: float = FORECAST_WINDOW_S) -> Forecast | None:
        """When a wrapper runs out at its spend rate over the last ``window``
        seconds (or since it began spending, if that is later: a run two minutes
        old has no ten-minute rate); the soonest (of those as soon, the first
        seen). Only meaningful while the run is live: the caller asks. Each
        wrapper's spend in the window is kept (``SpendRates``); its limit and
        what it has left are read here, a column at a time."""
        last = int(now.timestamp() // 60)
        minutes = range(last - int(window // 60) + 1, last + 1)
        if self._rates is None:
            self._rates = SpendRates()
        rates = self._rates
        rates.look(self.by_user, self.recent, minutes)
        users, costs = list(rates.spent), list(rates.cost.values())
        limits = self._limits_with(list(rates.inferred.values()))
        # The time each rate is measured over: from the window's first minute's
        # start (not ``window`` before now: up to a minute less), or from the
        # wrapper's first spend, to the second, if that came later.
        start = minutes[0] * 60.0
        spans = list(map(sub, repeat(now.timestamp()),
                         [first if first > start else start for first in rates.first.values()]))
        if spans and min(spans) < MIN_SPAN_S:  # (wrappers in their first seconds)
            for at in compress(count(), map(gt, repeat(MIN_SPAN_S), spans)):
                spans[at] = MIN_SPAN_S
        spend_rates = list(map(truediv, rates.spent.values(), spans))
        judged = list(map(le, costs, _ceilings(limits)))  # (``limit_holds``)
        if 0.0 in spend_rates:  # (a spend too small to make a rate: it never runs out)
            for at in compress(count(), map(not_, spend_rates)):
                judged[at], spend_rates[at] = False, math.inf
        seconds = list(map(truediv, map(sub, limits, costs), spend_rates))
        # The soonest found with no object made per wrapper (a tuple each: the
        # collector's passes they set off held a live run's screen 100-160 ms).
        judged_seconds = list(compress(seconds, judged))
        if not judged_seconds:
            return None
        soonest = max(0.0, min(judged_seconds))
        # (Of those as soon, or out already, the first seen.)
        as_soon = compress(compress(count(), judged), map(ge, repeat(soonest), judged_seconds))
        chosen = min(as_soon, key=lambda at: self._place[users[at]])
        return Forecast(soonest, users[chosen], spend_rates[chosen], spans[chosen])
