"""The monitor with tracemalloc on: every minute, where memory grew since the
first minute (by line of code), written to a file. For finding what a long
run's RSS growth is made of (soak.py --trace), not for figures of speed:
tracing slows every allocation.

    python benchmarks/traced_monitor.py OUT RUN_DIR [vivtui options]

With VIVTUI_TRACE_LIGHT=1 (soak.py --trace-light), no tracemalloc: every
minute the RSS, pymalloc's own figures (blocks in use, arenas) and the
objects the collector knows, by type, against the first minute. Cheap
enough to run at the soak's full rate.
"""

from __future__ import annotations

import gc
import os
import re
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter, deque


def _report(out: str) -> None:
    first = None
    minute = 0
    while True:
        time.sleep(60)
        minute += 1
        snapshot = tracemalloc.take_snapshot()
        traced, _peak = tracemalloc.get_traced_memory()
        kinds = _kinds()
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


def _kinds() -> Counter:
    """The objects the collector knows, by type name."""
    return Counter(type(obj).__name__ for obj in gc.get_objects())


def _pymalloc() -> dict[str, int]:
    """pymalloc's figures, which it prints to the C stderr only: caught in a
    file for the moment it takes (a frame drawn then is lost to the screen)."""
    with tempfile.TemporaryFile() as caught:
        saved = os.dup(2)
        try:
            os.dup2(caught.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        caught.seek(0)
        text = caught.read().decode("utf-8", "replace")
    figures = {}
    for name in ("bytes in allocated blocks", "bytes in available blocks",
                 "arenas allocated current"):
        found = re.search(r"# " + name + r"\s*=\s*([\d,]+)", text)
        figures[name] = int(found.group(1).replace(",", "")) if found else -1
    return figures


def _report_light(out: str) -> None:
    first: Counter | None = None
    minute = 0
    while True:
        time.sleep(60)
        minute += 1
        gc.collect()
        kinds = _kinds()
        rss = int(open(f"/proc/{os.getpid()}/statm").read().split()[1]) * os.sysconf(
            "SC_PAGE_SIZE")
        pymalloc = _pymalloc()
        with open(out, "a") as file:
            print(f"== minute {minute}: RSS {rss / 1e6:.1f} MB, pymalloc blocks "
                  f"{pymalloc['bytes in allocated blocks'] / 1e6:.1f} MB in use, "
                  f"{pymalloc['bytes in available blocks'] / 1e6:.1f} MB free, "
                  f"{pymalloc['arenas allocated current']} arenas; "
                  f"gc objects {sum(kinds.values())}", file=file)
            if first is None:
                first = kinds
                continue
            grown = Counter({name: n - first[name] for name, n in kinds.items()})
            print("   grown: " + ", ".join(f"{name} {n:+}" for name, n in grown.most_common(15)),
                  file=file)
            # Not for built-in containers: holding one that another thread is
            # building (a tuple being resized) makes that thread fail.
            for name, _ in [(n, c) for n, c in grown.most_common(8)
                            if n not in _BUILTIN_CONTAINERS][:3]:
                print(f"   {name} held by: {_holders(name)}", file=file)


_BUILTIN_CONTAINERS = {"tuple", "list", "dict", "set", "frozenset", "deque"}


def _holders(name: str, sample: int = 20) -> str:
    """What holds objects of type ``name`` (a sample of the newest): the
    holders' types, with a container's length."""
    objects = [obj for obj in gc.get_objects() if type(obj).__name__ == name][-sample:]
    held = Counter()
    for obj in objects:
        for holder in gc.get_referrers(obj):
            if holder is objects or type(holder).__name__ == "frame":
                continue
            size = f"[{len(holder)}]" if isinstance(holder, (list, dict, set, deque)) else ""
            held[f"{type(holder).__name__}{size}"] += 1
    del objects
    return ", ".join(f"{holder} {n}" for holder, n in held.most_common(6))


def main() -> None:
    out, *args = sys.argv[1:]
    if os.environ.get("VIVTUI_TRACE_LIGHT"):
        threading.Thread(target=_report_light, args=(out,), daemon=True).start()
    else:
        tracemalloc.start(1)
        threading.Thread(target=_report, args=(out,), daemon=True).start()
    from vivtui.cli import main as vivtui_main

    sys.argv = ["vivtui", *args]
    vivtui_main()


if __name__ == "__main__":
    main()
