"""Work on one long line done by a helper process, not under the screen's GIL.

orjson holds the GIL while it decodes, and nothing can share it: a 42 MB
line of ``[{},{},…]`` appended to a live file took 2.4 s to decode and
0.4 s to free, and the screen's process answered no key meanwhile
(``benchmarks/loop_lag.py``: a 2342 ms stall). A thread does not help; a
process does. The screen's process asks for a helper (``use_helper``); from
then on ``run`` hands such work to it: a pure function of the line's bytes,
named by its module, whose answer (small: ``parsing.pruned``) comes back
pickled. The waiting thread holds no GIL. Other processes (a backlog's
reader, a summary) have no screen to hold up, and do the work themselves.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from contextlib import suppress
from importlib import import_module
from struct import Struct
from typing import IO, Any, Callable

from vivtui.sources.child_command import lowered, module_command

_SIZE = Struct("<Q")
# The helper ends once it holds more than this after an answer (a hostile
# line's millions of objects, freed, leave their arenas to the process): a
# fresh one is started at the next long line.
HELD_MOST = 256 << 20


class Unfinished(Exception):
    """The helper ended before it answered (killed: out of memory, perhaps)."""


class _Helper:
    """The one helper of this process, started at its first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self.owner: int | None = None  # the process that asked for it (a fork's child did not)

    def run(self, work: Callable[[bytes], Any], data: bytes) -> Any:
        with self._lock:
            process = self._process
            if process is None or process.poll() is not None:
                process = self._process = _start()
            if process is None:  # (none can be made here: done in place, as before)
                return work(data)
            try:
                done, value, ends = _asked(process, work, data)
            except (OSError, EOFError, pickle.UnpicklingError) as exc:
                self._process = None
                _end(process)
                raise Unfinished("the process decoding it ended (out of memory?)") from exc
            if ends:  # (it said so before it ended: no next line is sent to it meanwhile)
                self._process = None
                _end(process)
            if not done:
                raise Unfinished(f"decoding it failed: {value}")
            return value

    def stop(self) -> None:
        process = self._process
        if process is not None:  # (before the lock: a thread waiting on it gets its end)
            with suppress(OSError):
                process.kill()
        with self._lock:
            if self._process is not None:
                _end(self._process)
                self._process = None


_HELPER = _Helper()


def use_helper() -> None:
    """From now on, this process's long lines are worked on by a helper (call
    it in the screen's process, once it forks no more children)."""
    _HELPER.owner = os.getpid()


def in_use() -> bool:
    """Does this process hand its long lines to a helper (the screen's)?"""
    return _HELPER.owner == os.getpid()


def run(work: Callable[[bytes], Any], data: bytes) -> Any:
    """``work(data)``: by the helper in the process that asked for one
    (``work`` is a module's function, named to it by its module and name),
    else here. Raises ``Unfinished`` when the helper ended without an answer."""
    if not in_use():
        return work(data)
    return _HELPER.run(work, data)


def stop() -> None:
    """The helper ended, and lines worked on here again (at the screen's exit;
    the helper also ends with its input, when this process does)."""
    _HELPER.owner = None
    _HELPER.stop()


def _start() -> subprocess.Popen | None:
    try:
        return subprocess.Popen(module_command(__name__), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None


def _end(process: subprocess.Popen) -> None:
    with suppress(OSError):
        process.kill()
        process.wait()
    for pipe in (process.stdin, process.stdout):
        with suppress(OSError):
            pipe.close()


def _asked(process: subprocess.Popen, work: Callable[[bytes], Any],
           data: bytes) -> tuple[bool, Any, bool]:
    """(whether it was done, its value or what went wrong, whether the helper ends now)."""
    asked, answer = process.stdin, process.stdout
    assert asked is not None and answer is not None
    _send(asked, pickle.dumps((work.__module__, work.__qualname__)))
    _send(asked, data)  # (the line as it is: no copy of it into a pickle)
    asked.flush()
    return pickle.loads(_received(answer))


def _send(file: IO[bytes], data: bytes) -> None:
    file.write(_SIZE.pack(len(data)))
    file.write(data)


def _received(file: IO[bytes]) -> bytes:
    head = file.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise EOFError("the helper ended")
    size = _SIZE.unpack(head)[0]
    data = file.read(size)
    if len(data) < size:
        raise EOFError("the helper ended")
    return data


def _held() -> int:
    """This process's resident bytes (0 where /proc does not say)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _serve(asked: IO[bytes], answer: IO[bytes]) -> None:
    """In the helper: each work asked for, answered, until its input ends."""
    lowered()  # (it takes what the screen leaves of the cores)
    while True:
        try:
            module, name = pickle.loads(_received(asked))
            data = _received(asked)
        except EOFError:
            return
        try:
            done, value = True, getattr(import_module(module), name)(data)
        except Exception as exc:  # noqa: BLE001 - said to the asker, which raises it
            done, value = False, f"{type(exc).__name__}: {exc}"
        del data
        ends = _held() > HELD_MOST
        _send(answer, pickle.dumps((done, value, ends), protocol=pickle.HIGHEST_PROTOCOL))
        answer.flush()
        if ends:
            return


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
