"""How long the monitor's UI thread is ever busy, while a big run loads: a
key waits for all of it. A probe thread asks the event loop to run a
callback every ``--every`` ms and times how late it runs; while a callback
is late it samples the UI thread's stack, and the other threads' that are
at work; the collector's passes over half the threshold are listed too. Every stall longer than ``--over`` ms is printed with when it
began, how long it took, and the stacks the samples found most often (the
innermost frame, then vivtui's).

    python benchmarks/loop_lag.py RUN_DIR [--seconds 40] [--keys 3@20 e@30]

In tmux at 160x48, as an operator would see it; ``--keys K@S`` sends key K
S seconds after launch (a pane to show, a jump to make); ``--state DIR`` keeps
the view in DIR from one launch to the next (a run opened again: its cursors
are looked for once it is read), where a fresh one is used otherwise. The probe's own
cost is a few microseconds a callback: the figures are the monitor's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SESSION = "looplag"


def probe(out: str, every_ms: float, over_ms: float) -> None:
    """In the monitor's process: the probe thread, started with the loop."""
    import asyncio
    import threading
    from collections import Counter

    started = time.monotonic()
    main_id = threading.main_thread().ident
    real = asyncio.base_events.BaseEventLoop.run_until_complete
    stalls: list[dict] = []
    collecting: list[float] = []

    def collection(phase: str, info: dict) -> None:
        """The collector's passes that hold the GIL long: said as a stall's cause."""
        if phase == "start":
            collecting[:] = [time.monotonic()]
        elif collecting:
            took = (time.monotonic() - collecting[0]) * 1000
            if took > over_ms / 2:
                stalls.append({"at_s": round(collecting[0] - started, 2), "ms": round(took),
                               "where": [f"gc generation {info['generation']} pass, "
                                         f"{info['collected']} collected"], "other": []})

    import gc
    gc.callbacks.append(collection)

    def watch(loop) -> None:
        ran = threading.Event()
        while not loop.is_closed():
            ran.clear()
            asked = time.monotonic()
            try:
                loop.call_soon_threadsafe(ran.set)
            except RuntimeError:  # closed meanwhile
                break
            seen: Counter[tuple[str, ...]] = Counter()
            others: Counter[tuple[str, ...]] = Counter()
            while not ran.wait(0.005):
                frames = sys._current_frames()
                seen[_where(frames.pop(main_id, None))] += 1
                frames.pop(threading.get_ident(), None)
                others.update(where for where in map(_where, frames.values())
                              if where and not where[0].endswith(_WAITING)
                              and not where[0].startswith("loop_lag.py"))
            late = (time.monotonic() - asked) * 1000
            if late > over_ms:
                stack = seen.most_common(1)[0][0] if seen else ()
                other = others.most_common(1)[0][0] if others else ()
                stalls.append({"at_s": round(asked - started, 2), "ms": round(late),
                               "where": list(stack), "other": list(other)})
                with open(out, "w") as file:
                    json.dump(stalls, file)
            time.sleep(every_ms / 1000)

    def gaps() -> None:
        """A thread that sleeps 2 ms at a time: woken late by over ``over_ms``,
        the GIL was held all along; the threads at work right after are where
        it was (a long call in C shows the line that made it)."""
        me = threading.get_ident()
        while True:
            asked = time.monotonic()
            time.sleep(0.002)
            late = (time.monotonic() - asked) * 1000
            if late > over_ms:
                frames = sys._current_frames()
                frames.pop(me, None)
                at_work = [list(where) for where in map(_where, frames.values())
                           if where and not where[0].endswith(_WAITING)]
                stalls.append({"at_s": round(asked - started, 2), "ms": round(late),
                               "where": ["GIL held (a thread's sleep woke late)"],
                               "other": at_work[0] if len(at_work) == 1 else
                               [" | ".join(" < ".join(w[:3]) for w in at_work)]})

    def run_until_complete(self, future):
        threading.Thread(target=watch, args=(self,), daemon=True).start()
        threading.Thread(target=gaps, daemon=True).start()
        return real(self, future)

    asyncio.base_events.BaseEventLoop.run_until_complete = run_until_complete


# Innermost frames of a thread that is waiting, not working.
_WAITING = (":wait", ":select", ":poll", ":_wait_for_tstate_lock", ":acquire", ":get",
            ":readable", ":sleep", "thread.py:_worker", "watcher.py:notices")


def _where(frame) -> tuple[str, ...]:
    """The stack's innermost frame and its vivtui functions, innermost first
    (the launcher's left out: every frame is under it)."""
    names: list[str] = []
    while frame is not None:
        code = frame.f_code
        name = f"{os.path.basename(code.co_filename)}:{code.co_name}"
        if not names or ("vivtui" in code.co_filename and "benchmarks" not in code.co_filename
                         and code.co_name not in ("main", "run_monitor", "open_monitor")):
            names.append(name)
        frame = frame.f_back
    return tuple(names[:12])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--keys", nargs="*", default=[], help="KEY@SECONDS")
    parser.add_argument("--every", type=float, default=20.0, help="ms between probes")
    parser.add_argument("--over", type=float, default=50.0, help="ms: a stall to print")
    parser.add_argument("--state", help="the view kept here across launches (else a fresh dir)")
    args = parser.parse_args()
    out = tempfile.mktemp(suffix=".json")
    state = args.state or tempfile.mkdtemp()
    cache = tempfile.mkdtemp()  # no answer kept from an earlier look (ingest.kept_answers)
    command = (f"env XDG_STATE_HOME={state} XDG_CACHE_HOME={cache} {sys.executable} "
               f"{os.path.abspath(__file__)} "
               f"--inside {out} {args.every} {args.over} {args.run}")
    subprocess.run(["tmux", "kill-session", "-t", SESSION], stderr=subprocess.DEVNULL)
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "160", "-y", "48",
                    command], check=True)
    launched = time.monotonic()
    keys = sorted((float(when), key) for key, _, when in (k.rpartition("@") for k in args.keys))
    for when, key in keys:
        time.sleep(max(0.0, launched + when - time.monotonic()))
        subprocess.run(["tmux", "send-keys", "-t", SESSION, key])
    time.sleep(max(0.0, launched + args.seconds - time.monotonic()))
    subprocess.run(["tmux", "send-keys", "-t", SESSION, "q"])  # (the view is written)
    time.sleep(1.0)
    subprocess.run(["tmux", "kill-session", "-t", SESSION], stderr=subprocess.DEVNULL)
    if not args.state:
        shutil.rmtree(state, ignore_errors=True)
    stalls = json.load(open(out)) if os.path.exists(out) else []
    print(f"{len(stalls)} stalls over {args.over:g} ms in {args.seconds:g} s "
          f"(keys: {' '.join(args.keys) or 'none'})")
    for stall in stalls:
        print(f"  {stall['at_s']:6.2f} s  {stall['ms']:5d} ms  {' < '.join(stall['where'])}")
        if stall.get("other"):
            print(f"  {'':>17}  other thread: {' < '.join(stall['other'][:6])}")
    if stalls:
        print(f"longest {max(stall['ms'] for stall in stalls)} ms")


def inside() -> None:
    out, every, over, *rest = sys.argv[2:]
    probe(out, float(every), float(over))
    from vivtui.cli import main as vivtui_main

    sys.argv = ["vivtui", *rest]
    vivtui_main()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inside"]:
        inside()
    else:
        main()
