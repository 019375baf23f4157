"""How long ``vivtui summary --json`` takes on a run, and how much memory it
holds, in one process and split over several (``--processes``), the runs
interleaved so that a noisy machine weighs on both alike.

    python benchmarks/summary_time.py /tmp/big/all --repeat 3 --processes 1 0

``0`` stands for the default (the cores available). Each summary is a first
one (``VIVTUI_BENCH_KEPT=DIR``: what it keeps is kept in DIR, and the next
one reads on from it, as a script's summary every few minutes does). Memory is sampled every
20 ms from /proc: the summary process's own peak RSS, and the peak of the
sum over it and the processes it started. Figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from harness import as_installed, bench_env


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as found:
            return [int(child) for child in found.read().split()]
    except OSError:
        return []


def run_once(run: str, processes: int) -> tuple[float, float, float]:
    """Seconds, the summary's peak RSS (MB), the peak of its tree's summed RSS (MB)."""
    as_installed()
    # (No answer kept from an earlier summary: ``VIVTUI_BENCH_KEPT=DIR`` keeps them in DIR.)
    command = ["env", *bench_env(), sys.executable, "-m", "vivtui", "summary", "--json", run]
    if processes:
        command += ["--processes", str(processes)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    own = tree = 0
    while process.poll() is None:
        mine = rss_kb(process.pid)
        own = max(own, mine)
        tree = max(tree, mine + sum(map(rss_kb, children(process.pid))))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"summary failed: {process.returncode}")
    return seconds, own / 1024, tree / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 0])
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(f"vivtui summary --json {args.run}  ({os.cpu_count()} cores)")
    print("processes  seconds  own peak MB  tree peak MB")
    for _ in range(args.repeat):
        for processes in args.processes:
            seconds, own, tree = run_once(args.run, processes)
            print(f"{processes or 'default':>9}  {seconds:7.2f}  {own:11.0f}  {tree:12.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
