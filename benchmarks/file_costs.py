"""What reading each file of a run costs per byte, relative to the action
log: the figures ``vivtui.ingest.costs.COST_PER_BYTE`` shares a run's files
out by (``vivtui summary``'s processes, the monitor's backlog lanes).

    python benchmarks/file_costs.py /tmp/big/all --repeat 3

Each file is read alone by ``vivtui summary --json`` on a directory holding
only a link to it (the runs of all files interleaved, the fastest of each
kept), less the time of the same on a run of the first ten lines of each
(starting Python and vivtui, a file of each kind opened). Figures, not a test.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import as_installed, bench_env

from vivtui.ingest.costs import COST_PER_BYTE
from vivtui.parsing.kinds import spec_for_name


def seconds(run: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["env", *bench_env(), sys.executable, "-m", "vivtui", "summary", "--json",
                    str(run)],
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    as_installed()
    home = Path(tempfile.mkdtemp(prefix="vivtui-file-costs-"))
    try:
        measure(args.run, args.repeat, home)
    finally:
        shutil.rmtree(home)


def measure(run_dir: Path, repeat: int, home: Path) -> None:
    """Each file of ``run_dir`` alone (links and a small run made in ``home``)."""
    alone: dict[str, Path] = {}
    for file in sorted(run_dir.iterdir()):
        spec = spec_for_name(file.name)
        if spec is None or not file.is_file() or spec.kind == "performance":
            continue
        alone[file.name] = home / file.name
        alone[file.name].mkdir()
        (alone[file.name] / file.name).symlink_to(file.resolve())
    small = home / "small"
    small.mkdir()
    for name in alone:
        with open(run_dir / name, "rb") as whole:
            (small / name).write_bytes(b"".join(line for _, line in zip(range(10), whole)))
    best = {name: float("inf") for name in [*alone, "(small)"]}
    for _ in range(repeat):
        best["(small)"] = min(best["(small)"], seconds(small))
        for name, run in alone.items():
            best[name] = min(best[name], seconds(run))
    start = best.pop("(small)")
    print(f"starting (a run of ten lines a file): {start:.2f} s; fastest of {repeat}")
    per_mb = {name: (best[name] - start) / ((run_dir / name).stat().st_size / 2**20)
              for name in alone}
    base = per_mb.get("action_log.jsonl")
    for name, cost in per_mb.items():
        spec = spec_for_name(name)
        kind = "text" if spec.assembled else spec.kind
        relative = f"{cost / base:5.2f}x" if base else "  -  "
        print(f"{name:24} {best[name]:6.2f} s  {cost * 1000:6.1f} ms/MB  {relative} the action log"
              f"  (COST_PER_BYTE: {COST_PER_BYTE.get(kind, '-')})")


if __name__ == "__main__":
    main()
