"""vivtui next to toolong and lnav in the shared black-box harness, in one go.

Runs ../shared/bench/tui_bench.py (open, tail, ingest) on the generator's files
for vivtui and, with --peers, for toolong 1.5.0 (own venv, installed if missing)
and lnav (apt-get, if missing); without --peers the peers' rows come from the
harness's recorded results (median of 3, same machine type, same method).
Prints the issue's table with a vivtui row per file and the ratios vivtui/peer.

    python benchmarks/compare.py --lines 1000000,4000000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from harness import as_installed, bench_env

HERE = Path(__file__).resolve().parent
BENCH = Path(os.environ.get("VIVTUI_BENCH", HERE.parent.parent / "shared" / "bench"))
WORK = Path("/tmp/vivtui-bench")
TOOLONG_VENV = WORK / "venv-toolong"
RECORDED = BENCH / "results-2026-11-26.jsonl"
NAMES = {100_000: "100k", 1_000_000: "1m", 4_000_000: "4m"}

# (column, harness test, summary key, how to print)
COLUMNS = [
    ("open to last line s", "open", "open_s", "{:.2f}"),
    ("peak RSS MB", "open", "peak_hwm_mb", "{:.0f}"),
    ("tail median ms", "tail", "tail_median_ms", "{:.0f}"),
    ("tail p95 ms", "tail", "tail_p95_ms", "{:.0f}"),
    ("catch-up s @20k/s", "ingest", "catchup_s@20000", "{:.2f}"),
    ("CPU % @20k/s", "ingest", "cpu_pct@20000", "{:.0f}"),
]


def vivtui_command() -> str:
    """The monitor, with no view kept from another look at the same file
    (``harness.vivtui_command``)."""
    installed = Path(sys.executable).with_name("vivtui")
    base = f"{installed}" if installed.exists() else f"{sys.executable} -m vivtui"
    return f"env {' '.join(bench_env())} {base} {{file}}"


def ensure_file(lines: int) -> Path:
    path = WORK / f"{NAMES.get(lines, lines)}.jsonl"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(BENCH / "gen_logs.py"), "--lines", str(lines),
                        "--out", str(path), "--seed", "1"], check=True)
    with open(path, "rb") as handle:  # warm page cache, as the recorded runs had
        while handle.read(16 << 20):
            pass
    return path


def ensure_peers() -> dict[str, list[str]]:
    if not (TOOLONG_VENV / "bin" / "tl").exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOLONG_VENV)], check=True)
        subprocess.run([str(TOOLONG_VENV / "bin" / "pip"), "install", "-q", "toolong==1.5.0"],
                       check=True)
    if shutil.which("lnav") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "lnav"], check=True)
    return {"toolong": ["--cmd", f"{TOOLONG_VENV / 'bin' / 'tl'} {{file}}"],
            "lnav": ["--cmd", "lnav {file}", "--fresh-home"]}


def run(label: str, cmd_args: list[str], test: str, path: Path, repeat: int, out: Path) -> None:
    args = [sys.executable, str(BENCH / "tui_bench.py"), test, *cmd_args, "--label", label,
            "--file", str(path), "--repeat", str(repeat), "--out", str(out)]
    if test == "ingest":
        args += ["--rates", "2000,20000", "--duration", "10"]  # the anchors' method
    print(f"[compare] {label} {test} {path.name}", file=sys.stderr, flush=True)
    subprocess.run(args, check=False, stdout=subprocess.DEVNULL)


def load(path: Path) -> dict[tuple[str, str, str], dict]:
    results = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                key = (record["label"], Path(record["file"]).name, record["test"])
                results[key] = record["summary"]
    return results


def value(results, label: str, name: str, test: str, key: str) -> float | None:
    summary = results.get((label, name, test)) or {}
    entry = summary.get(key)
    return entry["median"] if entry else None


def table(results, labels: list[str], names: list[str]) -> str:
    out = ["| viewer | file | " + " | ".join(c[0] for c in COLUMNS) + " |",
           "|---|---|" + "---|" * len(COLUMNS)]
    for name in names:
        for label in labels:
            cells = []
            for _, test, key, fmt in COLUMNS:
                got = value(results, label, name, test, key)
                cells.append(fmt.format(got) if got is not None else "–")
            out.append(f"| {label} | {name} | " + " | ".join(cells) + " |")
    out += ["", "Ratios vivtui / peer (below 1: vivtui is faster or smaller):", "",
            "| peer | file | " + " | ".join(c[0] for c in COLUMNS) + " |",
            "|---|---|" + "---|" * len(COLUMNS)]
    for name in names:
        for label in labels:
            if label == "vivtui":
                continue
            cells = []
            for _, test, key, _fmt in COLUMNS:
                ours = value(results, "vivtui", name, test, key)
                theirs = value(results, label, name, test, key)
                cells.append(f"{ours / theirs:.2f}" if ours is not None and theirs else "–")
            out.append(f"| {label} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", default="1000000,4000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tests", default="open,tail,ingest")
    parser.add_argument("--peers", action="store_true",
                        help="measure toolong and lnav now instead of using recorded results")
    parser.add_argument("--out", type=Path, default=WORK / "compare.jsonl")
    args = parser.parse_args()
    if not (BENCH / "tui_bench.py").exists():
        print(f"compare: no harness at {BENCH} (set VIVTUI_BENCH)", file=sys.stderr)
        return 2
    lines = [int(n) for n in args.lines.split(",")]
    tests = args.tests.split(",")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    as_installed()
    viewers = {"vivtui": ["--cmd", vivtui_command()]}
    if args.peers:
        viewers.update(ensure_peers())
    names = []
    for count in lines:
        path = ensure_file(count)
        names.append(path.name)
        for label, cmd_args in viewers.items():
            for test in tests:
                run(label, cmd_args, test, path, args.repeat, args.out)
    results = {} if args.peers else load(RECORDED)
    results.update(load(args.out))
    source = "measured now" if args.peers else f"recorded in {RECORDED.name}"
    print(f"vivtui measured now (median of {args.repeat}); toolong and lnav {source}.\n")
    print(table(results, ["vivtui", "toolong", "lnav"], names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
