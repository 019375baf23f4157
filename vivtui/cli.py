"""Command line: ``vivtui [PATH]``, ``vivtui summary PATH``, ``vivtui demo``."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from vivtui import __version__
from vivtui.ingest.layout import LayoutError
from vivtui.safetext import one_line, reveal_secrets
from vivtui.store.activity import FINISHED_AFTER_S, STALL_AFTER_S, RunActivity
from vivtui.store.budget import DEFAULT_LIMIT

EXIT_USAGE = 2
SWITCH_INTERVAL_S = 0.0005


class UsageError(Exception):
    pass


def _zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--tz {name}: unknown time zone (try UTC or Europe/Paris)") from None


def _positive(what: str) -> Callable[[str], float]:
    """An argparse type: a number above 0, said as ``what``."""
    def parse(value: str) -> float:
        try:
            amount = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {value!r}") from None
        if not amount > 0:  # NaN too
            raise argparse.ArgumentTypeError(f"must be more than 0: {value!r}")
        return amount
    return parse


def _frames(value: str) -> float:
    try:
        fps = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of frames: {value!r}") from None
    if not fps >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no cap) or more: {value!r}")
    return fps


_budget = _positive("an amount in USD")
_seconds = _positive("a number of seconds")


def _activity(args: argparse.Namespace) -> RunActivity:
    return RunActivity(finished=args.finished, stall_after=args.stall,
                       finished_after=args.stall * FINISHED_AFTER_S / STALL_AFTER_S)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tz", metavar="ZONE",
                        help="zone of naive timestamps (default: this host's local zone)")
    parser.add_argument("--budget", type=_budget, default=None, metavar="USD",
                        help="one API wrapper's budget limit (default: what BUDGET_EXCEEDED "
                             f"events imply, else the producer's {DEFAULT_LIMIT:.2f})")
    parser.add_argument("--stall", type=_seconds, default=STALL_AFTER_S, metavar="SECONDS",
                        help="a run with no new event for this long is idle and its open "
                             f"sessions stalled (default {STALL_AFTER_S:.0f}); after "
                             f"{FINISHED_AFTER_S / STALL_AFTER_S:.0f}x as long it is finished")
    parser.add_argument("--finished", action="store_true",
                        help="the run is over, whatever its times say: open sessions are "
                             "unfinished")
    parser.add_argument("--show-secrets", action="store_true",
                        help="show API keys, tokens and passwords found in the logs instead "
                             "of masking them (on screen, copied, saved, in summary)")


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
    reveal_secrets(args.show_secrets)
    layout, store = collect(args.path, _zone(args.tz), args.budget, _activity(args))
    if args.json:
        sys.stdout.write(orjson.dumps(summary_dict(layout, store),
                                      option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write(render_text(layout, store, args.limit))
    return 0


COMMANDS = {"summary": run_summary, "demo": lambda argv: run_demo(argv)}


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
        # A path is the user's, but may hold escapes (a title change, a clear screen).
        sys.stderr.write(f"vivtui: {one_line(str(exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `vivtui summary … | head`: the reader left; that is not an error.
        sys.stderr.close()
        return 0


def monitor_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vivtui", description="Live monitor for a Vivarium run.")
    parser.add_argument("path", metavar="PATH", nargs="?", default=".",
                        help="run directory or one run file (default: .)")
    parser.add_argument("--poll", type=float, nargs="?", const=0.25, metavar="SECONDS",
                        help="stat the files every SECONDS (default 0.25) instead of change "
                             "notices: for network filesystems")
    parser.add_argument("--utc", action="store_true",
                        help="show every time in UTC (default: this host's local zone)")
    parser.add_argument("--fps", type=_frames, default=None, metavar="N",
                        help="at most N screen updates a second while the run pours in, "
                             "for slow links (default: $VIVTUI_FPS, else no cap; keys are "
                             "always answered at once)")
    _common(parser)
    return parser


def run_monitor(argv: list[str]) -> int:
    args = monitor_parser().parse_args(argv)
    return open_monitor(args.path, args)


def open_monitor(path: str, args: argparse.Namespace) -> int:

    from vivtui.app import Options, VivtuiApp
    from vivtui.ingest.layout import discover

    reveal_secrets(args.show_secrets)
    zone = _zone(args.tz)
    layout = discover(path, zone)
    display = UTC if args.utc else None
    VivtuiApp(layout, Options(zone=zone, display_zone=display, budget=args.budget,
                              poll=args.poll, activity=_activity(args), fps=args.fps,
                              on_first_frame=tune_process())).run()
    return 0


def tune_process() -> Callable[[], None]:
    """Process-wide settings for the monitor, made here and not in the app (a
    test process must not inherit them); returns what to do once the first
    screen is out.

    A thread parsing a backlog holds the GIL; the UI thread waits for it up to
    the switch interval at every step of a frame (5 ms by default). What exists
    after the first frame (Textual's widgets, styles, caches) lives as long as
    the app: frozen out of the collector, whose full passes over it took
    30-50 ms on the UI thread during a big backlog."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return gc.freeze


def demo_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vivtui demo", description="A simulated Vivarium run, written while you watch.")
    parser.add_argument("--write-only", metavar="DIR",
                        help="only write the simulated run into DIR (no monitor)")
    parser.add_argument("--rate", type=float, default=6.0, metavar="N",
                        help="events per second (default 6)")
    parser.add_argument("--events", type=int, metavar="N", help="stop after N events")
    parser.set_defaults(poll=None, utc=False, fps=None)  # the monitor's options it does not take
    _common(parser)
    return parser


def run_demo(argv: list[str]) -> int:
    import tempfile
    import threading

    from vivtui.demo import write_forever

    args = demo_parser().parse_args(argv)
    if args.write_only:
        sys.stderr.write(f"vivtui demo: writing a simulated run into {args.write_only} "
                         f"({args.rate:g} events/s, ctrl+c to stop)\n")
        write_forever(args.write_only, args.rate, limit=args.events)
        return 0
    directory = tempfile.mkdtemp(prefix="vivtui-demo-")
    stop = threading.Event()
    writer = threading.Thread(target=write_forever, args=(directory, args.rate, stop, args.events),
                              daemon=True)
    writer.start()
    try:
        return open_monitor(directory, args)
    finally:
        stop.set()
        sys.stderr.write(f"vivtui demo: the simulated run is in {directory}\n")
