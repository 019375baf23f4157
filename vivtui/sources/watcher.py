"""When to read: change notices for the directories that hold the run files.

``watchfiles`` says *when* something changed; the tailers decide *what* is new.
Directories are watched, not files: a file watch dies when the file is rotated.
A directory that does not exist yet (``vivarium/meta/audit/`` of a run that
has not started) is added as soon as it appears.

The watching is ``watchfiles``' ``RustNotify`` (what ``watchfiles.watch`` is
made of, typed and exported by the package) used directly: its step can then
change from one look to the next (``notices``). ``watchfiles.main._default_force_polling``
decides, as ``watchfiles.watch`` does, where notices cannot work (WSL, or the
``WATCHFILES_FORCE_POLLING`` setting).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from time import monotonic
from typing import Callable, Iterable

from watchfiles import main as watchfiles_main
from watchfiles._rust_notify import RustNotify

# The watchfiles defaults (1600 ms debounce, 50 ms step) would add up to 1.6 s
# of delay to every line; these keep a live line on screen within tens of ms.
DEBOUNCE_MS = 20
STEP_MS = 2
RECHECK_MS = 1000
# The watcher looks for changes every step, taking the GIL each time: every
# 2 ms, that was 1.0-1.1 % of a core with the run idle, half the monitor's
# idle CPU. After this long without a change it looks every QUIET_STEP_MS
# (0.5 %): the first line after a quiet spell is noticed up to two such steps
# later (on screen in 34 ms, against 22 ms).
QUIET_AFTER_S = 10.0
QUIET_STEP_MS = 10


def watch_directories(
    directories: Iterable[Path] | Callable[[], Iterable[Path]],
    on_change: Callable[[set], None],
    stop: threading.Event,
    *,
    paths: bool = False,
    debounce_ms: int = DEBOUNCE_MS,
    step_ms: int = STEP_MS,
    on_failure: Callable[[Exception], None] | None = None,
) -> None:
    """Call ``on_change`` with the names of changed entries (``paths``: their
    whole paths) until ``stop`` is set.

    Runs in the caller's thread. Directories that appear later are picked up
    within ``RECHECK_MS``; so are those that ``directories``, when it is a
    function, names later (the runs of an overview found as they start).
    With ``on_failure``, whatever else the watching raises is handed to it and
    the watching starts again (without, it is raised): a watcher lost for good
    left the readers' once-a-second look, a second behind every line.
    """
    if callable(directories):
        wanted_now = directories
    else:
        fixed = tuple(Path(d) for d in directories)
        wanted_now = lambda: fixed  # noqa: E731
    changed = (lambda path: Path(path)) if paths else (lambda path: Path(path).name)
    while not stop.is_set():
        wanted = tuple(wanted_now())
        present = tuple(d for d in wanted if d.is_dir())
        if not present:
            stop.wait(RECHECK_MS / 1000)
            continue
        try:
            for changes in notices(present, stop, debounce_ms, step_ms):
                if changes:
                    on_change({changed(path) for _, path in changes})
                if tuple(d for d in wanted_now() if d.is_dir()) != present:
                    break  # a directory came or went: watch the new set
        except Exception as exc:
            # The watched directory vanished under us (an OSError or watchfiles'
            # RuntimeError), or the watching failed: look again shortly, and
            # at what changed meanwhile.
            if not isinstance(exc, (OSError, RuntimeError)):
                if on_failure is None:
                    raise
                on_failure(exc)
            on_change(set())
            stop.wait(RECHECK_MS / 1000)


def notices(directories: tuple[Path, ...], stop: threading.Event, debounce_ms: int,
            step_ms: int, *, quiet_after_s: float = QUIET_AFTER_S,
            quiet_step_ms: int = QUIET_STEP_MS,
            clock: Callable[[], float] = monotonic,
            notifier: Callable[..., RustNotify] | None = None) -> Iterator[set]:
    """The changes in ``directories`` (not their subdirectories), as sets of
    (change, path) pairs, an empty set each ``RECHECK_MS`` without any, until
    ``stop`` is set; looking every ``step_ms``, or every
    ``quiet_step_ms`` (if longer) once ``quiet_after_s`` passed without a change.
    (``watchfiles.watch`` keeps one step for as long as it watches.)"""
    force_polling = watchfiles_main._default_force_polling(None)
    with (notifier or RustNotify)([str(d) for d in directories], False, force_polling, 300,
                                  False, True) as watcher:
        last_change = clock()
        while True:
            quiet = clock() - last_change > quiet_after_s
            found = watcher.watch(debounce_ms, max(step_ms, quiet_step_ms) if quiet else step_ms,
                                  RECHECK_MS, stop)
            if found == "stop" or stop.is_set():
                return
            if isinstance(found, set):
                last_change = clock()
                yield found
            else:  # "timeout" (or "signal": only the main thread gets those)
                yield set()
