"""One big file read in two parts as the monitor's two readers read them
(``ingest.apart_parts``: cut near the middle), here in one process: each
part's CPU, what each answer takes to load, and the join of the two.
Figures for where a part's time goes, steadier than a launch's wall time.

    python benchmarks/part_cpu.py /tmp/big/all/execution_log.jsonl [--profile first|second|join]

``--profile``: that step under cProfile (its figures are then cProfile's).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
from pathlib import Path

from vivtui.alerts.rules import AlertEngine
from vivtui.ingest import apart_process, handover
from vivtui.ingest.apart import ReadApart
from vivtui.ingest.apart_parts import cut_of, joined
from vivtui.ingest.layout import discover
from vivtui.store.run import RunStore


def profiled(step: str, wanted: str | None, work):
    """``work()``, its CPU seconds printed (and its profile, if ``wanted``)."""
    profile = cProfile.Profile() if step == wanted else None
    started = time.process_time()
    if profile is not None:
        profile.enable()
    made = work()
    if profile is not None:
        profile.disable()
    print(f"{step}: {time.process_time() - started:.2f} s of CPU", flush=True)
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--profile", choices=["first", "second", "join"])
    args = parser.parse_args()
    layout = discover(args.file)
    feed = layout.feeds[0]
    fd = os.open(args.file, os.O_RDONLY)
    size = os.fstat(fd).st_size
    cut = cut_of(fd, size)
    answers = []
    for step, (begin, end) in (("first", (0, cut)), ("second", (cut, size))):
        reading = ReadApart.afresh(feed.kind, layout, None, RunStore(None),
                                   AlertEngine(layout.root.name))
        made = profiled(step, args.profile, lambda: apart_process._read(
            feed.spec.name, str(args.file), None, fd, begin, end, io.StringIO(),
            reading.store, reading.engine))
        written = io.BytesIO()
        handover.dump(made, written)
        answers.append(written.getvalue())
    loaded = []
    for step, answer in zip(("first", "second"), answers):
        loaded.append(profiled(f"{step} answer loaded ({len(answer) >> 20} MB)", None,
                               lambda: handover.load(io.BytesIO(answer))))
    profiled("join", args.profile, lambda: joined(loaded[0], loaded[1], feed, cut))


if __name__ == "__main__":
    main()
