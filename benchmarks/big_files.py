"""Every big run file, and a whole big run directory, opened in vivtui and in
lnav side by side in tmux (160x48), black-box: the screen and /proc only.

    python benchmarks/make_run.py --kind all --lines 1000000 --out /tmp/big/all
    python benchmarks/make_run.py --kind kernel --lines 4000000 --out /tmp/big/k4m
    python benchmarks/big_files.py --run /tmp/big/all --extra /tmp/big/k4m/kernel_run.log

Per viewer and file it prints:
- open s: launch until the file's last line's ``seq=`` marker is on screen
  (make_run.py puts it where the file's pane shows it; for a directory, the
  action log's);
- final s: launch until the viewer has done its loading (its CPU stays
  under 3 % of a core for a whole second; counts and figures are final then);
- peak RSS MB: the process tree's high-water mark (VmHWM) at that point, or
  the tree's resident memory sampled every 20 ms while loading if higher
  (processes that ended while loading took their high-water marks along);
- idle CPU %: over the 3 s after that;
- key ms: the median time for ``j`` (then ``k``) to change the screen, over 10
  presses each, once loaded; ``key ms loading`` the same while still loading
  (vivtui only: lnav has nothing left to load by the time its screen is up).

Figures, not tests: run on an idle machine, and compare within one run. Each
launch follows a read of the target's files (a warm page cache).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import time
from collections import deque
from pathlib import Path

from harness import (
    Session,
    TreePeak,
    cpu_s,
    hwm_mb,
    own_cpu_s,
    tree,
    vivtui_command,
    wait_screen,
)

SEQ = re.compile(rb"seq=(\d{8})")
PEER_WAIT_S = 20.0  # at most, for the peer's first screen to show the marker


def last_marker(path: Path) -> str:
    if path.is_dir():
        path = path / "action_log.jsonl"
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - 4096))
        found = SEQ.findall(handle.read())
    return "seq=" + found[-1].decode()


def wait_idle(session: Session, timeout: float, quiet_pct: float = 3.0,
              step: float = 0.1) -> float | None:
    """Launch until the start of the first whole second with the tree under
    ``quiet_pct`` CPU, a window starting at any of the looks ``step`` s
    apart. (Back-to-back one-second windows, before 2026-12-01, put the end
    of the loading off by up to a second.)"""
    deadline = time.monotonic() + timeout
    looks: deque[tuple[float, float]] = deque()
    while time.monotonic() < deadline:
        looks.append((time.monotonic(), cpu_s(tree(session.pid))))
        while looks[-1][0] - looks[0][0] >= 1.0:
            (start, before), (end, after) = looks[0], looks[-1]
            if (after - before) / (end - start) * 100 < quiet_pct:
                return start - session.started
            looks.popleft()
        time.sleep(step)
    return None


def key_ms(session: Session, presses: int = 10) -> float | None:
    """Median time for j/k to change the screen."""
    times = []
    for i in range(presses * 2):
        before = session.screen(styled=True)
        at = time.monotonic()
        session.keys("j" if i % 2 == 0 else "k")
        while time.monotonic() - at < 2.0:
            if session.screen(styled=True) != before:
                times.append((time.monotonic() - at) * 1000)
                break
            time.sleep(0.002)
        time.sleep(0.05)
    return statistics.median(times) if times else None


def warm(target: Path) -> None:
    """The target's files read through once, just before a launch: the issue's
    figures are for a warm page cache, and this VM drops it about 20 s after a
    read (a directory's files, never read by the line count, came cold)."""
    for path in ([target] if target.is_file() else sorted(target.iterdir())):
        if path.is_file():
            with open(path, "rb") as handle:
                while handle.read(4 << 20):
                    pass


def measure(label: str, command: list[str], target: Path, timeout: float,
            loading_keys: bool) -> dict:
    warm(target)
    home = Path(f"/tmp/vivtui-big-home-{label}")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    session = Session(f"big-{label}-{os.getpid()}", command, {"HOME": str(home)})
    out: dict = {"viewer": label, "file": target.name}
    peak = TreePeak(session.pid)
    try:
        # (lnav never shows the sessions file's marker: not the whole timeout for it)
        out["open_s"] = wait_screen(session, last_marker(target),
                                    timeout if label == "vivtui" else min(timeout, PEER_WAIT_S))
        if loading_keys:
            out["key_ms_loading"] = key_ms(session, 5)
        out["final_s"] = wait_idle(session, timeout)
        pids = tree(session.pid)
        # CPU to counts final, the readers' processes' (ended ones) included:
        # on two cores, a whole run's counts wait on the sum.
        out["cpu_s"] = cpu_s(pids)
        out["screen_cpu_s"] = own_cpu_s(session.pid)  # the monitor's own process
        out["peak_rss_mb"] = max(hwm_mb(pids), peak.stop())
        before = cpu_s(pids)
        time.sleep(3.0)
        out["idle_cpu_pct"] = (cpu_s(pids) - before) / 3.0 * 100
        out["key_ms"] = key_ms(session)
    finally:
        session.close()
    return out


def medians(runs: list[dict]) -> dict:
    """Each figure's median over the runs that have it (None: none has)."""
    keys = {key for run in runs for key in run}
    return {key: (statistics.median(values) if values and not isinstance(values[0], str)
                  else (values[0] if values else None))
            for key in keys
            for values in [[run[key] for run in runs if run.get(key) is not None]]}


def fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, required=True, help="a make_run.py --kind all dir")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="more files")
    parser.add_argument("--only", nargs="*", help="file names (or 'dir') to measure")
    parser.add_argument("--no-lnav", action="store_true")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--repeat", type=int, default=1,
                        help="launches per viewer and target, taken in turns: each figure "
                             "the median (a single run of this VM spread over 0.4-0.6 s "
                             "for an open, 2.4-3.3 s for counts final)")
    args = parser.parse_args()
    targets = [args.run / name for name in ("kernel_run.log", "api_audit.log",
                                            "execution_log.jsonl", "structured_logs.jsonl")]
    targets += args.extra + [args.run]
    if args.only:
        targets = [t for t in targets if t.name in args.only or ("dir" in args.only
                                                                   and t.is_dir())]
    viewers = [("vivtui", lambda target: vivtui_command(str(target)))]
    if not args.no_lnav and shutil.which("lnav"):
        viewers.append(("lnav", lambda target: ["lnav", str(target)]))
    header = (f"{'file':<24} {'viewer':<7} {'lines':>9} {'open s':>7} {'final s':>8} "
              f"{'CPU s':>6} {'screen':>6} {'peak RSS MB':>11} {'idle CPU %':>10} {'key ms':>7} {'key ms loading':>14}")
    print(header)
    for target in targets:
        lines = (sum(1 for _ in open(target, "rb")) if target.is_file() else None)
        runs: dict[str, list[dict]] = {label: [] for label, _ in viewers}
        for _ in range(args.repeat):
            for label, command in viewers:
                runs[label].append(measure(label, command(target), target, args.timeout,
                                           label == "vivtui"))
        results = {}
        for label, _ in viewers:
            result = results[label] = medians(runs[label])
            name = target.name + ("/" if target.is_dir() else "")
            print(f"{name:<24} {label:<7} {fmt(lines, ',d'):>9} "
                  f"{fmt(result['open_s'], '.2f'):>7} {fmt(result['final_s'], '.1f'):>8} "
                  f"{fmt(result.get('cpu_s'), '.1f'):>6} {fmt(result.get('screen_cpu_s'), '.1f'):>6} {fmt(result['peak_rss_mb'], '.0f'):>11} "
                  f"{fmt(result['idle_cpu_pct'], '.1f'):>10} {fmt(result['key_ms'], '.0f'):>7} "
                  f"{fmt(result.get('key_ms_loading'), '.0f'):>14}", flush=True)
        if len(results) == 2:
            ours, theirs = results["vivtui"], results["lnav"]
            ratios = [f"{name} {ours[key] / theirs[key]:.2f}" for name, key in (
                ("open", "open_s"), ("final", "final_s"), ("RSS", "peak_rss_mb"),
                ("key", "key_ms")) if ours.get(key) and theirs.get(key)]
            print(f"{'':<24} vivtui/lnav: {', '.join(ratios)}", flush=True)


if __name__ == "__main__":
    main()
