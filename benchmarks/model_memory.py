"""What a live run's models keep per event, without a terminal: the demo run
written to N1 and then N2 events, read into a store as the monitor reads it
(rows kept, alerts checked), and the Python memory growth between the two
(tracemalloc) by line of code.

    python benchmarks/model_memory.py [--first 20000] [--second 60000] [--top 12]

The soak (benchmarks/soak.py) says how RSS grows; this says what grows.
Figures, not a test.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vivtui.alerts.rules import AlertEngine  # noqa: E402
from vivtui.demo import DemoRun  # noqa: E402
from vivtui.ingest.feeds import read_to_end  # noqa: E402
from vivtui.ingest.layout import discover, read_back_from  # noqa: E402
from vivtui.store.run import RunStore  # noqa: E402


def write(events: int, work: Path) -> Path:
    if (work / f"run-{events}").is_dir():
        return work / f"run-{events}"
    run = DemoRun(work / f"run-{events}")
    for _ in range(events):
        run.step()
    return run.dir


def read(run_dir: Path) -> tuple[tracemalloc.Snapshot, RunStore, int]:
    layout = discover(run_dir)
    store = RunStore()
    read_back_from(layout, store, None)
    engine = AlertEngine("run")
    for feed in layout.feeds:
        read_to_end(feed, lambda batch: engine.saw_batch(batch, store.apply_batch(batch), store))
    gc.collect()
    return tracemalloc.take_snapshot(), store, tracemalloc.get_traced_memory()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first", type=int, default=20_000)
    parser.add_argument("--second", type=int, default=60_000)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--by", choices=("lineno", "filename"), default="lineno",
                        help="growth by line of code, or by module")
    parser.add_argument("--work", help="where the demo runs are written, and kept to be read "
                                       "again by a later call (default: a temporary directory)")
    args = parser.parse_args()
    tracemalloc.start(1)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(args.work or scratch)
        first, second = write(args.first, work), write(args.second, work)
        gc.collect()
        start = tracemalloc.get_traced_memory()[0]
        before, store_a, traced = read(first)
        held_a, sessions_a = traced - start, store_a.sessions.started
        del store_a  # freed: the second store is measured alone
        gc.collect()
        start = tracemalloc.get_traced_memory()[0]
        after, store_b, traced = read(second)
        held_b = traced - start
        sessions = store_b.sessions.started - sessions_a
        events = args.second - args.first
        grown = held_b - held_a
        print(f"model_memory: {args.first} -> {args.second} demo events "
              f"({sessions_a} -> {store_b.sessions.started} sessions)")
        print(f"  held {held_a / 1e6:.1f} -> {held_b / 1e6:.1f} MB: "
              f"{grown / events:.0f} bytes an event, {grown / max(1, sessions):.0f} a session")
        for stat in after.compare_to(before, args.by)[:args.top]:
            frame = stat.traceback[0]
            where = Path(frame.filename).name + (f":{frame.lineno}" if args.by == "lineno" else "")
            print(f"  {stat.size_diff / 1e3:>+9.0f} kB {stat.count_diff:>+8} objects  {where}")


if __name__ == "__main__":
    main()
