"""A child process forked from this one, for the uses a ``subprocess.Popen``
is put to (``wait``, ``poll``, ``kill``), where a fork is safe.

A backlog's process started afresh spent about 0.25 s of CPU importing
vivtui before it read a line; the first ones start while the monitor imports
Textual, on the same two cores. Forked before that import, a child has the
modules already. A fork is safe only while this process runs no other thread
(the child would have none of them, but whatever locks they held), and only
on Linux (elsewhere the system libraries do not expect a fork without an
exec).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable

FAILED = 1  # the child's exit status when its work raised


def can_fork() -> bool:
    """Can a child be forked from here now?"""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class Forked:
    """A forked child running ``work`` with only ``kept`` of this process's
    descriptors open (beside standard input, output and error, which are
    /dev/null), as ``pass_fds`` leaves a ``Popen``'s."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    @classmethod
    def start(cls, work: Callable[[], object], kept: Iterable[int]) -> Forked:
        """Raises ``OSError`` when no process can be made."""
        pid = os.fork()
        if pid == 0:
            _run(work, kept)  # never returns
        return cls(pid)

    def poll(self) -> int | None:
        if self.returncode is None:
            self._reap(os.WNOHANG)
        return self.returncode

    def wait(self) -> int:
        while self.returncode is None:
            self._reap(0)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:  # ended meanwhile
                pass

    def _reap(self, flags: int) -> None:
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # reaped already: its status is lost
            self.returncode = FAILED
            return
        if pid:
            self.returncode = os.waitstatus_to_exitcode(status)


def _run(work: Callable[[], object], kept: Iterable[int]) -> None:
    """In the child: only the kept descriptors open, the parent's objects
    left out of the collector's looks, ``work`` done; then gone, without
    the parent's exit handlers or buffers (status 0, or ``FAILED``)."""
    status = FAILED
    try:
        gc.freeze()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        _close_all_but([0, 1, 2, *kept])
        work()
        status = 0
    except BaseException:  # noqa: BLE001 - said by the exit status alone
        pass
    finally:
        os._exit(status)


def _close_all_but(kept: Iterable[int]) -> None:
    """Every descriptor closed but ``kept``: another child's pipe held open
    here would never end for the parent."""
    start = 0
    for fd in sorted(set(kept)):
        if fd > start:
            os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, os.sysconf("SC_OPEN_MAX"))
