"""What the tmux benchmarks share: a viewer in a tmux session, its process tree
and what /proc says about it. Black-box: the screen and /proc only."""

from __future__ import annotations

import atexit
import compileall
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        # Each thread's children: a process started by another thread than
        # the main one is listed under that thread only.
        try:
            threads = list(Path(f"/proc/{p}/task").iterdir())
        except OSError:
            continue
        for thread in threads:
            try:
                todo += map(int, (thread / "children").read_text().split())
            except OSError:
                continue
    return out


def cpu_s(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime + stime, and cutime + cstime: a child's, once it has ended and
        # been waited for (else a child that ends takes its CPU with it).
        total += sum(map(int, fields[11:15]))
    return total / TICKS


def own_cpu_s(pid: int) -> float:
    """A process's own CPU (utime + stime), without its children's."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(map(int, fields[11:13])) / TICKS


def hwm_mb(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def rss_mb(pids: list[int]) -> float:
    """The processes' resident memory now, in all."""
    total = 0
    for p in pids:
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1])
        except (OSError, IndexError):
            continue
    return total * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


class TreePeak:
    """The process tree's resident memory at its highest, sampled every 20 ms
    in a thread: the high-water marks of processes that have ended (a
    backlog read in another process) are gone with them."""

    def __init__(self, pid: int) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(pid,), daemon=True)
        self._thread.start()

    def _sample(self, pid: int) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb(tree(pid)))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


class Session:
    """A command in a detached tmux session of ``size`` (columns, rows)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str],
                 size: tuple[int, int] = (160, 48)) -> None:
        self.name = name
        self.started = time.monotonic()
        settings = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", str(size[0]),
                        "-y", str(size[1]), *settings, *command], check=True)
        self.pid = int(subprocess.run(["tmux", "list-panes", "-t", name, "-F", "#{pane_pid}"],
                                      capture_output=True, text=True).stdout.split()[0])

    def screen(self, styled: bool = False) -> str:
        # ``styled`` (-e) for keys: a moved cursor changes only the styles of two lines.
        return subprocess.run(["tmux", "capture-pane", "-p", *(["-e"] if styled else []),
                               "-t", self.name], capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def pipe_output(self, path: Path | None) -> None:
        """Everything the program writes to its terminal appended to ``path``
        from now on (None: stop)."""
        command = [] if path is None else [f"cat >> {path}"]
        subprocess.run(["tmux", "pipe-pane", "-O", "-t", self.name, *command], check=True)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def wait_screen(session: Session, needle: str, timeout: float) -> float | None:
    """Seconds from launch until ``needle`` is on screen (None: not within ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in session.screen():
            return time.monotonic() - session.started
        time.sleep(0.01)
    return None


def append_to_screen_ms(session: Session, log: Path, line: bytes,
                        timeout: float = 2.0) -> float | None:
    """Milliseconds from one write of ``line`` (which holds a ``seq=`` marker)
    to its marker on screen, polled every 2 ms (None: not within ``timeout``)."""
    text = line.decode()
    marker = text[text.index("seq="):text.index("seq=") + 12]
    with open(log, "ab") as handle:
        at = time.monotonic()
        handle.write(line)
    while time.monotonic() - at < timeout:
        if marker in session.screen():
            return (time.monotonic() - at) * 1000
        time.sleep(0.002)
    return None


def vivtui_command(*args: str) -> list[str]:
    """The monitor, with a view kept of its own (an empty directory each
    time): the pane a run was left on is the first frame's, and a view kept
    from someone's look at the same run changed what a benchmark measured."""
    as_installed()
    installed = Path(sys.executable).with_name("vivtui")
    base = [str(installed)] if installed.exists() else [sys.executable, "-m", "vivtui"]
    return ["env", *bench_env(), *base, *args]


def as_installed() -> None:
    """vivtui's modules compiled, as ``pip install .`` leaves them: an
    editable install under PYTHONDONTWRITEBYTECODE=1 (this machine's
    setting) never writes them, and every process the monitor started
    compiled all of vivtui again (importing the app: 0.94 s, against 0.39 s
    compiled). Done once; a module changed since is compiled again."""
    global _COMPILED
    if not _COMPILED:
        package = importlib.util.find_spec("vivtui")
        for location in package.submodule_search_locations if package else ():
            compileall.compile_dir(location, quiet=1)
        _COMPILED = True


_COMPILED = False


def bench_state() -> str:
    """An empty directory for the views a benchmark's monitor keeps."""
    return _scratch("vivtui-bench-state-")


def _scratch(prefix: str) -> str:
    """An empty directory, removed when the benchmark ends (a big run's kept
    answers are tens of MB a launch)."""
    made = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, made, True)
    return made


def bench_env() -> list[str]:
    """A monitor's first look at a run: no view kept, and no answer kept from
    an earlier look (``ingest.kept_answers``; ``VIVTUI_BENCH_KEPT=DIR``: the
    answers kept in DIR, to measure a run opened again). The caller's
    ``PYTHONPATH`` goes along, to measure another checkout: a tmux session
    starts with the tmux server's environment, not its caller's, so an A/B
    of two checkouts by ``PYTHONPATH`` measured the installed code twice."""
    cache = os.environ.get("VIVTUI_BENCH_KEPT") or _scratch("vivtui-bench-cache-")
    code = os.environ.get("PYTHONPATH")
    return [f"XDG_STATE_HOME={bench_state()}", f"XDG_CACHE_HOME={cache}",
            *([f"PYTHONPATH={code}"] if code else [])]
