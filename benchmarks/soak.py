"""Does a long live run cost more as it goes? The demo writer at a constant rate
against the monitor in tmux, with the monitor's CPU and RSS printed per minute.

    python benchmarks/soak.py [--minutes 10] [--rate 200] [--pane 1] [--trace OUT] [--frames OUT]

The target (issue 11): the last minute's CPU within 1.2x the second minute's,
and RSS growth under 20 MB after the first minute. Figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Session, cpu_s, vivtui_command

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 1e6


def rss_parts_mb(pid: int) -> tuple[float, float]:
    """Anonymous (the heap) and file-backed resident memory."""
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return tuple(int(fields[name].split()[0]) / 1e3 for name in ("RssAnon", "RssFile"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--pane", default="1", help="the pane key pressed after start")
    parser.add_argument("--trace", metavar="OUT",
                        help="run the monitor with tracemalloc, growth per minute to OUT "
                             "(slower: for what grows, not for figures)")
    parser.add_argument("--trace-light", metavar="OUT",
                        help="the monitor's pymalloc figures and object counts per minute to "
                             "OUT, without tracemalloc (cheap: at the full rate)")
    parser.add_argument("--frames", metavar="OUT",
                        help="the monitor's drawing steps counted and timed per minute to OUT "
                             "(frames_monitor.py): more frames, or dearer ones")
    parser.add_argument("--headless", action="store_true",
                        help="the monitor's reading without its screen (headless_monitor.py): "
                             "what the growth owes to reading, not drawing")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="set in the monitor's environment (e.g. MALLOC_ARENA_MAX=2)")
    args = parser.parse_args()
    env = {"VIVTUI_TRACE_LIGHT": "1"} if args.trace_light else {}
    env.update(setting.split("=", 1) for setting in args.env)
    args.trace = args.trace or args.trace_light
    if shutil.which("tmux") is None:
        sys.exit("soak: tmux is needed")
    run = Path(tempfile.mkdtemp(prefix="vivtui-soak-"))
    session = f"vivtui-soak-{os.getpid()}"
    writer = subprocess.Popen([sys.executable, "-m", "vivtui", "demo", "--write-only", str(run),
                               "--rate", str(args.rate)], stderr=subprocess.DEVNULL)
    command = vivtui_command(str(run)) if not args.trace else [
        sys.executable, str(Path(__file__).with_name("traced_monitor.py")), args.trace, str(run)]
    if args.frames:
        command = [sys.executable, str(Path(__file__).with_name("frames_monitor.py")),
                   args.frames, str(run)]
    if args.headless:
        command = [sys.executable, str(Path(__file__).with_name("headless_monitor.py")), str(run)]
    monitor = Session(session, command, env, size=(120, 40))
    try:
        time.sleep(2)
        monitor.keys(args.pane)
        pid = monitor.pid
        print(f"soak: {args.rate:g} events/s for {args.minutes} min, pane {args.pane}, "
              f"monitor pid {pid}, run {run}")
        print(f"{'minute':>6} {'CPU %':>7} {'RSS MB':>8} {'anon':>7} {'file':>6}")
        figures = []
        before, start = cpu_s([pid]), time.monotonic()
        for minute in range(1, args.minutes + 1):
            time.sleep(max(0.0, start + 60 * minute - time.monotonic()))
            now = cpu_s([pid])
            cpu = 100 * (now - before) / 60
            before = now
            figures.append((cpu, rss_mb(pid)))
            anon, mapped = rss_parts_mb(pid)
            print(f"{minute:>6} {cpu:>7.1f} {figures[-1][1]:>8.1f} {anon:>7.1f} {mapped:>6.1f}",
                  flush=True)
        if len(figures) >= 3:
            print(f"last minute's CPU / second minute's: {figures[-1][0] / figures[1][0]:.2f} "
                  f"(target <= 1.2); RSS growth after minute 1: "
                  f"{figures[-1][1] - figures[0][1]:+.1f} MB (target < 20)")
        writer.terminate()
        writer.wait()
        if figures and not args.trace and not args.headless:
            fresh = fresh_rss_mb(run, args.pane)
            print(f"a fresh monitor on the same files, once read: RSS {fresh:.1f} MB; "
                  f"the soaked one {rss_mb(pid):.1f} MB (the difference: what the long "
                  f"run cost beyond its data)")
    finally:
        monitor.close()
        writer.terminate()
        shutil.rmtree(run, ignore_errors=True)


def fresh_rss_mb(run: Path, pane: str) -> float:
    """A second monitor opened on the files the soak left, once its CPU has
    settled (it has read them all)."""
    fresh = Session(f"vivtui-soak-fresh-{os.getpid()}", vivtui_command(str(run)), {},
                    size=(120, 40))
    try:
        time.sleep(2)
        fresh.keys(pane)
        before = cpu_s([fresh.pid])
        for _ in range(120):  # until a second with under 5 % of a core
            time.sleep(1)
            now = cpu_s([fresh.pid])
            if now - before < 0.05:
                break
            before = now
        return rss_mb(fresh.pid)
    finally:
        fresh.close()


if __name__ == "__main__":
    main()
