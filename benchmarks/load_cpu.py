"""CPU seconds the monitor's process tree spends loading a run, and when it
is done: a figure steadier than seconds on a shared machine (where the same
load's seconds moved by a third from one run to the next), and what the
wall time on two cores comes down to.

    python benchmarks/load_cpu.py /tmp/big/all [--runs 3]

Prints, per run: final s (as ``big_files.py``: launch until a whole second
under 3 % CPU), the tree's CPU seconds by then, and that CPU over the cores.
Figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from big_files import wait_idle
from harness import Session, cpu_s, tree, vivtui_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    for number in range(args.runs):
        home = Path(f"/tmp/vivtui-load-cpu-home-{os.getpid()}-{number}")
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)  # no view kept from an earlier run
        session = Session(f"load-cpu-{os.getpid()}-{number}", vivtui_command(str(args.run)),
                          {"HOME": str(home)})
        try:
            final = wait_idle(session, args.timeout)
            used = cpu_s(tree(session.pid))
        finally:
            session.close()
        shown = "-" if final is None else f"{final:.1f}"
        print(f"run {number + 1}: final {shown} s, CPU {used:.1f} s "
              f"({used / cores:.1f} s on {cores} cores)", flush=True)
        time.sleep(1.0)


if __name__ == "__main__":
    main()
