"""Reading fields that may be missing or of the wrong type, without raising."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from itertools import repeat
from operator import itemgetter
from typing import Any

import orjson


def text(value: Any, default: str = "") -> str:
    """Any JSON value as display text: strings as they are, the rest as JSON."""
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if value.__class__ is int:  # as JSON writes it (a session's run and number)
        return str(value)
    if value.__class__ is float and not math.isfinite(value):
        # As the producer wrote it (Python's json: NaN, Infinity), where orjson writes null.
        return "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


def number(value: Any) -> float | None:
    """A finite number from a number or a numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def integer(value: Any) -> int | None:
    found = number(value)
    return int(found) if found is not None else None


def flag(value: Any) -> bool | None:
    """True/False from a JSON bool or the strings the producers write."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
    return None


# The years a time is placed in, as written; a stamp outside them is no time
# (its row shows it as written). No run's clock is that wrong, and a time near
# datetime's own bounds overflowed where a zone, a bin or a day was added to
# it: a line stamped 9999-12-31 ended the monitor at the audit pane's strip.
YEARS = range(1900, 3000)


def timestamp(value: Any, naive_zone: tzinfo | None) -> datetime | None:
    """An aware datetime from an ISO string (None outside ``YEARS``).

    Naive times are the writer's local time: they take ``naive_zone``, or the
    monitoring host's local zone (with its DST rules) when that is None.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except (ValueError, TypeError):
        return None
    if parsed.year not in YEARS:
        return None
    if parsed.tzinfo is not None:
        return parsed
    if naive_zone is not None:
        return parsed.replace(tzinfo=naive_zone)
    try:
        return parsed.astimezone()
    except (OverflowError, OSError, ValueError):
        return None


def minute_written(stamp: Any) -> tuple[str, str] | None:
    """An ISO stamp's minute as written: its first 16 characters, and its zone
    (what follows the seconds and their fraction); None for anything else."""
    if (stamp.__class__ is not str or len(stamp) < 19 or stamp[16] != ":"
            or not stamp[17:19].isdigit()):
        return None
    return stamp[:16], zone_written(stamp)


def texts(values: Iterable[Any]) -> list[str]:
    """``text`` of each (strings and ints, the usual values, converted in C)."""
    values = list(values)
    if all_are(values, str):
        return values
    return list(map(str if all_are(values, int) else text, values))


def minutes_written(stamps: Sequence[Any]) -> tuple[list, list]:
    """``minute_written`` of each stamp, as two columns (None in both for a
    stamp that has none). A batch of one shape (one length, one zone, its
    digits where the first one's are: a producer's own) is checked and cut
    in C; any other, stamp by stamp."""
    sizes = set(map(len, stamps)) if all_are(stamps, str) else set()
    if len(sizes) == 1 and (size := sizes.pop()) >= 19:
        zone = zone_written(stamps[0])
        zone_at = size - len(zone)
        shape = stamps[0][16:zone_at].translate(_DIGITS_AS_ZERO)  # ":00.000000"
        if (shape[:3] == ":00" and not shape[3:].lstrip(".0")
                and "".join(map(itemgetter(slice(16, zone_at)), stamps)).translate(
                    _DIGITS_AS_ZERO) == shape * len(stamps)
                and (not zone or set(map(itemgetter(slice(zone_at, None)), stamps)) == {zone})):
            return list(map(itemgetter(slice(16)), stamps)), [zone] * len(stamps)
    written = [minute_written(stamp) or (None, None) for stamp in stamps]
    return [minute for minute, _ in written], [zone for _, zone in written]


def all_are(values: Sequence[Any], kind: type) -> bool:
    """Is every value exactly of ``kind`` (not a subclass)? Looked at in C
    (counted: half the time of a set of the types)."""
    return list(map(type, values)).count(kind) == len(values)


def columns(objects: Sequence[dict], names: tuple[str, ...]) -> list[list]:
    """Each of ``names``' values in each object (None where it has none), as
    a column per name: one call in C an object when every object has every
    name (a producer's lines), a third sooner than a pass per name."""
    if len(names) >= 2 and objects:
        try:
            return list(map(list, zip(*map(itemgetter(*names), objects))))
        except KeyError:
            pass  # (an object without one of them: a pass per name)
    return [list(map(dict.get, objects, repeat(name))) for name in names]


_FRACTION = ".0123456789"
_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")


def zone_written(stamp: str) -> str:
    """What follows an ISO stamp's seconds and their fraction: its zone, as written."""
    return stamp[19:].lstrip(_FRACTION)


_from_iso = datetime.fromisoformat
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _minute_epoch_us(naive: datetime, zone: tzinfo | None) -> int | None:
    """The microseconds since the epoch of a naive time in ``zone`` (None:
    the host's), as an aware time's ``timestamp()`` counts them; None outside ``YEARS``."""
    if naive.year not in YEARS:
        return None
    try:
        delta = (naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()) - _EPOCH
    except (OverflowError, OSError, ValueError):
        return None
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class EpochMinutes:
    """The minute since the epoch of a timestamp as written, parsed once per
    minute written (``minute_written``): ``timestamp`` for every API call of a
    big audit log was half of reading it."""

    def __init__(self, kept: int = 4096) -> None:
        self._seen: dict[tuple, int | None] = {}
        self._kept = kept
        # Naive minutes' starts, in microseconds since the epoch, by (minute, zone).
        self._minutes: dict[tuple, int | None] = {}

    def seconds(self, stamp: Any, zone: tzinfo | None) -> float | None:
        """Seconds since the epoch, as ``timestamp(stamp, zone)``'s, float for
        float. It runs for every session and task read: a naive time, in
        ``zone`` or the host's (None), is its minute's start, found once (a
        zone's offset changes at the start of a minute), plus its seconds.
        (Making each aware took 2.5-3.3 us; checking the stamp's characters in
        Python instead, 1.6 us; parsed in C, 0.6-0.8 us.)"""
        if stamp.__class__ is datetime:
            return stamp.timestamp()
        try:
            found = _from_iso(stamp)
            if found.tzinfo is not None:
                # (``YEARS`` written out: looking it up cost a task line 0.3 %.)
                return found.timestamp() if 1900 <= found.year < 3000 else None
        except (ValueError, TypeError, OverflowError, OSError):
            return None
        key = (stamp[:16] if stamp[16:17] == ":" else stamp, zone)  # the minute, as written
        base = self._minutes.get(key, False)
        if base is False:
            base = _minute_epoch_us(found.replace(second=0, microsecond=0), zone)
            if len(self._minutes) >= self._kept:
                self._minutes.clear()
            self._minutes[key] = base
        if base is None:
            return None
        # Summed as an aware time's timestamp() sums.
        return (base + found.second * 1_000_000 + found.microsecond) / 1e6

    def of(self, stamp: Any, zone: tzinfo | None) -> int | None:
        written = minute_written(stamp)
        if written is None:
            seconds = self.seconds(stamp, zone)
            return int(seconds // 60) if seconds is not None else None
        return self.of_minute(written, zone)

    def of_minute(self, written: tuple[str, str], zone: tzinfo | None) -> int | None:
        key = (*written, zone)
        minute = self._seen.get(key, False)
        if minute is False:
            found = timestamp(written[0] + ":00" + written[1], zone)
            minute = int(found.timestamp() // 60) if found is not None else None
            if len(self._seen) >= self._kept:
                self._seen.clear()
            self._seen[key] = minute
        return minute
