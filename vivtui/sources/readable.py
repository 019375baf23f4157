"""Which descriptors have something to read (or have ended), waiting at most so
long: ``select.poll``, which takes any descriptor. ``select.select`` refuses
those past 1023: in a process with many files open, a wait for another
process's answer failed at once and its backlog was read again here."""

from __future__ import annotations

import select
from collections.abc import Iterable

_EVENTS = select.POLLIN | select.POLLPRI


def readable(fds: Iterable[int], timeout: float) -> set[int]:
    """Those of ``fds`` ready to read, or ended (hung up, in error)."""
    poller = select.poll()
    for fd in fds:
        poller.register(fd, _EVENTS)
    return {fd for fd, _ in poller.poll(max(0.0, timeout) * 1000)}
