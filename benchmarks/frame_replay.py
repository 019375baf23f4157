"""What the screen diff (``ui/screen_diff.py``) costs on frames Textual really
wrote: record them from a monitor in tmux, then replay them in-process.

    python benchmarks/frame_replay.py record RUN FRAMES [--keys 3131] [--after S]
    python benchmarks/frame_replay.py replay FRAMES [--repeat N]

``record``: the monitor on RUN in tmux at 150x30; after S seconds (40) the keys
are typed, one a second, and every write to the terminal driver is kept, in
order, in FRAMES (pickled). ``replay``: the frames applied to a screen model
and each frame's bytes made, N times (9); prints the median time of the whole
replay (applying, making the bytes) and a digest of the bytes made, which two
versions of the diff must share. Figures, not a test.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import statistics
import subprocess
import sys
import time

RECORDER = """
import atexit, os, pickle, sys
from vivtui.ui import frugal_driver
frames = []
write = frugal_driver.FrugalDriver.write
def recorded(self, data):
    frames.append(data)
    write(self, data)
frugal_driver.FrugalDriver.write = recorded
atexit.register(lambda: pickle.dump(frames, open(os.environ["FRAMES_OUT"], "wb")))
from vivtui.cli import main
sys.argv = ["vivtui", sys.argv[1]]
sys.exit(main())
"""


def record(run: str, out: str, keys: str, after: float) -> None:
    session = f"frame-replay-{os.getpid()}"
    command = f"FRAMES_OUT={out} {sys.executable} -c '{RECORDER}' {run}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "150", "-y", "30",
                    command], check=True)
    try:
        time.sleep(after)
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", session, key], check=True)
            time.sleep(1.0)
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        for _ in range(50):
            if os.path.exists(out):
                break
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    with open(out, "rb") as handle:
        print(f"{len(pickle.load(handle))} writes recorded in {out}")


def replay(frames: list[str]) -> tuple[float, str]:
    from vivtui.ui.screen_diff import ScreenModel

    model, made = ScreenModel(150, 30), []
    began = time.perf_counter()
    for data in frames:
        if model.apply(data):
            made.append(model.render())
        elif not model.harmless(data):
            model.forget()
    spent = time.perf_counter() - began
    return spent, hashlib.sha256("".join(made).encode()).hexdigest()[:16]


def main() -> None:
    args = sys.argv[1:]
    option = (lambda name, default: args[args.index(name) + 1] if name in args else default)
    if args[:1] == ["record"]:
        record(args[1], args[2], option("--keys", "3131"), float(option("--after", "40")))
        return
    with open(args[1], "rb") as handle:
        frames = pickle.load(handle)
    runs = [replay(frames) for _ in range(int(option("--repeat", "9")))]
    assert len({digest for _, digest in runs}) == 1
    print(f"{len(frames)} writes: median {statistics.median(t for t, _ in runs) * 1000:.1f} ms"
          f" (fastest {min(t for t, _ in runs) * 1000:.1f}), bytes made {runs[0][1]}")


if __name__ == "__main__":
    main()
