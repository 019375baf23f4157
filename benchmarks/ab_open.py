"""Two checkouts' newest screen of one file (or, ``--final``, the end of
their loading), black-box, in ABBA order.

A change to the first screen moves it by tens of milliseconds, and single runs
of the same code on this 2-core machine spread over 0.37-0.69 s. Pairs taken
new-then-old gave opposite answers on two runs of the same comparison (12
pairs: 0.383 against 0.419 s; 20 pairs: 0.508 against 0.467 s): each side
always ran in the same place of the sequence. Here the blocks are A B B A,
so each side runs first and last equally often, and the figures are the
medians and quartiles of each side and the median of the differences within
blocks.

    git worktree add /tmp/basewt <commit> && python -m compileall -q /tmp/basewt/vivtui
    python benchmarks/ab_open.py /tmp/big/all/api_audit.log --other /tmp/basewt --blocks 8

Runs ``../shared/bench/tui_bench.py open --no-follow-check --repeat 1`` (the
follow check appends to the file; a run stopped midway leaves its line
there), this checkout's installed ``vivtui`` for A and the same command with
``PYTHONPATH=OTHER`` for B. Figures, not a test.

``--final``: seconds from launch until the tree's CPU stays under 3 % for a
second (``big_files.wait_idle``: counts final), the target a file or a run
directory, each launch after a read of its files (a warm cache).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from big_files import wait_idle, warm
from compare import BENCH, vivtui_command
from harness import Session, as_installed
from harness import vivtui_command as monitor_command


def open_seconds(target: Path, pythonpath: str | None) -> float | None:
    command = [sys.executable, str(BENCH / "tui_bench.py"), "open", "--no-follow-check",
               "--repeat", "1", "--cmd", vivtui_command(), "--file", str(target)]
    if pythonpath:
        command += ["--env", f"PYTHONPATH={pythonpath}"]
    done = subprocess.run(command, capture_output=True, text=True)
    try:
        summary = json.loads(done.stdout.strip().splitlines()[-1])["summary"]["open_s"]
    except (IndexError, ValueError, KeyError, TypeError):
        return None
    return summary["median"] if summary else None


def final_seconds(target: Path, pythonpath: str | None, timeout: float = 60.0) -> float | None:
    warm(target)
    session = Session(f"ab-final-{os.getpid()}", monitor_command(str(target)),
                      {"PYTHONPATH": pythonpath} if pythonpath else {})
    try:
        return wait_idle(session, timeout)
    finally:
        session.close()


def quartiles(values: list[float]) -> str:
    if len(values) < 2:
        return ", ".join(f"{value:.3f}" for value in values)
    low, mid, high = statistics.quantiles(values, n=4)
    return f"median {mid:.3f} s, quartiles {low:.3f}-{high:.3f} s, n {len(values)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--other", required=True, help="the other checkout (B)")
    parser.add_argument("--blocks", type=int, default=8, help="A B B A blocks (default 8)")
    parser.add_argument("--final", action="store_true", help="the loading's end, not the screen")
    args = parser.parse_args()
    as_installed()
    times: dict[str, list[float]] = {"A": [], "B": []}
    differences = []
    for block in range(args.blocks):
        seen = {side: [] for side in "AB"}
        for side in "ABBA":
            value = (final_seconds if args.final else open_seconds)(
                args.file, args.other if side == "B" else None)
            if value is None:
                print(f"block {block + 1}: {side} did not show the last line", file=sys.stderr)
                continue
            seen[side].append(value)
            times[side].append(value)
        if seen["A"] and seen["B"]:
            differences.append(statistics.mean(seen["A"]) - statistics.mean(seen["B"]))
        print(f"block {block + 1}: A {seen['A']}  B {seen['B']}", flush=True)
    print(f"A (this checkout): {quartiles(times['A'])}")
    print(f"B ({args.other}): {quartiles(times['B'])}")
    if differences:
        print(f"A - B within blocks: median {statistics.median(differences) * 1000:+.0f} ms, "
              f"A sooner in {sum(d < 0 for d in differences)} of {len(differences)} blocks")


if __name__ == "__main__":
    main()
