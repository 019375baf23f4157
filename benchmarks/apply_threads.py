"""Does parsing on one thread and applying on another (as the monitor does)
cost more than both on one thread? A run's files read into a store headless,
each way in turn, with the wall time and each thread's CPU printed.

    python benchmarks/apply_threads.py RUN_DIR [--repeat 2] [--switch 0.0005]
                                       [--budget 1048576] [--gc-paused]

``--switch`` is the interpreter's switch interval (the monitor sets 0.5 ms);
``--budget`` the bytes parsed per batch (the backlog's 1 MiB). Run it several
times: on a shared machine the noise is as large as the effect. Figures, not
a test.
"""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vivtui.ingest.feeds import read_to_end  # noqa: E402
from vivtui.ingest.layout import discover  # noqa: E402
from vivtui.ingest.tailing import IN_FLIGHT  # noqa: E402
from vivtui.parsing.kinds import gc_paused  # noqa: E402
from vivtui.store.run import RunStore  # noqa: E402

CAPACITY = 50_000  # the monitor's rows kept per kind


def feeds(run: str, budget: int) -> list:
    layout = discover(run)
    for feed in layout.feeds:
        feed.budget = budget
    return layout.feeds


def one_thread(run: str, budget: int) -> str:
    store = RunStore(capacity=CAPACITY)
    start, cpu = time.perf_counter(), time.thread_time()
    for feed in feeds(run, budget):
        read_to_end(feed, store.apply_batch, final=False)
    return (f"one thread:  wall {time.perf_counter() - start:5.2f} s, "
            f"CPU {time.thread_time() - cpu:5.2f} s")


def two_threads(run: str, budget: int, paused: bool) -> str:
    store = RunStore(capacity=CAPACITY)
    batches: queue.Queue = queue.Queue(IN_FLIGHT)
    parse_cpu = [0.0]

    def parse() -> None:
        cpu = time.thread_time()
        for feed in feeds(run, budget):
            while True:
                batch = feed.poll()
                batches.put(batch)
                if not batch.more:
                    break
        batches.put(None)
        parse_cpu[0] = time.thread_time() - cpu

    start, cpu = time.perf_counter(), time.thread_time()
    parser = threading.Thread(target=parse)
    parser.start()
    while (batch := batches.get()) is not None:
        with gc_paused() if paused else nullcontext():
            store.apply_batch(batch)
    apply_cpu = time.thread_time() - cpu
    parser.join()
    return (f"two threads: wall {time.perf_counter() - start:5.2f} s, "
            f"apply CPU {apply_cpu:5.2f} s, parse CPU {parse_cpu[0]:5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", help="a run directory (e.g. make_run.py's)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--switch", type=float, default=0.0005)
    parser.add_argument("--budget", type=int, default=1 << 20)
    parser.add_argument("--gc-paused", action="store_true",
                        help="the collector paused while a batch is applied")
    args = parser.parse_args()
    sys.setswitchinterval(args.switch)
    print(f"apply_threads: {args.run}, switch {args.switch * 1000:g} ms, "
          f"batches of {args.budget} bytes")
    for _ in range(args.repeat):
        print(one_thread(args.run, args.budget), flush=True)
        print(two_threads(args.run, args.budget, args.gc_paused), flush=True)


if __name__ == "__main__":
    main()
