"""The command line's option values, read and checked: a value that will not do
is said plainly (argparse's usage line and the reason), never a traceback."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vivtui.alerts.alert import RULES


class UsageError(Exception):
    pass


def zone_named(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--tz {name}: unknown time zone (try UTC or Europe/Paris)") from None


def number_of(what: str, convert: Callable[[str], float] = float, least: float = 0,
            above: bool = True, hint: str = "") -> Callable[[str], float]:
    """An argparse type: a number above ``least`` (or at least it, when not
    ``above``), said as ``what``."""
    def parse(value: str) -> float:
        try:
            amount = convert(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {value!r}") from None
        if not (amount > least if above else amount >= least):  # NaN too
            wanted = f"more than {least:g}" if above else f"{least:g}{hint} or more"
            raise argparse.ArgumentTypeError(f"must be {wanted}: {value!r}")
        return amount
    return parse


frames = number_of("a number of frames", above=False, hint=" (no cap)")
count = number_of("a whole number", int, least=1, above=False)
listed = number_of("a whole number", int, least=0, above=False)
usd = number_of("an amount in USD")
seconds = number_of("a number of seconds")


def percents(value: str) -> tuple[float, ...]:
    try:
        levels = tuple(sorted({float(part) / 100 for part in value.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not percentages like 50,80,95: {value!r}") from None
    if not levels or not all(0 < level <= 10 for level in levels):
        raise argparse.ArgumentTypeError(f"percentages above 0, like 50,80,95: {value!r}")
    return levels


def burst(value: str) -> tuple[int, float]:
    calls, _, window = value.partition("/")
    try:
        return count(calls), seconds(window or "60")
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"not N/SECONDS like 5/60: {value!r}") from None


def rules(value: str) -> frozenset[str]:
    chosen = frozenset(part.strip() for part in value.split(",") if part.strip())
    unknown = sorted(chosen - set(RULES))
    if unknown or not chosen:
        named = ", ".join(unknown) or repr(value)
        raise argparse.ArgumentTypeError(f"unknown rule {named} (rules: {', '.join(RULES)})")
    return chosen
