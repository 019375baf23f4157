"""The monitor with its drawing counted: every minute, how many times each
drawing step ran and how long it took in all, written to a file. For finding
why a long live run's CPU grows (soak.py --frames OUT): more frames a minute,
or dearer ones. The counting costs a few microseconds a call: not for figures.

    python benchmarks/frames_monitor.py OUT RUN_DIR [vivtui options]
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from functools import wraps


def _counted(owner: type, name: str, calls: Counter, spent: Counter) -> None:
    real = getattr(owner, name)
    label = f"{owner.__name__}.{name}"

    @wraps(real)
    def counted(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            calls[label] += 1
            spent[label] += time.perf_counter() - start

    setattr(owner, name, counted)


def _report(out: str, calls: Counter, spent: Counter) -> None:
    minute = 0
    while True:
        time.sleep(60)
        minute += 1
        taken, took = dict(calls), dict(spent)
        calls.clear()
        spent.clear()
        with open(out, "a") as file:
            print(f"== minute {minute}", file=file)
            for label in sorted(taken, key=lambda label: -took[label]):
                print(f"   {label:40s} {taken[label]:8d} calls {took[label] * 1000:8.0f} ms "
                      f"{took[label] * 1e6 / taken[label]:8.0f} us a call", file=file)


def main() -> None:
    out, *args = sys.argv[1:]
    from textual.app import App
    from textual.screen import Screen

    from vivtui.sources.snapshot import SnapshotReader
    from vivtui.ui.main_screen import MainScreen
    from vivtui.ui.rowview import RowView

    calls, spent = Counter(), Counter()
    for owner, name in [(Screen, "_compositor_refresh"), (App, "_display"),
                        (RowView, "render_lines"), (RowView, "set_rows"),
                        (MainScreen, "_draw"), (MainScreen, "refresh_status"),
                        (MainScreen, "_refresh_tick"), (MainScreen, "records_arrived"),
                        (SnapshotReader, "_read_whole"), (SnapshotReader, "_whole_unchanged"),
                        (SnapshotReader, "_appended")]:
        _counted(owner, name, calls, spent)
    threading.Thread(target=_report, args=(out, calls, spent), daemon=True).start()
    from vivtui.cli import main as vivtui_main

    sys.argv = ["vivtui", *args]
    vivtui_main()


if __name__ == "__main__":
    main()
