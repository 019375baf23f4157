"""The monitor with tracemalloc on: every minute, where memory grew since the
first minute (by line of code), written to a file. For finding what a long
run's RSS growth is made of (soak.py --trace), not for figures of speed:
tracing slows every allocation.

    python benchmarks/traced_monitor.py OUT RUN_DIR [vivtui options]

With VIVTUI_TRACE_LIGHT=1 (soak.py --trace-light), no tracemalloc: every
minute the RSS, pymalloc's own figures (blocks in use, arenas, growth by
block size), glibc's (in use, free), the objects the collector knows by
type, and the strings, bytes and numbers they hold, by size and holder,
against the first minute. Cheap enough to run at the soak's full rate (its
own counting adds a few MB of RSS: not for figures). With
VIVTUI_TRACE_TRIM=1 too, ``malloc_trim(0)`` after each minute's figures
and the RSS after it: how much of glibc's free memory was resident.
"""

from __future__ import annotations

import ctypes
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


def _pymalloc() -> dict:
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
    figures = {"classes": {int(size): int(used) * int(size) for size, used in re.findall(
        r"^\s*\d+\s+(\d+)\s+\d+\s+(\d+)\s+\d+\s*$", text, re.M)}}
    for name in ("bytes in allocated blocks", "bytes in available blocks",
                 "arenas allocated current"):
        found = re.search(r"# " + name + r"\s*=\s*([\d,]+)", text)
        figures[name] = int(found.group(1).replace(",", "")) if found else -1
    return figures


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _malloc() -> str:
    """glibc's figures over every arena: what malloc hands out (pymalloc's
    arenas included) and what it holds free; '' where there is no glibc."""
    try:
        info = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return ""
    info.restype = _MallInfo2
    got = info()
    return (f"; malloc {(got.uordblks + got.hblkhd) / 1e6:.1f} MB in use "
            f"({got.hblkhd / 1e6:.1f} mmapped), {got.fordblks / 1e6:.1f} MB free")


def _rss() -> int:
    return int(open(f"/proc/{os.getpid()}/statm").read().split()[1]) * os.sysconf(
        "SC_PAGE_SIZE")


def _report_light(out: str) -> None:
    first: tuple | None = None
    minute = 0
    while True:
        time.sleep(60)
        minute += 1
        gc.collect()
        kinds, pymalloc, census = _kinds(), _pymalloc(), _untracked_census()
        with open(out, "a") as file:
            print(f"== minute {minute}: RSS {_rss() / 1e6:.1f} MB, pymalloc blocks "
                  f"{pymalloc['bytes in allocated blocks'] / 1e6:.1f} MB in use, "
                  f"{pymalloc['bytes in available blocks'] / 1e6:.1f} MB free, "
                  f"{pymalloc['arenas allocated current']} arenas; "
                  f"gc objects {sum(kinds.values())}{_malloc()}", file=file)
            if os.environ.get("VIVTUI_TRACE_TRIM"):
                ctypes.CDLL(None).malloc_trim(0)
                print(f"   after malloc_trim(0): RSS {_rss() / 1e6:.1f} MB{_malloc()}", file=file)
            if first is None:
                first = kinds, pymalloc["classes"], census
                continue
            _print_growth(file, "pymalloc grew by block size", pymalloc["classes"], first[1],
                          lambda size, grew: f"{size} B {grew / 1e3:+.0f} kB")
            _print_growth(file, "untracked objects grew", census, first[2],
                          lambda name, grew: f"{name} {grew:+}")
            grown = _print_growth(file, "grown", kinds, first[0],
                                  lambda name, grew: f"{name} {grew:+}", 15)
            # Not for built-in containers: holding one that another thread is
            # building (a tuple being resized) makes that thread fail.
            for name, _ in [(n, c) for n, c in grown if n not in _BUILTIN_CONTAINERS][:3]:
                print(f"   {name} held by: {_holders(name)}", file=file)


def _print_growth(file, title: str, now: dict, then: dict, show, most: int = 8) -> list:
    """What grew most since the first minute, largest first."""
    grown = sorted(((name, value - then.get(name, 0)) for name, value in now.items()),
                   key=lambda item: -item[1])
    print(f"   {title}: " + ", ".join(show(name, grew) for name, grew in grown[:most]),
          file=file)
    return grown


def _untracked_census() -> Counter:
    """Objects the collector does not list (strings, bytes, numbers) held by
    those it does, by type, pymalloc size class and holder's type."""
    seen: set[int] = set()
    census: Counter = Counter()
    for holder in gc.get_objects():
        if holder is seen:
            continue
        for obj in gc.get_referents(holder):
            if gc.is_tracked(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            size = sys.getsizeof(obj, 0)
            census[f"{type(obj).__name__}/{(size + 15) // 16 * 16 if size <= 512 else 'big'}"
                   f" in {type(holder).__name__}"] += 1
    return census


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
