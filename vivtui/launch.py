"""Starting the monitor and the reports from the command line's options: one
run, several runs, their summaries. (The parsers are ``cli``'s.)"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable
from datetime import UTC
from functools import partial

import orjson

from vivtui.options import UsageError, zone_named
from vivtui.safetext import reveal_secrets
from vivtui.store.activity import FINISHED_AFTER_S, STALL_AFTER_S, RunActivity

SWITCH_INTERVAL_S = 0.0005


def activity_of(args: argparse.Namespace) -> RunActivity:
    return RunActivity(finished=args.finished, stall_after=args.stall,
                       finished_after=args.stall * FINISHED_AFTER_S / STALL_AFTER_S)


def alert_settings_of(args: argparse.Namespace):
    from vivtui.alerts.alert import AlertSettings

    calls, window = args.alert_burst
    return AlertSettings(budget_levels=args.alert_budget, streak=args.alert_streak,
                         session_stall=args.alert_session_stall, burst=calls,
                         burst_window=window, off=args.alert_off)


def alert_command_of(args: argparse.Namespace) -> str | None:
    """--alert-cmd, checked before anything is read: a typo is said at once."""
    import shlex

    if args.alert_cmd is None:
        return None
    try:
        words = shlex.split(args.alert_cmd)
    except ValueError as exc:
        raise UsageError(f"--alert-cmd: {exc}") from None
    if not words:
        raise UsageError("--alert-cmd: no command given")
    return args.alert_cmd


def monitor_options(args: argparse.Namespace, view_state=None, source_note=None):
    from vivtui.app import Options

    options = Options(zone=zone_named(args.tz), display_zone=UTC if args.utc else None,
                      budget=args.budget, poll=args.poll, activity=activity_of(args),
                      fps=args.fps, alerts=alert_settings_of(args), alert_bell=args.alert_bell,
                      alert_notify=args.alert_notify, alert_cmd=alert_command_of(args),
                      view_state=view_state, fresh=bool(args.fresh),
                      on_first_frame=tune_process(), on_long_lived=gc.freeze)
    if source_note is not None:
        options.source_note = source_note
    return options


def open_monitor(path: str, args: argparse.Namespace, source_note=None) -> int:
    """``source_note``: what is wrong with the source the run's files come
    from (a stream's lost link), said in the status line (None: nothing)."""
    from vivtui.ingest.early_backlogs import EarlyBacklogs
    from vivtui.ingest.early_previews import EarlyPreviews
    from vivtui.ingest.feeds import PREVIEWED_KINDS
    from vivtui.ingest.kept_answers import take_none
    from vivtui.ingest.layout import discover
    from vivtui.ingest.split_read import usable_cores
    from vivtui.store.run import RunStore

    reveal_secrets(args.show_secrets)
    if args.fresh:
        take_none()
    layout = discover(path, zone_named(args.tz))
    # Forked before Textual is imported (and any thread started): its import
    # is the first screen's longest wait, and the preview is read meanwhile.
    # Only a file opened alone, whose pane is the first shown (``home_pane``):
    # a run directory opens on the action stream, and there the previews'
    # process took the core its first frame and the terminal wanted.
    early = EarlyPreviews.start(layout.feeds if len(layout.feeds) == 1 else (),
                                PREVIEWED_KINDS, partial(RunStore, args.budget))
    # And the big backlogs' first processes, after that fork (the preview's
    # child needs none of their descriptors).
    backlogs = (EarlyBacklogs.start(layout.feeds, usable_cores(),
                                    partial(apart_reading, layout, args))
                if backlogs_first(layout.feeds) else None)
    from vivtui.app import VivtuiApp
    from vivtui.viewstate import state_file

    view_state = None if args.fresh is None else state_file(layout.root)
    options = monitor_options(args, view_state, source_note)
    options.early_previews, options.early_backlogs = early, backlogs
    app = VivtuiApp(layout, options)
    app.run()
    return app.return_code or 0  # (1 if it ended on an error: a script sees it)


def backlogs_first(feeds: list) -> bool:
    """Are the backlogs' processes started before the first frame? For a run,
    or a file whose pane waits for its backlog's figures (``PREVIEWED_KINDS``).
    Not for a file alone whose pane reads its lines where they are shown (the
    kernel log): its screen needs none of the backlog, and starting the
    processes first made it 12-36 ms later."""
    from vivtui.ingest.feeds import PREVIEWED_KINDS

    return len(feeds) > 1 or any(feed.kind in PREVIEWED_KINDS for feed in feeds)


def apart_reading(layout, args: argparse.Namespace, kind: str):
    """Where a big backlog is read apart, made before the app is (its
    ``_read_apart``'s, from the command line's options)."""
    from vivtui.alerts.rules import AlertEngine
    from vivtui.ingest.apart import ReadApart
    from vivtui.store.run import RunStore

    return ReadApart.afresh(kind, layout, zone_named(args.tz),
                            RunStore(args.budget, activity=activity_of(args)),
                            AlertEngine(layout.root.name, alert_settings_of(args)))


def open_fleet(paths: list[str], args: argparse.Namespace) -> int:
    """Several runs: the overview first (``fleetapp``)."""
    app = fleet_app(paths, checked_parents(args.runs), args)
    app.run()
    return app.return_code or 0


def fleet_app(paths: list[str], parents: list[str], args: argparse.Namespace,
               hosts_in_paths: bool = False, source_note=None):
    from vivtui.fleetapp import FleetApp

    reveal_secrets(args.show_secrets)
    return FleetApp(paths, parents, monitor_options(args, source_note=source_note),
                    keep_views=args.fresh is not None,
                    hosts_in_paths=hosts_in_paths)


def checked_parents(runs: list[str]) -> list[str]:
    """--runs directories, each checked: a typo is said, not watched forever."""
    import os

    for parent in runs:
        if not os.path.isdir(parent):
            raise UsageError(f"--runs {parent}: not a directory")
    return runs


def tune_process() -> Callable[[], None]:
    """Process-wide settings for the monitor, made here and not in the app (a
    test process must not inherit them); returns what to do once the first
    screen is out.

    A thread parsing a backlog holds the GIL; the UI thread waits for it up to
    the switch interval at every step of a frame (5 ms by default). What exists
    after the first frame (Textual's widgets, styles, caches) lives as long as
    the app: frozen out of the collector, whose full passes over it took
    30-50 ms on the UI thread during a big backlog; so is what each backlog
    read apart made, once it joins, and a big merge of the timeline
    (``Options.on_long_lived``: a full pass over a big run's sessions and
    tasks put 60-70 ms into the first e).
    What the imports made (Textual's and Rich's modules) is frozen at once: a
    full pass over it (25-36 ms) fell in the first frame, a key typed ahead
    waiting.
    Big blocks get pages of their own (``allocator``)."""
    from vivtui.allocator import keep_big_blocks_apart

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    keep_big_blocks_apart()
    gc.freeze()
    return gc.freeze


def print_summary(paths: list[str], parents: list[str], args: argparse.Namespace,
                  many: bool = False, hosts_in_paths: bool = False) -> int:
    """One run's report, or a report per run (JSON: an array; ``many``: an
    array even of one)."""
    from vivtui.summary import collect, render_text, summary_dict

    if len(paths) == 1 and not parents and not many:
        layout, store = collect(paths[0], zone_named(args.tz), args.budget, activity_of(args),
                                processes=args.processes)
        if args.json:
            sys.stdout.write(orjson.dumps(summary_dict(layout, store, args.limit),
                                          option=orjson.OPT_INDENT_2).decode() + "\n")
        else:
            sys.stdout.write(render_text(layout, store, args.limit))
        return 0
    from vivtui.fleet.summary import run_paths, summaries

    reports = summaries(run_paths(paths, checked_parents(parents), hosts_in_paths),
                        zone_named(args.tz),
                        args.budget, lambda: activity_of(args), args.json, args.limit)
    if args.json:
        sys.stdout.write(orjson.dumps(reports, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write("\n".join(reports))
    return 0
