"""Opening a run file: regular files only, and never a wait.

A FIFO named like a run file hung the monitor and ``summary`` in ``open`` (no
writer), and ``/dev/zero`` linked as ``performance_history.json`` was read
until memory ran out. Such a file is refused with its type named.
"""

from __future__ import annotations

import os
import stat
from codecs import BOM_UTF16_BE, BOM_UTF16_LE, BOM_UTF32_BE
from pathlib import Path

# O_NONBLOCK: opening a FIFO does not wait for a writer; no effect on regular files.
FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)

KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
         (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
         (stat.S_ISDIR, "a directory"))


# A read past the size last seen: well under the monitor's mmap threshold
# (``allocator``, 64 KiB), so that a poll that finds nothing maps no pages.
PROBE_BYTES = 16 << 10


class NotRegular(OSError):
    """The path is there, but is not a regular file: its ``strerror`` says what it is."""


def kind_of(mode: int) -> str:
    return next((name for test, name in KINDS if test(mode)), "not a regular file")


def open_regular(path: Path | str) -> int:
    """A descriptor for reading ``path``; ``NotRegular`` for anything else,
    ``NotUtf8`` for a file that says it is UTF-16 or UTF-32."""
    try:
        st = os.stat(path)
    except OSError:
        st = None  # let open say why (missing, permission, a symlink loop)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise NotRegular(0, f"{kind_of(st.st_mode)}, not a regular file: not read")
    fd = os.open(path, FLAGS)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):  # replaced between the two looks
        os.close(fd)
        raise NotRegular(0, f"{kind_of(st.st_mode)}, not a regular file: not read")
    if says_wide(os.pread(fd, 4, 0)):
        os.close(fd)
        raise NotUtf8(0, NOT_UTF8)
    return fd


def says_wide(head: bytes) -> bool:
    """Does a file that starts with ``head`` say it is UTF-16 or UTF-32 (``NotUtf8``)?"""
    return head.startswith(_WIDE_MARKS)


class NotUtf8(OSError):
    """The file starts with a UTF-16 or UTF-32 byte order mark. Windows
    PowerShell 5's ``>`` writes a program's output so. Read as UTF-8, every
    line was noise and no kernel rule matched (a log of blocks said 0
    blocked): it is named and not read."""


NOT_UTF8 = "UTF-16 text, not UTF-8: not read (iconv -f UTF-16 -t UTF-8 converts it)"
_WIDE_MARKS = (BOM_UTF16_LE, BOM_UTF16_BE, BOM_UTF32_BE)  # (UTF-32 LE starts as UTF-16 LE)


def read_regular(path: Path | str, limit: int) -> bytes:
    """A whole regular file of at most ``limit`` bytes (``TooLarge`` beyond)."""
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise TooLarge(0, f"{size / 1e6:,.0f} MB, more than the {limit / 1e6:,.0f} MB "
                              "read whole: not read")
        return read_rest(fd, 0, limit)
    finally:
        os.close(fd)


def read_size(end: int, offset: int) -> int:
    """What to ask ``os.pread`` for at ``offset`` of a file last seen ``end``
    bytes long: exactly what it holds; past that, a small read for what came
    since. (``os.pread`` makes a buffer of the size asked for and then
    shrinks it: a live run's few new bytes were each taken from a 1 MiB
    buffer, many times a second; the soak's monitor held 14-16 MB free in
    malloc's heap after a minute, 3.3 MB since.)"""
    return end - offset if end > offset else PROBE_BYTES


def read_rest(fd: int, start: int, limit: int) -> bytes:
    """From ``start`` to the end of the file (``TooLarge`` past ``limit`` bytes)."""
    chunks = []
    offset, end = start, os.fstat(fd).st_size
    while chunk := os.pread(fd, min(read_size(end, offset), limit + 1 - (offset - start)),
                            offset):
        chunks.append(chunk)
        offset += len(chunk)
        if offset - start > limit:  # grew meanwhile
            raise TooLarge(0, f"more than the {limit / 1e6:,.0f} MB read whole: not read")
    return b"".join(chunks)


def read_head(path: Path | str, size: int) -> bytes:
    """The first ``size`` bytes of a regular file."""
    fd = open_regular(path)
    try:
        return os.pread(fd, size, 0)
    finally:
        os.close(fd)


class TooLarge(OSError):
    pass


def size_of(path: Path) -> int:
    """The file's size in bytes; 0 when it cannot be looked at."""
    try:
        return path.stat().st_size
    except OSError:
        return 0
