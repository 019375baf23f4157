"""The time strip: events, failures, spend and tokens over the whole run, in
bins that fit the width (1, 2, 5, 10 … minutes), as sparklines of block
characters.

Drawn as text rather than with Textual's ``Sparkline`` widget: an empty bin
must stay visible (a run that went quiet), the bin under the cursor is
highlighted across the four lines, and the strip sits inside the audit pane's
overview and, one line of it, in the status line, which are text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from weakref import WeakKeyDictionary

from rich.text import Text

from vivtui.store.run import RunStore
from vivtui.store.timebins import Bins, bin_size, binned, extent
from vivtui.ui import render, styles

LEVELS = "▁▂▃▄▅▆▇█"
EMPTY = "·"
LABEL = 9  # "failures " and the like


@dataclass(frozen=True, slots=True)
class Strip:
    events: Bins
    failures: Bins
    spend: Bins
    tokens: Bins

    @property
    def count(self) -> int:
        return len(self.events.values)

    def span(self, index: int) -> tuple[datetime, datetime]:
        start, end = self.events.span(index)
        return _at(start), _at(end)


# Per store, the strips made at its version, by width: the status line's strip
# binned every minute of the run again each second, the most of an idle
# monitor's CPU (py-spy, a loaded big run: half of its 1.8 %).
_MADE: WeakKeyDictionary[RunStore, tuple[int, dict[int, Strip | None]]] = WeakKeyDictionary()


def strip_of(store: RunStore, width: int) -> Strip | None:
    """The run in at most ``width`` bins; None before any dated event."""
    version, made = _MADE.get(store, (None, {}))
    if version != store.version:
        made = {}
        _MADE[store] = store.version, made
    if width not in made:
        made[width] = _strip_of(store, width)
    return made[width]


def _strip_of(store: RunStore, width: int) -> Strip | None:
    bins, budget = store.timebins, store.budget
    tables = (bins.events, bins.failures, budget.spend_by_minute, budget.tokens_by_minute)
    found = extent(*tables)
    if found is None:
        return None
    first, last = found
    size = bin_size(first, last, width)
    first -= first % size  # bins start on round minutes (a 10-minute bin at :00, :10 …)
    count = (last - first) // size + 1
    return Strip(*(binned(table, first, size, count) for table in tables))


def sparkline(values: list[float], style: str, cursor: int | None = None) -> Text:
    top = max(values, default=0) or 1
    out = Text(no_wrap=True, end="")
    for index, value in enumerate(values):
        if value > 0:
            char, shown = LEVELS[min(len(LEVELS) - 1, int(value / top * len(LEVELS)))], style
        else:
            char, shown = EMPTY, styles.NOTE
        out.append(char, f"{shown} {styles.STRIP_CURSOR}" if index == cursor else shown)
    return out


def strip_text(strip: Strip, cursor: int, zone: tzinfo | None, now: datetime) -> Text:
    """The four sparklines, labelled with their highest bin, and the figures
    of the bin under the cursor (its date's year said when not ``now``'s)."""
    out = Text(no_wrap=True, end="")
    for label, bins, style, figure in (
            ("events", strip.events, styles.ACTIVE, _count),
            ("failures", strip.failures, styles.FAILURE, _count),
            ("spend", strip.spend, styles.MONEY, render.money),
            ("tokens", strip.tokens, styles.MODEL, _count)):
        out.append(f"{label:<{LABEL}}", styles.STRONG)
        out.append_text(sparkline(bins.values, style, cursor))
        out.append(f" ≤{figure(max(bins.values, default=0))}\n", styles.NOTE)
    start, end = strip.span(cursor)
    out.append(f"{'':<{LABEL}}", styles.NOTE)
    out.append(render.span(start, end, zone, now), styles.STRONG)
    out.append(f"  events {_count(strip.events.values[cursor])}"
               f"  failures {_count(strip.failures.values[cursor])}"
               f"  spend {render.money(strip.spend.values[cursor])}"
               f"  tokens {_count(strip.tokens.values[cursor])}"
               f"   bins of {_minutes(strip.events.size)}, [ ] move, T filters every pane",
               styles.NOTE)
    return out


def status_strip(store: RunStore, width: int) -> Text | None:
    """The status line's strip: events over the whole run, bins with failures red."""
    strip = strip_of(store, width)
    if strip is None:
        return None
    out = Text(no_wrap=True, end="")
    line = sparkline(strip.events.values, styles.ACTIVE)
    for index, failures in enumerate(strip.failures.values):
        if failures:
            line.stylize(styles.FAILURE, index, index + 1)
    out.append_text(line)
    return out


def _at(minute: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)


def _count(value: float) -> str:
    return f"{int(value):,}"


def _minutes(size: int) -> str:
    return f"{size} min" if size < 60 else f"{size // 60} h" if size % 60 == 0 else f"{size} min"
