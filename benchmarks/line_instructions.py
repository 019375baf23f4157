"""Instructions per line of reading a file, counted by valgrind: the same
figure on every run, where seconds on a shared 2-core machine moved by 20-80 %
from one run to the next (a 10 % gain was lost in them).

    apt-get install -y valgrind
    python benchmarks/line_instructions.py /tmp/big/all/structured_logs.jsonl
    python benchmarks/line_instructions.py /tmp/big/all/api_audit.log --stage parse

The file's first ``--lines`` lines are read in memory, then parsed in batches
of 2,000 as a tailer hands them out (a chunk: a run of lines and a bound on
their lengths; ``--stage parse``) and taken into a store (``all``: what the
summary does per line), under cachegrind, twice: with the first N1 and the
first N2 lines. The difference over N2-N1 is the cost of a line, without
the start (Python, imports). Give ``--pythonpath`` to count another checkout
(``git worktree add``) for a before/after. Figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

# Run under valgrind: kept small, and only this file's own imports at its top.
WORK = """
import sys
from vivtui.parsing.kinds import LineParser, gc_paused, spec_for_name
from vivtui.store.run import RunStore
path, count, stage = sys.argv[1], int(sys.argv[2]), sys.argv[3]
spec = spec_for_name(path.rsplit("/", 1)[-1])
lines, offset = [], 0
with open(path, "rb") as handle:
    for number, line in enumerate(handle, 1):
        if number > count:
            break
        lines.append((number, offset, line.rstrip(b"\\n")))
        offset += len(line)
from vivtui.sources.tailer import Chunk, LineRun
def chunk_of(batch):
    # As the tailer hands lines out: a run of pieces, its read's size its bound.
    pieces = [data for _, _, data in batch]
    try:
        run = LineRun(batch[0][0], batch[0][1], pieces, None, sum(map(len, pieces)) + len(pieces))
    except TypeError:  # (a checkout from before the bound)
        run = LineRun(batch[0][0], batch[0][1], pieces)
    return Chunk(runs=[run])
chunks = [chunk_of(lines[at:at + 2000]) for at in range(0, len(lines), 2000)]
parser, store = LineParser(spec), RunStore(None)
with gc_paused():
    for chunk in chunks:
        batch = parser.parse(chunk)
        if stage == "all":
            store.apply(spec.kind, batch, rows_to_come=10 ** 7)
"""
REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(path: Path, count: int, stage: str, pythonpath: str | None) -> int:
    env = dict(os.environ, PYTHONHASHSEED="0")  # the same dicts every run
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", WORK, str(path), str(count), stage],
        env=env, cwd="/", capture_output=True, text=True, check=True)
    found = REFS.search(done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count from valgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--stage", choices=("parse", "all"), default="all")
    parser.add_argument("--lines", type=int, nargs=2, default=(10_000, 30_000),
                        metavar=("N1", "N2"))
    parser.add_argument("--pythonpath", help="count the vivtui found here instead")
    args = parser.parse_args()
    first, second = args.lines
    label = args.pythonpath or "this checkout"
    for path in args.files:
        low = instructions(path, first, args.stage, args.pythonpath)
        high = instructions(path, second, args.stage, args.pythonpath)
        print(f"{label}: {path.name:24} {args.stage:5} {(high - low) / (second - first):9,.0f} "
              f"instructions a line (lines {first:,} to {second:,})", flush=True)


if __name__ == "__main__":
    main()
