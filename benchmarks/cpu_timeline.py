"""Where a big run's loading spends its CPU, and when: the monitor in tmux at
160x48, each of its processes' threads sampled every 0.1 s (/proc), and the
tree's resident memory every 20 ms. Prints, per thread that used CPU, its
total and the steps it took (``1.2+0.10``: 0.10 s of CPU in the 0.1 s before
1.2 s after launch), then the tree's sampled peak. A timeline, not a test:
what a part's reader does while the screen's process waits, and what comes
after the readers end (loading their answers, joining them).

    python benchmarks/cpu_timeline.py /tmp/big/all/execution_log.jsonl [--seconds 6]
        [--keys j@0.6 k@0.65]

``--keys K@S`` sends key K S seconds after launch (keys pressed while it loads).
"""

from __future__ import annotations

import argparse
import os
import shutil
import threading
import time
from pathlib import Path

from harness import TICKS, Session, rss_mb, tree, vivtui_command


def thread_cpu(pids: list[int]) -> dict[tuple[int, int], tuple[str, float]]:
    """(process, thread) -> (its name, its CPU seconds so far)."""
    out = {}
    for pid in pids:
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in threads:
            try:
                raw = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
            except OSError:
                continue
            name = raw[raw.index("(") + 1:raw.rindex(")")]
            fields = raw.rsplit(")", 1)[1].split()
            out[(pid, int(tid))] = (name, (int(fields[11]) + int(fields[12])) / TICKS)
    return out


def press(session: Session, keys: list[tuple[float, str]]) -> None:
    for when, key in keys:
        time.sleep(max(0.0, session.started + when - time.monotonic()))
        session.keys(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", help="a run directory or one run file")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--keys", nargs="*", default=[], help="KEY@SECONDS")
    args = parser.parse_args()
    home = Path(f"/tmp/vivtui-cpu-timeline-{os.getpid()}")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)  # no view and no answer kept from an earlier look
    session = Session(f"cpu-timeline-{os.getpid()}", vivtui_command(args.target),
                      {"HOME": str(home)})
    keys = sorted((float(when), key) for key, _, when in (k.rpartition("@") for k in args.keys))
    threading.Thread(target=press, args=(session, keys), daemon=True).start()
    history: dict[tuple[int, int], list[tuple[float, str, float]]] = {}
    peak, next_look = 0.0, 0.0
    try:
        while (now := time.monotonic() - session.started) < args.seconds:
            pids = tree(session.pid)
            peak = max(peak, rss_mb(pids))
            if now >= next_look:
                for key, (name, cpu) in thread_cpu(pids).items():
                    history.setdefault(key, []).append((now, name, cpu))
                next_look = now + 0.1
            time.sleep(0.02)
    finally:
        session.close()
        shutil.rmtree(home, ignore_errors=True)
    for (pid, tid), looks in sorted(history.items(), key=lambda item: item[1][0][0]):
        if looks[-1][2] < 0.03:
            continue
        steps, before = [], 0.0
        for at, _name, cpu in looks:
            if cpu - before >= 0.02:
                steps.append(f"{at:.1f}+{cpu - before:.2f}")
            before = cpu
        kind = "process" if pid == tid else "thread"
        print(f"{kind} {pid}/{tid} {looks[-1][1]:<16} CPU {looks[-1][2]:.2f} s: {' '.join(steps)}")
    print(f"tree peak RSS {peak:.0f} MB (sampled every 20 ms)")


if __name__ == "__main__":
    main()
