"""How long a pane switch takes while a big run loads: the monitor opened on
RUN in tmux (150x30); from 2.5 s on, ``3`` then ``1`` four times, each timed
until the pane's head is on screen. Figures, not a test.

    python benchmarks/pane_switch.py /tmp/big/all [--after S] [--gap S] [--presses N] [--to KEY]

``--after S``: the presses start S seconds after the start instead (once
loaded: what a switch costs without the loading beside it). ``--gap S``:
seconds between a switch seen and the next press (0.7); ``--presses N``:
how many switches (8); ``--to KEY``: the pane switched to, and back from
to the actions (3: the queue; 6: the timeline, whose first showing merges
every file's kept rows). Each line says when its press was sent.
"""

from __future__ import annotations

import re
import sys
import time

from harness import Session, vivtui_command

HEADS = {"3": r"Queue \d+ tasks|counting \d+%  Queue", "1": r"Actions  rows",
         "6": r"Timeline  rows"}


def press(session: Session, key: str) -> float:
    at = time.monotonic()
    session.keys(key)
    while time.monotonic() - at < 20 and not re.search(HEADS[key], session.screen()):
        time.sleep(0.005)
    return (time.monotonic() - at) * 1000


def main() -> None:
    after, gap, presses = (float(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv
                           else default
                           for name, default in (("--after", 2.5), ("--gap", 0.7),
                                                 ("--presses", 8)))
    to = sys.argv[sys.argv.index("--to") + 1] if "--to" in sys.argv else "3"
    session = Session(f"vivtui-switch-{time.time_ns()}", vivtui_command(sys.argv[1]), {},
                      size=(150, 30))
    try:
        time.sleep(after)
        for number in range(int(presses)):
            key = (to, "1")[number % 2]
            sent = time.monotonic() - session.started
            print(f"{key}: {press(session, key):.0f} ms (at {sent:.1f} s)", flush=True)
            time.sleep(gap)
    finally:
        session.close()


if __name__ == "__main__":
    main()
