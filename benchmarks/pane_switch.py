"""How long a pane switch takes while a big run loads: the monitor opened on
RUN in tmux (150x30); from 2.5 s on, ``3`` then ``1`` four times, each timed
until the pane's head is on screen. Figures, not a test.

    python benchmarks/pane_switch.py /tmp/big/all [--after S]

``--after S``: the presses start S seconds after the start instead (once
loaded: what a switch costs without the loading beside it).
"""

from __future__ import annotations

import re
import sys
import time

from harness import Session, vivtui_command

HEADS = {"3": r"Queue \d+ tasks|counting \d+%  Queue", "1": r"Actions  rows"}


def press(session: Session, key: str) -> float:
    at = time.monotonic()
    session.keys(key)
    while time.monotonic() - at < 20 and not re.search(HEADS[key], session.screen()):
        time.sleep(0.005)
    return (time.monotonic() - at) * 1000


def main() -> None:
    after = float(sys.argv[sys.argv.index("--after") + 1]) if "--after" in sys.argv else 2.5
    session = Session(f"vivtui-switch-{time.time_ns()}", vivtui_command(sys.argv[1]), {},
                      size=(150, 30))
    try:
        time.sleep(after)
        for _ in range(4):
            for key in ("3", "1"):
                print(f"{key}: {press(session, key):.0f} ms", flush=True)
                time.sleep(0.7)
    finally:
        session.close()


if __name__ == "__main__":
    main()
