"""The monitor with tracemalloc on: every minute, where memory grew since the
first minute (by line of code), written to a file. For finding what a long
run's RSS growth is made of (soak.py --trace), not for figures of speed:
tracing slows every allocation.

    python benchmarks/traced_monitor.py OUT RUN_DIR [vivtui options]
"""

from __future__ import annotations

import gc
import sys
import threading
import time
import tracemalloc
from collections import Counter


def _report(out: str) -> None:
    first = None
    minute = 0
    while True:
        time.sleep(60)
        minute += 1
        snapshot = tracemalloc.take_snapshot()
        traced, _peak = tracemalloc.get_traced_memory()
        kinds = Counter(type(obj).__name__ for obj in gc.get_objects())
        with open(out, "a") as file:
            print(f"== minute {minute}: traced {traced / 1e6:.1f} MB, "
                  f"gc objects {sum(kinds.values())}", file=file)
            print("   most: " + ", ".join(f"{name} {n}" for name, n in kinds.most_common(12)),
                  file=file)
            if first is None:
                first = snapshot
                continue
            for stat in snapshot.compare_to(first, "lineno")[:25]:
                print(f"   {stat}", file=file)


def main() -> None:
    out, *args = sys.argv[1:]
    tracemalloc.start(1)
    threading.Thread(target=_report, args=(out,), daemon=True).start()
    from vivtui.cli import main as vivtui_main

    sys.argv = ["vivtui", *args]
    vivtui_main()


if __name__ == "__main__":
    main()
