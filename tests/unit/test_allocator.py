"""The monitor's process puts big blocks on pages of their own (glibc)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

# In a process of its own: the setting is process-wide, and tests must not inherit it.
PROBE = """
import ctypes, sys
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks",
                "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
info = ctypes.CDLL(None).mallinfo2
info.restype = Info
if sys.argv[1] == "tuned":
    from vivtui.launch import tune_process
    tune_process()
# glibc raises its threshold (128 KiB at first) to the size of a mapped block freed.
freed = bytearray(4 << 20)
del freed
size = int(sys.argv[2]) << 10
before = info().hblkhd
kept = [bytearray(size) for _ in range(20)]
print(info().hblkhd - before)
"""


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="glibc's allocator only")
def test_the_monitors_big_blocks_get_pages_of_their_own():
    def mapped(how: str, kib: int = 300) -> int:
        """Bytes mapped for 20 blocks of ``kib`` KiB (300: over the tuned threshold)."""
        return int(subprocess.run([sys.executable, "-c", PROBE, how, str(kib)],
                                  capture_output=True, text=True, check=True).stdout)

    assert mapped("tuned") >= 15 * (300 << 10)  # (most of the 20: some room is reused)
    assert mapped("default") < 300 << 10
    # A backlog's 128 KiB reads stay in the heap: mapped afresh, each read's
    # pages were faulted in again (124k faults for a 1M-line audit log).
    assert mapped("tuned", 200) < 200 << 10


FROZEN = """
import gc
import vivtui.app  # (what the monitor imports before it is tuned)
from vivtui.launch import tune_process
before = gc.get_freeze_count()
tune_process()
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_what_the_monitors_imports_made_is_frozen_out_of_the_collectors_passes():
    # A full pass over it fell in the first frame (25-36 ms on a big run).
    before, frozen, left = map(int, subprocess.run(
        [sys.executable, "-c", FROZEN], capture_output=True, text=True, check=True).stdout.split())
    assert before == 0 and frozen > 20_000 and left < frozen / 100
