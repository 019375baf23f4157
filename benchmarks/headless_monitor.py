"""The monitor's reading without its screen: the tail loops, the store and the
alert rules, fed as the app feeds them, and nothing drawn. For telling what a
long run's memory growth owes to reading and what to drawing
(``soak.py --headless``); not a viewer.

    python benchmarks/headless_monitor.py RUN_DIR
"""

from __future__ import annotations

import queue
import sys

from vivtui.alerts.rules import AlertEngine
from vivtui.ingest.layout import discover, read_back_from
from vivtui.ingest.tailing import Tailing
from vivtui.launch import tune_process
from vivtui.store.run import RunStore


def main() -> None:
    layout = discover(sys.argv[1])
    store = RunStore()
    read_back_from(layout, store, None)
    alerts = AlertEngine(layout.root.name)
    batches: queue.Queue = queue.Queue()
    tailing = Tailing(layout.feeds, layout.directories, batches.put,
                      lambda what, exc: print(what, exc, file=sys.stderr))
    first_frame_out = tune_process()
    tailing.start()
    first_frame_out()
    while True:
        batch = batches.get()
        try:
            alerts.saw_batch(batch, store.apply_batch(batch), store)
        finally:
            tailing.applied(batch.kind)


if __name__ == "__main__":
    main()
