"""Command line: ``vivtui [PATH]``, ``vivtui summary PATH``, ``vivtui demo``."""

from __future__ import annotations

import argparse
import sys
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from vivtui import __version__
from vivtui.feeds import LayoutError
from vivtui.store.budget import DEFAULT_LIMIT

EXIT_USAGE = 2


class UsageError(Exception):
    pass


def _zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--tz {name}: unknown time zone (try UTC or Europe/Paris)") from None


def _budget(value: str) -> float:
    try:
        amount = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {value!r}") from None
    if amount <= 0:
        raise argparse.ArgumentTypeError("the budget must be more than 0")
    return amount


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tz", metavar="ZONE",
                        help="zone of naive timestamps (default: this host's local zone)")
    parser.add_argument("--budget", type=_budget, default=DEFAULT_LIMIT, metavar="USD",
                        help=f"API budget limit (default {DEFAULT_LIMIT:.2f}, the producer's)")


def summary_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vivtui summary",
        description="Read a Vivarium run once and print a triage report.")
    parser.add_argument("path", metavar="PATH", help="run directory or one run file")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--limit", type=int, default=20, metavar="N",
                        help="items shown per list in the text report (default 20)")
    _common(parser)
    return parser


def run_summary(argv: list[str]) -> int:
    from vivtui.summary import collect, render_text, summary_dict

    args = summary_parser().parse_args(argv)
    layout, store = collect(args.path, _zone(args.tz), args.budget)
    if args.json:
        sys.stdout.write(orjson.dumps(summary_dict(layout, store),
                                      option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write(render_text(layout, store, args.limit))
    return 0


COMMANDS = {"summary": run_summary}


def usage_text() -> str:
    return (
        f"vivtui {__version__}: a terminal live monitor for Vivarium runs\n\n"
        "usage:\n"
        "  vivtui [PATH]            monitor a run directory or file (default: .)\n"
        "  vivtui summary PATH      print a triage report (--json for scripts)\n"
        "  vivtui demo              watch a simulated run being written\n"
        "  vivtui demo --write-only DIR [--rate N]   only write the simulated run\n"
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        sys.stdout.write(usage_text())
        return 0
    if argv and argv[0] == "--version":
        sys.stdout.write(f"vivtui {__version__}\n")
        return 0
    command = COMMANDS.get(argv[0]) if argv else None
    try:
        if command is not None:
            return command(argv[1:])
        return run_monitor(argv)
    except (LayoutError, UsageError) as exc:
        sys.stderr.write(f"vivtui: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `vivtui summary … | head`: the reader left; that is not an error.
        sys.stderr.close()
        return 0


def run_monitor(argv: list[str]) -> int:
    raise UsageError("the interactive monitor is not built yet; use `vivtui summary PATH`")
