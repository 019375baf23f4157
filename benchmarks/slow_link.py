"""A key's answer on a slow link: vivtui (and lnav) following a live action log
through a stand-in for a slow SSH link, and the time from a key press to its
answer on screen.

    python benchmarks/slow_link.py [--kbps 32] [--rates 10,200] [--presses 5]

The stand-in is a pty proxy run in tmux between the terminal and the viewer:
keys go through at once, the viewer's output drains at ``--kbps`` KB/s, and
up to ``--buffer`` KB of it wait in between (an SSH channel's and a socket's
buffers); past that the viewer's own writes block, as over a full link. Per
viewer and rate it waits for the screen to settle, starts the writer, lets
the link fill for ``--fill`` seconds, then presses ``?`` (help) and times
until the screen shows it, then closes it, ``--presses`` times. Figures, not
tests.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import sys
import tempfile
import termios
import time
import tty
from pathlib import Path

from harness import Session, vivtui_command
from ssh_bytes import FIRST_LINES, Writer, make_lines, wait_settled

HELP_WORDS = {"vivtui": "vivtui keys", "plain": "vivtui keys", "lnav": "A fancy log file viewer"}


def proxy(kbps: float, buffer_kb: float, command: list[str]) -> int:
    """Run ``command`` on a pty whose output reaches our stdout at ``kbps``."""
    size = fcntl.ioctl(sys.stdin.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
    pid, master = pty.fork()
    if pid == 0:
        fcntl.ioctl(sys.stdin.fileno(), termios.TIOCSWINSZ, size)
        os.execvp(command[0], command)
    fcntl.ioctl(master, termios.TIOCSWINSZ, size)
    tty.setraw(sys.stdin.fileno())
    pending = bytearray()
    cap, rate = int(buffer_kb * 1024), kbps * 1024
    allowance, last = 0.0, time.monotonic()
    out = sys.stdout.fileno()
    while True:
        readers = [sys.stdin.fileno()] + ([master] if len(pending) < cap else [])
        ready, _, _ = select.select(readers, [], [], 0.01)
        if sys.stdin.fileno() in ready:
            data = os.read(sys.stdin.fileno(), 4096)
            if not data:
                break
            os.write(master, data)
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            pending += data
        now = time.monotonic()
        allowance = min(rate * 0.05, allowance + (now - last) * rate)
        last = now
        if pending and allowance >= 1:
            n = int(min(len(pending), allowance))
            os.write(out, pending[:n])
            del pending[:n]
            allowance -= n
    os.kill(pid, signal.SIGTERM)
    return 0


def key_latency(session: Session, word: str, presses: int) -> list[float]:
    times = []
    for _ in range(presses):
        at = time.monotonic()
        session.keys("?")
        while time.monotonic() - at < 30:
            if word in session.screen():
                times.append(time.monotonic() - at)
                break
            time.sleep(0.01)
        session.keys("Escape" if word.startswith("vivtui") else "q")
        gone = time.monotonic()
        while word in session.screen() and time.monotonic() - gone < 30:
            time.sleep(0.02)
        time.sleep(0.5)
    return times


def measure(label: str, command: list[str], env: dict[str, str], args, rate: float) -> str:
    with tempfile.TemporaryDirectory(prefix="vivtui-slow-") as run:
        log = Path(run) / "action_log.jsonl"
        log.write_bytes(b"".join(make_lines(FIRST_LINES, 0, args.seed)))
        home = Path(run) / "home"
        home.mkdir()
        wrapped = [sys.executable, __file__, "proxy", "--kbps", str(args.kbps),
                   "--buffer", str(args.buffer), "--", *command(log)]
        session = Session(f"slow-{label}-{os.getpid()}", wrapped, {"HOME": str(home), **env},
                          (120, 40))
        try:
            if not wait_settled(session, 1.5, 60.0):
                return "the screen never settled"
            seconds = args.fill + args.presses * 4 + 30
            writer = Writer(log, make_lines(int(rate * seconds) + 1, FIRST_LINES,
                                            args.seed + 1), rate, seconds)
            writer.start()
            time.sleep(args.fill)
            times = key_latency(session, HELP_WORDS[label], args.presses)
            writer.seconds = 0
        finally:
            session.close()
    if not times:
        return "no answer within 30 s"
    return (f"median {statistics.median(times) * 1000:>7.0f} ms   max "
            f"{max(times) * 1000:>7.0f} ms   ({len(times)}/{args.presses} answered)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "proxy":  # proxy --kbps N --buffer N -- CMD…
        split = sys.argv.index("--")
        parser = argparse.ArgumentParser()
        parser.add_argument("--kbps", type=float, required=True)
        parser.add_argument("--buffer", type=float, required=True)
        args = parser.parse_args(sys.argv[2:split])
        sys.exit(proxy(args.kbps, args.buffer, sys.argv[split + 1:]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kbps", type=float, default=32.0, help="link speed, KB/s")
    parser.add_argument("--buffer", type=float, default=256.0, help="KB held on the way")
    parser.add_argument("--rates", default="10,200")
    parser.add_argument("--fill", type=float, default=8.0)
    parser.add_argument("--presses", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plain", action="store_true",
                        help="also vivtui with Textual's own output (VIVTUI_FRUGAL=0)")
    parser.add_argument("--no-lnav", action="store_true")
    args = parser.parse_args()
    viewers = [("vivtui", lambda log: vivtui_command(str(log)), {})]
    if args.plain:
        viewers.append(("plain", lambda log: vivtui_command(str(log)), {"VIVTUI_FRUGAL": "0"}))
    if not args.no_lnav and shutil.which("lnav"):
        viewers.append(("lnav", lambda log: ["lnav", str(log)], {}))
    print(f"link {args.kbps:g} KB/s, {args.buffer:g} KB buffered; key: ? (help), "
          f"after {args.fill:g} s of lines")
    for rate in (float(r) for r in args.rates.split(",")):
        for label, command, env in viewers:
            print(f"{rate:>6g} lines/s  {label:<7} {measure(label, command, env, args, rate)}",
                  flush=True)


if __name__ == "__main__":
    main()
