"""Does the runs overview stay bounded with many runs? N demo runs, each with a
backlog and written live at a slow rate, watched by ``vivtui --runs`` in tmux;
the monitor's CPU and RSS printed per minute, beside one run watched alone.

    python benchmarks/many_runs.py [--runs 50] [--rate 2] [--backlog 2000] [--minutes 3]

Figures, not a test.
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
from soak import rss_mb


def write(parent: Path, runs: int, rate: float, backlog: int) -> None:
    """The writer (a process of its own): ``backlog`` events into each run, then
    ``rate`` events a second into each, in turn."""
    from vivtui.demo import DemoRun

    demos = [DemoRun(parent / f"run-{i:03d}") for i in range(runs)]
    for demo in demos:
        for _ in range(backlog):
            demo.step()
    (parent / ".ready").touch()
    pause = 1.0 / (rate * runs)
    while True:
        for demo in demos:
            demo.step()
            time.sleep(pause)


def watch(label: str, command: list[str], minutes: int) -> list[tuple[float, float]]:
    session = f"vivtui-many-{os.getpid()}-{label}"
    monitor = Session(session, command, {}, size=(160, 48))
    figures = []
    try:
        pid = monitor.pid
        before, start = cpu_s([pid]), time.monotonic()
        for minute in range(1, minutes + 1):
            time.sleep(max(0.0, start + 60 * minute - time.monotonic()))
            now = cpu_s([pid])
            figures.append((100 * (now - before) / 60, rss_mb(pid)))
            before = now
            print(f"{label:>10} {minute:>6} {figures[-1][0]:>7.1f} {figures[-1][1]:>8.1f}",
                  flush=True)
    finally:
        monitor.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--rate", type=float, default=2.0, help="events/s into each run")
    parser.add_argument("--backlog", type=int, default=2000, help="events in each run first")
    parser.add_argument("--minutes", type=int, default=3)
    parser.add_argument("--write", metavar="PARENT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write(Path(args.write), args.runs, args.rate, args.backlog)
        return
    if shutil.which("tmux") is None:
        sys.exit("many_runs: tmux is needed")
    parent = Path(tempfile.mkdtemp(prefix="vivtui-many-"))
    writer = subprocess.Popen([sys.executable, __file__, "--write", str(parent),
                               "--runs", str(args.runs), "--rate", str(args.rate),
                               "--backlog", str(args.backlog)])
    try:
        while not (parent / ".ready").exists():
            time.sleep(0.5)
        print(f"many_runs: {args.runs} runs of {args.backlog} events, then {args.rate:g} "
              f"events/s each ({args.runs * args.rate:g}/s in all), {args.minutes} min each")
        print(f"{'monitor':>10} {'minute':>6} {'CPU %':>7} {'RSS MB':>8}")
        one = watch("one run", vivtui_command(str(parent / "run-000")), args.minutes)
        many = watch(f"{args.runs} runs", vivtui_command("--runs", str(parent)), args.minutes)
        print(f"RSS: one run {one[-1][1]:.1f} MB, {args.runs} runs {many[-1][1]:.1f} MB "
              f"({(many[-1][1] - one[-1][1]) / max(1, args.runs - 1):.2f} MB per further run); "
              f"CPU last minute: {one[-1][0]:.1f} % against {many[-1][0]:.1f} %")
    finally:
        writer.terminate()
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == "__main__":
    main()
