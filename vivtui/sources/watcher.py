"""When to read: change notices for the directories that hold the run files.

``watchfiles`` says *when* something changed; the tailers decide *what* is new.
Directories are watched, not files: a file watch dies when the file is rotated.
A directory that does not exist yet (``vivarium/meta/audit/`` of a run that
has not started) is added as soon as it appears.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterable

import watchfiles

# The watchfiles defaults (1600 ms debounce, 50 ms step) would add up to 1.6 s
# of delay to every line; these keep a live line on screen within tens of ms.
DEBOUNCE_MS = 20
STEP_MS = 2
RECHECK_MS = 1000


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
            for changes in watchfiles.watch(
                *present,
                watch_filter=None,
                debounce=debounce_ms,
                step=step_ms,
                stop_event=stop,
                rust_timeout=RECHECK_MS,
                yield_on_timeout=True,
                recursive=False,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
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
