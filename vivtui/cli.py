"""Command line: ``vivtui [PATH]``, ``vivtui summary PATH``, ``vivtui demo``."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from vivtui import __version__
from vivtui.ingest.layout import LayoutError
from vivtui.launch import (
    activity_of,
    alert_command_of,
    alert_settings_of,
    open_fleet,
    open_monitor,
    print_summary,
)
from vivtui.options import (
    UsageError,
    burst,
    count,
    frames,
    listed,
    percents,
    rules,
    seconds,
    usd,
    zone_named,
)
from vivtui.safetext import one_line, redact, reveal_secrets
from vivtui.store.activity import FINISHED_AFTER_S, STALL_AFTER_S
from vivtui.store.budget_limits import DEFAULT_LIMIT
from vivtui.streamcli import (
    is_address,
    nats_options,
    open_stream,
    run_ship,
    summary_of_stream,
)

EXIT_USAGE = 2
EXIT_SOFTWARE = 70  # (sysexits.h: an error of vivtui's own)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tz", metavar="ZONE",
                        help="zone of naive timestamps (default: this host's local zone)")
    parser.add_argument("--budget", type=usd, default=None, metavar="USD",
                        help="one API wrapper's budget limit (default: what BUDGET_EXCEEDED "
                             f"events imply, else the producer's {DEFAULT_LIMIT:.2f})")
    parser.add_argument("--stall", type=seconds, default=STALL_AFTER_S, metavar="SECONDS",
                        help="a run with no new event for this long is idle and its open "
                             f"sessions stalled (default {STALL_AFTER_S:.0f}); after "
                             f"{FINISHED_AFTER_S / STALL_AFTER_S:.0f}x as long it is finished")
    parser.add_argument("--finished", action="store_true",
                        help="the run is over, whatever its times say: open sessions are "
                             "unfinished")
    parser.add_argument("--show-secrets", action="store_true",
                        help="show API keys, tokens and passwords found in the logs instead "
                             "of masking them (on screen, copied, saved, in summary)")


def _alert_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("alerts (a run that stops writing: --stall)")
    group.add_argument("--alert-budget", type=percents, default=(0.5, 0.8, 0.95),
                       metavar="PERCENTS", help="a wrapper's spend crossing these shares of "
                       "its limit (default 50,80,95)")
    group.add_argument("--alert-streak", type=count, default=3, metavar="N",
                       help="N sessions or tasks failed in a row (default 3)")
    group.add_argument("--alert-session-stall", type=seconds, default=600.0,
                       metavar="SECONDS", help="a session open this long without a "
                       "completion while the run is live (default 600)")
    group.add_argument("--alert-burst", type=burst, default=(5, 60.0), metavar="N/SECONDS",
                       help="N RATE_LIMITED or failed API calls within SECONDS (default 5/60)")
    group.add_argument("--alert-off", type=rules, default=frozenset(), metavar="RULES",
                       help="rules not checked, comma-separated")
    group.add_argument("--alert-cmd", metavar="CMD",
                       help="run CMD for each alert, the alert as JSON on its standard "
                       "input (CMD's words split as a shell would, but no shell runs it)")
    group.add_argument("--alert-bell", action="store_true", help="ring the terminal's bell "
                       "for each alert")
    group.add_argument("--alert-notify", nargs="?", const="osc9", choices=("osc9", "osc777"),
                       metavar="osc9|osc777", help="a desktop notification for each alert, "
                       "by escape sequence (default osc9; osc777 for VTE terminals and foot)")


def summary_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vivtui summary",
        description="Read a Vivarium run once and print a triage report.")
    parser.add_argument("path", metavar="PATH", nargs="*",
                        help="run directory or one run file; several: a report per run "
                             "(--json: an array)")
    parser.add_argument("--runs", action="append", default=[], metavar="DIR",
                        help="every run directory under DIR")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    nats_options(parser)
    parser.add_argument("--limit", type=listed, default=20, metavar="N",
                        help="the newest items shown per list (default 20; 0: counts only)")
    parser.add_argument("--processes", type=count, default=None, metavar="N",
                        help="read a big run's files in up to N processes at once "
                             "(default: the cores available, at most 4; 1: one process)")
    parser.add_argument("--fresh", action="store_true",
                        help="count every file again: no counts kept from the last "
                             "summary of the same files (a big file's are kept and read "
                             "on from)")
    _common(parser)
    return parser


def run_summary(argv: list[str]) -> int:
    parser = summary_parser()
    args = parser.parse_args(argv)
    reveal_secrets(args.show_secrets)
    if not args.path and not args.runs:
        parser.error("a PATH or --runs DIR is needed")
    if args.fresh:
        from vivtui.ingest.kept_answers import take_none

        take_none()
    if len(args.path) == 1 and not args.runs and is_address(args.path[0]):
        return summary_of_stream(args.path[0], args)
    return print_summary(args.path, args.runs, args)


def watch_parser() -> argparse.ArgumentParser:
    from vivtui.alerts.alert import RULE_TEXT

    parser = argparse.ArgumentParser(
        prog="vivtui watch",
        description="Follow a Vivarium run and print each alert as it fires.",
        epilog="rules: " + "; ".join(f"{rule}: {what}" for rule, what in RULE_TEXT.items()))
    parser.add_argument("path", metavar="PATH", help="run directory or one run file")
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per alert and line: time, rule, severity, "
                             "message, file, line, run, history")
    parser.add_argument("--history", action="store_true",
                        help="also print the alerts of what the files held when first read")
    parser.add_argument("--once", action="store_true",
                        help="read what the files hold, print its alerts, and stop")
    parser.add_argument("--exit-on", type=rules, nargs="+", default=[], metavar="RULE",
                        help="stop with exit status 3 at the first alert of these rules "
                             "(separated by spaces or commas)")
    parser.add_argument("--poll", type=float, nargs="?", const=0.25, metavar="SECONDS",
                        help="stat the files every SECONDS instead of change notices")
    _common(parser)
    _alert_options(parser)
    return parser


def run_watch(argv: list[str]) -> int:
    from vivtui.alerts.watch import WatchOptions, watch

    args = watch_parser().parse_args(argv)
    reveal_secrets(args.show_secrets)
    options = WatchOptions(settings=alert_settings_of(args), json=args.json,
                           history=args.history, once=args.once,
                           exit_on=frozenset().union(*args.exit_on),
                           command=alert_command_of(args), bell=args.alert_bell,
                           notify=args.alert_notify, zone=zone_named(args.tz), budget=args.budget,
                           activity=activity_of(args), poll=args.poll)
    return watch(args.path, options)


def serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vivtui serve",
        description="The monitor in a web browser (textual-serve). It has no "
                    "authentication: keep it on 127.0.0.1 and forward the port over SSH.")
    parser.add_argument("path", metavar="PATH", help="run directory or one run file")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this host only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    return parser


def run_serve(argv: list[str]) -> int:
    """The monitor's own options after PATH go to each browser's monitor."""
    import ipaddress
    import shlex

    from vivtui.sources.child_command import module_command

    args, monitor_args = serve_parser().parse_known_args(argv)
    monitor_parser().parse_args([args.path, *monitor_args])  # a typo is said here, once
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UsageError("vivtui serve needs textual-serve: pip install 'vivtui[serve]'") from None
    try:
        loopback = ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = args.host == "localhost"
    if not loopback:
        sys.stderr.write(
            f"vivtui serve: WARNING: listening on {one_line(args.host)}: textual-serve has no "
            "authentication, so anyone who can reach this port watches the run. Prefer "
            f"--host 127.0.0.1 and, from your machine, ssh -L {args.port}:127.0.0.1:"
            f"{args.port} THIS_HOST\n")
    command = shlex.join([*module_command("vivtui"), args.path, *monitor_args])
    Server(command, host=args.host, port=args.port,
           title=f"vivtui {one_line(args.path, 80)}").serve()
    return 0


COMMANDS = {"summary": run_summary, "demo": lambda argv: run_demo(argv), "watch": run_watch,
            "serve": run_serve, "ship": run_ship}


def usage_text() -> str:
    return (
        f"vivtui {__version__}: a terminal live monitor for Vivarium runs\n\n"
        "usage:\n"
        "  vivtui [PATH]            monitor a run directory or file (default: .)\n"
        "  vivtui summary PATH      print a triage report (--json for scripts)\n"
        "  vivtui watch PATH        print each alert as it fires (--json for scripts)\n"
        "  vivtui serve PATH        the monitor in a web browser (127.0.0.1:8000)\n"
        "  vivtui ship PATH --to nats://HOST:PORT   publish a run to NATS JetStream\n"
        "  vivtui nats://HOST:PORT[/RUN]            watch the runs of a stream\n"
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
    except Exception as exc:  # noqa: BLE001 - said in a line, not a traceback
        if os.environ.get("VIVTUI_TRACEBACK"):
            raise
        sys.stderr.write(f"vivtui: {_failure(exc)}\n")
        return EXIT_SOFTWARE


def _failure(exc: Exception) -> str:
    """An error of vivtui's own in one line: what it was and where (a
    traceback is for those who ask: ``VIVTUI_TRACEBACK=1``). Its message may
    quote a file's text: escapes and secrets are not written."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return (f"stopped on an error of its own{where}: {type(exc).__name__}: "
            f"{one_line(redact(str(exc)), 300)} (VIVTUI_TRACEBACK=1 shows the traceback)")


def monitor_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vivtui", description="Live monitor for a Vivarium run.")
    parser.add_argument("path", metavar="PATH", nargs="*",
                        help="run directory or one run file (default: .); several: the "
                             "runs overview")
    parser.add_argument("--runs", action="append", default=[], metavar="DIR",
                        help="every run directory under DIR (and those that appear later), "
                             "in the runs overview")
    parser.add_argument("--poll", type=float, nargs="?", const=0.25, metavar="SECONDS",
                        help="stat the files every SECONDS (default 0.25) instead of change "
                             "notices: for network filesystems")
    parser.add_argument("--utc", action="store_true",
                        help="show every time in UTC (default: this host's local zone)")
    parser.add_argument("--fps", type=frames, default=None, metavar="N",
                        help="at most N screen updates a second while the run pours in, "
                             "for slow links (default: $VIVTUI_FPS, else no cap; keys are "
                             "always answered at once)")
    parser.add_argument("--fresh", action="store_true",
                        help="start with a clean view: no pane, filters, cursor or marks "
                             "kept from the last time this run was open, and every file "
                             "counted again (no counts kept from then)")
    _common(parser)
    _alert_options(parser)
    nats_options(parser)
    return parser


def run_monitor(argv: list[str]) -> int:
    args = monitor_parser().parse_args(argv)
    paths = args.path or ([] if args.runs else ["."])
    if len(paths) == 1 and is_address(paths[0]):
        return open_stream(paths[0], args)
    if len(paths) > 1 or args.runs:
        return open_fleet(paths, args)
    return open_monitor(paths[0], args)


def demo_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vivtui demo", description="A simulated Vivarium run, written while you watch.")
    parser.add_argument("--write-only", metavar="DIR",
                        help="only write the simulated run into DIR (no monitor)")
    parser.add_argument("--rate", type=float, default=6.0, metavar="N",
                        help="events per second (default 6)")
    parser.add_argument("--events", type=int, metavar="N", help="stop after N events")
    # The monitor's options it does not take; a demo's view is not kept (fresh=None).
    parser.set_defaults(poll=None, utc=False, fps=None, fresh=None)
    _common(parser)
    _alert_options(parser)
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
