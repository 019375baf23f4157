"""Reading fields that may be missing or of the wrong type, without raising."""

from __future__ import annotations

import math
from datetime import datetime, tzinfo
from typing import Any

import orjson


def text(value: Any, default: str = "") -> str:
    """Any JSON value as display text: strings as they are, the rest as JSON."""
    if value is None:
        return default
    if isinstance(value, str):
        return value
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


def timestamp(value: Any, naive_zone: tzinfo | None) -> datetime | None:
    """An aware datetime from an ISO string.

    Naive times are the writer's local time: they take ``naive_zone``, or the
    monitoring host's local zone (with its DST rules) when that is None.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except (ValueError, TypeError):
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
    return stamp[:16], stamp[19:].lstrip(".0123456789")


def _micros_written(tail: str) -> int | None:
    """"SS" or "SS.f" to "SS.ffffff" as microseconds; None for anything else."""
    if not (tail.isascii() and tail[:2].isdigit() and tail[:2] < "60"):
        return None
    if len(tail) == 2:
        return int(tail) * 1_000_000
    fraction = tail[3:]
    if tail[2] != "." or not 0 < len(fraction) <= 6 or not fraction.isdigit():
        return None
    return int(tail[:2]) * 1_000_000 + int(fraction.ljust(6, "0"))


def _parsed_whole(stamp: Any, zone: tzinfo | None) -> float | None:
    """Seconds since the epoch of a datetime, or of a stamp parsed whole."""
    found = stamp if stamp.__class__ is datetime else timestamp(stamp, zone)
    return found.timestamp() if found is not None else None


class EpochMinutes:
    """The minute since the epoch of a timestamp as written, parsed once per
    minute written (``minute_written``): ``timestamp`` for every API call of a
    big audit log was half of reading it."""

    def __init__(self, kept: int = 4096) -> None:
        self._seen: dict[tuple, int | None] = {}
        self._kept = kept

    def of(self, stamp: Any, zone: tzinfo | None) -> int | None:
        written = minute_written(stamp)
        if written is None:
            seconds = _parsed_whole(stamp, zone)
            return int(seconds // 60) if seconds is not None else None
        return self.of_minute(written, zone)

    def seconds(self, stamp: Any, zone: tzinfo | None) -> float | None:
        """Seconds since the epoch. A naive stamp (the host's zone: making it
        aware took 2.5 us a line, a fifth of reading a big session log) is its
        minute's, found once, plus the seconds written; zone offsets change on
        whole minutes. An aware one is parsed whole, which is cheaper."""
        if stamp.__class__ is str and 19 <= len(stamp) <= 26 and stamp[16] == ":":
            micros = _micros_written(stamp[17:])  # None unless naive
            if micros is not None:
                minute = self.of_minute((stamp[:16], ""), zone)
                # Summed as datetime.timestamp() sums: the same float.
                return None if minute is None else (minute * 60_000_000 + micros) / 1e6
        return _parsed_whole(stamp, zone)

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
