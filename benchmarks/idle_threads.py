"""Idle CPU by thread: the monitor opened on RUN in tmux (160x48), left to load
for WAIT seconds, then each of its threads' CPU over SECONDS, as % of a core.
Thread names come from ``py-spy dump`` when py-spy is installed (else ids).

    python benchmarks/idle_threads.py /tmp/big/all [--wait 40] [--seconds 20]

``big_files.py`` gives the whole tree's idle CPU over 3 s; this says which
thread it is. Figures, not a test: run on an idle machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path

from harness import TICKS, Session, vivtui_command


def thread_ticks(pid: int) -> dict[str, int]:
    ticks = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        ticks[task.name] = int(fields[11]) + int(fields[12])
    return ticks


def thread_names(pid: int) -> dict[str, str]:
    if shutil.which("py-spy") is None:
        return {}
    dump = subprocess.run(["py-spy", "dump", "-p", str(pid)], capture_output=True,
                          text=True).stdout
    return {line.split()[1]: line.split('"')[1] for line in dump.splitlines()
            if line.startswith("Thread ") and line.count('"') >= 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run")
    parser.add_argument("--wait", type=float, default=40.0, help="seconds to load first")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    session = Session(f"vivtui-idle-{time.time_ns()}", vivtui_command(args.run), {})
    try:
        time.sleep(args.wait)
        names = thread_names(session.pid)
        before = thread_ticks(session.pid)
        time.sleep(args.seconds)
        after = thread_ticks(session.pid)
    finally:
        session.close()
    used = {tid: (after[tid] - before.get(tid, 0)) / TICKS / args.seconds * 100
            for tid in after}
    print(f"process {sum(used.values()):.2f} % of a core over {args.seconds:.0f} s")
    for tid, pct in sorted(used.items(), key=lambda item: -item[1]):
        if pct > 0:
            print(f"  {pct:5.2f} %  {names.get(tid, tid)}")


if __name__ == "__main__":
    main()
