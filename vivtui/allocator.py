"""How the C allocator is asked to place big blocks in a long-running monitor.

A live run's models grow by appending to arrays and lists, which the
allocator moves to bigger blocks as they grow. glibc raises the size from
which a block gets pages of its own (``mmap``) as the process frees big
blocks, up to 32 MB; after the backlog's big reads, the growing columns were
moved about inside the heap, leaving holes behind them that RSS kept. A
fixed threshold of 64 KiB keeps each big block on pages of its own, which go
back to the system when it moves or is freed: in the soak
(``benchmarks/soak.py``), RSS grew 9.1-10.5 MB from minute 1 to minute 5 in
five runs with it, 13.1-15.8 MB in four without (2026-11-30).

256 KiB, not 64: a 128 KiB read of a backlog (``ingest.feeds.BATCH_BYTES``)
got pages of its own, faulted in afresh each time: a 1M-line audit log's
reading took 124k page faults and 0.5 s of system time, against 13k and
0.2 s (2026-12-01).
"""

from __future__ import annotations

import ctypes
import platform

MMAP_THRESHOLD = 256 << 10  # above a read batch's bytes
_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def keep_big_blocks_apart() -> bool:
    """Set glibc's mmap threshold (nothing elsewhere); True if it was set."""
    mallopt = _glibc("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1


def give_back() -> bool:
    """The heap's free pages returned to the system (glibc's ``malloc_trim``;
    nothing elsewhere): for a process that has read a big backlog and now
    holds its model while another process works (a summary's reader done
    first kept about 7 MB of freed parsing memory while its partner wrote its
    answer, at the moment the two were at their peak together). True if
    pages were returned."""
    trim = _glibc("malloc_trim")
    if trim is None:
        return False
    trim.argtypes = (ctypes.c_size_t,)
    return trim(0) == 1


def _glibc(name: str):
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
