"""Tail latency polled every 2 ms: vivtui with its frugal output and with
Textual's own, alternately, on the same growing action log (160x48).

    python benchmarks/tail_fine.py [--appends 25] [--rounds 2] [--gap S] [--frugal-only]

The shared harness polls every 10 ms, so its medians fall on 10 ms steps; this
one resolves a couple of milliseconds. Per append: one write of one line, then
the time until its ``seq=`` marker is on screen; gaps of 0.2-0.4 s (``--gap``:
that many seconds, e.g. longer than the watcher's quiet spell). Figures, not tests.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from harness import Session, append_to_screen_ms, vivtui_command
from ssh_bytes import make_lines


def latencies(log: Path, env: dict[str, str], lines: list[bytes], rng: random.Random,
              gap: float | None = None) -> list:
    session = Session(f"tail-fine-{time.monotonic_ns()}", vivtui_command(str(log)), env,
                      (160, 48))
    out = []
    try:
        time.sleep(3.0)
        for line in lines:
            took = append_to_screen_ms(session, log, line)
            if took is not None:
                out.append(took)
            time.sleep(gap if gap is not None else 0.2 + rng.random() * 0.2)
    finally:
        session.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appends", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--gap", type=float, help="seconds between appends (0.2-0.4 s)")
    parser.add_argument("--frugal-only", action="store_true", help="not Textual's output too")
    args = parser.parse_args()
    rng = random.Random(5)
    lines = make_lines(2000 + 2 * args.rounds * args.appends, 0, 5)
    keep = f"tail-fine-keep-{time.monotonic_ns()}"  # the tmux server outlives each viewer
    subprocess.run(["tmux", "new-session", "-d", "-s", keep, "sleep 3600"], check=True)
    try:
        with tempfile.TemporaryDirectory(prefix="vivtui-tail-") as run:
            log = Path(run) / "action_log.jsonl"
            log.write_bytes(b"".join(lines[:2000]))
            at = 2000
            for _ in range(args.rounds):
                for label, frugal in (("frugal", "1"), ("Textual's", "0"))[
                        :1 if args.frugal_only else 2]:
                    chunk = lines[at:at + args.appends]
                    at += args.appends
                    found = latencies(log, {"VIVTUI_FRUGAL": frugal}, chunk, rng, args.gap)
                    print(f"{label:<10} median {statistics.median(found):5.1f} ms  p90 "
                          f"{sorted(found)[int(len(found) * 0.9)]:5.1f} ms  "
                          f"({len(found)}/{len(chunk)} seen)", flush=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keep], capture_output=True)


if __name__ == "__main__":
    main()
