"""Ingest rate: tailer + parser + store, next to a bare orjson.loads loop on the same file.

    python benchmarks/ingest.py [--lines 1000000] [--file PATH] [--repeat 5]

Each phase runs in its own process so that its peak RSS is its own. Prints one
table; nothing is asserted (figures, not tests).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED_GEN = HERE.parent.parent / "shared" / "bench" / "gen_logs.py"


def make_file(lines: int, out: Path) -> None:
    if SHARED_GEN.exists():
        subprocess.run([sys.executable, str(SHARED_GEN), "--lines", str(lines), "--out", str(out),
                        "--seed", "1"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return
    import orjson  # fallback: the same shape, without the shared generator

    with open(out, "wb") as handle:
        for i in range(lines):
            handle.write(orjson.dumps({
                "timestamp": "2026-02-03T05:44:03.267+00:00", "actor": f"Beam-{i % 97}",
                "action_type": ("TOOL", "API", "ERROR", "SAFETY")[i % 4], "action": "write_file",
                "detail": f"seq={i:08d} app/gut_check.py (+12 lines) " + "x" * (i % 180),
                "session_id": "session_1", "metadata": {"model": "llama-3.3-70b-versatile"}}) + b"\n")


def line_blocks(path: str, size: int):
    """The file's complete lines, a list per ``size`` bytes read."""
    rest = b""
    with open(path, "rb") as handle:
        while block := handle.read(size):
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            yield lines


def phase_bare(path: str) -> dict:
    import orjson

    start = time.perf_counter()
    count = 0
    for lines in line_blocks(path, 8 << 20):
        for line in lines:
            if line:
                orjson.loads(line)
                count += 1
    return {"lines": count, "seconds": time.perf_counter() - start}


def phase_floor(path: str) -> dict:
    """The least a Python pipeline of this design can do: read, split, number,
    decode and build each line's row, then drop it (nothing counted or kept).
    What the real pipeline can hope for, as a reference."""
    from itertools import accumulate, count

    import orjson

    start = time.perf_counter()
    loads, plus_one = orjson.loads, (1).__add__
    lines, offset = 0, 0
    for pieces in line_blocks(path, 1 << 20):
        rows = []
        offsets = accumulate(map(plus_one, map(len, pieces)), initial=offset)
        for line, at, data in zip(count(lines + 1), offsets, pieces):
            obj = loads(data)
            rows.append(("actions", line, at, obj.get("timestamp"), None, "info",
                         obj.get("action_type"), data, False, ""))
        lines += len(pieces)
        offset += sum(map(plus_one, map(len, pieces)))
        del rows
    return {"lines": lines, "seconds": time.perf_counter() - start}


def phase_pipeline(path: str) -> dict:
    from vivtui.ingest.feeds import read_to_end
    from vivtui.ingest.layout import discover
    from vivtui.store.run import RunStore

    start = time.perf_counter()
    layout = discover(path)
    store = RunStore()
    feed = layout.feeds[0]
    read_to_end(feed, store.apply_batch, final=False)  # as the monitor's workers read
    return {"lines": feed.records, "seconds": time.perf_counter() - start}


def run_phase(name: str, path: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", name, "--file", path],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--file")
    parser.add_argument("--phase", choices=["bare", "floor", "pipeline"])
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of each phase, interleaved; the fastest counts (default 5)")
    args = parser.parse_args()
    if args.phase:
        result = {"bare": phase_bare, "floor": phase_floor,
                  "pipeline": phase_pipeline}[args.phase](args.file)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or str(Path(tmp) / "action_log.jsonl")
        if not args.file:
            make_file(args.lines, Path(path))
        size_mb = os.path.getsize(path) / 1e6
        # This machine is shared: interleave the phases and keep each one's best run.
        bares, floors, pipes = [], [], []
        for _ in range(args.repeat):
            bares.append(run_phase("bare", path))
            floors.append(run_phase("floor", path))
            pipes.append(run_phase("pipeline", path))
        bare = min(bares, key=lambda r: r["seconds"])
        floor = min(floors, key=lambda r: r["seconds"])
        pipe = min(pipes, key=lambda r: r["seconds"])
        ratios = sorted(b["seconds"] / p["seconds"] for b, p in zip(bares, pipes))
    print(f"file: {size_mb:.0f} MB, {bare['lines']} lines, python {sys.version.split()[0]}")
    print(f"{'phase':<34} {'lines/s':>12} {'seconds':>9} {'peak RSS MB':>12}")
    for name, r in (("bare orjson.loads loop", bare), ("tailer + parser + store", pipe),
                    ("minimal loop, rows not kept (ref.)", floor)):
        print(f"{name:<34} {r['lines'] / r['seconds']:>12,.0f} {r['seconds']:>9.2f} "
              f"{r['peak_rss_mb']:>12.0f}")
    print(f"pipeline / bare (best runs): {bare['seconds'] / pipe['seconds']:.2f}; "
          f"per interleaved pair: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"minimal loop / bare (best runs): {bare['seconds'] / floor['seconds']:.2f}: "
          "the ceiling of this design in Python")


if __name__ == "__main__":
    main()
