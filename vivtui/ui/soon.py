"""What a panel shows, made by a thread: at once when it is quick, else a
stand-in until it is done.

A session's detail and a task's history are read back from their files when
the cursor comes to them. A 20 MB line read back and parsed on the screen's
thread held it 268 ms (the sessions pane) and 110 ms (the queue), at each
move onto that row (``benchmarks/loop_lag.py``). Here the screen's thread
waits a few milliseconds for the thread's answer, and shows it in the same
frame when it came (a row of ordinary lines: no flicker); when it did not,
the stand-in is shown, and the answer once it comes, if it is still the one
wanted (the cursor may have moved on meanwhile).
"""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as Late
from functools import partial
from typing import Callable, Generic, TypeVar

from textual.message_pump import MessagePump

T = TypeVar("T")
WAIT_S = 0.03  # the screen's thread waits this long for the answer
# Threads: a slow answer (a long line's) does not hold up the next one asked
# for, and answers no longer wanted when their turn comes are not made.
THREADS = 3


class Soon(Generic[T]):
    """For ``owner`` (a widget: a late answer is shown through its messages,
    so that a failure is the screen's, as it was when made there)."""

    def __init__(self, owner: MessagePump, name: str, wait: float = WAIT_S) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._owner = owner
        self._name = name
        self._wait = wait
        self._asked = 0  # the newest asking: an older answer is not shown

    def show(self, make: Callable[[], T], show: Callable[[T], None],
             meanwhile: Callable[[], None]) -> None:
        """``show(make())``, ``make`` called by the thread; ``meanwhile()``
        first if it takes longer than the wait. (Call on the screen's thread.)"""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix=self._name)
        self._asked += 1
        asked, loop = self._asked, asyncio.get_running_loop()
        future = self._pool.submit(contextvars.copy_context().run, self._made, asked, make)
        try:
            made = future.result(self._wait)
        except Late:
            meanwhile()
            future.add_done_callback(partial(self._done, loop, asked, show))
            return
        show(made)

    def _made(self, asked: int, make: Callable[[], T]) -> T | None:
        return make() if asked == self._asked else None

    def _done(self, loop: asyncio.AbstractEventLoop, asked: int, show: Callable[[T], None],
              done: Future) -> None:
        try:
            loop.call_soon_threadsafe(self._late, asked, done, show)
        except RuntimeError:  # the loop closed meanwhile: the monitor ended
            pass

    def _late(self, asked: int, done: Future, show: Callable[[T], None]) -> None:
        if asked == self._asked and not done.cancelled():
            self._owner.call_later(lambda: show(done.result()))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
