"""A vivtui child process: forked from this one where that is safe
(``forked``), else a Python process started afresh on one of vivtui's
modules (a backlog read apart, a summary's group of files; ``vivtui
serve``'s monitor is always started afresh: ``sources.child_command``).
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from vivtui.ingest.forked import Forked, can_fork


def started(command: list[str], work: Callable[[Any], object], given: Any,
            passed: tuple[int, ...]) -> subprocess.Popen | Forked:
    """The child doing ``work(given)`` with the descriptors ``passed`` open:
    forked when it can be (no import of its own: about 0.25 s of CPU
    less), else ``command`` started and ``given`` sent to it, pickled, for
    the module to load and do ``work`` with. Raises ``OSError`` (no process
    could be made) or ``pickle.PicklingError``."""
    if can_fork():
        return Forked.start(partial(work, given), passed)
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, pass_fds=passed)
    try:
        with process.stdin as sent:
            pickle.dump(given, sent, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process


def given_on_stdin() -> Any:
    """In a child started afresh: what ``started`` sent it."""
    return pickle.load(sys.stdin.buffer)
