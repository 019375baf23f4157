"""How long a pane switch takes while a big run loads: the monitor opened on
RUN in tmux (150x30); from 2.5 s on, ``3`` then ``1`` four times, each timed
until the pane's head is on screen. Figures, not a test.

    python benchmarks/pane_switch.py /tmp/big/all [--after S] [--first-frame] [--gap S]
        [--presses N] [--to KEY]

``--after S``: the presses start S seconds after the start instead (once
loaded: what a switch costs without the loading beside it); ``--first-frame``:
the moment the first frame (the pane tabs) is on screen, then S seconds on
(0 unless given): a key typed as soon as the monitor shows up. ``--gap S``:
seconds between a switch seen and the next press (0.7); ``--presses N``:
how many switches (8); ``--to KEY``: the pane switched to, and back from
to the actions (3: the queue; 6: the timeline, whose first showing merges
every file's kept rows). Each line says when its press was sent, and how
long tmux took to answer the slowest look at the screen meanwhile when over
50 ms (then the delay may be the terminal's, not the monitor's: a monitor
whose reading processes crowd the cores slows its terminal too). The last
line: median, 90th percentile and slowest, and how many took over 100 ms.
"""

from __future__ import annotations

import re
import sys
import time

from harness import Session, vivtui_command

HEADS = {"3": r"Queue \d+ tasks|counting \d+%  Queue", "1": r"Actions  rows",
         "6": r"Timeline  rows"}


SLOW_LOOK_MS = 50


def press(session: Session, key: str) -> tuple[float, float]:
    """(ms until the pane's head is on screen, ms of the slowest look at it)."""
    at = time.monotonic()
    session.keys(key)
    slowest = 0.0
    while time.monotonic() - at < 20:
        looked = time.monotonic()
        screen = session.screen()
        slowest = max(slowest, time.monotonic() - looked)
        if re.search(HEADS[key], screen):
            break
        time.sleep(0.005)
    return (time.monotonic() - at) * 1000, slowest * 1000


def main() -> None:
    after, gap, presses = (float(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv
                           else default
                           for name, default in (("--after", 2.5), ("--gap", 0.7),
                                                 ("--presses", 8)))
    to = sys.argv[sys.argv.index("--to") + 1] if "--to" in sys.argv else "3"
    session = Session(f"vivtui-switch-{time.time_ns()}", vivtui_command(sys.argv[1]), {},
                      size=(150, 30))
    try:
        if "--first-frame" in sys.argv:
            while "1 Actions" not in session.screen():
                time.sleep(0.005)
            print(f"first frame at {time.monotonic() - session.started:.2f} s", flush=True)
            after = after if "--after" in sys.argv else 0.0
        time.sleep(after)
        took = []
        for number in range(int(presses)):
            key = (to, "1")[number % 2]
            sent = time.monotonic() - session.started
            ms, slowest = press(session, key)
            took.append(ms)
            slow = f", tmux took {slowest:.0f} ms to answer" if slowest > SLOW_LOOK_MS else ""
            print(f"{key}: {ms:.0f} ms (at {sent:.1f} s{slow})", flush=True)
            time.sleep(gap)
    finally:
        session.close()
    took.sort()
    print(f"median {took[len(took) // 2]:.0f} ms, p90 {took[int(len(took) * 0.9)]:.0f} ms, "
          f"slowest {took[-1]:.0f} ms, over 100 ms: {sum(ms > 100 for ms in took)} "
          f"of {len(took)}")


if __name__ == "__main__":
    main()
