"""A store written by the process that read it, for another to load.

``pickle`` writes an ``array`` as a copy of its bytes, and keeps every copy
until the whole store is written (its memo holds what it wrote): a 200k-task
queue's arrays added about 24 MB to the reading process's peak, at the
moment the screen's process was at its own. Here an array is written straight
from its memory (protocol 5's ``PickleBuffer``), and loaded as an array again.
"""

from __future__ import annotations

import copyreg
import os
import pickle
from array import array
from typing import IO, Any, Callable


def dump(value: Any, file: IO[bytes]) -> None:
    pickler = pickle.Pickler(file, protocol=5)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)


def load(file: IO[bytes], pace: Callable[[], object] | None = None) -> Any:
    """What ``dump`` wrote. ``pace`` is called before each piece is read (a
    frame of the pickle, 64 KB): loading a big store holds the GIL but for
    those reads, and the screen's frames shared it (keys over 100 ms in 40
    pressed while a big run loaded, three pairs of runs: 4, 1 and 3 without
    the pauses, 1, 0 and 1 with); ``pace`` may wait for a frame instead."""
    return pickle.load(_Paced(file, pace) if pace is not None else file)


class _Paced:
    """A file read in pieces, each after ``pace``."""

    def __init__(self, file: IO[bytes], pace: Callable[[], object]) -> None:
        self._file = file
        self._pace = pace

    def read(self, size: int = -1) -> bytes:
        self._pace()
        return self._file.read(size)

    def readinto(self, buffer) -> int:
        self._pace()
        return self._file.readinto(buffer)

    def readline(self, size: int = -1) -> bytes:
        return self._file.readline(size)


def leave() -> None:
    """The process ends once its answer is written, its files flushed: its store
    is not freed object by object first (a million of them: the memory stayed
    in use while the next process started)."""
    os._exit(0)


def _reduce_array(values: array) -> tuple:
    return _array_of, (values.typecode, pickle.PickleBuffer(values))


def _array_of(typecode: str, data: bytes) -> array:
    values = array(typecode)
    values.frombytes(data)
    return values


_DISPATCH = {**copyreg.dispatch_table, array: _reduce_array}
