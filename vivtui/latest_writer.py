"""Bytes written to a file on a thread of their own, the latest only.

The view kept across sessions (``ui.viewkeeper``) was written by the UI
thread once a second when it changed: while a big run loaded, making and
renaming that small file took 226 and 714 ms twice in a few runs
(``benchmarks/loop_lag.py``), and every key waited for it; a home directory
on a network disk can take longer. Here the UI thread hands the bytes over
and goes on; a state written later replaces one not yet written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

CLOSE_WAIT_S = 5.0  # at exit: for the last state, if the disk is slow


class LatestWriter:
    def __init__(self, write: Callable[[bytes], None]) -> None:
        self._write = write
        self._pending: bytes | None = None
        self._problem: OSError | None = None
        self._changed = threading.Condition()
        self._closing = False
        self._thread: threading.Thread | None = None

    def put(self, data: bytes) -> None:
        """``data`` to be written, in place of whatever is not written yet."""
        with self._changed:
            if self._closing:
                return
            self._pending = data
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="vivtui-state",
                                                daemon=True)
                self._thread.start()
            self._changed.notify()

    def problem(self) -> OSError | None:
        """Why a write failed, once (None: none did since the last look)."""
        with self._changed:
            problem, self._problem = self._problem, None
            return problem

    def close(self, wait: float = CLOSE_WAIT_S) -> None:
        """What is pending written (waited for at most ``wait`` seconds); nothing after."""
        with self._changed:
            self._closing = True
            self._changed.notify()
            thread = self._thread
        if thread is not None:
            thread.join(wait)

    def _run(self) -> None:
        while True:
            with self._changed:
                while self._pending is None and not self._closing:
                    self._changed.wait()
                data, self._pending = self._pending, None
                if data is None:
                    return
            try:
                self._write(data)
            except OSError as exc:
                with self._changed:
                    self._problem = exc
