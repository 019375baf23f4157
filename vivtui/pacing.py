"""When a live view redraws: at once for a line after a quiet spell, at most a
few times a second while lines stream in, and once more when the stream pauses.

A frame of a full pane costs ~20 ms of Textual's compositing. Drawing every
batch of a 20,000 lines/s stream took half a core; nobody reads more than a few
screens a second of it. A single new line, the usual case, is still drawn at
once, and the last line of a burst within ``quiet`` of its arrival.

Those two rules alone drew every batch of a stream that comes in chunks (a
writer's bursts a tenth of a second apart: each is a line after a quiet spell
and the end of a burst), up to ten frames a second. Frames are also drawn from
a budget, ``rate`` a second with ``burst`` saved up: a trickle of lines and
the end of a fast stream (whose frames came at ``interval``) find it full.
"""

from __future__ import annotations

from time import monotonic
from typing import Callable


class Pacer:
    def __init__(self, interval: float = 0.5, quiet: float = 0.03, idle: float = 0.1,
                 clock: Callable[[], float] = monotonic, rate: float = 5.0,
                 burst: float = 3.0) -> None:
        self.interval = interval
        self.rate = rate
        self.burst = burst
        self._budget = burst  # frames that can be drawn now
        self._budget_at = clock()
        self.quiet = quiet
        # A line after this long without any is drawn at once. Longer than
        # ``quiet``: a 30 ms frame delays the next batch by as much, and taking
        # that gap for a quiet spell drew every batch of a stream again.
        self.idle = idle
        self.clock = clock
        self._last_data = float("-inf")
        self._last_draw = float("-inf")

    def arrived(self) -> float:
        """New data: 0 to draw now, else how long to wait before asking ``due``."""
        now = self.clock()
        after_idle = now - self._last_data > self.idle
        self._last_data = now
        if after_idle or now - self._last_draw >= self.interval:
            return self._afford(now)
        return self._wait(now)

    def due(self) -> float:
        """Asked again after a wait: 0 to draw now, else how much longer."""
        now = self.clock()
        if now - self._last_data >= self.quiet or now - self._last_draw >= self.interval:
            return self._afford(now)
        return self._wait(now)

    def drawn(self) -> None:
        now = self._last_draw = self.clock()
        self._budget = max(0.0, self._refilled(now) - 1.0)
        self._budget_at = now

    def _refilled(self, now: float) -> float:
        return min(self.burst, self._budget + (now - self._budget_at) * self.rate)

    def _afford(self, now: float) -> float:
        """0 if a frame is in the budget, else how long until one is."""
        return max(0.0, (1.0 - self._refilled(now)) / self.rate)

    def _wait(self, now: float) -> float:
        return max(0.001, min(self._last_draw + self.interval, self._last_data + self.quiet) - now)
