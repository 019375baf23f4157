"""A hidden pane's filter and search scans wait until it is shown.

Reopening a big run whose kept view filters or searches several panes
started a scan of each at once: a million-line action log, a kernel log,
200k sessions. They took the monitor's share of the cores, and the
backlogs' processes, which run on what is left over, were counted after
53-54 s instead of 23-30 s (``benchmarks/kept_view_counts.sh``). A pane's
scans serve what it shows; a hidden one shows nothing, so its scans go on
once it is shown. (A seek, a jump's search for the next problem, is not one
of them: the jump waits for it.)
"""

from __future__ import annotations

import threading
from typing import Callable

HIDDEN_LOOK_S = 0.25  # between looks at whether the pane is shown (or the scan cancelled)


def while_hidden(on_screen: threading.Event, cancel: threading.Event,
                 then: Callable[[], object]) -> Callable[[], None]:
    """A scan's pace: none while its pane is hidden, then ``then``'s."""
    def pace() -> None:
        while not on_screen.is_set() and not cancel.is_set():
            on_screen.wait(HIDDEN_LOOK_S)
        then()
    return pace
