"""Bytes written to the terminal while following a live action log: what an SSH
link has to carry. vivtui and lnav side by side, in tmux, black-box.

    python benchmarks/ssh_bytes.py [--rates 0,10,200,2000] [--seconds 20] [--size 120x40]
    python benchmarks/ssh_bytes.py --plain --sessions   # and Textual's own output; Sessions
    python benchmarks/ssh_bytes.py --vivtui-args --fps 5      # a setting under test

Per viewer and rate it opens the same file (a seeded action log), waits for
its screen to settle, then pipes everything the program writes to its terminal
(tmux ``pipe-pane -O``) while a writer appends lines at the rate for the
window, and prints bytes/s, bytes per appended line, and where the bytes
went, from the escape sequences themselves: cursor moves (a run of cells
drawn each) and style changes a second. The lines come from
../shared/bench/gen_logs.py.

Figures, not tests: run on an idle machine, and compare within one run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import Session, vivtui_command

FIRST_LINES = 500
BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
MOVE = re.compile(rb"\x1b\[\d+;\d+H")
STYLE = re.compile(rb"\x1b\[[\d;:]*m")


class Writer(threading.Thread):
    """Appends ``rate`` lines a second to ``path``, one write per 10 ms tick."""

    def __init__(self, path: Path, lines: list[bytes], rate: float, seconds: float) -> None:
        super().__init__(daemon=True)
        self.path, self.lines, self.rate, self.seconds = path, lines, rate, seconds
        self.written = 0

    def run(self) -> None:
        tick, start = 0.01, time.monotonic()
        with open(self.path, "ab", buffering=0) as handle:
            k = 0
            while (now := time.monotonic()) - start < self.seconds:
                k += 1
                due = min(len(self.lines), round(k * tick * self.rate))
                if due > self.written:
                    handle.write(b"".join(self.lines[self.written:due]))
                    self.written = due
                time.sleep(max(0.0, start + k * tick - now))


def make_lines(count: int, start_seq: int, seed: int) -> list[bytes]:
    sys.path.insert(0, str(BENCH))
    import gen_logs

    gen = gen_logs.LineGen(seed=seed, start_seq=start_seq)
    return [(gen.line() + "\n").encode() for _ in range(count)]


def where_bytes_go(data: bytes, seconds: float, lines: int) -> dict:
    return {"kb_per_s": len(data) / seconds / 1024,
            "bytes_per_line": len(data) / lines if lines else None,
            "moves_per_s": len(MOVE.findall(data)) / seconds,
            "styles_per_s": len(STYLE.findall(data)) / seconds}


def wait_settled(session: Session, quiet: float, timeout: float) -> bool:
    """The screen has something on it and has not changed for ``quiet`` seconds
    (its first line aside: lnav's clock ticks there)."""
    deadline = time.monotonic() + timeout
    last, since = "", time.monotonic()
    while time.monotonic() < deadline:
        screen = session.screen().split("\n", 1)[-1]
        if screen != last or not screen.strip():
            last, since = screen, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return True
        time.sleep(0.05)
    return False


def measure(label: str, command: list[str], env: dict[str, str], log: Path, rate: float,
            seconds: float, size: tuple[int, int], seed: int) -> dict:
    home = Path(tempfile.mkdtemp(prefix=f"vivtui-ssh-home-{label}-"))
    out = Path(tempfile.mkstemp(prefix=f"vivtui-ssh-{label}-")[1])
    session = Session(f"ssh-{label}-{os.getpid()}", command, {"HOME": str(home), **env}, size)
    try:
        if not wait_settled(session, 1.5, 30.0):
            return {"error": "the screen never settled"}
        lines = make_lines(int(rate * seconds) + 1, FIRST_LINES, seed)
        writer = Writer(log, lines, rate, seconds)
        session.pipe_output(out)
        started = time.monotonic()
        writer.start()
        writer.join()
        time.sleep(max(0.0, started + seconds - time.monotonic()))
        session.pipe_output(None)
        elapsed = time.monotonic() - started
        time.sleep(0.2)
        data = out.read_bytes()
        return where_bytes_go(data, elapsed, writer.written)
    finally:
        session.close()
        out.unlink(missing_ok=True)
        shutil.rmtree(home, ignore_errors=True)


def sessions_idle(label: str, env: dict[str, str], seconds: float,
                  size: tuple[int, int]) -> dict:
    """A stopped run's Sessions pane with running sessions (their elapsed times
    tick): bytes/s with nothing appended."""
    with tempfile.TemporaryDirectory(prefix="vivtui-ssh-sessions-") as run:
        subprocess.run([*vivtui_command("demo", "--write-only", run, "--rate", "200",
                                        "--events", "300")],
                       check=True, stderr=subprocess.DEVNULL)
        home = Path(run) / "home"
        home.mkdir()
        session = Session(f"ssh-sessions-{label}-{os.getpid()}", vivtui_command(run),
                          {"HOME": str(home), **env}, size)
        out = Path(run) / "out"
        try:
            time.sleep(2.0)
            session.keys("2")
            time.sleep(2.0)
            session.pipe_output(out)
            started = time.monotonic()
            time.sleep(seconds)
            session.pipe_output(None)
            elapsed = time.monotonic() - started
            time.sleep(0.2)
            return where_bytes_go(out.read_bytes(), elapsed, 0)
        finally:
            session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="0,10,200,2000")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-lnav", action="store_true")
    parser.add_argument("--plain", action="store_true",
                        help="also vivtui with Textual's own output (VIVTUI_FRUGAL=0)")
    parser.add_argument("--sessions", action="store_true",
                        help="also a stopped run's Sessions pane, running sessions ticking")
    parser.add_argument("--vivtui-args", nargs=argparse.REMAINDER, default=[],
                        help="more arguments for vivtui (last on the line)")
    args = parser.parse_args()
    if not BENCH.joinpath("gen_logs.py").exists():
        sys.exit(f"ssh_bytes: needs {BENCH / 'gen_logs.py'}")
    size = tuple(int(n) for n in args.size.split("x"))
    def vivtui(log: Path) -> list[str]:
        return vivtui_command(str(log), *args.vivtui_args)

    viewers = [("vivtui", vivtui, {})]
    if args.plain:
        viewers.append(("plain", vivtui, {"VIVTUI_FRUGAL": "0"}))
    if not args.no_lnav and shutil.which("lnav"):
        viewers.append(("lnav", lambda log: ["lnav", str(log)], {}))
    print(f"{'lines/s':>8} {'viewer':<7} {'KB/s':>8} {'B/line':>8} {'moves/s':>8} "
          f"{'styles/s':>8}   (window {args.seconds:g} s, {args.size})")
    for rate in (float(r) for r in args.rates.split(",")):
        results = {}
        for label, command, env in viewers:
            with tempfile.TemporaryDirectory(prefix="vivtui-ssh-run-") as run:
                log = Path(run) / "action_log.jsonl"
                log.write_bytes(b"".join(make_lines(FIRST_LINES, 0, args.seed)))
                result = results[label] = measure(label, command(log), env, log, rate,
                                                  args.seconds, size, args.seed + 1)
            if "error" in result:
                print(f"{rate:>8g} {label:<7} {result['error']}", flush=True)
                continue
            per_line = result["bytes_per_line"]
            print(f"{rate:>8g} {label:<7} {result['kb_per_s']:>8.1f} "
                  f"{'-' if per_line is None else format(per_line, '.0f'):>8} "
                  f"{result['moves_per_s']:>8.0f} {result['styles_per_s']:>8.0f}", flush=True)
        if {"vivtui", "lnav"} <= results.keys() and all("kb_per_s" in r
                                                       for r in results.values()):
            theirs = results["lnav"]["kb_per_s"]
            ratio = results["vivtui"]["kb_per_s"] / theirs if theirs else float("nan")
            print(f"{'':>8} vivtui/lnav: {ratio:.1f}x", flush=True)
    if args.sessions:
        for label, _, env in viewers[:1 + args.plain]:
            result = sessions_idle(label, env, args.seconds, size)
            print(f"{'sessions':>8} {label:<7} {result['kb_per_s']:>8.2f} {'-':>8} "
                  f"{result['moves_per_s']:>8.0f} {result['styles_per_s']:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
