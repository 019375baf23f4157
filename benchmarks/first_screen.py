"""When the monitor's first screen is whole, and when its first reading process
starts: the monitor opened on RUN in tmux (150x30), the screen and the
process tree looked at every few milliseconds for the first seconds.
Figures, not a test.

    python benchmarks/first_screen.py /tmp/big/all [--runs N]

Each run prints when the pane tabs were on screen, when the footer's keys
were, and when the first process reading a backlog apart
(``ingest.apart_process``) existed ("-": none within 5 s, as for a small run).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from harness import Session, tree, vivtui_command

LOOK_S = 5.0
TABS, FOOTER = "1 Actions", "Quit"
READER = b"vivtui.ingest.apart_process"


def reader_started(pid: int) -> bool:
    for child in tree(pid):
        try:
            if READER in Path(f"/proc/{child}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def one_run(run: str) -> dict[str, float | None]:
    session = Session(f"vivtui-first-{time.time_ns()}", vivtui_command(run), {}, size=(150, 30))
    seen: dict[str, float | None] = {"tabs": None, "footer": None, "reader": None}
    try:
        while time.monotonic() - session.started < LOOK_S and None in seen.values():
            now = time.monotonic() - session.started
            screen = session.screen()
            for name, needle in (("tabs", TABS), ("footer", FOOTER)):
                if seen[name] is None and needle in screen:
                    seen[name] = now
            if seen["reader"] is None and reader_started(session.pid):
                seen["reader"] = now
            time.sleep(0.003)
    finally:
        session.close()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        seen = one_run(args.run)
        runs.append(seen)
        print("  ".join(f"{name} {'-' if at is None else f'{at:.2f} s'}"
                        for name, at in seen.items()), flush=True)
        time.sleep(1.0)
    medians = {name: statistics.median(found) if (found := [r[name] for r in runs
                                                             if r[name] is not None]) else None
               for name in runs[0]}
    print("median: " + "  ".join(f"{name} {'-' if at is None else f'{at:.2f} s'}"
                                 for name, at in medians.items()))


if __name__ == "__main__":
    main()
